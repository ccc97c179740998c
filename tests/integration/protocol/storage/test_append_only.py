"""The events and checkpoints tables are append-only in the database itself, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from protocol.services import Herstel, Principal, create_checkpoint
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
