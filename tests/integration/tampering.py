"""What an attacker with rights on the database does: switch off the append-only triggers and edit rows.

Used by the tests that prove the chain notices such edits; the application itself never does this.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from installation import Herstel
from protocol.chain import GENESIS, event_hash
from protocol.storage.tables import (
    EventRow,
    HandledEventRow,
    IncidentRow,
    LogEntryRow,
    LogNodeRow,
    LogQueueRow,
    NoticeRow,
    OutboxRow,
)

APPEND_ONLY_TABLES = ("events", "checkpoints", "transparency_log", "log_nodes", "tree_heads")
EVENTS = EventRow.__table__


@contextmanager
def triggers_bypassed(herstel: Herstel) -> Iterator[sa.Connection]:
    """A connection on which the append-only tables can be changed; the triggers come back afterwards."""
    with herstel.db.engine.connect() as connection:
        if herstel.db.is_postgres:
            for table in APPEND_ONLY_TABLES:
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            connection.commit()
            try:
                yield connection
                connection.commit()
            finally:
                connection.rollback()
                for table in APPEND_ONLY_TABLES:
                    connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
                connection.commit()
        else:
            saved = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            for name, _sql in saved:
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
            connection.commit()
            try:
                yield connection
                connection.commit()
            finally:
                connection.rollback()
                for _name, sql in saved:
                    connection.exec_driver_sql(sql)
                connection.commit()


def event_rows(connection: sa.Connection, incident_id: uuid.UUID) -> list[dict[str, Any]]:
    """An incident's events as stored, in seq order."""
    rows = connection.execute(sa.select(EVENTS).where(EVENTS.c.incident_id == incident_id).order_by(EVENTS.c.seq))
    return [dict(row._mapping) for row in rows]


def event_row(connection: sa.Connection, incident_id: uuid.UUID, seq: int) -> dict[str, Any]:
    stmt = sa.select(EVENTS).where(EVENTS.c.incident_id == incident_id, EVENTS.c.seq == seq)
    return dict(connection.execute(stmt).one()._mapping)


def set_event(connection: sa.Connection, event_id: int, **values: Any) -> None:
    connection.execute(sa.update(EVENTS).where(EVENTS.c.id == event_id).values(**values))


def delete_event(connection: sa.Connection, event_id: int) -> None:
    """Remove an event and whatever refers to it (the outbox row, the handler ledger, notices)."""
    for table in (
        OutboxRow.__table__,
        HandledEventRow.__table__,
        NoticeRow.__table__,
        LogEntryRow.__table__,
        LogQueueRow.__table__,
    ):
        connection.execute(sa.delete(table).where(table.c.event_id == event_id))
    connection.execute(sa.delete(EVENTS).where(EVENTS.c.id == event_id))


def rewrite_chain(connection: sa.Connection, incident_id: uuid.UUID, seq: int, payload_json: str) -> str:
    """Replace one event's payload and recompute every hash after it, and the incident's recorded head,
    so that the chain is consistent again: what a thorough attacker does. Returns the new head hash."""
    prev = None
    for row in event_rows(connection, incident_id):
        if row["seq"] < seq:
            prev = row["hash"]
            continue
        payload = payload_json if row["seq"] == seq else row["payload"]
        prev_hash = prev if prev is not None else GENESIS
        digest = event_hash(
            incident_id=str(incident_id),
            seq=row["seq"],
            type=row["type"],
            at=row["at"],
            actor=row["actor"],
            payload_json=payload,
            prev_hash=prev_hash,
        )
        set_event(connection, row["id"], payload=payload, prev_hash=prev_hash, hash=digest)
        prev = digest
    assert prev is not None
    incidents = IncidentRow.__table__
    connection.execute(sa.update(incidents).where(incidents.c.id == incident_id).values(head_hash=prev))
    return prev


def forget_log(connection: sa.Connection) -> None:
    """Empty the transparency log's leaves and nodes, so that sequencing rebuilds them from today's events."""
    connection.execute(sa.delete(LogNodeRow.__table__))
    connection.execute(sa.delete(LogEntryRow.__table__))
    connection.execute(sa.delete(LogQueueRow.__table__))
    connection.execute(sa.insert(LogQueueRow.__table__).from_select(["event_id"], sa.select(EVENTS.c.id)))


def flip(text: str, index: int = 0) -> str:
    """The same text with one character changed (one byte, for ASCII)."""
    replacement = "0" if text[index] != "0" else "1"
    return text[:index] + replacement + text[index + 1 :]
