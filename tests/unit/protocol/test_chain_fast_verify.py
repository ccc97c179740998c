"""The fast `verify_chain` and `format_instant` give exactly the answers of their first, plain versions.

The reference implementations below are the versions the spine shipped with (before the hot path
was tuned for `herstel verify`); every chain, tampered or not, must get the same report from both.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from json.encoder import encode_basestring
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.chain import GENESIS, ChainReport, EventRow, seal, verify_chain
from protocol.events import DomainEvent
from protocol.evidence import format_instant

INCIDENT = "5b0b7ad2-38a4-4b0c-9d43-1f7a3b0e2a11"


def reference_format_instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reference_canonical(incident: str, seq: int, type_: str, at: datetime, actor: str, payload: str, prev: str) -> str:
    return (
        '{"actor":'
        + encode_basestring(actor)
        + ',"at":'
        + encode_basestring(reference_format_instant(at))
        + ',"incident":'
        + encode_basestring(incident)
        + ',"payload":'
        + payload
        + ',"prev_hash":'
        + encode_basestring(prev)
        + ',"seq":'
        + str(seq)
        + ',"type":'
        + encode_basestring(type_)
        + "}"
    )


def reference_verify(
    incident_id: str, rows: Iterable[EventRow], *, expected_head: tuple[int, str] | None = None
) -> ChainReport:
    head_seq, head_hash = expected_head or (0, GENESIS)
    prev, expected_seq, count = GENESIS, 1, 0
    for seq, type_, at, actor, payload_json, prev_hash, stored_hash in rows:
        if seq != expected_seq:
            return ChainReport(incident_id, False, count, prev, expected_seq, f"event {expected_seq} is missing")
        if prev_hash != prev:
            return ChainReport(incident_id, False, count, prev, seq, "prev_hash does not match the previous event")
        body = reference_canonical(incident_id, seq, type_, at, actor, payload_json, prev_hash)
        if hashlib.sha256(body.encode("utf-8")).hexdigest() != stored_hash:
            return ChainReport(incident_id, False, count, prev, seq, "hash does not match the event's contents")
        if seq == head_seq and stored_hash != head_hash:
            return ChainReport(incident_id, False, count, prev, seq, "event differs from the recorded head")
        prev, expected_seq, count = stored_hash, expected_seq + 1, count + 1
    head = prev if count else None
    if count < head_seq:
        return ChainReport(
            incident_id, False, count, head, count + 1, f"chain ends at {count}, recorded head is {head_seq}"
        )
    return ChainReport(incident_id, True, count, head)


zones = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30))])
instants = st.datetimes(
    min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones
) | st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 2), timezones=zones).map(
    lambda d: d.replace(microsecond=0)
)
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
exact_integers = st.integers(min_value=-(2**53 - 1), max_value=2**53 - 1)  # events refuse larger ones
payloads = st.dictionaries(st.sampled_from(["step", "count", "note", "ok"]), st.none() | exact_integers | texts)


@st.composite
def chains(draw: st.DrawFn) -> list[EventRow]:
    """A sealed chain; runs of events share an instant, as the events of one action do."""
    events = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        at = draw(instants)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            events.append(DomainEvent("StepStarted", draw(payloads), draw(texts), at))
    sealed = seal(uuid.UUID(INCIDENT), 0, GENESIS, events)
    return [(e.seq, e.type, e.at, e.actor, e.payload_json, e.prev_hash, e.hash) for e in sealed]


def tamper(rows: list[EventRow], data: st.DataObject) -> list[EventRow]:
    if not rows:
        return rows
    rows = list(rows)
    index = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))
    row: list[Any] = list(rows[index])
    how = data.draw(st.sampled_from(["field", "delete", "swap", "truncate", "none"]))
    if how == "field":
        column = data.draw(st.integers(min_value=0, max_value=6))
        if column == 0:
            row[0] += data.draw(st.sampled_from([-1, 1]))
        elif column == 2:
            row[2] = row[2] + timedelta(microseconds=data.draw(st.sampled_from([-1, 1])))
        else:
            row[column] = data.draw(texts)
        rows[index] = tuple(row)  # type: ignore[assignment]
    elif how == "delete":
        del rows[index]
    elif how == "swap" and len(rows) > 1:
        other = (index + 1) % len(rows)
        rows[index], rows[other] = rows[other], rows[index]
    elif how == "truncate":
        rows = rows[:index]
    return rows


@settings(max_examples=400, deadline=None)
@given(chains(), st.data())
def test_verify_reports_exactly_what_the_reference_reports(rows: list[EventRow], data: st.DataObject) -> None:
    head = data.draw(
        st.none()
        | st.just((len(rows), rows[-1][6]) if rows else (0, GENESIS))
        | st.tuples(st.integers(min_value=0, max_value=len(rows) + 2), st.sampled_from([GENESIS, "f" * 64]))
    )
    tampered = tamper(rows, data)

    assert verify_chain(INCIDENT, tampered, expected_head=head) == reference_verify(
        INCIDENT, tampered, expected_head=head
    )


@given(chains())
def test_an_intact_chain_verifies(rows: list[EventRow]) -> None:
    report = verify_chain(INCIDENT, rows, expected_head=(len(rows), rows[-1][6]) if rows else None)
    assert report.valid
    assert report.events == len(rows)


@settings(max_examples=500)
@given(st.datetimes(timezones=zones))
def test_format_instant_is_the_strftime_form(value: datetime) -> None:
    assert format_instant(value) == reference_format_instant(value)


def test_format_instant_keeps_the_unpadded_form_of_years_before_1000() -> None:
    early = datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC)
    assert format_instant(early) == reference_format_instant(early)
