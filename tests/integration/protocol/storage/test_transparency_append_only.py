"""The transparency log's tables are append-only in the database itself, on both backends."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from protocol.services import sign_log
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People

REFUSALS = [
    ("transparency_log", "UPDATE transparency_log SET leaf_hash = 'x'"),
    (
        "transparency_log",
        "DELETE FROM transparency_log WHERE log_index = (SELECT max(log_index) FROM transparency_log)",
    ),
    ("log_nodes", "UPDATE log_nodes SET hash = 'x' WHERE level = 0"),
    ("log_nodes", "DELETE FROM log_nodes"),
    ("tree_heads", "UPDATE tree_heads SET root = 'x'"),
    ("tree_heads", "DELETE FROM tree_heads"),
]


@pytest.fixture
def logged(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock) -> Herstel:
    flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    sign_log(uow_factory=herstel.uow, private_key=herstel.settings.signing_key_bytes())
    return herstel


def snapshot(herstel: Herstel, table: str) -> list[tuple[Any, ...]]:
    with herstel.db.engine.connect() as connection:
        return sorted(tuple(r) for r in connection.exec_driver_sql(f"SELECT * FROM {table}"))


@pytest.mark.parametrize(("table", "statement"), REFUSALS)
def test_changing_or_removing_log_rows_is_refused(logged: Herstel, table: str, statement: str) -> None:
    before = snapshot(logged, table)
    assert before

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), logged.db.engine.begin() as connection:
        connection.exec_driver_sql(statement)

    assert snapshot(logged, table) == before


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("table", ["transparency_log", "log_nodes", "tree_heads"])
def test_truncating_the_log_is_refused_on_postgresql(logged: Herstel, table: str) -> None:
    before = snapshot(logged, table)

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), logged.db.engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {table} CASCADE")

    assert snapshot(logged, table) == before


# table -> (columns, rows that copy stored keys, the conflict target, the column an upsert would change)
OVERWRITES = {
    "transparency_log": (
        "log_index, event_id, leaf_hash",
        "SELECT log_index, event_id, 'x' FROM transparency_log",
        "log_index",
        "leaf_hash",
    ),
    "log_nodes": ("level, position, hash", "SELECT level, position, 'x' FROM log_nodes", "level, position", "hash"),
    "tree_heads": (
        "size, root, timestamp, key_id, signature",
        "SELECT size, 'x', timestamp, key_id, signature FROM tree_heads",
        "size",
        "root",
    ),
}


@pytest.mark.parametrize("table", sorted(OVERWRITES))
def test_an_insert_over_a_stored_row_is_refused(logged: Herstel, table: str) -> None:
    """SQLite's INSERT OR REPLACE deletes without DELETE triggers; PostgreSQL's upsert is an UPDATE."""
    columns, rows, target, changed = OVERWRITES[table]
    if logged.db.is_postgres:
        statement = f"INSERT INTO {table} ({columns}) {rows} ON CONFLICT ({target}) DO UPDATE SET {changed} = 'x'"
    else:
        statement = f"INSERT OR REPLACE INTO {table} ({columns}) {rows}"
    before = snapshot(logged, table)

    with pytest.raises(sa.exc.DBAPIError, match="append-only"), logged.db.engine.begin() as connection:
        connection.exec_driver_sql(statement)

    assert snapshot(logged, table) == before
