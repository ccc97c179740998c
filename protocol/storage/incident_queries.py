"""Queries over incidents that read no aggregate: the paged list, the deadline sweep's index, chain heads."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from protocol import messages
from protocol.deadlines import DeadlineState
from protocol.errors import NotFound
from protocol.steps import StepState
from protocol.storage.tables import AssignmentRow, DeadlineRow, IncidentRow, StepRow


class IncidentQueries:
    """Read-only questions about incidents, answered with one statement each."""

    session: Session

    def list_page(
        self,
        *,
        organisation_ids: Iterable[uuid.UUID],
        now: datetime,
        state: str | None = None,
        step: str | None = None,
        overdue: bool | None = None,
        assigned_to: uuid.UUID | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of incident summaries, overdue first, newest next; and the total count."""
        overdue_q = exists().where(
            DeadlineRow.incident_id == IncidentRow.id,
            or_(
                DeadlineRow.state == DeadlineState.MISSED.value,
                and_(DeadlineRow.state == DeadlineState.OPEN.value, DeadlineRow.due_at < now),
            ),
            DeadlineRow.met_at.is_(None),
        )
        conditions: list[ColumnElement[bool]] = [IncidentRow.organisation_id.in_(list(organisation_ids))]
        if state:
            conditions.append(IncidentRow.state == state)
        if step:
            conditions.append(
                exists().where(
                    StepRow.incident_id == IncidentRow.id,
                    StepRow.key == step,
                    StepRow.state == StepState.ACTIVE.value,
                )
            )
        if overdue is not None:
            conditions.append(overdue_q if overdue else ~overdue_q)
        if assigned_to is not None:
            conditions.append(
                exists().where(AssignmentRow.incident_id == IncidentRow.id, AssignmentRow.user_id == assigned_to)
            )
        total = self.session.scalar(select(func.count()).select_from(IncidentRow).where(*conditions)) or 0
        next_due = (
            select(func.min(DeadlineRow.due_at))
            .where(DeadlineRow.incident_id == IncidentRow.id, DeadlineRow.state == DeadlineState.OPEN.value)
            .scalar_subquery()
        )
        is_overdue = overdue_q.label("overdue")
        stmt = (
            select(IncidentRow, is_overdue, next_due.label("next_due_at"))
            .where(*conditions)
            .order_by(is_overdue.desc(), IncidentRow.reported_at.desc(), IncidentRow.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        items = [
            {
                "id": r.id,
                "reference": r.reference,
                "title": r.title,
                "state": r.state,
                "version": r.version,
                "algorithm_id": r.algorithm_id,
                "organisation_id": r.organisation_id,
                "reported_at": r.reported_at,
                "protocol": {"key": r.protocol_key, "version": r.protocol_version},
                "overdue": bool(flag),
                "next_due_at": due,
                "events": r.last_seq,
            }
            for r, flag, due in self.session.execute(stmt)
        ]
        return items, total

    def oversight_rows(
        self,
        *,
        organisation_ids: Iterable[uuid.UUID],
        algorithm_id: uuid.UUID | None = None,
        state: str | None = None,
        reported_from: datetime | None = None,
        reported_before: datetime | None = None,
        reference: str | None = None,
    ) -> list[tuple[IncidentRow, list[StepRow], list[DeadlineRow]]]:
        """Incidents with their steps and deadlines, in three statements (not one per incident)."""
        conditions: list[ColumnElement[bool]] = [IncidentRow.organisation_id.in_(list(organisation_ids))]
        if algorithm_id is not None:
            conditions.append(IncidentRow.algorithm_id == algorithm_id)
        if state:
            conditions.append(IncidentRow.state == state)
        if reported_from is not None:
            conditions.append(IncidentRow.reported_at >= reported_from)
        if reported_before is not None:
            conditions.append(IncidentRow.reported_at < reported_before)
        if reference:
            escaped = reference.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(func.lower(IncidentRow.reference).like(f"%{escaped}%", escape="\\"))
        incidents = list(self.session.scalars(select(IncidentRow).where(*conditions)))
        ids = [row.id for row in incidents]
        steps: dict[uuid.UUID, list[StepRow]] = {i: [] for i in ids}
        deadlines: dict[uuid.UUID, list[DeadlineRow]] = {i: [] for i in ids}
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for step in self.session.scalars(select(StepRow).where(StepRow.incident_id.in_(chunk))):
                steps[step.incident_id].append(step)
            for deadline in self.session.scalars(select(DeadlineRow).where(DeadlineRow.incident_id.in_(chunk))):
                deadlines[deadline.incident_id].append(deadline)
        return [(row, steps[row.id], deadlines[row.id]) for row in incidents]

    def due_for_check(self, *, now: datetime, limit: int) -> list[uuid.UUID]:
        """Incidents with an open deadline whose next check (reminder or due moment) has come (indexed)."""
        stmt = (
            select(DeadlineRow.incident_id)
            .where(DeadlineRow.state == DeadlineState.OPEN.value, DeadlineRow.next_check_at <= now)
            .group_by(DeadlineRow.incident_id)
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def head(self, incident_id: uuid.UUID) -> tuple[int, str]:
        """The recorded head of an incident's chain (last seq and hash)."""
        found = self.session.execute(
            select(IncidentRow.last_seq, IncidentRow.head_hash).where(IncidentRow.id == incident_id)
        ).one_or_none()
        if found is None:
            raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident")
        return found[0], found[1]
