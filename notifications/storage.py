"""Repositories of the notifications tables; they join every unit of work as `uow.persons`,
`uow.letters`, `uow.responses` and `uow.senders` (bootstrap imports this module)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from notifications.tables import (
    AffectedPersonRow,
    CampaignRow,
    CitizenResponseRow,
    LetterAttemptRow,
    LetterRow,
    LetterSenderRow,
    PrintBatchRow,
)
from protocol.storage.tables import IncidentRow
from protocol.storage.uow import register_repository

CHUNK = 2000  # rows per bulk statement (keeps parameter counts far below driver limits)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    COPY matters at 100,000 rows: multi-row INSERTs spend most of their time having the driver
    parse statements with thousands of placeholders.
    """
    if not rows:
        return 0
    if session.get_bind().dialect.name != "postgresql":
        for chunk in _chunks(rows):
            session.execute(insert(table), list(chunk))
        return len(rows)
    columns = list(rows[0])
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.__tablename__}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))
    return len(rows)


class PersonRepository:
    """Affected persons and reporters of an incident."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def hashes(self, incident_id: uuid.UUID) -> dict[str, uuid.UUID]:
        """BSN hash → person id, for matching an import against those already in the incident."""
        stmt = select(AffectedPersonRow.bsn_hash, AffectedPersonRow.id).where(
            AffectedPersonRow.incident_id == incident_id, AffectedPersonRow.bsn_hash.is_not(None)
        )
        return {h: i for h, i in self.session.execute(stmt)}

    def add_many(self, rows: Sequence[dict[str, Any]]) -> None:
        bulk_insert(self.session, AffectedPersonRow, rows)

    def update_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows carry `id` and the columns to change (ORM bulk update by primary key)."""
        for chunk in _chunks(rows):
            self.session.execute(update(AffectedPersonRow), list(chunk))

    def get(self, person_id: uuid.UUID) -> AffectedPersonRow | None:
        return self.session.get(AffectedPersonRow, person_id)

    def many(self, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AffectedPersonRow]:
        ids = list(person_ids)
        found: dict[uuid.UUID, AffectedPersonRow] = {}
        for chunk in _chunks(ids):
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

    def campaign_targets(self, incident_id: uuid.UUID, kind: str) -> list[tuple[uuid.UUID, str, bool, bool, bool]]:
        """(id, language, consent, has email, has address) of every person of `kind`: what choosing a channel needs."""
        stmt = (
            select(
                AffectedPersonRow.id,
                AffectedPersonRow.language,
                AffectedPersonRow.consent_electronic,
                AffectedPersonRow.has_email,
                AffectedPersonRow.has_address,
            )
            .where(AffectedPersonRow.incident_id == incident_id, AffectedPersonRow.kind == kind)
            .order_by(AffectedPersonRow.id)
        )
        return [(r[0], r[1], r[2], r[3], r[4]) for r in self.session.execute(stmt)]

    def page(self, incident_id: uuid.UUID, *, page: int, per_page: int) -> tuple[list[AffectedPersonRow], int]:
        where = AffectedPersonRow.incident_id == incident_id
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


