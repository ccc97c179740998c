"""Queries over incidents that read no aggregate: the paged list, the deadline sweep's index, chain heads."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Uuid, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from protocol import messages
from protocol.deadlines import DeadlineState
from protocol.definition import ProtocolDefinition
from protocol.errors import NotFound
from protocol.steps import ENDED, StepState
from protocol.storage.tables import AssignmentRow, DeadlineRow, IncidentRow, StepRow, UserRow


@dataclass(frozen=True)
class IncidentReach:
    """What deciding access to an incident needs, without its steps, deadlines and approvals."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    reference: str
    last_seq: int
    assigned: bool  # the asking user is assigned to it (an investigator)


# `IncidentQueries.reach`, built once: every page of every timeline asks it.
_REACH = select(
    IncidentRow.organisation_id,
    IncidentRow.reference,
    IncidentRow.last_seq,
    exists()
    .where(AssignmentRow.incident_id == IncidentRow.id, AssignmentRow.user_id == bindparam("user_id", type_=Uuid))
    .label("assigned"),
).where(
    IncidentRow.id == bindparam("incident_id"),
    IncidentRow.organisation_id.in_(bindparam("organisation_ids", expanding=True)),
)


class IncidentQueries:
    """Read-only questions about incidents, answered with one statement each."""

    session: Session
    definitions: Callable[[str, int], ProtocolDefinition]

    def list_page(
        self,
        *,
        organisation_ids: Iterable[uuid.UUID],
        now: datetime,
        state: str | None = None,
        step: str | None = None,
        overdue: bool | None = None,
        assigned_to: uuid.UUID | None = None,
        owner_id: uuid.UUID | None = None,
        q: str | None = None,
        page: int = 1,
        per_page: int = 25,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of incident summaries by urgency: a missed deadline first, then the soonest due,
        then newest; each with its owner, active steps, severity and next deadline; and the total."""
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
        if owner_id is not None:
            conditions.append(IncidentRow.owner_id == owner_id)
        if q and q.strip():
            pattern = "%" + q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conditions.append(
                or_(
                    func.lower(IncidentRow.reference).like(pattern, escape="\\"),
                    func.lower(IncidentRow.title).like(pattern, escape="\\"),
                )
            )
        total = self.session.scalar(select(func.count()).select_from(IncidentRow).where(*conditions)) or 0
        next_due = (
            select(func.min(DeadlineRow.due_at))
            .where(DeadlineRow.incident_id == IncidentRow.id, DeadlineRow.state == DeadlineState.OPEN.value)
            .scalar_subquery()
        )
        urgency = (  # the earliest deadline not met: a missed one, else the soonest open one
            select(func.min(DeadlineRow.due_at))
            .where(
                DeadlineRow.incident_id == IncidentRow.id,
                DeadlineRow.met_at.is_(None),
                DeadlineRow.state.in_((DeadlineState.OPEN.value, DeadlineState.MISSED.value)),
            )
            .scalar_subquery()
        )
        is_overdue = overdue_q.label("overdue")
        stmt = (
            select(IncidentRow, is_overdue, next_due.label("next_due_at"))
            .where(*conditions)
            .order_by(
                is_overdue.desc(),
                urgency.is_(None),  # incidents with nothing due come after those with a deadline
                urgency,
                IncidentRow.reported_at.desc(),
                IncidentRow.id,
            )
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
                "owner_id": r.owner_id,
                "severity": (r.facts or {}).get("severity"),
            }
            for r, flag, due in self.session.execute(stmt)
        ]
        self._add_page_details(items)
        return items, total

    def _add_page_details(self, items: list[dict[str, Any]]) -> None:
        """The active (or ready) steps, the next or missed deadline and the owner of a page, in three statements."""
        ids = [item["id"] for item in items]
        if not ids:
            return
        states: dict[uuid.UUID, dict[str, str]] = {i: {} for i in ids}
        for incident_id, key, state in self.session.execute(
            select(StepRow.incident_id, StepRow.key, StepRow.state).where(StepRow.incident_id.in_(ids))
        ):
            states[incident_id][key] = state
        upcoming: dict[uuid.UUID, DeadlineRow] = {}
        waiting = select(DeadlineRow).where(
            DeadlineRow.incident_id.in_(ids),
            DeadlineRow.met_at.is_(None),
            DeadlineRow.state.in_((DeadlineState.OPEN.value, DeadlineState.MISSED.value)),
        )
        for row in self.session.scalars(waiting.order_by(DeadlineRow.due_at)):
            upcoming.setdefault(row.incident_id, row)
        owners = {i["owner_id"] for i in items if i["owner_id"] is not None}
        names = (
            {
                user_id: name
                for user_id, name in self.session.execute(
                    select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(owners))
                )
            }
            if owners
            else {}
        )
        for item in items:
            item["active_steps"] = sorted(k for k, state in states[item["id"]].items() if state == StepState.ACTIVE)
            item["ready_steps"] = self._ready(item, states[item["id"]]) if not item["active_steps"] else []
            deadline = upcoming.get(item["id"])
            item["next_deadline"] = (
                {
                    "rule": deadline.rule,
                    "step": deadline.step,
                    "due_at": deadline.due_at,
                    "last_day": deadline.last_day,
                    "state": deadline.state,
                }
                if deadline is not None
                else None
            )
            owner = item["owner_id"]
            item["owner"] = {"id": owner, "name": names.get(owner, "")} if owner is not None else None

    def _ready(self, item: dict[str, Any], states: dict[str, str]) -> list[str]:
        """The steps of an open incident waiting to be started: pending, each step they require ended."""
        if item["state"] != "open":
            return []
        definition = self.definitions(item["protocol"]["key"], item["protocol"]["version"])
        return [
            key
            for key in definition.order()
            if states.get(key) == StepState.PENDING
            and all(states.get(r) in ENDED for r in definition.step(key).requires)
        ]

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

    def of_user(
        self, user_id: uuid.UUID, *, organisation_ids: Iterable[uuid.UUID], limit: int = 200
    ) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
        """Open incidents the user owns, and open incidents the user is assigned to (investigations)."""
        open_here = and_(IncidentRow.state == "open", IncidentRow.organisation_id.in_(list(organisation_ids)))
        owned = self.session.scalars(
            select(IncidentRow.id).where(open_here, IncidentRow.owner_id == user_id).limit(limit)
        ).all()
        assigned = self.session.scalars(
            select(IncidentRow.id)
            .join(AssignmentRow, AssignmentRow.incident_id == IncidentRow.id)
            .where(open_here, AssignmentRow.user_id == user_id)
            .limit(limit)
        ).all()
        return list(owned), list(assigned)

    def overdue(
        self, *, organisation_ids: Iterable[uuid.UUID] | None, now: datetime, limit: int = 1000
    ) -> list[tuple[IncidentRow, DeadlineRow]]:
        """Deadlines not met past their due moment (missed, or open and not yet swept) of open
        incidents, longest overdue first."""
        conditions: list[ColumnElement[bool]] = [
            IncidentRow.state == "open",
            DeadlineRow.met_at.is_(None),
            or_(
                DeadlineRow.state == DeadlineState.MISSED.value,
                and_(DeadlineRow.state == DeadlineState.OPEN.value, DeadlineRow.due_at < now),
            ),
        ]
        if organisation_ids is not None:
            conditions.append(IncidentRow.organisation_id.in_(list(organisation_ids)))
        stmt = (
            select(IncidentRow, DeadlineRow)
            .join(DeadlineRow, DeadlineRow.incident_id == IncidentRow.id)
            .where(*conditions)
            .order_by(DeadlineRow.due_at, IncidentRow.reference)
            .limit(limit)
        )
        return [(incident, deadline) for incident, deadline in self.session.execute(stmt)]

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

    def reach(
        self, incident_id: uuid.UUID, *, organisation_ids: Iterable[uuid.UUID], user_id: uuid.UUID | None
    ) -> IncidentReach | None:
        """The incident's organisation, reference and chain length, and whether `user_id` is assigned
        to it, in one statement; None outside `organisation_ids` (a page of its timeline needs no more)."""
        found = self.session.execute(
            _REACH, {"incident_id": incident_id, "organisation_ids": list(organisation_ids), "user_id": user_id}
        ).one_or_none()
        if found is None:
            return None
        return IncidentReach(incident_id, found[0], found[1], found[2], bool(found[3]) and user_id is not None)
