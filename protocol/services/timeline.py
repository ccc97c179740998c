"""The timeline of an incident, its verification, and signed checkpoints of all chain heads."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from protocol import messages
from protocol.chain import ChainReport, verify_chain
from protocol.chain import EventRow as ChainRow
from protocol.checkpoint import Checkpoint, CheckpointFormatError, Head, parse_checkpoint, sign_checkpoint
from protocol.events import StoredEvent
from protocol.identity import Principal
from protocol.permissions import Forbidden, require
from protocol.services.access import incident_for, incident_reach
from protocol.storage.tables import CheckpointRow
from protocol.storage.uow import UnitOfWork


def event_view(event: StoredEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "at": event.at,
        "actor": event.actor,
        "payload": json.loads(event.payload_json),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def get_timeline(
    *, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, after_seq: int = 0, limit: int = 100
) -> dict[str, Any]:
    """Events of an incident in order, a page at a time (`after_seq` is the last seq already seen)."""
    limit = max(1, min(limit, 1000))
    with uow.read_only():
        incident = incident_reach(uow, principal, incident_id, "timeline.read")
        events = uow.timeline.page(incident.id, after_seq=after_seq, limit=limit)
        # the chain length was read before the page: events appended in between may be on it
        last = events[-1].seq if events else 0
        total = max(incident.last_seq, last)
        more = last < total or (last > incident.last_seq and len(events) == limit)
        return {
            "incident_id": incident.id,
            "reference": incident.reference,
            "events": [event_view(e) for e in events],
            "next_after_seq": last if events and more else None,
            "total": total,
        }


def verify_incident(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    trusted_public_key: str | None = None,
) -> ChainReport:
    """Recompute an incident's chain; names the first event that does not match.

    A user verifies the incidents they may verify; `Principal.installation()` (the CLI) any.

    The chain must pass through the head recorded on the incident and through the head the latest
    signed checkpoint in the database lists for it (the latest signed with `trusted_public_key`, the
    installation's key; without one, the latest checkpoint under the key it names itself). A rewrite
    that recomputes every hash and the recorded head is named at the checkpointed event.
    """
    with uow.read_only():
        if not principal.is_installation:
            incident_for(uow, principal, incident_id, "incident.verify", lock=False)
        return _verify(uow, incident_id, _latest_checkpoint(uow, trusted_public_key))


def verify_all(
    *, uow_factory: Callable[[], UnitOfWork], principal: Principal, trusted_public_key: str | None = None
) -> list[ChainReport]:
    """Verify every incident's chain (the CLI's `herstel verify --all`), each against the latest checkpoint.

    The installation's alone: a user verifies the incidents they may reach, one at a time.
    """
    if not principal.is_installation:
        raise Forbidden(messages.INSTALLATION_VERIFIES(), rule="installation-only")
    with uow_factory().read_only() as uow:
        heads = uow.timeline.incident_heads()
        kept = _latest_checkpoint(uow, trusted_public_key)  # read and its signature checked once
        # One statement streams every chain, by incident in the order of `heads`: a transaction and
        # two queries per incident cost more than hashing a chain of a few dozen events.
        chains = groupby(uow.timeline.all_chain_rows(), key=itemgetter(0))
        chain = next(chains, None)
        reports = []
        for incident_id, last_seq, head_hash in heads:
            if chain is not None and chain[0] == incident_id:
                events = (row[1:] for row in chain[1])
                reports.append(_report(incident_id, (last_seq, head_hash), events, kept))
                chain = next(chains, None)  # only once this chain is read: groupby moves on past it
            else:
                reports.append(_report(incident_id, (last_seq, head_hash), (), kept))  # no events
        if chain is not None:  # events of no incident: the foreign key forbids it, so say so loudly
            raise RuntimeError(f"events of an unknown incident {chain[0]}")
    return reports


@dataclass(frozen=True)
class _KeptHeads:
    """The heads of the latest stored checkpoint, or why that checkpoint cannot be relied on."""

    created_at: datetime
    heads: dict[str, Head]
    problem: str | None = None


def _latest_checkpoint(uow: UnitOfWork, trusted_public_key: str | None) -> _KeptHeads | None:
    row = uow.checkpoints.latest(public_key=trusted_public_key)
    if row is None:
        return None
    try:
        checkpoint = parse_checkpoint(row.document)
    except CheckpointFormatError as error:
        return _KeptHeads(row.created_at, {}, f"the latest checkpoint cannot be read: {error}")
    if not checkpoint.verify_signature(trusted_public_key):
        return _KeptHeads(row.created_at, {}, "the latest checkpoint's signature does not verify")
    return _KeptHeads(checkpoint.created_at, {head.incident_id: head for head in checkpoint.heads})


def _verify(uow: UnitOfWork, incident_id: uuid.UUID, kept: _KeptHeads | None) -> ChainReport:
    return _report(incident_id, uow.incidents.head(incident_id), uow.timeline.chain_rows(incident_id), kept)


def _report(
    incident_id: uuid.UUID, head: tuple[int, str], rows: Iterable[ChainRow], kept: _KeptHeads | None
) -> ChainReport:
    signed = kept.heads.get(str(incident_id)) if kept is not None else None
    report = verify_chain(
        str(incident_id),
        rows,
        expected_head=head,
        checkpointed_head=(signed.seq, signed.hash) if signed is not None else None,
    )
    if kept is None:
        return report
    if kept.problem is not None and report.valid:
        # someone wrote a checkpoint the installation did not sign, or changed one: a finding in itself
        return replace(report, valid=False, reason=kept.problem, checkpoint_at=kept.created_at)
    return replace(report, checkpoint_at=kept.created_at) if signed is not None else report


def create_checkpoint(*, uow: UnitOfWork, principal: Principal, private_key: bytes) -> Checkpoint:
    """Sign the current head of every chain and keep the signed document (also in the database).

    The heads of every organisation go in, so a user needs the grant in each of theirs (and at
    least one); the installation (its CLI and scheduler) may always.
    """
    if not principal.is_installation:
        if not principal.memberships:
            raise Forbidden(messages.ROLE_NOT_ALLOWED(action="checkpoint.create"), rule="permission")
        for organisation_id in principal.memberships:
            require(principal, "checkpoint.create", organisation_id)
    with uow:
        heads = [Head(str(i), seq, h) for i, seq, h in uow.timeline.heads()]
        checkpoint = sign_checkpoint(heads, private_key=private_key, now=uow.now())
        uow.checkpoints.add(
            CheckpointRow(
                created_at=checkpoint.created_at,
                heads=len(heads),
                root=checkpoint.root,
                public_key=checkpoint.public_key,
                document=checkpoint.to_json(),
            )
        )
        uow.commit()
        return checkpoint


def verify_against_checkpoint(
    *, uow_factory: Callable[[], UnitOfWork], document: str, trusted_public_key: str | None = None
) -> dict[str, Any]:
    """Check a kept checkpoint: its signature, and that every head it lists is still on its chain.

    A document that is not a well-formed checkpoint (or whose root no longer matches its heads)
    is reported invalid, with the reason, rather than raised: it is a finding, not a crash.
    """
    try:
        checkpoint = parse_checkpoint(document)
    except CheckpointFormatError as error:
        return {"valid": False, "signature_valid": False, "heads": 0, "failures": [], "error": str(error)}
    result: dict[str, Any] = {
        "signature_valid": checkpoint.verify_signature(trusted_public_key),
        "created_at": checkpoint.created_at,
        "root": checkpoint.root,
        "heads": len(checkpoint.heads),
        "failures": [],
    }
    for head in checkpoint.heads:
        with uow_factory().read_only() as uow:
            incident_id = uuid.UUID(head.incident_id)
            try:
                recorded = uow.incidents.head(incident_id)
            except Exception:
                result["failures"].append({"incident_id": head.incident_id, "reason": "incident is gone"})
                continue
            report = verify_chain(head.incident_id, uow.timeline.chain_rows(incident_id), expected_head=recorded)
            if report.valid:
                report = verify_chain(
                    head.incident_id,
                    uow.timeline.chain_rows(incident_id),
                    expected_head=(head.seq, head.hash),
                )
            if not report.valid:
                result["failures"].append(
                    {
                        "incident_id": head.incident_id,
                        "first_invalid_seq": report.first_invalid_seq,
                        "reason": report.reason,
                    }
                )
    result["valid"] = result["signature_valid"] and not result["failures"]
    return result
