"""The scheduler lease: one conditional upsert takes or renews it, so two schedulers never both hold it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from protocol.storage.tables import SchedulerLeaseRow

LEASES = SchedulerLeaseRow


class LeaseRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, name: str, *, holder: str, now: datetime, seconds: float) -> bool:
        """Take or renew the lease `name` for `holder` until now + seconds; False if another holds it.

        One statement: insert the row, or on conflict overwrite it only where this holder already
        holds it or the lease has expired (its holder died). The database's row lock on the
        conflicting row makes the condition and the write one step, so of two claimants only one wins.
        """
        insert = pg_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        values = {"name": name, "holder": holder, "heartbeat_at": now, "expires_at": now + timedelta(seconds=seconds)}
        upsert = insert(LEASES).values(**values)
        stmt = upsert.on_conflict_do_update(
            index_elements=[LEASES.name],
            set_={
                "holder": upsert.excluded.holder,
                "heartbeat_at": upsert.excluded.heartbeat_at,
                "expires_at": upsert.excluded.expires_at,
            },
            where=(LEASES.holder == upsert.excluded.holder) | (LEASES.expires_at <= upsert.excluded.heartbeat_at),
        ).returning(LEASES.holder)
        return self.session.execute(stmt).scalar_one_or_none() == holder

    def release(self, name: str, *, holder: str, now: datetime) -> None:
        """Let the lease go at once (a clean stop), so another scheduler need not wait for it to expire."""
        self.session.execute(update(LEASES).where(LEASES.name == name, LEASES.holder == holder).values(expires_at=now))

    def holder(self, name: str, *, now: datetime) -> str | None:
        """Who holds the lease now (None when nobody does)."""
        row = self.session.execute(
            select(LEASES.holder).where(LEASES.name == name, LEASES.expires_at > now)
        ).scalar_one_or_none()
        return row
