"""The staff inbox: one notification per (event, recipient), and the mail outbox that carries them.

A notification is keyed by the event that caused it and the user it is for (a unique constraint),
so a handler that runs again, or two workers racing on one event, add it once. Mail goes through
`staff_mail_outbox`, claimed with a lease like the letters: queued → sending (with `lease_until`
and the attempt number as a fence) → sent or failed; a row left `sending` past its lease (its
worker died) is claimed again. Neither table holds an address or a name: the mail is rendered and
addressed from the user's row when it is sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from protocol.storage.tables import Base, IncidentRow, MembershipRow, UserRow
from protocol.storage.types import BigId, JSONType

# how a user wants their notifications by mail (users.notification_mail)
MAIL_EACH = "each"  # one mail per notification, soon after it happens
MAIL_DAILY = "daily"  # one mail a day listing the day's notifications
MAIL_PREFERENCES = (MAIL_EACH, MAIL_DAILY)

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class StaffNotificationRow(Base):
    """Something a staff member should know about one incident; read or not yet read."""

    __tablename__ = "staff_notifications"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"))
    kind: Mapped[str] = mapped_column(String(40))
    # what the text needs besides the incident (rule, step, due moment): ids and keys, never personal data
    details: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    mail_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the mail that carried it (None: not yet)
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index(None, "user_id", "created_at"),
        Index(None, "user_id", "read_at"),
    )


class StaffMailRow(Base):
    """One mail to one staff member: a single notification, or a day's digest."""

    __tablename__ = "staff_mail_outbox"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "single" or "digest"
    notification_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, unique=True)  # a single's notification
    digest_day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))  # codes and error classes, never an address
    __table_args__ = (
        UniqueConstraint("user_id", "digest_day"),  # one digest per person per day
        Index(None, "status", "available_at"),
    )


@dataclass(frozen=True)
class Recipient:
    """A staff member as a mail needs them: address and language (read at sending, never copied)."""

    user_id: uuid.UUID
    email: str
    display_name: str
    language: str
    mail: str
    active: bool


