"""What waits on this person ("Wat op u wacht"): computed from the state of incidents, approvals and
citizens' responses each time it is asked, never stored. It is not the inbox (messages received);
an item leaves this list when the work is done, whether or not anyone read a message about it.

Waiting on a user:
- the active steps of the open incidents they own (with the deadline of each step);
- the investigation of an incident they are assigned to, while it is active;
- four-eyes requests of another coordinator that they may decide;
- citizens' responses assigned to them, and those of their own incidents assigned to nobody, not
  yet answered (an objection: not yet decided).
Ordered by urgency: a missed deadline first, then the soonest due, then what has no deadline.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from notifications.storage import NotificationsUnitOfWork
from protocol.deadlines import Deadline, DeadlineState
from protocol.identity import Principal
from protocol.incident import ApprovalState, Incident
from protocol.permissions import grant_for, organisations_for
from protocol.steps import StepState

LIMIT = 200
INVESTIGATION_STEP = "investigate"


def waiting_for(*, uow: NotificationsUnitOfWork, principal: Principal) -> dict[str, Any]:
    """What waits on the principal now: items by urgency, and how many of each kind."""
    if principal.is_installation:
        return {"items": [], "counts": _counts([])}
    items: list[dict[str, Any]] = []
    with uow.read_only():
        now = uow.now()
        readable = organisations_for(principal, "incident.read")
        owned, assigned = uow.incidents.of_user(principal.user_id, organisation_ids=readable, limit=LIMIT)
        incidents: dict[uuid.UUID, Incident] = {}
        for incident_id in dict.fromkeys([*owned, *assigned]):
            incidents[incident_id] = uow.incidents.get(incident_id, lock=False)
        for incident_id in owned:
            items.extend(_owned_steps(incidents[incident_id], now))
        for incident_id in assigned:
            if incident_id not in owned:
                items.extend(_investigation(incidents[incident_id], now))
        items.extend(_approvals(uow, principal, now))
        for row in uow.responses.waiting(assigned_to=principal.user_id, incident_ids=owned, limit=LIMIT):
            incident = incidents.get(row.incident_id) or uow.incidents.get(row.incident_id, lock=False)
            if incident.organisation_id not in readable:
                continue
            incidents[row.incident_id] = incident
            deadline = next((d for d in incident.deadlines.values() if d.subject == str(row.id)), None)
            item = _item("response", incident, now, deadline)
            item.update(
                response_id=row.id,
                response_kind=row.kind,
                received_at=row.received_at,
                unassigned=row.assigned_to is None,
            )
            items.append(item)
    items.sort(key=_urgency)
    return {"items": items[:LIMIT], "counts": _counts(items)}


def _owned_steps(incident: Incident, now: datetime) -> list[dict[str, Any]]:
    found = []
    for key in incident.definition.order():
        if incident.steps[key].state is not StepState.ACTIVE:
            continue
        kind = "investigation" if key == INVESTIGATION_STEP else "step"
        item = _item(kind, incident, now, _step_deadline(incident, key))
        item.update(step=key, step_title=dict(incident.definition.step(key).title))
        found.append(item)
    return found


def _investigation(incident: Incident, now: datetime) -> list[dict[str, Any]]:
    step = incident.steps.get(INVESTIGATION_STEP)
    if step is None or step.state is not StepState.ACTIVE:
        return []
    item = _item("investigation", incident, now, _step_deadline(incident, INVESTIGATION_STEP))
    item.update(step=INVESTIGATION_STEP, step_title=dict(incident.definition.step(INVESTIGATION_STEP).title))
    return [item]


def _approvals(uow: NotificationsUnitOfWork, principal: Principal, now: datetime) -> list[dict[str, Any]]:
    deciding = [org for org in principal.memberships if grant_for(principal, "approval.decide", org) is not None]
    if not deciding:
        return []
    found = []
    for row, incident_row in uow.approvals.in_organisations(deciding, state=ApprovalState.PENDING.value):
        if row.requested_by == principal.actor_in(incident_row.organisation_id).ref():
            continue  # four eyes: one's own request waits on another coordinator
        incident = uow.incidents.get(incident_row.id, lock=False)
        item = _item("approval", incident, now, _step_deadline(incident, row.step))
        item.update(
            approval_id=row.id,
            action=row.action,
            step=row.step,
            step_title=dict(incident.definition.step(row.step).title) if row.step in incident.steps else {},
            requested_at=row.requested_at,
        )
        found.append(item)
    return found


def _step_deadline(incident: Incident, step: str) -> Deadline | None:
    """The earliest deadline of the step not yet met (a missed one first, by its due moment)."""
    waiting = [
        d
        for d in incident.deadlines.values()
        if d.step == step
        and d.subject is None
        and d.met_at is None
        and d.state in (DeadlineState.OPEN, DeadlineState.MISSED)
    ]
    return min(waiting, key=lambda d: d.due_at, default=None)


def _item(kind: str, incident: Incident, now: datetime, deadline: Deadline | None) -> dict[str, Any]:
    rule = incident.definition.deadline_rule(deadline.rule) if deadline else None
    return {
        "kind": kind,
        "incident_id": incident.id,
        "reference": incident.reference,
        "title": incident.title,
        "incident_version": incident.version,
        "deadline": None
        if deadline is None
        else {
            "rule": deadline.rule,
            "title": dict(rule.title) if rule else {},
            "due_at": deadline.due_at,
            "last_day": deadline.last_day,
            "state": deadline.state.value,
            "overdue": deadline.state is DeadlineState.MISSED or deadline.due_at < now,
            "legal_basis": deadline.legal_basis,
        },
    }


def _urgency(item: dict[str, Any]) -> tuple[int, float, str]:
    deadline = item["deadline"]
    if deadline is None:
        return (2, 0.0, item["reference"])
    return (0 if deadline["overdue"] else 1, deadline["due_at"].timestamp(), item["reference"])


def _counts(items: list[dict[str, Any]]) -> dict[str, int]:
    counts = {kind: 0 for kind in ("step", "investigation", "approval", "response")}
    for item in items:
        counts[item["kind"]] += 1
    counts["overdue"] = sum(1 for i in items if i["deadline"] and i["deadline"]["overdue"])
    return counts
