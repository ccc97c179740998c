"""The incident repository: loads an incident with its steps, approvals and deadlines, and saves
what an action changed together with the new events on its chain, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from protocol.calendar import LegalCalendar
from protocol.chain import GENESIS, seal
from protocol.deadlines import Deadline, DeadlineState
from protocol.definition import ProtocolDefinition
from protocol.errors import NotFound
from protocol.events import StoredEvent
from protocol.incident import Approval, ApprovalState, Incident, IncidentState
from protocol.steps import Step, StepState
from protocol.storage.tables import (
    ApprovalRow,
    AssignmentRow,
    DeadlineRow,
    EventRow,
    IncidentRow,
    OutboxRow,
    StepRow,
)


@dataclass
class _Loaded:
    row: IncidentRow
    steps: dict[str, StepRow]
    approvals: dict[uuid.UUID, ApprovalRow]
    deadlines: dict[uuid.UUID, DeadlineRow]


class IncidentRepository:
    """Incidents as aggregates. `get(lock=True)` serialises actions on one incident."""

    def __init__(
        self,
        session: Session,
        *,
        definitions: Callable[[str, int], ProtocolDefinition],
        calendar: LegalCalendar,
        on_sealed: Callable[[list[StoredEvent]], None] = lambda events: None,
    ) -> None:
        self.session = session
        self.definitions = definitions
        self.calendar = calendar
        self.on_sealed = on_sealed
        self._loaded: dict[uuid.UUID, _Loaded] = {}

    # ------------------------------------------------------------------ loading

    def get(
        self,
        incident_id: uuid.UUID,
        *,
        organisation_ids: Iterable[uuid.UUID] | None = None,
        lock: bool = True,
    ) -> Incident:
        """The incident, locked for the rest of the transaction when `lock` (PostgreSQL row lock)."""
        stmt = select(IncidentRow).where(IncidentRow.id == incident_id)
        if organisation_ids is not None:
            stmt = stmt.where(IncidentRow.organisation_id.in_(list(organisation_ids)))
        if lock:
            stmt = stmt.with_for_update()
        row = self.session.scalars(stmt).one_or_none()
        if row is None:
            raise NotFound(f"no incident {incident_id}", rule="unknown-incident")
        return self._build(row)

    def _build(self, row: IncidentRow) -> Incident:
        session = self.session
        steps = {s.key: s for s in session.scalars(select(StepRow).where(StepRow.incident_id == row.id))}
        approvals = {a.id: a for a in session.scalars(select(ApprovalRow).where(ApprovalRow.incident_id == row.id))}
        deadlines = {d.id: d for d in session.scalars(select(DeadlineRow).where(DeadlineRow.incident_id == row.id))}
        assignments = set(session.scalars(select(AssignmentRow.user_id).where(AssignmentRow.incident_id == row.id)))
        definition = self.definitions(row.protocol_key, row.protocol_version)
        incident = Incident(
            id=row.id,
            organisation_id=row.organisation_id,
            algorithm_id=row.algorithm_id,
            reference=row.reference,
            title=row.title,
            description=row.description,
            source=row.source,
            detected_at=row.detected_at,
            reported_at=row.reported_at,
            protected_grounds=tuple(row.protected_grounds),
            definition=definition,
            calendar=self.calendar,
            state=IncidentState(row.state),
            version=row.version,
            facts=dict(row.facts),
            steps={key: _step(steps[key]) if key in steps else Step(key) for key in definition.steps},
            approvals={a.id: _approval(a) for a in approvals.values()},
            deadlines={d.id: _deadline(d) for d in deadlines.values()},
            assignments=assignments,
            closed_at=row.closed_at,
        )
        self._loaded[row.id] = _Loaded(row, steps, approvals, deadlines)
        return incident

    # ------------------------------------------------------------------ saving

    def add(self, incident: Incident) -> list[StoredEvent]:
        """Store a newly reported incident and its first events."""
        row = IncidentRow(id=incident.id, last_seq=0, head_hash=GENESIS)
        _copy_incident(incident, row)
        self.session.add(row)
        self.session.flush()  # the incident row first: steps, deadlines and events refer to it
        self._loaded[incident.id] = _Loaded(row, {}, {}, {})
        return self.save(incident)

    def save(self, incident: Incident) -> list[StoredEvent]:
        """Write what the last action changed and append its events to the chain; returns them sealed."""
        loaded = self._loaded[incident.id]
        row = loaded.row
        for kind, key in sorted(incident.dirty, key=lambda item: (item[0], str(item[1]))):
            if kind == "incident":
                _copy_incident(incident, row)
            elif kind == "step":
                step_row = loaded.steps.get(key)
                if step_row is None:
                    step_row = loaded.steps[key] = StepRow(incident_id=incident.id, key=key)
                    self.session.add(step_row)
                _copy_step(incident.steps[key], step_row)
            elif kind == "approval":
                approval_row = loaded.approvals.get(key)
                if approval_row is None:
                    approval_row = loaded.approvals[key] = ApprovalRow(id=key, incident_id=incident.id)
                    self.session.add(approval_row)
                _copy_approval(incident.approvals[key], approval_row)
            elif kind == "deadline":
                deadline_row = loaded.deadlines.get(key)
                if deadline_row is None:
                    deadline_row = loaded.deadlines[key] = DeadlineRow(id=key, incident_id=incident.id)
                    self.session.add(deadline_row)
                _copy_deadline(incident.deadlines[key], deadline_row)
            elif kind == "assignment":
                self.session.add(
                    AssignmentRow(
                        incident_id=incident.id,
                        user_id=key,
                        role="investigator",
                        assigned_at=incident.events[-1].at if incident.events else row.reported_at,
                    )
                )
        self.session.flush()  # parents before events (foreign keys)
        sealed = seal(incident.id, row.last_seq, row.head_hash, incident.events)
        if sealed:
            self._append(sealed)
            row.last_seq, row.head_hash = sealed[-1].seq, sealed[-1].hash
            self.session.flush()
        incident.events.clear()
        incident.dirty.clear()
        self.on_sealed(sealed)
        return sealed

    def _append(self, sealed: list[StoredEvent]) -> None:
        ids = self.session.scalars(
            insert(EventRow).returning(EventRow.id, sort_by_parameter_order=True),
            [
                {
                    "incident_id": e.incident_id,
                    "seq": e.seq,
                    "type": e.type,
                    "at": e.at,
                    "actor": e.actor,
                    "payload": e.payload_json,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in sealed
            ],
        ).all()
        now = sealed[-1].at
        self.session.execute(insert(OutboxRow), [{"event_id": i, "attempts": 0, "available_at": now} for i in ids])
        for index, event_id in enumerate(ids):
            object.__setattr__(sealed[index], "id", event_id)

    # ------------------------------------------------------------------ queries

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
            raise NotFound(f"no incident {incident_id}", rule="unknown-incident")
        return found[0], found[1]


# ---------------------------------------------------------------------- row <-> domain


def _step(row: StepRow) -> Step:
    return Step(
        key=row.key,
        state=StepState(row.state),
        started_at=row.started_at,
        started_by=row.started_by,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        start_evidence=dict(row.start_evidence or {}),
        evidence=dict(row.evidence or {}),
        justification=row.justification,
        approved_by=row.approved_by,
    )


def _approval(row: ApprovalRow) -> Approval:
    return Approval(
        id=row.id,
        step=row.step,
        action=row.action,
        justification=row.justification,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        state=ApprovalState(row.state),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        note=row.note,
    )


def _deadline(row: DeadlineRow) -> Deadline:
    return Deadline(
        id=row.id,
        rule=row.rule,
        subject=row.subject,
        step=row.step,
        set_at=row.set_at,
        due_at=row.due_at,
        last_day=row.last_day,
        legal_basis=row.legal_basis,
        state=DeadlineState(row.state),
        met_at=row.met_at,
        missed_at=row.missed_at,
        reminders_sent=row.reminders_sent,
        escalations=row.escalations,
        next_check_at=row.next_check_at,
    )


def _copy_incident(incident: Incident, row: IncidentRow) -> None:
    row.organisation_id, row.algorithm_id = incident.organisation_id, incident.algorithm_id
    row.reference, row.title, row.description = incident.reference, incident.title, incident.description
    row.source, row.detected_at, row.reported_at = incident.source, incident.detected_at, incident.reported_at
    row.protected_grounds = list(incident.protected_grounds)
    row.protocol_key, row.protocol_version = incident.definition.key, incident.definition.version
    row.state, row.version, row.facts = incident.state.value, incident.version, dict(incident.facts)
    row.closed_at = incident.closed_at


def _copy_step(step: Step, row: StepRow) -> None:
    row.state = step.state.value
    row.started_at, row.started_by = step.started_at, step.started_by
    row.ended_at, row.ended_by = step.ended_at, step.ended_by
    row.start_evidence, row.evidence = dict(step.start_evidence), dict(step.evidence)
    row.justification, row.approved_by = step.justification, step.approved_by


def _copy_approval(approval: Approval, row: ApprovalRow) -> None:
    row.step, row.action, row.justification = approval.step, approval.action, approval.justification
    row.requested_by, row.requested_at, row.state = (
        approval.requested_by,
        approval.requested_at,
        approval.state.value,
    )
    row.decided_by, row.decided_at, row.note = approval.decided_by, approval.decided_at, approval.note


def _copy_deadline(deadline: Deadline, row: DeadlineRow) -> None:
    row.rule, row.subject, row.step = deadline.rule, deadline.subject, deadline.step
    row.set_at, row.due_at, row.last_day = deadline.set_at, deadline.due_at, deadline.last_day
    row.legal_basis, row.state = deadline.legal_basis, deadline.state.value
    row.met_at, row.missed_at = deadline.met_at, deadline.missed_at
    row.reminders_sent, row.escalations, row.next_check_at = (
        deadline.reminders_sent,
        deadline.escalations,
        deadline.next_check_at,
    )
