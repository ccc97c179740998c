"""Signed-in sessions of staff and citizens, found by the hash of their secret."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from protocol.storage.tables import SessionRow


class SessionRepository:
    """The sessions table: add, find by secret hash, touch, revoke."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: SessionRow) -> None:
        self.session.add(row)
        self.session.flush()

    def by_hash(self, secret_hash: str) -> SessionRow | None:
        return self.session.scalars(select(SessionRow).where(SessionRow.secret_hash == secret_hash)).one_or_none()

    def touch(self, session_id: uuid.UUID, now: datetime) -> None:
        self.session.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now))

    def revoke(self, session_id: uuid.UUID, now: datetime) -> None:
        open_ = SessionRow.revoked_at.is_(None)
        self.session.execute(update(SessionRow).where(SessionRow.id == session_id, open_).values(revoked_at=now))

    def revoke_user(self, user_id: uuid.UUID, now: datetime) -> int:
        """End every open session of a user; how many there were."""
        open_ = SessionRow.revoked_at.is_(None)
        result = self.session.execute(
            update(SessionRow).where(SessionRow.user_id == user_id, open_).values(revoked_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
