"""Four-eyes requests across incidents: the coordinator's queue."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from protocol.storage.tables import ApprovalRow, IncidentRow


class ApprovalRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def in_organisations(
        self, organisation_ids: Iterable[uuid.UUID], *, state: str | None = "pending", limit: int = 500
    ) -> list[tuple[ApprovalRow, IncidentRow]]:
        """Approvals (pending by default) of the organisations' incidents, oldest request first."""
        stmt = (
            select(ApprovalRow, IncidentRow)
            .join(IncidentRow, IncidentRow.id == ApprovalRow.incident_id)
            .where(IncidentRow.organisation_id.in_(list(organisation_ids)))
            .order_by(ApprovalRow.requested_at, ApprovalRow.id)
            .limit(limit)
        )
        if state is not None:
            stmt = stmt.where(ApprovalRow.state == state)
        return [(a, i) for a, i in self.session.execute(stmt)]
