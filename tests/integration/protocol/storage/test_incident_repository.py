"""The incident repository's one-statement paths against the tables themselves, on both backends.

`get` loads the aggregate in one statement, its children as JSON; these tests hold it to what a
plain typed read of each table gives. `save` writes the events, their outbox and log queue rows
and the new head in one statement on PostgreSQL; these tests hold it to the rows it leaves.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Table

from installation import Herstel
from protocol.deadlines import DeadlineState
from protocol.errors import NotFound
from protocol.services import SYSTEM, Principal, verify_incident
from protocol.storage.incidents import _approval, _deadline, _step
from protocol.storage.tables import (
    ApprovalRow,
    AssignmentRow,
    DeadlineRow,
    EventRow,
    IncidentRow,
    LogQueueRow,
    OutboxRow,
    StepRow,
)
from tests.conftest import Clock
from tests.integration import flows, racers
from tests.integration.flows import People


def _table_rows(herstel: Herstel, table: Table, incident_id: uuid.UUID) -> list[dict[str, Any]]:
    with herstel.db.engine.connect() as connection:
        stmt = sa.select(table.__table__).where(table.incident_id == incident_id)
        return [dict(row._mapping) for row in connection.execute(stmt)]


def _busy_incident(herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock) -> dict[str, Any]:
    """Steps with evidence, open and met deadlines, an assigned investigator and an approval waiting."""
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    incident = flows.assess(herstel, people, incident)
    incident = flows.do_step(herstel, people.officer, incident, "report", flows.REPORTING)
    incident = flows.investigate(herstel, people, incident)
    return flows.request_waiver(herstel, people, incident, "suspend")


def test_get_loads_the_aggregate_as_the_tables_hold_it(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    incident_id = uuid.UUID(str(_busy_incident(herstel, people, algorithm_id, clock)["id"]))
    steps = _table_rows(herstel, StepRow, incident_id)
    approvals = _table_rows(herstel, ApprovalRow, incident_id)
    deadlines = _table_rows(herstel, DeadlineRow, incident_id)
    assigned = {row["user_id"] for row in _table_rows(herstel, AssignmentRow, incident_id)}
    # every kind of child is there to load
    assert steps
    assert approvals
    assert deadlines
    assert assigned
    assert any(row["last_day"] is not None for row in deadlines)
    assert any(row["evidence"] for row in steps)

    with herstel.uow() as uow:
        incident = uow.incidents.get(incident_id)

    assert {key: step for key, step in incident.steps.items() if key in {s["key"] for s in steps}} == {
        row["key"]: _step(row) for row in steps
    }
    assert incident.approvals == {row["id"]: _approval(row) for row in approvals}
    assert incident.deadlines == {row["id"]: _deadline(row) for row in deadlines}
    assert incident.assignments == assigned
    for deadline in incident.deadlines.values():
        assert deadline.set_at.utcoffset() == timedelta(0)


def test_get_refuses_an_incident_outside_the_given_organisations(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    incident_id = uuid.UUID(str(_busy_incident(herstel, people, algorithm_id, clock)["id"]))
    with herstel.db.engine.connect() as connection:
        organisation_id = connection.scalar(sa.select(IncidentRow.organisation_id).where(IncidentRow.id == incident_id))

    with herstel.uow() as uow:
        assert uow.incidents.get(incident_id, organisation_ids=[organisation_id]).id == incident_id
        with pytest.raises(NotFound):
            uow.incidents.get(incident_id, organisation_ids=[uuid.uuid4()])


def test_a_transaction_that_waited_for_the_lock_loads_what_the_holder_committed(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    """PostgreSQL reads a statement's other tables on the snapshot the statement began with, even
    when it waited for a row lock: the aggregate read in the locking statement itself gave the
    incident's row as the holder left it but its deadlines as they were before, so a sweep behind
    another recorded every reminder and miss again (and an officer's action could write back stale
    children). The waiter must see the holder's deadlines and find nothing left to record. (SQLite
    makes the waiter wait at BEGIN, before any read.)"""
    assessed = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    incident_id = uuid.UUID(str(assessed["id"]))
    clock.advance(days=40)
    seen: list[tuple[dict[uuid.UUID, DeadlineState], int]] = []
    failures: list[BaseException] = []

    def sweep_behind() -> None:
        try:
            with herstel.uow() as uow:
                incident = uow.incidents.get(incident_id)
                states = {key: deadline.state for key, deadline in incident.deadlines.items()}
                incident.check_deadlines(now=uow.now(), actor=SYSTEM)
                seen.append((states, len(incident.events)))
        except BaseException as error:  # reported below; a thread's exception would vanish
            failures.append(error)

    with herstel.uow() as holder:
        incident = holder.incidents.get(incident_id)
        incident.check_deadlines(now=holder.now(), actor=SYSTEM)
        recorded = holder.incidents.save(incident)
        waiter = threading.Thread(target=sweep_behind)
        waiter.start()
        racers.wait_until_blocked(herstel, waiter)
        assert waiter.is_alive()  # it waits for the holder's lock
        holder.commit()
    waiter.join(60)

    assert failures == []
    assert len(recorded) >= 2  # reminders and misses, recorded by the holder
    assert seen == [({key: deadline.state for key, deadline in incident.deadlines.items()}, 0)]
    assert DeadlineState.MISSED in seen[0][0].values()


def test_a_transaction_waiting_behind_an_append_chains_its_events_after_the_holders(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    """The holder only appends (its revision stays): the waiter's one statement serves, with the
    chain head as the holder left it, and its events follow the holder's on one valid chain."""
    reported = flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    incident_id = uuid.UUID(str(reported["id"]))
    appended: list[int] = []
    failures: list[BaseException] = []

    def append_behind() -> None:
        try:
            with herstel.uow() as uow:
                incident = uow.incidents.get(incident_id)
                incident.note("LettersBatchRecorded", _letters(2, "achter"), actor=SYSTEM, now=uow.now())
                appended.extend(event.seq for event in uow.incidents.save(incident))
                uow.commit()
        except BaseException as error:  # reported below; a thread's exception would vanish
            failures.append(error)

    with herstel.uow() as holder:
        incident = holder.incidents.get(incident_id)
        incident.note("LettersBatchRecorded", _letters(1, "voor"), actor=SYSTEM, now=holder.now())
        (first,) = holder.incidents.save(incident)
        waiter = threading.Thread(target=append_behind)
        waiter.start()
        racers.wait_until_blocked(herstel, waiter)
        assert waiter.is_alive()
        holder.commit()
    waiter.join(60)

    assert failures == []
    assert appended == [first.seq + 1]
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id).valid


