"""The hash chain over an incident's events: canonical encoding, hashing and verification.

Canonical encoding (see docs/timeline.md): the UTF-8 bytes of the JSON object

    {"actor":…,"at":…,"incident":…,"payload":…,"prev_hash":…,"seq":…,"type":…}

with keys in this (sorted) order, no whitespace, strings escaped as JSON without ASCII-escaping,
`at` as UTC with microseconds and a `Z`, and `payload` the stored canonical JSON text of the
payload (keys sorted, no whitespace, no floats). This is RFC 8785 (JCS) for float-free values.
The hash is the lowercase hex SHA-256 of those bytes; `prev_hash` of the first event is 64 zeros.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any
from uuid import UUID

from protocol.events import DomainEvent, StoredEvent, check_payload
from protocol.evidence import format_instant

GENESIS = "0" * 64

# (seq, type, at, actor, payload_json, prev_hash, hash): the columns verify reads, in this order.
EventRow = tuple[int, str, datetime, str, str, str, str]


def canonical_payload(payload: Mapping[str, Any]) -> str:
    """The canonical JSON text of a payload, as stored and as hashed."""
    check_payload(payload)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(
    *, incident_id: str, seq: int, type: str, at: datetime, actor: str, payload_json: str, prev_hash: str
) -> bytes:
    """The bytes an event's hash is taken over."""
    return _canonical(incident_id, seq, type, at, actor, payload_json, prev_hash).encode("utf-8")


def _canonical(incident_id: str, seq: int, type_: str, at: datetime, actor: str, payload_json: str, prev: str) -> str:
    return (
        '{"actor":'
        + encode_basestring(actor)
        + ',"at":'
        + encode_basestring(format_instant(at))
        + ',"incident":'
        + encode_basestring(incident_id)
        + ',"payload":'
        + payload_json
        + ',"prev_hash":'
        + encode_basestring(prev)
        + ',"seq":'
        + str(seq)
        + ',"type":'
        + encode_basestring(type_)
        + "}"
    )


def event_hash(**fields: Any) -> str:
    """SHA-256 (hex) of an event's canonical encoding; takes the fields of `canonical_bytes`."""
    return hashlib.sha256(canonical_bytes(**fields)).hexdigest()


def seal(incident_id: UUID, head_seq: int, head_hash: str, events: Iterable[DomainEvent]) -> list[StoredEvent]:
    """Place new events on a chain whose head is (`head_seq`, `head_hash`)."""
    sealed = []
    prev, seq = head_hash, head_seq
    incident = str(incident_id)
    for event in events:
        seq += 1
        payload_json = canonical_payload(event.payload)
        digest = event_hash(
            incident_id=incident,
            seq=seq,
            type=event.type,
            at=event.at,
            actor=event.actor,
            payload_json=payload_json,
            prev_hash=prev,
        )
        sealed.append(StoredEvent(incident_id, seq, event.type, event.at, event.actor, payload_json, prev, digest))
        prev = digest
    return sealed


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying one incident's chain."""

    incident_id: str
    valid: bool
    events: int
    head: str | None
    first_invalid_seq: int | None = None
    reason: str | None = None
    checkpoint_at: datetime | None = None  # the signed checkpoint the chain was also held to, if any

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "valid": self.valid,
            "events": self.events,
            "head": self.head,
            "first_invalid_seq": self.first_invalid_seq,
            "reason": self.reason,
            "checkpoint_at": self.checkpoint_at,
        }


def verify_chain(
    incident_id: str,
    rows: Iterable[EventRow],
    *,
    expected_head: tuple[int, str] | None = None,
    checkpointed_head: tuple[int, str] | None = None,
) -> ChainReport:
    """Recompute a chain from its stored rows (in seq order) and name the first event that does not match.

    `expected_head` is a head recorded elsewhere (the incident row, a signed checkpoint): the chain
    must reach it and pass through it, so that truncating or rewriting the chain is noticed too.
    `checkpointed_head` is a second such head, from a signed checkpoint: someone who rewrites the
    chain can recompute every hash and the incident's recorded head, but not the signature.
    """
    # The hot loop of `herstel verify`: it builds the same bytes as `canonical_bytes`, inlined.
    sha256, quote = hashlib.sha256, encode_basestring
    incident_json = quote(incident_id)
    head_seq, head_hash = expected_head or (0, GENESIS)
    kept_seq, kept_hash = checkpointed_head or (0, GENESIS)
    prev, expected_seq, count = GENESIS, 1, 0
    last_at: datetime | None = None
    at_json = ""
    for seq, type_, at, actor, payload_json, prev_hash, stored_hash in rows:
        if seq != expected_seq:
            return ChainReport(incident_id, False, count, prev, expected_seq, f"event {expected_seq} is missing")
        if prev_hash != prev:
            return ChainReport(incident_id, False, count, prev, seq, "prev_hash does not match the previous event")
        if at != last_at:  # the events of one action share their instant: format it once
            last_at, at_json = at, quote(format_instant(at))
        # prev_hash equals GENESIS or a hash that matched a hexdigest: hex digits, nothing to escape
        body = (
            f'{{"actor":{quote(actor)},"at":{at_json},"incident":{incident_json},"payload":{payload_json},'
            f'"prev_hash":"{prev_hash}","seq":{seq},"type":{quote(type_)}}}'
        )
        if sha256(body.encode("utf-8")).hexdigest() != stored_hash:
            return ChainReport(incident_id, False, count, prev, seq, "hash does not match the event's contents")
        if seq == head_seq and stored_hash != head_hash:
            return ChainReport(incident_id, False, count, prev, seq, "event differs from the recorded head")
        if seq == kept_seq and stored_hash != kept_hash:
            return ChainReport(
                incident_id,
                False,
                count,
                prev,
                seq,
                "event differs from the signed checkpoint: the chain was rewritten",
            )
        prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    head = prev if count else None
    if count < head_seq:
        return ChainReport(
            incident_id, False, count, head, count + 1, f"chain ends at {count}, recorded head is {head_seq}"
        )
    if count < kept_seq:
        return ChainReport(
            incident_id, False, count, head, count + 1, f"chain ends at {count}, the signed checkpoint has {kept_seq}"
        )
    return ChainReport(incident_id, True, count, head)
