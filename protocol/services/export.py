"""An incident's export bundle: everything an oversight body needs to check the record offline.

One zip (docs/timeline.md, "The export bundle"): the incident's events as JSON Lines, each line
exactly the bytes its hash is taken over; their leaf indices and one multi-leaf inclusion proof
(RFC 9162 tree hashing) against the latest signed tree head; that head; optionally a consistency
proof from an earlier head; the protocol definition file; a manifest; and a PDF summary for humans.
`protocol.export_verify` checks it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

from protocol import messages
from protocol.chain import canonical_bytes
from protocol.errors import InvalidEvidence, NotFound
from protocol.evidence import format_instant
from protocol.export_verify import (
    BUNDLE_FORMAT,
    CONSISTENCY,
    EVENTS,
    HEAD,
    LEAVES,
    MANIFEST,
    NODES,
    SUMMARY,
)
from protocol.identity import Principal
from protocol.incident import Incident
from protocol.merkle import SubtreeHash, consistency_proof, multi_inclusion_proof
from protocol.permissions import grant_for
from protocol.services.export_pdf import Summary, render_summary
from protocol.services.transparency import MAX_SIZE, sign_log
from protocol.storage.uow import UnitOfWork
from protocol.transparency import TreeHead

DEFINITION = "definition.toml"


def export_incident(
    *,
    uow_factory: Callable[[], UnitOfWork],
    principal: Principal,
    incident_id: uuid.UUID,
    private_key: bytes,
    out: IO[bytes],
    since: int | None = None,
    language: str = "nl",
) -> dict[str, Any]:
    """Write the bundle of an incident to `out`; returns its manifest.

    Served to an oversight body granted the incident's organisation (`oversight.export`) and to the
    installation's operator (the CLI); for anyone else the incident does not exist. When some of
    the incident's events are not yet under a signed tree head, the log is sequenced and signed
    first (as `herstel log checkpoint` does). `since`: the size of a head the body keeps; the
    bundle then carries the consistency proof from it.
    """
    with uow_factory().read_only() as uow:
        incident = _exportable(uow, principal, incident_id)
        total, logged, last_index = uow.transparency.incident_coverage(incident.id)
        latest = uow.transparency.latest_head()
        covered = latest is not None and logged == total and (last_index is None or last_index < latest.size)
    if not covered:
        sign_log(uow_factory=uow_factory, private_key=private_key)
    with uow_factory().read_only() as uow:
        incident = _exportable(uow, principal, incident_id)
        head_row = uow.transparency.latest_head()
        assert head_row is not None  # signed just above
        head = TreeHead(head_row.size, head_row.root, head_row.timestamp, head_row.key_id, head_row.signature)
        consistency = _consistency(uow, since, head.size) if since is not None else None
        definition_row = uow.protocols.get(incident.definition.key, incident.definition.version)
        if definition_row is None:
            raise NotFound(messages.NO_DEFINITION(definition=incident.definition.ref), rule="unknown-definition")
        definition_bytes = definition_row.source_text.encode("utf-8")
        algorithm = uow.algorithms.get(incident.algorithm_id)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            count, types = _write_events_and_proofs(uow, archive, incident.id, head.size)
            if count == 0:
                raise NotFound(messages.NO_EVENT_YET(incident_id=incident_id), rule="not-in-tree")
            archive.writestr(HEAD, json.dumps(head.as_dict(), indent=1, sort_keys=True) + "\n")
            if consistency is not None:
                archive.writestr(CONSISTENCY, json.dumps(consistency, indent=1) + "\n")
            archive.writestr(DEFINITION, definition_bytes)
            summary = Summary(
                algorithm.name if algorithm else str(incident.algorithm_id), count, types, head.size, head.root
            )
            archive.writestr(SUMMARY, render_summary(incident, summary, language))
            manifest = _manifest(incident, count, head, definition_bytes, consistency, uow)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1) + "\n")
        return manifest


def _exportable(uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> Incident:
    """The incident, if the principal may export it; otherwise it does not exist for them."""
    scope = None if principal.is_installation else set(principal.memberships)
    try:
        incident = uow.incidents.get(incident_id, organisation_ids=scope, lock=False)
    except NotFound:
        raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident") from None
    if not principal.is_installation and grant_for(principal, "oversight.export", incident.organisation_id) is None:
        raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident")
    return incident


def _consistency(uow: UnitOfWork, since: int, size: int) -> dict[str, Any]:
    if not 0 <= since <= size:
        raise InvalidEvidence(messages.SINCE_BEYOND(), errors={"since": [messages.AT_MOST(maximum=size)]}, rule="since")
    if since < MAX_SIZE and uow.transparency.head(since) is None:
        raise NotFound(messages.NO_CHECKPOINT(size=since), rule="unknown-checkpoint")
    proof = _with_nodes(uow, [lambda nodes: consistency_proof(since, size, nodes)])[0]
    return {"from": since, "to": size, "proof": [node.hex() for node in proof]}


def _with_nodes(uow: UnitOfWork, computations: list[Callable[[SubtreeHash], list[bytes]]]) -> list[list[bytes]]:
    """Run many proof computations over stored nodes with one query: a dry run names the nodes they read."""
    wanted: set[tuple[int, int]] = set()

    def record(level: int, position: int) -> bytes:
        wanted.add((level, position))
        return bytes(32)

    for compute in computations:
        compute(record)
    found = uow.transparency.nodes(wanted)
    return [compute(lambda level, position: found[(level, position)]) for compute in computations]


def _write_events_and_proofs(
    uow: UnitOfWork, archive: zipfile.ZipFile, incident_id: uuid.UUID, size: int
) -> tuple[int, Counter[str]]:
    """Stream the incident's events under the head into events.jsonl, their leaf indices into leaves.jsonl and
    the nodes of their multi-leaf inclusion proof into nodes.jsonl (bundle format 2)."""
    incident = str(incident_id)
    types: Counter[str] = Counter()
    indices: list[int] = []  # the leaf index of each event in seq order: a few MB for 100,000 events
    count = 0
    with archive.open(EVENTS, "w", force_zip64=True) as events:
        for index, seq, type_, at, actor, payload, prev_hash, _hash in uow.transparency.incident_leaves(
            incident_id, size
        ):
            line = canonical_bytes(
                incident_id=incident, seq=seq, type=type_, at=at, actor=actor, payload_json=payload, prev_hash=prev_hash
            )
            events.write(line + b"\n")
            indices.append(index)
            types[type_] += 1
            count += 1
    # format 2: the leaf index of each event, and the nodes of one multi-leaf inclusion proof
    with archive.open(LEAVES, "w", force_zip64=True) as leaves:
        for start in range(0, len(indices), 10_000):
            leaves.write(b"".join(b"%d\n" % index for index in indices[start : start + 10_000]))
    proof = [lambda subtree: multi_inclusion_proof(indices, size, subtree)]
    nodes = _with_nodes(uow, proof)[0] if indices else []
    with archive.open(NODES, "w", force_zip64=True) as out:
        out.write(b"".join(b'"' + node.hex().encode() + b'"\n' for node in nodes))
    return count, types


def _manifest(
    incident: Incident,
    count: int,
    head: TreeHead,
    definition: bytes,
    consistency: dict[str, Any] | None,
    uow: UnitOfWork,
) -> dict[str, Any]:
    return {
        "format": BUNDLE_FORMAT,
        "incident": str(incident.id),
        "reference": incident.reference,
        "events": count,
        "tree_size": head.size,
        "definition": {
            "key": incident.definition.key,
            "version": incident.definition.version,
            "file": DEFINITION,
            "sha256": hashlib.sha256(definition).hexdigest(),
        },
        "consistency_from": consistency["from"] if consistency else None,
        "exported_at": format_instant(uow.now()),
    }