def test_save_writes_each_event_with_its_outbox_and_log_queue_rows_and_the_head(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    reported = flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    incident_id = uuid.UUID(str(reported["id"]))
    with herstel.uow() as uow:
        incident = uow.incidents.get(incident_id)
        for number in range(3):
            incident.note("LettersBatchRecorded", _letters(number, NOT_ASCII), actor=SYSTEM, now=uow.now())
        sealed = uow.incidents.save(incident)
        uow.commit()

    with herstel.db.engine.connect() as connection:
        events = connection.execute(
            sa.select(EventRow.id, EventRow.seq, EventRow.payload, EventRow.at, EventRow.hash)
            .where(EventRow.incident_id == incident_id)
            .order_by(EventRow.seq)
        ).all()
        head = connection.execute(
            sa.select(IncidentRow.last_seq, IncidentRow.head_hash, IncidentRow.version).where(
                IncidentRow.id == incident_id
            )
        ).one()
        ids = [event.id for event in events]
        outbox = set(connection.scalars(sa.select(OutboxRow.event_id).where(OutboxRow.event_id.in_(ids))))
        queued = set(connection.scalars(sa.select(LogQueueRow.event_id).where(LogQueueRow.event_id.in_(ids))))

    assert [event.id for event in events[-3:]] == [event.id for event in sealed]
    assert ids == sorted(ids)  # ids follow the chain's order
    assert [(e.seq, e.payload, e.at, e.hash) for e in events[-3:]] == [
        (s.seq, s.payload_json, s.at, s.hash) for s in sealed
    ]
    assert {event.id for event in sealed} <= outbox
    assert {event.id for event in sealed} <= queued
    assert (head.last_seq, head.head_hash) == (sealed[-1].seq, sealed[-1].hash)
    assert [json.loads(event.payload)["note"] for event in events[-3:]] == [NOT_ASCII] * 3
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id).valid


NOT_ASCII = 'Één "quote" \\ \u2603 \U0001d11e'  # escaped in the JSON that carries the events to PostgreSQL


def _letters(number: int, note: str) -> dict[str, Any]:
    return {
        "campaign_id": str(uuid.UUID(int=7)),
        "batch": number,
        "status": "delivered",
        "count": 500,
        "ledger_digest": hashlib.sha256(str(number).encode()).hexdigest(),
        "note": note,
    }


def test_save_writes_a_changed_incident_with_its_events(
    herstel: Herstel, people: People, algorithm_id: uuid.UUID, clock: Clock
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    assessed = flows.assess(herstel, people, incident, severity=4)

    with herstel.db.engine.connect() as connection:
        row = connection.execute(sa.select(IncidentRow).where(IncidentRow.id == uuid.UUID(str(incident["id"])))).one()
        last = connection.execute(
            sa.select(EventRow.seq, EventRow.hash).where(EventRow.incident_id == row.id).order_by(EventRow.seq.desc())
        ).first()
    assert row.version == assessed["version"] > incident["version"]
    assert row.facts.get("severity") == 4
    assert last is not None
    assert (row.last_seq, row.head_hash) == (last.seq, last.hash)
