"""The events and checkpoints tables are append-only in the database itself, on both backends."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from protocol.services import Principal, create_checkpoint, verify_all
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People

REFUSALS = [
    ("events", "UPDATE events SET actor = 'someone-else'"),
    ("events", "UPDATE events SET payload = '{}' WHERE seq = 1"),
    ("events", "DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)"),
    ("events", "DELETE FROM events"),
    ("checkpoints", "UPDATE checkpoints SET root = 'x'"),
    ("checkpoints", "DELETE FROM checkpoints"),
]


@pytest.fixture
def history(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock) -> Herstel:
    """An installation with a few incidents' events and one checkpoint."""
    for _ in range(2):
        incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
        flows.do_step(herstel, people.officer, incident, "suspend", flows.SUSPENSION)
    create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    return herstel


def snapshot(herstel: Herstel, table: str) -> list[tuple[Any, ...]]:
    with herstel.db.engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]


@pytest.mark.parametrize(("table", "statement"), REFUSALS)
def test_changing_or_removing_rows_is_refused(history: Herstel, table: str, statement: str) -> None:
    before = snapshot(history, table)
    assert before

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), history.db.engine.begin() as connection:
        connection.exec_driver_sql(statement)

    assert snapshot(history, table) == before


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite has no TRUNCATE; unqualified DELETE is above
@pytest.mark.parametrize("table", ["events", "checkpoints"])
def test_truncate_is_refused_on_postgresql(history: Herstel, table: str) -> None:
    assert history.db.is_postgres
    before = snapshot(history, table)

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), history.db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {table} CASCADE")

    assert snapshot(history, table) == before


def test_appending_still_works_after_a_refusal(
    history: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    with pytest.raises(sa.exc.DBAPIError), history.db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE events SET actor = 'x'")
    count = len(snapshot(history, "events"))

    flows.report(history, people, algorithm_id, detected_at=clock.now)

    assert len(snapshot(history, "events")) > count


# Statements that put a new row in the place of a stored one (issue 7, item 10). On SQLite, REPLACE
# conflict resolution deletes the old row without firing DELETE triggers (unless recursive_triggers
# is on); an upsert's DO UPDATE is an UPDATE. Each must be refused and leave the table as it was.
EVENT_COLUMNS = "id, incident_id, seq, type, at, actor, payload, prev_hash, hash"
SAME_ID = f"SELECT {EVENT_COLUMNS.replace('actor', ''''user:someone-else' ''')} FROM events WHERE seq = 2"
SAME_SEQ = "SELECT incident_id, seq, type, at, 'user:someone-else', payload, prev_hash, hash FROM events WHERE seq = 2"
NEW_ID_COLUMNS = "incident_id, seq, type, at, actor, payload, prev_hash, hash"
CHECKPOINT_COLUMNS = "id, created_at, heads, root, public_key, document"
SAME_CHECKPOINT = "SELECT id, created_at, heads, 'x', public_key, document FROM checkpoints"
OVERWRITES = {
    "sqlite": [
        ("events", f"INSERT OR REPLACE INTO events ({EVENT_COLUMNS}) {SAME_ID}"),
        ("events", f"REPLACE INTO events ({EVENT_COLUMNS}) {SAME_ID}"),
        ("events", f"INSERT OR REPLACE INTO events ({NEW_ID_COLUMNS}) {SAME_SEQ}"),
        ("events", f"INSERT INTO events ({EVENT_COLUMNS}) {SAME_ID} AND 1 ON CONFLICT (id) DO UPDATE SET actor = 'x'"),
        ("events", f"INSERT OR IGNORE INTO events ({EVENT_COLUMNS}) {SAME_ID}"),
        ("checkpoints", f"INSERT OR REPLACE INTO checkpoints ({CHECKPOINT_COLUMNS}) {SAME_CHECKPOINT}"),
    ],
    "postgresql": [
        ("events", f"INSERT INTO events ({EVENT_COLUMNS}) {SAME_ID}"),
        ("events", f"INSERT INTO events ({EVENT_COLUMNS}) {SAME_ID} ON CONFLICT (id) DO UPDATE SET actor = 'x'"),
        (
            "events",
            f"INSERT INTO events ({NEW_ID_COLUMNS}) {SAME_SEQ} "
            "ON CONFLICT (incident_id, seq) DO UPDATE SET payload = EXCLUDED.payload, actor = EXCLUDED.actor",
        ),
        ("events", f"INSERT INTO events ({EVENT_COLUMNS}) {SAME_ID} ON CONFLICT DO NOTHING"),
        (
            "checkpoints",
            f"INSERT INTO checkpoints ({CHECKPOINT_COLUMNS}) {SAME_CHECKPOINT} "
            "ON CONFLICT (id) DO UPDATE SET root = 'x'",
        ),
    ],
}


def test_an_insert_over_a_stored_row_is_refused(history: Herstel) -> None:
    """INSERT OR REPLACE (SQLite) and INSERT … ON CONFLICT DO UPDATE (PostgreSQL) replace nothing."""
    for table, statement in OVERWRITES[history.db.dialect]:
        before = snapshot(history, table)

        with pytest.raises(sa.exc.DBAPIError, match="append-only"), history.db.engine.begin() as connection:
            connection.exec_driver_sql(statement)

        assert snapshot(history, table) == before, statement
    assert all(report.valid for report in verify_all(uow_factory=history.uow, principal=Principal.installation()))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_insert_or_replace_is_refused_on_a_connection_the_application_did_not_open(history: Herstel) -> None:
    """Someone with the database file and the sqlite3 shell: no pragmas of ours, the trigger still holds."""
    path = history.db.engine.url.database
    assert path
    before = snapshot(history, "events")
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA recursive_triggers").fetchone() == (0,)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            connection.execute(f"INSERT OR REPLACE INTO events ({EVENT_COLUMNS}) {SAME_ID}")
        connection.rollback()
    finally:
        connection.close()

    assert snapshot(history, "events") == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_recursive_triggers_are_a_second_line_on_the_applications_connections(history: Herstel) -> None:
    """Without the insert trigger, REPLACE's delete still meets the DELETE trigger on our connections."""
    with history.db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA recursive_triggers").scalar() == 1
    with history.db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER events_no_overwrite")
    before = snapshot(history, "events")

    with pytest.raises(sa.exc.DBAPIError, match="DELETE on events is refused"), history.db.engine.begin() as connection:
        connection.exec_driver_sql(f"INSERT OR REPLACE INTO events ({EVENT_COLUMNS}) {SAME_ID}")

    assert snapshot(history, "events") == before
