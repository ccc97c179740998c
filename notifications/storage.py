"""Repositories of the notifications tables, and the unit of work that declares them.

`NotificationsUnitOfWork` is the protocol's unit of work with `uow.persons`, `uow.letters` (see
`letter_storage`), `uow.responses` and `uow.senders` beside the protocol's repositories: one
transaction over both. The composition root (`installation`) builds every unit of work of the
installation as this one, so the protocol's event handlers may use the letters too."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from notifications.bulk import bulk_insert, bulk_insert_rows, bulk_update, chunks
from notifications.dispatch import LetterDispatch
from notifications.letter_storage import LetterRepository
from notifications.rendering import Logo
from notifications.response_storage import ResponseExtrasRepository
from notifications.tables import (
    AffectedPersonRow,
    CitizenResponseRow,
    LetterheadLogoRow,
    LetterSenderRow,
)
from protocol.storage.database import Database
from protocol.storage.tables import IncidentRow
from protocol.storage.uow import UnitOfWork, UnitOfWorkOptions

if TYPE_CHECKING:
    from notifications.ports import Installation


class PersonRepository:
    """Affected persons and reporters of an incident."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def hashes(self, incident_id: uuid.UUID) -> dict[str, uuid.UUID]:
        """BSN hash → person id, for matching an import against those already in the incident."""
        stmt = select(AffectedPersonRow.bsn_hash, AffectedPersonRow.id).where(
            AffectedPersonRow.incident_id == incident_id, AffectedPersonRow.bsn_hash.is_not(None)
        )
        return {h: i for h, i in self.session.execute(stmt) if h is not None}

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self.session, AffectedPersonRow, rows)

    def add_rows(self, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Store persons given as tuples in `columns`' order, consumed as they come (on PostgreSQL one
        COPY that writes each row as it is made); returns how many."""
        return bulk_insert_rows(self.session, AffectedPersonRow, columns, rows)

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows carry `id` and the columns to change."""
        bulk_update(self.session, AffectedPersonRow, rows)

    def get(self, person_id: uuid.UUID) -> AffectedPersonRow | None:
        return self.session.get(AffectedPersonRow, person_id)

    def many(self, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AffectedPersonRow]:
        ids = list(person_ids)
        found: dict[uuid.UUID, AffectedPersonRow] = {}
        for chunk in chunks(ids):
            stmt = select(AffectedPersonRow).where(AffectedPersonRow.id.in_(list(chunk)))
            found.update((r.id, r) for r in self.session.scalars(stmt))
        return found

    def of_kind(self, incident_id: uuid.UUID, kind: str) -> list[AffectedPersonRow]:
        stmt = (
            select(AffectedPersonRow)
            .where(AffectedPersonRow.incident_id == incident_id, AffectedPersonRow.kind == kind)
            .order_by(AffectedPersonRow.created_at, AffectedPersonRow.id)
        )
        return list(self.session.scalars(stmt))

    def page(
        self, incident_id: uuid.UUID, *, page: int, per_page: int, bsn_hash: str | None = None
    ) -> tuple[list[AffectedPersonRow], int]:
        """A page of the incident's persons; with `bsn_hash`, only the one with that BSN (exact, by its keyed hash)."""
        where = AffectedPersonRow.incident_id == incident_id
        if bsn_hash is not None:
            where = and_(where, AffectedPersonRow.bsn_hash == bsn_hash)
        total = self.session.scalar(select(func.count()).select_from(AffectedPersonRow).where(where)) or 0
        stmt = (
            select(AffectedPersonRow)
            .where(where)
            .order_by(AffectedPersonRow.created_at, AffectedPersonRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        return list(self.session.scalars(stmt)), total

    def count(self, incident_id: uuid.UUID, kind: str | None = None) -> int:
        stmt = select(func.count()).select_from(AffectedPersonRow).where(AffectedPersonRow.incident_id == incident_id)
        if kind:
            stmt = stmt.where(AffectedPersonRow.kind == kind)
        return self.session.scalar(stmt) or 0


class ResponseRepository:
    """Citizens' questions, objections, complaints and harm reports."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: CitizenResponseRow) -> None:
        self.session.add(row)
        self.session.flush()

    def get(self, response_id: uuid.UUID, *, incident_id: uuid.UUID | None = None) -> CitizenResponseRow | None:
        row = self.session.get(CitizenResponseRow, response_id)
        if row is None or (incident_id is not None and row.incident_id != incident_id):
            return None
        return row

    def of_incident(self, incident_id: uuid.UUID) -> list[CitizenResponseRow]:
        stmt = (
            select(CitizenResponseRow)
            .where(CitizenResponseRow.incident_id == incident_id)
            .order_by(CitizenResponseRow.received_at)
        )
        return list(self.session.scalars(stmt))

    def waiting(
        self, *, assigned_to: uuid.UUID, incident_ids: list[uuid.UUID], limit: int = 500
    ) -> list[CitizenResponseRow]:
        """Responses still waiting on someone: assigned to `assigned_to`, or to nobody on the given
        incidents (their owner's). An objection waits until decided, the rest until answered."""
        undone = or_(
            and_(CitizenResponseRow.kind == "objection", CitizenResponseRow.decided_at.is_(None)),
            and_(CitizenResponseRow.kind != "objection", CitizenResponseRow.answered_at.is_(None)),
        )
        mine = CitizenResponseRow.assigned_to == assigned_to
        if incident_ids:
            unassigned = and_(
                CitizenResponseRow.assigned_to.is_(None), CitizenResponseRow.incident_id.in_(incident_ids)
            )
            mine = or_(mine, unassigned)
        stmt = select(CitizenResponseRow).where(undone, mine).order_by(CitizenResponseRow.received_at).limit(limit)
        return list(self.session.scalars(stmt))

    def of_person(self, person_id: uuid.UUID) -> list[CitizenResponseRow]:
        stmt = (
            select(CitizenResponseRow)
            .where(CitizenResponseRow.person_id == person_id)
            .order_by(CitizenResponseRow.received_at)
        )
        return list(self.session.scalars(stmt))


class SenderRepository:
    """How each organisation signs its letters."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, organisation_id: uuid.UUID) -> LetterSenderRow | None:
        return self.session.get(LetterSenderRow, organisation_id)

    def put(self, row: LetterSenderRow) -> None:
        self.session.merge(row)
        self.session.flush()

    def logo(self, sha256: str) -> Logo | None:
        """A stored logo by its digest, checked against it (a logo is never changed or removed)."""
        row = self.session.get(LetterheadLogoRow, sha256)
        if row is None or hashlib.sha256(row.content).hexdigest() != sha256:
            return None
        return Logo(row.media_type, row.sha256, row.width, row.height, bytes(row.content))

    def keep_logo(self, logo: Logo, at: datetime) -> None:
        """Store a logo under its digest, once: the same image uploaded again is the same row."""
        if self.session.get(LetterheadLogoRow, logo.sha256) is None:
            self.session.add(
                LetterheadLogoRow(
                    sha256=logo.sha256,
                    media_type=logo.media_type,
                    width=logo.width,
                    height=logo.height,
                    content=logo.content,
                    created_at=at,
                )
            )
            self.session.flush()


class NotificationsUnitOfWork(UnitOfWork):
    """One transaction over the protocol's repositories and those of the notifications.

    `dispatch` enqueues letters for the workers (given by the composition root, with the rest)."""

    persons: PersonRepository
    letters: LetterRepository
    responses: ResponseRepository
    response_extras: ResponseExtrasRepository
    senders: SenderRepository

    def __init__(self, db: Database, *, dispatch: LetterDispatch, **options: Unpack[UnitOfWorkOptions]) -> None:
        super().__init__(db, **options)
        self.dispatch = dispatch

    def open_repositories(self, session: Session) -> None:
        self.persons = PersonRepository(session)
        self.letters = LetterRepository(session)
        self.responses = ResponseRepository(session)
        self.response_extras = ResponseExtrasRepository(session)
        self.senders = SenderRepository(session)

    def lock_incident(self, incident_id: uuid.UUID) -> None:
        """Take the incident's row lock first, so that ledger batches of one incident are recorded in order."""
        assert self.session is not None, "inside `with uow:` only"
        self.session.execute(select(IncidentRow.id).where(IncidentRow.id == incident_id).with_for_update())

    @staticmethod
    def of(installation: Installation) -> NotificationsUnitOfWork:
        """A fresh unit of work (one transaction) of the installation."""
        return installation.uow()


UnitOfWorkFactory = Callable[[], NotificationsUnitOfWork]
"""What a service that runs several transactions takes (`uow_factory=`): a fresh unit of work per call."""
