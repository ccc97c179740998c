"""The hash chain: canonical encoding, sealing, and verification that names the first event that differs.

Tampering is tried exhaustively: for every event of a chain of a few hundred and every stored
field, one changed byte or value must be reported at exactly that event.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.chain import GENESIS, EventRow, canonical_bytes, canonical_payload, event_hash, seal, verify_chain
from protocol.events import DomainEvent, PayloadError, StoredEvent

INCIDENT = UUID(int=0x1C)
START = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
FIELDS = ("seq", "type", "at", "actor", "payload", "prev_hash", "hash")


def sample_events(count: int) -> list[DomainEvent]:
    """A varied timeline: unicode, nested lists and objects, nulls, booleans, big and negative integers."""
    kinds = ["StepStarted", "StepCompleted", "DeadlineSet", "LetterQueued", "CitizenResponded"]
    return [
        DomainEvent(
            kinds[i % len(kinds)],
            {
                "step": ["assess", "suspend", "rapportage é€ 🙂"][i % 3],
                "n": i * 7919 - 1000,
                "ok": i % 2 == 0,
                "none": None,
                "nested": {"list": [i, {"deep": str(i)}], "text": 'quote " backslash \\ tab \t'},
            },
            "system" if i % 4 == 0 else f"user:{UUID(int=i)}",
            START + timedelta(minutes=37 * i, microseconds=i),
        )
        for i in range(count)
    ]


def rows_of(events: list[StoredEvent]) -> list[EventRow]:
    return [(e.seq, e.type, e.at, e.actor, e.payload_json, e.prev_hash, e.hash) for e in events]


def verify(rows: list[EventRow], **kwargs: Any):  # type: ignore[no-untyped-def]
    return verify_chain(str(INCIDENT), rows, **kwargs)


CHAIN = seal(INCIDENT, 0, GENESIS, sample_events(256))
ROWS = rows_of(CHAIN)


# ---------------------------------------------------------------------- encoding


def test_the_canonical_encoding_is_sorted_compact_json() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    encoded = canonical_bytes(
        incident_id="i", seq=1, type="T", at=at, actor="system", payload_json='{"a":1}', prev_hash=GENESIS
    )

    assert encoded == (
        b'{"actor":"system","at":"2026-01-02T03:04:05.000006Z","incident":"i","payload":{"a":1},'
        b'"prev_hash":"' + GENESIS.encode() + b'","seq":1,"type":"T"}'
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=4), st.text(max_size=12))
def test_the_encoding_is_what_any_json_canonicaliser_writes(payload: dict[str, Any], actor: str) -> None:
    at = datetime(2026, 1, 2, tzinfo=UTC)
    mine = canonical_bytes(
        incident_id=str(INCIDENT),
        seq=7,
        type="StepStarted",
        at=at,
        actor=actor,
        payload_json=canonical_payload(payload),
        prev_hash=GENESIS,
    )
    reference = json.dumps(
        {
            "actor": actor,
            "at": "2026-01-02T00:00:00.000000Z",
            "incident": str(INCIDENT),
            "payload": payload,
            "prev_hash": GENESIS,
            "seq": 7,
            "type": "StepStarted",
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()

    assert mine == reference


def test_a_payload_with_a_float_cannot_be_encoded() -> None:
    with pytest.raises(PayloadError, match=r"payload\.ratio: floats"):
        canonical_payload({"ratio": 0.5})
    with pytest.raises(PayloadError, match=r"payload\.x\[1\]: floats"):
        canonical_payload({"x": [1, float("nan")]})


@pytest.mark.parametrize("number", [2**53, -(2**53), 10**18])
def test_integers_a_json_canonicaliser_would_round_are_refused(number: int) -> None:
    # JCS reads numbers as doubles: 2**53 + 1 would be written as 9007199254740992 by an outside
    # verifier, whose hash would then differ from ours although nothing was tampered with.
    with pytest.raises(PayloadError, match=r"payload\.n: integers beyond"):
        canonical_payload({"n": number})
    assert canonical_payload({"n": 2**53 - 1}) == '{"n":9007199254740991}'


def test_the_hash_is_sha256_of_the_encoding() -> None:
    first = CHAIN[0]
    fields = {
        "incident_id": str(INCIDENT),
        "seq": 1,
        "type": first.type,
        "at": first.at,
        "actor": first.actor,
        "payload_json": first.payload_json,
        "prev_hash": GENESIS,
    }

    assert first.hash == hashlib.sha256(canonical_bytes(**fields)).hexdigest() == event_hash(**fields)


# ---------------------------------------------------------------------- sealing


def test_sealing_numbers_and_links_the_events() -> None:
    assert [e.seq for e in CHAIN] == list(range(1, 257))
    assert CHAIN[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(CHAIN))
    assert len({e.hash for e in CHAIN}) == len(CHAIN)
    assert json.loads(CHAIN[0].payload_json)["nested"]["text"] == 'quote " backslash \\ tab \t'


def test_sealing_in_parts_gives_the_same_chain() -> None:
    events = sample_events(40)
    first = seal(INCIDENT, 0, GENESIS, events[:15])

    rest = seal(INCIDENT, first[-1].seq, first[-1].hash, events[15:])

    assert first + rest == seal(INCIDENT, 0, GENESIS, events)


def test_a_chain_belongs_to_its_incident() -> None:
    report = verify_chain(str(UUID(int=0x1D)), ROWS)

    assert (report.valid, report.first_invalid_seq) == (False, 1)


# ---------------------------------------------------------------------- verification


def test_an_untouched_chain_verifies() -> None:
    report = verify(ROWS, expected_head=(256, CHAIN[-1].hash))

    assert report.valid
    assert (report.events, report.head, report.first_invalid_seq, report.reason) == (256, CHAIN[-1].hash, None, None)
    assert report.as_dict()["valid"] is True


def test_an_empty_chain_is_valid_unless_a_head_was_recorded() -> None:
    assert verify([]).valid
    assert verify([]).head is None
    report = verify([], expected_head=(3, CHAIN[2].hash))
    assert (report.valid, report.first_invalid_seq) == (False, 1)


def _flip_hex(text: str, position: int) -> str:
    position %= len(text)
    return text[:position] + ("0" if text[position] != "0" else "1") + text[position + 1 :]


def _flip_char(text: str, position: int) -> str:
    position %= len(text)
    replacement = "x" if text[position] != "x" else "y"
    return text[:position] + replacement + text[position + 1 :]


def tampered(row: EventRow, field: str, index: int) -> EventRow:
    seq, type_, at, actor, payload, prev, digest = row
    changes: dict[str, EventRow] = {
        "seq": (seq + 1000, type_, at, actor, payload, prev, digest),
        "type": (seq, _flip_char(type_, index), at, actor, payload, prev, digest),
        "at": (seq, type_, at + timedelta(microseconds=1), actor, payload, prev, digest),
        "actor": (seq, type_, at, _flip_char(actor, index), payload, prev, digest),
        "payload": (seq, type_, at, actor, _flip_char(payload, index * 31), prev, digest),
        "prev_hash": (seq, type_, at, actor, payload, _flip_hex(prev, index), digest),
        "hash": (seq, type_, at, actor, payload, prev, _flip_hex(digest, index)),
    }
    changed = changes[field]
    assert changed != row
    return changed


@pytest.mark.parametrize("field", FIELDS)
def test_one_changed_field_of_any_event_is_named_at_that_event(field: str) -> None:
    for index in range(len(ROWS)):
        rows = list(ROWS)
        rows[index] = tampered(rows[index], field, index)

        report = verify(rows)

        assert not report.valid
        assert report.first_invalid_seq == index + 1, (field, index, report)
        assert report.events == index, "the events before it still verify"


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_link_to_the_next() -> None:
    rows = list(ROWS)
    seq, type_, at, actor, payload, prev, _ = rows[99]
    forged_payload = payload.replace('"ok":false', '"ok":true')
    assert forged_payload != payload
    digest = event_hash(
        incident_id=str(INCIDENT), seq=seq, type=type_, at=at, actor=actor, payload_json=forged_payload, prev_hash=prev
    )
    rows[99] = (seq, type_, at, actor, forged_payload, prev, digest)

    report = verify(rows)

    assert (report.first_invalid_seq, report.reason) == (101, "prev_hash does not match the previous event")


def test_a_whole_rewritten_tail_is_caught_by_the_recorded_head() -> None:
    events = sample_events(256)
    events[99] = dataclasses.replace(events[99], actor="user:someone-else")
    forged = rows_of(seal(INCIDENT, 0, GENESIS, events))
    assert verify(forged).valid, "a rewrite that recomputes every hash is consistent in itself"

    report = verify(forged, expected_head=(256, CHAIN[-1].hash))

    assert (report.valid, report.first_invalid_seq) == (False, 256)
    assert report.reason == "event differs from the recorded head"


def test_a_head_recorded_earlier_catches_a_rewrite_behind_it() -> None:
    events = sample_events(256)
    events[10] = dataclasses.replace(events[10], type="StepWaived")
    forged = rows_of(seal(INCIDENT, 0, GENESIS, events))

    report = verify(forged, expected_head=(50, CHAIN[49].hash))

    assert (report.valid, report.first_invalid_seq) == (False, 50)


@pytest.mark.parametrize("index", [0, 1, 127, 254])
def test_a_deleted_event_is_named(index: int) -> None:
    rows = ROWS[:index] + ROWS[index + 1 :]

    report = verify(rows)

    assert (report.valid, report.first_invalid_seq) == (False, index + 1)
    assert report.reason == f"event {index + 1} is missing"


@pytest.mark.parametrize("index", [0, 100, 254])
def test_reordered_events_are_named(index: int) -> None:
    rows = list(ROWS)
    rows[index], rows[index + 1] = rows[index + 1], rows[index]

    report = verify(rows)

    assert (report.valid, report.first_invalid_seq) == (False, index + 1)


def test_a_replayed_event_is_named() -> None:
    rows = [*ROWS[:51], ROWS[50], *ROWS[51:]]

    assert verify(rows).first_invalid_seq == 52


@pytest.mark.parametrize("kept", [0, 1, 200, 255])
def test_a_truncated_tail_is_caught_only_with_the_recorded_head(kept: int) -> None:
    rows = ROWS[:kept]

    assert verify(rows).valid, "without a head recorded elsewhere a shorter chain is a valid chain"
    report = verify(rows, expected_head=(256, CHAIN[-1].hash))

    assert (report.valid, report.first_invalid_seq, report.events) == (False, kept + 1, kept)
    assert report.reason == f"chain ends at {kept}, recorded head is 256"


def test_a_chain_that_grew_past_the_recorded_head_is_valid() -> None:
    assert verify(ROWS, expected_head=(100, CHAIN[99].hash)).valid