class LetterRepository:
    """Campaigns, letters, their attempts and print batches: the letters ledger."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _insert(self) -> Any:
        dialect = self.session.get_bind().dialect.name
        return pg_insert if dialect == "postgresql" else sqlite_insert

    # ------------------------------------------------------------------ campaigns and letters

    def add_campaign(self, row: CampaignRow) -> None:
        self.session.add(row)
        self.session.flush()

    def campaign(self, campaign_id: uuid.UUID) -> CampaignRow | None:
        return self.session.get(CampaignRow, campaign_id)

    def campaigns(self, incident_id: uuid.UUID) -> list[CampaignRow]:
        stmt = select(CampaignRow).where(CampaignRow.incident_id == incident_id).order_by(CampaignRow.started_at)
        return list(self.session.scalars(stmt))

    def open_campaign_incidents(self) -> list[uuid.UUID]:
        stmt = select(CampaignRow.incident_id).where(CampaignRow.completed_at.is_(None)).distinct()
        return list(self.session.scalars(stmt))

    def complete_campaigns(self, incident_id: uuid.UUID, at: datetime) -> None:
        self.session.execute(
            update(CampaignRow)
            .where(CampaignRow.incident_id == incident_id, CampaignRow.completed_at.is_(None))
            .values(completed_at=at)
        )

    def persons_with_letter(self, incident_id: uuid.UUID, kind: str) -> set[uuid.UUID]:
        stmt = select(LetterRow.person_id).where(LetterRow.incident_id == incident_id, LetterRow.kind == kind)
        return set(self.session.scalars(stmt))

    def add_letters(self, rows: Sequence[dict[str, Any]]) -> int:
        """Insert letters, skipping any (incident, person, kind) that has one already; returns how many were new.

        The caller holds the incident's row lock and chose persons without a letter, so on
        PostgreSQL the rows go in by COPY; the unique constraint still refuses a duplicate.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            return bulk_insert(self.session, LetterRow, rows)
        added = 0
        for chunk in _chunks(rows):
            stmt = (
                self._insert()(LetterRow)
                .on_conflict_do_nothing(index_elements=["incident_id", "person_id", "kind"])
                .returning(LetterRow.id)
            )
            added += len(self.session.scalars(stmt, list(chunk)).all())
        return added

    def get(self, letter_id: uuid.UUID) -> LetterRow | None:
        return self.session.get(LetterRow, letter_id)

    def many(self, letter_ids: Iterable[uuid.UUID]) -> list[LetterRow]:
        found: list[LetterRow] = []
        for chunk in _chunks(list(letter_ids)):
            found.extend(self.session.scalars(select(LetterRow).where(LetterRow.id.in_(list(chunk)))))
        return found

    def queued_ids(self, campaign_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = (
            select(LetterRow.id)
            .where(LetterRow.campaign_id == campaign_id, LetterRow.status == "queued")
            .order_by(LetterRow.id)
        )
        return list(self.session.scalars(stmt))

    def mark_dispatched(self, letter_ids: Sequence[uuid.UUID], at: datetime) -> None:
        for chunk in _chunks(letter_ids):
            self.session.execute(update(LetterRow).where(LetterRow.id.in_(list(chunk))).values(dispatched_at=at))

    # ------------------------------------------------------------------ compare-and-set transitions

    def claim(
        self, letter_ids: Sequence[uuid.UUID], *, now: datetime, lease_until: datetime
    ) -> list[tuple[uuid.UUID, int]]:
        """queued → sending for the letters that are due; returns (letter, attempt number) of those claimed.

        The WHERE on the status makes it a compare-and-set: of two workers holding the same ids,
        each letter goes to exactly one.
        """
        claimed: list[tuple[uuid.UUID, int]] = []
        for chunk in _chunks(letter_ids):
            stmt = (
                update(LetterRow)
                .where(
                    LetterRow.id.in_(list(chunk)),
                    LetterRow.status == "queued",
                    LetterRow.next_attempt_at <= now,
                )
                .values(status="sending", attempts=LetterRow.attempts + 1, lease_until=lease_until)
                .returning(LetterRow.id, LetterRow.attempts)
            )
            claimed.extend((r[0], r[1]) for r in self.session.execute(stmt))
        return claimed

    def settle(self, fenced: Sequence[tuple[uuid.UUID, int]], values: dict[str, Any]) -> list[uuid.UUID]:
        """sending → `values` for letters still held under these attempt numbers (the fence); returns those moved."""
        moved: list[uuid.UUID] = []
        for chunk in _chunks(fenced, 500):
            stmt = (
                update(LetterRow)
                .where(tuple_(LetterRow.id, LetterRow.attempts).in_(list(chunk)), LetterRow.status == "sending")
                .values(**values)
                .returning(LetterRow.id)
            )
            moved.extend(self.session.scalars(stmt))
        return moved

    def renew_lease(self, fenced: Sequence[tuple[uuid.UUID, int]], until: datetime) -> None:
        self.settle(fenced, {"lease_until": until})

    def expired_leases(self, now: datetime, limit: int) -> list[LetterRow]:
        stmt = (
            select(LetterRow)
            .where(LetterRow.status == "sending", LetterRow.lease_until < now)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(stmt))

    def stale_queued(self, *, due_before: datetime, dispatched_before: datetime, limit: int) -> list[uuid.UUID]:
        """Queued letters that are due and whose message may have been lost (dispatched long ago, or never)."""
        stmt = (
            select(LetterRow.id)
            .where(
                LetterRow.status == "queued",
                LetterRow.next_attempt_at <= due_before,
                (LetterRow.dispatched_at.is_(None)) | (LetterRow.dispatched_at < dispatched_before),
            )
            .order_by(LetterRow.next_attempt_at)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    # ------------------------------------------------------------------ attempts and batches

    def add_attempts(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert attempt rows; returns their ids in the order given."""
        ids: list[int] = []
        for chunk in _chunks(rows):
            stmt = insert(LetterAttemptRow).returning(LetterAttemptRow.id, sort_by_parameter_order=True)
            ids.extend(self.session.scalars(stmt, list(chunk)).all())
        return ids

    def update_attempts(self, rows: Sequence[dict[str, Any]]) -> None:
        """Rows carry the attempt `id` and the columns to set (bulk update by primary key)."""
        for chunk in _chunks(rows):
            self.session.execute(update(LetterAttemptRow), list(chunk))

    def pending_attempts(self, fenced: Sequence[tuple[uuid.UUID, int]]) -> list[LetterAttemptRow]:
        found: list[LetterAttemptRow] = []
        for chunk in _chunks(fenced, 500):
            stmt = select(LetterAttemptRow).where(
                tuple_(LetterAttemptRow.letter_id, LetterAttemptRow.number).in_(list(chunk)),
                LetterAttemptRow.outcome == "pending",
            )
            found.extend(self.session.scalars(stmt))
        return found

    def attempt_exists(self, letter_id: uuid.UUID, number: int) -> bool:
        stmt = select(LetterAttemptRow.id).where(
            LetterAttemptRow.letter_id == letter_id, LetterAttemptRow.number == number
        )
        return self.session.scalar(stmt) is not None

    def unrecorded_attempts(self, incident_id: uuid.UUID, limit: int) -> list[LetterAttemptRow]:
        stmt = (
            select(LetterAttemptRow)
            .where(
                LetterAttemptRow.incident_id == incident_id,
                LetterAttemptRow.batch_ref.is_(None),
                LetterAttemptRow.outcome != "pending",
            )
            .order_by(LetterAttemptRow.id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def mark_recorded(self, attempt_ids: Sequence[int], batch_ref: uuid.UUID) -> None:
        for chunk in _chunks(attempt_ids):
            self.session.execute(
                update(LetterAttemptRow).where(LetterAttemptRow.id.in_(list(chunk))).values(batch_ref=batch_ref)
            )

    def attempts_of_batch(self, batch_ref: uuid.UUID) -> list[LetterAttemptRow]:
        stmt = select(LetterAttemptRow).where(LetterAttemptRow.batch_ref == batch_ref).order_by(LetterAttemptRow.id)
        return list(self.session.scalars(stmt))

    def attempt_by_code(self, code_hash: str) -> LetterAttemptRow | None:
        return self.session.scalars(
            select(LetterAttemptRow).where(LetterAttemptRow.code_hash == code_hash)
        ).one_or_none()

    def count_unrecorded(self, incident_id: uuid.UUID) -> int:
        stmt = (
            select(func.count())
            .select_from(LetterAttemptRow)
            .where(LetterAttemptRow.incident_id == incident_id, LetterAttemptRow.batch_ref.is_(None))
        )
        return self.session.scalar(stmt) or 0

    def add_print_batch(self, row: PrintBatchRow) -> None:
        self.session.add(row)
        self.session.flush()

    def drop_print_batch(self, batch_id: uuid.UUID) -> None:
        row = self.session.get(PrintBatchRow, batch_id)
        if row is not None:
            self.session.delete(row)
            self.session.flush()

    def print_batch(self, batch_id: uuid.UUID) -> PrintBatchRow | None:
        return self.session.get(PrintBatchRow, batch_id)

    # ------------------------------------------------------------------ summaries

    def counts(self, incident_id: uuid.UUID) -> list[tuple[str, str, str, int]]:
        """(kind, status, channel, count) for every letter of the incident."""
        stmt = (
            select(LetterRow.kind, LetterRow.status, LetterRow.channel, func.count())
            .where(LetterRow.incident_id == incident_id)
            .group_by(LetterRow.kind, LetterRow.status, LetterRow.channel)
        )
        return [(r[0], r[1], r[2], r[3]) for r in self.session.execute(stmt)]

    def latest_for_person(self, person_id: uuid.UUID) -> LetterRow | None:
        stmt = select(LetterRow).where(LetterRow.person_id == person_id).order_by(LetterRow.created_at.desc())
        return self.session.scalars(stmt.limit(1)).one_or_none()


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


def lock_incident(session: Session, incident_id: uuid.UUID) -> None:
    """Take the incident's row lock first, so that ledger batches of one incident are recorded in order."""
    session.execute(select(IncidentRow.id).where(IncidentRow.id == incident_id).with_for_update())


register_repository("persons", lambda session, uow: PersonRepository(session))
register_repository("letters", lambda session, uow: LetterRepository(session))
register_repository("responses", lambda session, uow: ResponseRepository(session))
register_repository("senders", lambda session, uow: SenderRepository(session))

# The event handlers must be known wherever the outbox relay runs, and every process bootstraps.
from notifications import handlers  # noqa: E402, F401
