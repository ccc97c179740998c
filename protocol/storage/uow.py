"""The unit of work: one transaction in which every repository takes part.

Services use it as ``with uow: ...; uow.commit()``. Leaving the block without commit rolls back.
A capability built on the protocol (notifications) subclasses it and declares its own repositories,
so its tables join the same transaction without the protocol knowing them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import NotRequired, Self, TypedDict

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from protocol.calendar import Calendars
from protocol.definition import ProtocolDefinition
from protocol.events import StoredEvent
from protocol.storage.accounts import AccountRepository
from protocol.storage.algorithms import AlgorithmRepository, DefinitionRepository, DocumentRepository
from protocol.storage.approvals import ApprovalRepository
from protocol.storage.database import Database
from protocol.storage.inbox import InboxRepository
from protocol.storage.incident_views import ViewedIncidentRepository
from protocol.storage.lease import LeaseRepository
from protocol.storage.notices import NoticeRepository
from protocol.storage.sessions import SessionRepository
from protocol.storage.timeline import (
    CheckpointRepository,
    HandledRepository,
    OutboxRepository,
    TimelineRepository,
)
from protocol.storage.transparency import TransparencyRepository


class UnitOfWorkOptions(TypedDict):
    """What a unit of work is built with beside its database (a subclass passes them on unchanged)."""

    definitions: Callable[[str, int], ProtocolDefinition]
    calendar: Calendars
    clock: Callable[[], datetime]
    on_commit: NotRequired[list[Callable[[list[StoredEvent]], None]] | None]


class UnitOfWork:
    """One transaction over all repositories; after a commit, listeners hear of the new events."""

    def __init__(
        self,
        db: Database,
        *,
        definitions: Callable[[str, int], ProtocolDefinition],
        calendar: Calendars,
        clock: Callable[[], datetime],
        on_commit: list[Callable[[list[StoredEvent]], None]] | None = None,
    ) -> None:
        self.db = db
        self.definitions = definitions
        self.calendar = calendar
        self.clock = clock
        self.on_commit = on_commit if on_commit is not None else []
        self._read_only = False
        self.session: Session | None = None
        self.new_events: list[StoredEvent] = []

    # the transaction

    def read_only(self) -> Self:
        """Use as ``with uow.read_only():`` for queries; SQLite then does not take the write lock."""
        self._read_only = True
        return self

    def __enter__(self) -> Self:
        if self.session is not None:
            raise RuntimeError("a unit of work is entered once")
        session = self.db.session(read_only=self._read_only)
        self.session = session
        self.incidents = ViewedIncidentRepository(  # an IncidentRepository that also keeps the read model
            session, definitions=self.definitions, calendar=self.calendar, on_sealed=self.record
        )
        self.incident_views = self.incidents.views  # the read model's documents, one repository for both
        self.accounts = AccountRepository(session)
        self.sessions = SessionRepository(session)
        self.algorithms = AlgorithmRepository(session)
        self.protocols = DefinitionRepository(session)
        self.documents = DocumentRepository(session)
        self.timeline = TimelineRepository(session)
        self.outbox = OutboxRepository(session)
        self.handled = HandledRepository(session)
        self.checkpoints = CheckpointRepository(session)
        self.transparency = TransparencyRepository(session)
        self.notices = NoticeRepository(session)
        self.approvals = ApprovalRepository(session)
        self.leases = LeaseRepository(session)
        self.inbox = InboxRepository(session)
        self.open_repositories(session)
        self._committed = False
        return self

    def open_repositories(self, session: Session) -> None:
        """Where a subclass opens the repositories it declares, on the transaction's session."""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self.session is not None
        try:
            if not self._committed:
                if self._read_only:
                    # A read has nothing to undo: detach what it loaded so the rows it returns stay
                    # readable (a rollback would expire them).
                    self.session.expunge_all()
                self.session.rollback()
        finally:
            self.session.close()
            self.session = None

    def commit(self) -> None:
        assert self.session is not None
        self.incidents.write_views()  # the read model, in this transaction (protocol.storage.incident_views)
        self.session.commit()
        self._committed = True
        events, self.new_events = self.new_events, []
        for listener in self.on_commit:
            listener(events)

    def now(self) -> datetime:
        return self.clock()

    def record(self, events: list[StoredEvent]) -> None:
        """Note events appended in this transaction, for the listeners after commit."""
        self.new_events.extend(events)

    @property
    def dialect(self) -> str:
        return self.db.dialect


def is_serialization_failure(error: BaseException) -> bool:
    """True for errors a retry of the whole transaction can cure (deadlock, serialisation, busy)."""
    if not isinstance(error, DBAPIError):
        return False
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in ("40001", "40P01") or "database is locked" in str(error)
