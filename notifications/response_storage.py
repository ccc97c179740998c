"""Repositories of what belongs to a citizen's response beyond its text: its reference number,
its attachments, and the notices (receipt, "there is an answer") that go out once each."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from notifications.tables import (
    AffectedPersonRow,
    CitizenResponseRow,
    ResponseAttachmentRow,
    ResponseCounterRow,
    ResponseNoticeRow,
)


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class ResponseExtrasRepository:
    """Reference numbers, attachments and notices of citizens' responses."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # ------------------------------------------------------------------ reference numbers

    def next_number(self, year: int) -> int:
        """The next number of `year`, one statement: the counter row's lock makes two callers wait in
        turn, so no number is given twice (and a rolled-back transaction gives its number back)."""
        insert = _insert(self.session)
        upsert = insert(ResponseCounterRow).values(year=year, last=1)
        stmt = upsert.on_conflict_do_update(
            index_elements=[ResponseCounterRow.year], set_={"last": ResponseCounterRow.last + 1}
        ).returning(ResponseCounterRow.last)
        return int(self.session.execute(stmt).scalar_one())

    # ------------------------------------------------------------------ attachments

    def add_attachment(self, row: ResponseAttachmentRow) -> None:
        self.session.add(row)

    def attachments_of(self, response_ids: list[uuid.UUID]) -> list[ResponseAttachmentRow]:
        if not response_ids:
            return []
        stmt = (
            select(ResponseAttachmentRow)
            .where(ResponseAttachmentRow.response_id.in_(response_ids))
            .order_by(ResponseAttachmentRow.response_id, ResponseAttachmentRow.position)
        )
        return list(self.session.scalars(stmt))

    def attachment(self, attachment_id: uuid.UUID, *, response_id: uuid.UUID) -> ResponseAttachmentRow | None:
        row = self.session.get(ResponseAttachmentRow, attachment_id)
        return row if row is not None and row.response_id == response_id else None

    # ------------------------------------------------------------------ notices

    def queue_notice(self, row: ResponseNoticeRow) -> bool:
        """Queue a notice unless this response already has one for this purpose; True if queued now."""
        values = {c.key: getattr(row, c.key) for c in ResponseNoticeRow.__table__.columns}
        stmt = _insert(self.session)(ResponseNoticeRow).values(**values)
        return self.session.scalar(stmt.on_conflict_do_nothing().returning(ResponseNoticeRow.id)) is not None

    def notices_of(self, response_id: uuid.UUID) -> list[ResponseNoticeRow]:
        stmt = select(ResponseNoticeRow).where(ResponseNoticeRow.response_id == response_id)
        return list(self.session.scalars(stmt.order_by(ResponseNoticeRow.created_at)))

    def claim_notices(self, *, now: datetime, lease_until: datetime, limit: int) -> list[ResponseNoticeRow]:
        """queued (and due) or sending with a lapsed lease → sending, with a lease; each claimed once."""
        due = or_(
            (ResponseNoticeRow.status == "queued") & (ResponseNoticeRow.available_at <= now),
            (ResponseNoticeRow.status == "sending") & (ResponseNoticeRow.lease_until <= now),
        )
        ids = select(ResponseNoticeRow.id).where(due).order_by(ResponseNoticeRow.available_at).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(ResponseNoticeRow)
            .where(ResponseNoticeRow.id.in_(ids.scalar_subquery()), due)
            .values(status="sending", lease_until=lease_until, attempts=ResponseNoticeRow.attempts + 1)
            .returning(ResponseNoticeRow)
        )
        return list(self.session.scalars(stmt))

    def finish_notice(
        self,
        notice_id: uuid.UUID,
        attempt: int,
        *,
        status: str,
        now: datetime,
        error: str | None,
        print_batch_id: uuid.UUID | None = None,
    ) -> bool:
        """sending → sent, queued (again, at `now`) or failed; fenced by the attempt that claimed it."""
        values: dict[str, Any] = {"status": status, "lease_until": None, "last_error": error}
        if status == "sent":
            values |= {"sent_at": now, "print_batch_id": print_batch_id}
        elif status == "queued":
            values["available_at"] = now
        stmt = (
            update(ResponseNoticeRow)
            .where(
                ResponseNoticeRow.id == notice_id,
                ResponseNoticeRow.status == "sending",
                ResponseNoticeRow.attempts == attempt,
            )
            .values(**values)
        )
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def to_post(self, notice_id: uuid.UUID, attempt: int, *, now: datetime, error: str | None) -> bool:
        """sending by e-mail → queued by post (the server refused the address for good)."""
        stmt = (
            update(ResponseNoticeRow)
            .where(
                ResponseNoticeRow.id == notice_id,
                ResponseNoticeRow.status == "sending",
                ResponseNoticeRow.attempts == attempt,
            )
            .values(status="queued", channel="post", available_at=now, lease_until=None, last_error=error)
        )
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def notice_has_address(self, notice_id: uuid.UUID) -> bool:
        """Whether the person a notice is for has a postal address."""
        stmt = (
            select(AffectedPersonRow.has_address)
            .join(CitizenResponseRow, CitizenResponseRow.person_id == AffectedPersonRow.id)
            .join(ResponseNoticeRow, ResponseNoticeRow.response_id == CitizenResponseRow.id)
            .where(ResponseNoticeRow.id == notice_id)
        )
        return bool(self.session.scalar(stmt))
