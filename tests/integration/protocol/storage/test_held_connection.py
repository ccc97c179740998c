"""One connection per request (protocol.storage.database.Database.hold): sessions take turns on it,
each with its own transaction; one opened while another is open gets its own connection."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from protocol.storage.database import Database
from tests.services import fresh_postgres_database


@pytest.fixture
def db() -> Iterator[Database]:
    with fresh_postgres_database() as url:
        database = Database(url)
        with database.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE notes (text varchar(20))")
        yield database
        database.dispose()


def backend(session: sa.orm.Session) -> int:
    return int(session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one())


def notes(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text("SELECT text FROM notes ORDER BY text"))]


def test_sessions_one_after_another_share_one_connection_each_with_its_own_transaction(db: Database) -> None:
    held = db.hold()
    try:
        with db.session() as first:
            pid = backend(first)
            first.execute(sa.text("INSERT INTO notes VALUES ('kept')"))
            first.commit()
        with db.session() as second:
            assert backend(second) == pid
            second.execute(sa.text("INSERT INTO notes VALUES ('undone')"))
            second.rollback()
        with db.session(read_only=True) as third:
            assert backend(third) == pid
            assert [row[0] for row in third.execute(sa.text("SELECT text FROM notes"))] == ["kept"]
        assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    finally:
        db.let_go(held)
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert notes(db) == ["kept"]


def test_a_session_opened_while_another_is_open_gets_its_own_connection(db: Database) -> None:
    held = db.hold()
    try:
        with db.session() as outer:
            outer_pid = backend(outer)
            outer.execute(sa.text("INSERT INTO notes VALUES ('outer')"))
            with db.session() as inner:
                assert backend(inner) != outer_pid
                inner.execute(sa.text("INSERT INTO notes VALUES ('inner')"))
                inner.commit()  # commits only its own transaction
            outer.rollback()
        with db.session() as after:
            assert backend(after) == outer_pid  # the held connection is free again
    finally:
        db.let_go(held)
    assert notes(db) == ["inner"]


def test_letting_go_while_a_session_is_open_returns_the_connection_when_it_closes(db: Database) -> None:
    held = db.hold()
    session = db.session()
    session.execute(sa.text("INSERT INTO notes VALUES ('late')"))
    db.let_go(held)
    assert db.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    session.commit()
    session.close()
    assert db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert notes(db) == ["late"]


def test_without_a_hold_each_session_takes_its_own_connection(db: Database) -> None:
    checkouts: list[object] = []
    sa.event.listen(db.engine, "checkout", lambda *_: checkouts.append(1))
    for _ in range(2):
        with db.session() as session:
            backend(session)
    assert len(checkouts) == 2
