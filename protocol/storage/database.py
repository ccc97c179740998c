"""Engines and sessions for PostgreSQL and SQLite, with the same transaction semantics on both.

On SQLite every writing transaction starts with BEGIN IMMEDIATE, so two writers serialise at the
start instead of failing half-way; reads use a separate, deferred session. On PostgreSQL the
repositories take a row lock on the incident they change.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
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
        self._held: ContextVar[HeldConnection | None] = ContextVar(f"herstel_held_{id(self)}", default=None)

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def session(self, *, read_only: bool = False) -> Session:
        held = self._held.get()
        if held is not None and not held.busy:
            return held.session()
        return (self.read_sessions if read_only else self.sessions)()

    def hold(self) -> Token[HeldConnection | None] | None:
        """From here until `let_go`, the sessions this context opens one after another share one connection.

        A web request opens two or more short transactions (the token check, then the service),
        each of which took a connection from the pool and gave it back: a liveness ping and a reset
        every time, for one or two statements (issue #12). Held, the request takes one connection at
        its first session and returns it at its end. Each session still has its own transaction on
        it (BEGIN … COMMIT or ROLLBACK), so what a service sees and commits is unchanged; a session
        opened while another is still open gets its own connection from the pool, as before.
        PostgreSQL only: SQLite has no round trips to save, and its writers serialise on BEGIN.
        """
        return self._held.set(HeldConnection(self.engine)) if self.is_postgres else None

    def let_go(self, token: Token[HeldConnection | None] | None) -> None:
        """End a `hold`: the connection goes back to the pool (once its last session has closed)."""
        if token is None:
            return
        held = self._held.get()
        self._held.reset(token)
        if held is not None:
            held.release()

    def dispose(self) -> None:
        self.engine.dispose()


class HeldConnection:
    """One pooled connection, taken at the first session and lent to one session at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.busy = False
        self._connection: Connection | None = None
        self._released = False

    def session(self) -> Session:
        if self._connection is None:
            self._connection = self.engine.connect()
        self.busy = True
        return _LentSession(self._connection, lender=self)

    def returned(self) -> None:
        self.busy = False
        if self._released:
            self._close()

    def release(self) -> None:
        """Give the connection back now, or when the session that has it closes."""
        self._released = True
        if not self.busy:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _LentSession(Session):
    """A session on a held connection: its transaction is its own, and closing it hands the connection back."""

    def __init__(self, connection: Connection, *, lender: HeldConnection) -> None:
        super().__init__(bind=connection, expire_on_commit=False, autoflush=False)  # as Database.sessions
        self._lender: HeldConnection | None = lender

    def close(self) -> None:
        try:
            super().close()
        finally:
            lender, self._lender = self._lender, None
            if lender is not None:
                lender.returned()


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
