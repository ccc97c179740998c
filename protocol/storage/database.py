"""Engines and sessions for PostgreSQL and SQLite, with the same transaction semantics on both.

On SQLite every writing transaction starts with BEGIN IMMEDIATE, so two writers serialise at the
start instead of failing half-way; reads use a separate, deferred session. On PostgreSQL the
repositories take a row lock on the incident they change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from protocol.files import create_private, private_dir, restrict

READ_ONLY = "herstel_read_only"


class Database:
    """One engine and its session factories."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        options: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            database = self.url.database
            if database and database != ":memory:":
                _private_sqlite_file(Path(database))
            options["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        self.engine: Engine = create_engine(self.url, **options)
        if self.dialect == "sqlite":
            _serialise_sqlite_writers(self.engine)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self.read_sessions = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False, autoflush=False
        )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self, *, read_only: bool = False) -> Session:
        return (self.read_sessions if read_only else self.sessions)()

    def dispose(self) -> None:
        self.engine.dispose()


def _private_sqlite_file(path: Path) -> None:
    """The database file exists 0600 before SQLite opens it: its -wal and -shm take the same mode."""
    private_dir(path.parent)
    create_private(path)
    for suffix in ("-wal", "-shm", "-journal"):
        restrict(path.with_name(path.name + suffix))


def _serialise_sqlite_writers(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # A second line behind the 0003 insert triggers: with recursive triggers on, the delete that
        # REPLACE conflict resolution does fires the append-only DELETE triggers too.
        cursor.execute("PRAGMA recursive_triggers=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