@dataclass(frozen=True)
class ClaimedMail:
    id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    attempt: int
    digest_day: date | None


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class InboxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ people

    def members(self, organisation_id: uuid.UUID, roles: Sequence[str]) -> list[uuid.UUID]:
        """Active users holding one of `roles` in the organisation, in a stable order."""
        stmt = (
            select(MembershipRow.user_id)
            .join(UserRow, UserRow.id == MembershipRow.user_id)
            .where(
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role.in_(list(roles)),
                UserRow.active.is_(True),
            )
            .distinct()
            .order_by(MembershipRow.user_id)
        )
        return list(self.session.scalars(stmt))

    def is_member(self, user_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
        stmt = (
            select(func.count())
            .select_from(MembershipRow)
            .join(UserRow, UserRow.id == MembershipRow.user_id)
            .where(
                MembershipRow.user_id == user_id,
                MembershipRow.organisation_id == organisation_id,
                UserRow.active.is_(True),
            )
        )
        return bool(self.session.scalar(stmt))

    def recipient(self, user_id: uuid.UUID) -> Recipient | None:
        row = self.session.get(UserRow, user_id)
        if row is None:
            return None
        return Recipient(row.id, row.email, row.display_name, row.locale, row.notification_mail, row.active)

    def set_preferences(self, user_id: uuid.UUID, *, mail: str | None, language: str | None) -> None:
        values = {k: v for k, v in (("notification_mail", mail), ("locale", language)) if v is not None}
        if values:
            self.session.execute(update(UserRow).where(UserRow.id == user_id).values(**values))

    # ------------------------------------------------------------------ notifications

    def add(self, row: StaffNotificationRow) -> bool:
        """Add a notification unless this event already notified this user; True if added now."""
        values = {c.key: getattr(row, c.key) for c in StaffNotificationRow.__table__.columns}
        stmt = _insert(self.session)(StaffNotificationRow).values(**values)
        added = self.session.scalar(stmt.on_conflict_do_nothing().returning(StaffNotificationRow.id))
        return added is not None

    def for_user(
        self, user_id: uuid.UUID, *, limit: int, offset: int = 0, unread_only: bool = False
    ) -> list[tuple[StaffNotificationRow, str, str]]:
        """A user's notifications, newest first, with the incident's reference and title."""
        stmt = (
            select(StaffNotificationRow, IncidentRow.reference, IncidentRow.title)
            .join(IncidentRow, IncidentRow.id == StaffNotificationRow.incident_id)
            .where(StaffNotificationRow.user_id == user_id)
        )
        if unread_only:
            stmt = stmt.where(StaffNotificationRow.read_at.is_(None))
        stmt = (
            stmt.order_by(StaffNotificationRow.created_at.desc(), StaffNotificationRow.id).limit(limit).offset(offset)
        )
        return [(row, reference, title) for row, reference, title in self.session.execute(stmt)]

    def count(self, user_id: uuid.UUID, *, unread_only: bool = False) -> int:
        stmt = select(func.count()).select_from(StaffNotificationRow).where(StaffNotificationRow.user_id == user_id)
        if unread_only:
            stmt = stmt.where(StaffNotificationRow.read_at.is_(None))
        return self.session.scalar(stmt) or 0

    def mark_read(self, user_id: uuid.UUID, ids: Sequence[uuid.UUID] | None, now: datetime) -> int:
        """Mark the user's notifications `ids` (all, when None) read; returns how many changed."""
        stmt = update(StaffNotificationRow).where(
            StaffNotificationRow.user_id == user_id, StaffNotificationRow.read_at.is_(None)
        )
        if ids is not None:
            stmt = stmt.where(StaffNotificationRow.id.in_(list(ids)))
        result = self.session.execute(stmt.values(read_at=now))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def by_ids(self, ids: Sequence[uuid.UUID]) -> list[tuple[StaffNotificationRow, str, str]]:
        stmt = (
            select(StaffNotificationRow, IncidentRow.reference, IncidentRow.title)
            .join(IncidentRow, IncidentRow.id == StaffNotificationRow.incident_id)
            .where(StaffNotificationRow.id.in_(list(ids)))
            .order_by(StaffNotificationRow.created_at, StaffNotificationRow.id)
        )
        return [(row, reference, title) for row, reference, title in self.session.execute(stmt)]

    def carried_by(self, mail_id: uuid.UUID) -> list[tuple[StaffNotificationRow, str, str]]:
        ids = list(self.session.scalars(select(StaffNotificationRow.id).where(StaffNotificationRow.mail_id == mail_id)))
        return self.by_ids(ids)

    # ------------------------------------------------------------------ the daily digest

    def awaiting_digest(self, *, before: datetime, limit: int) -> list[uuid.UUID]:
        """Users who chose the daily digest and have notifications no mail has carried yet."""
        stmt = (
            select(StaffNotificationRow.user_id)
            .join(UserRow, UserRow.id == StaffNotificationRow.user_id)
            .where(
                StaffNotificationRow.mail_id.is_(None),
                StaffNotificationRow.created_at < before,
                UserRow.notification_mail == MAIL_DAILY,
            )
            .distinct()
            .order_by(StaffNotificationRow.user_id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def add_digest(self, user_id: uuid.UUID, day: date, *, before: datetime, now: datetime) -> uuid.UUID | None:
        """The day's digest for one user, carrying every notification no mail has carried yet.

        None when the user already has that day's digest (the unique (user, day) decides, so two
        runs of the job make one mail) or nothing is waiting."""
        mail_id = uuid.uuid4()
        stmt = _insert(self.session)(StaffMailRow).values(
            id=mail_id,
            user_id=user_id,
            kind="digest",
            notification_id=None,
            digest_day=day,
            status=QUEUED,
            attempts=0,
            available_at=now,
            created_at=now,
        )
        if self.session.scalar(stmt.on_conflict_do_nothing().returning(StaffMailRow.id)) is None:
            return None
        carried = self.session.execute(
            update(StaffNotificationRow)
            .where(
                StaffNotificationRow.user_id == user_id,
                StaffNotificationRow.mail_id.is_(None),
                StaffNotificationRow.created_at < before,
            )
            .values(mail_id=mail_id)
        )
        if not carried.rowcount:  # type: ignore[attr-defined]
            self.session.execute(
                update(StaffMailRow).where(StaffMailRow.id == mail_id).values(status=SENT, sent_at=now)
            )
            return None
        return mail_id

    # ------------------------------------------------------------------ the mail outbox

    def add_single(self, notification_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> uuid.UUID:
        mail_id = uuid.uuid4()
        self.session.add(
            StaffMailRow(
                id=mail_id,
                user_id=user_id,
                kind="single",
                notification_id=notification_id,
                digest_day=None,
                status=QUEUED,
                attempts=0,
                available_at=now,
                lease_until=None,
                created_at=now,
                sent_at=None,
                last_error=None,
            )
        )
        self.session.flush()
        self.session.execute(
            update(StaffNotificationRow).where(StaffNotificationRow.id == notification_id).values(mail_id=mail_id)
        )
        return mail_id

    def claim(self, *, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedMail]:
        """queued (and due) or sending past its lease → sending, with a new lease and attempt number.

        PostgreSQL skips rows another worker has locked; the attempt number fences the outcome, so
        a worker whose lease ran out cannot record over the one that took the mail after it."""
        due = or_(
            and_(StaffMailRow.status == QUEUED, StaffMailRow.available_at <= now),
            and_(StaffMailRow.status == SENDING, StaffMailRow.lease_until < now),
        )
        ids = list(
            self.session.scalars(
                select(StaffMailRow.id)
                .where(due)
                .order_by(StaffMailRow.available_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        self.session.execute(
            update(StaffMailRow)
            .where(StaffMailRow.id.in_(ids), due)
            .values(status=SENDING, attempts=StaffMailRow.attempts + 1, lease_until=lease_until)
        )
        rows = self.session.execute(
            select(
                StaffMailRow.id, StaffMailRow.user_id, StaffMailRow.kind, StaffMailRow.attempts, StaffMailRow.digest_day
            ).where(StaffMailRow.id.in_(ids), StaffMailRow.status == SENDING, StaffMailRow.lease_until == lease_until)
        )
        return [ClaimedMail(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def finish(self, mail_id: uuid.UUID, attempt: int, *, status: str, now: datetime, error: str | None = None) -> bool:
        """Record a claimed mail's outcome (sent, failed, or queued again at `now`); False if fenced off."""
        values: dict[str, object] = {"status": status, "lease_until": None, "last_error": error}
        if status == SENT:
            values["sent_at"] = now
        if status == QUEUED:
            values["available_at"] = now
        result = self.session.execute(
            update(StaffMailRow)
            .where(StaffMailRow.id == mail_id, StaffMailRow.attempts == attempt, StaffMailRow.status == SENDING)
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def mails(self, user_id: uuid.UUID | None = None) -> list[StaffMailRow]:
        """The outbox rows (a user's), oldest first: for `herstel status`, the tests and support."""
        stmt = select(StaffMailRow).order_by(StaffMailRow.created_at, StaffMailRow.id)
        if user_id is not None:
            stmt = stmt.where(StaffMailRow.user_id == user_id)
        return list(self.session.scalars(stmt))
