"""Migrations on both backends: an empty database comes up to head, goes down to base and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from installation import Herstel, bootstrap, database_status, downgrade_database, upgrade_database
from protocol.services import list_definitions
from tests.conftest import Clock, make_settings

OVERWRITE_TRIGGERS = {"events_no_overwrite", "checkpoints_no_overwrite"}  # 0003_chain
APPEND_ONLY_TRIGGERS = {
    "postgresql": {"events_append_only", "events_no_truncate", "checkpoints_append_only", "checkpoints_no_truncate"}
    | OVERWRITE_TRIGGERS,
    "sqlite": {"events_no_update", "events_no_delete", "checkpoints_no_update", "checkpoints_no_delete"}
    | OVERWRITE_TRIGGERS,
}


@pytest.fixture
def empty(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Herstel]:
    """An installation on a database nobody has migrated yet."""
    installation = bootstrap(make_settings(tmp_path, database_url), clock=clock)
    yield installation
    installation.close()


def tables(herstel: Herstel) -> set[str]:
    return set(sa.inspect(herstel.db.engine).get_table_names())


def triggers(herstel: Herstel) -> set[str]:
    with herstel.db.engine.connect() as connection:
        if herstel.db.is_postgres:
            rows = connection.exec_driver_sql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            rows = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in rows}


def test_an_empty_database_is_migrated_to_head_without_drift(empty: Herstel) -> None:
    before = database_status(herstel=empty)
    assert before["current"] is None
    assert not before["up_to_date"]

    registered = upgrade_database(herstel=empty)

    status = database_status(herstel=empty)
    assert status["current"] == status["head"]
    assert status["up_to_date"]
    assert status["drift"] == []
    assert {"incidents", "events", "outbox", "handled_events", "checkpoints"} <= tables(empty)
    assert triggers(empty) >= APPEND_ONLY_TRIGGERS[empty.db.dialect]
    assert registered == ["nl-discrimination@1", "nl-discrimination@2", "nl-discrimination@3", "nl-discrimination@4"]
    assert [(d["key"], d["version"]) for d in list_definitions(uow=empty.uow())] == [
        ("nl-discrimination", 1),
        ("nl-discrimination", 2),
        ("nl-discrimination", 3),
        ("nl-discrimination", 4),
    ]


def test_downgrade_to_base_removes_everything_and_upgrade_restores_it(empty: Herstel) -> None:
    upgrade_database(herstel=empty)
    migrated_tables = tables(empty)

    downgrade_database(herstel=empty, revision="base")

    assert database_status(herstel=empty)["current"] is None
    assert tables(empty) <= {"alembic_version"}
    assert triggers(empty) == set()
    if empty.db.is_postgres:
        with empty.db.engine.connect() as connection:
            functions = connection.exec_driver_sql("SELECT proname FROM pg_proc WHERE proname LIKE 'herstel%%'").all()
        assert functions == []

    upgrade_database(herstel=empty)

    status = database_status(herstel=empty)
    assert status["up_to_date"]
    assert status["drift"] == []
    assert tables(empty) == migrated_tables
    assert triggers(empty) >= APPEND_ONLY_TRIGGERS[empty.db.dialect]


def test_upgrading_twice_changes_nothing(herstel: Herstel) -> None:
    first = database_status(herstel=herstel)

    upgrade_database(herstel=herstel)

    assert database_status(herstel=herstel) == first
    assert len(list_definitions(uow=herstel.uow())) == 4  # nl-discrimination 1 to 4


def test_status_reports_drift_when_the_schema_differs_from_the_models(herstel: Herstel) -> None:
    with herstel.db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX ix_stray ON incidents (title)")

    status = database_status(herstel=herstel)

    assert status["up_to_date"]
    assert any("ix_stray" in d for d in status["drift"])
