"""Notices: what waits for a role (an approval to give, a missed deadline to act on)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from protocol.storage.tables import NoticeRow


class NoticeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: NoticeRow) -> None:
        self.session.add(row)
        self.session.flush()

    def resolve(self, *, incident_id: uuid.UUID, kind: str, subject: str, at: datetime) -> int:
        result = self.session.execute(
            update(NoticeRow)
            .where(
                NoticeRow.incident_id == incident_id,
                NoticeRow.kind == kind,
                NoticeRow.subject == subject,
                NoticeRow.resolved_at.is_(None),
            )
            .values(resolved_at=at)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def open_for(self, pairs: Iterable[tuple[uuid.UUID, str]], *, limit: int = 100) -> list[NoticeRow]:
        """Unresolved notices for (organisation, role) pairs, oldest first."""
        pairs = list(pairs)
        if not pairs:
            return []
        conditions = [(NoticeRow.organisation_id == org) & (NoticeRow.role == role) for org, role in pairs]
        stmt = (
            select(NoticeRow)
            .where(NoticeRow.resolved_at.is_(None), or_(*conditions))
            .order_by(NoticeRow.created_at)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def for_incident(self, incident_id: uuid.UUID) -> list[NoticeRow]:
        return list(
            self.session.scalars(
                select(NoticeRow).where(NoticeRow.incident_id == incident_id).order_by(NoticeRow.created_at)
            )
        )
