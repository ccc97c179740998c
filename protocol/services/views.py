"""Read models: what the entry points show of an incident, built from the domain objects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from protocol.deadlines import DeadlineState
from protocol.identity import Principal
from protocol.incident import Approval, ApprovalState, Incident
from protocol.permissions import grant_for
from protocol.steps import TRANSITIONS, StepAction, StepState

DEADLINE_STATES = tuple(state.value for state in DeadlineState)  # open, met, met_late, missed, waived, not_applicable
USER_ACTIONS = (StepAction.START, StepAction.COMPLETE, StepAction.WAIVE)


def incident_view(
    incident: Incident, *, principal: Principal, now: datetime, algorithm: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The whole incident as the API and pages show it, with the actions open to `principal`."""
    definition = incident.definition
    return {
        "id": incident.id,
        "reference": incident.reference,
        "organisation_id": incident.organisation_id,
        "algorithm_id": incident.algorithm_id,
        "algorithm": algorithm,
        "title": incident.title,
        "description": incident.description,
        "source": incident.source,
        "detected_at": incident.detected_at,
        "reported_at": incident.reported_at,
        "protected_grounds": list(incident.protected_grounds),
        "state": incident.state.value,
        "version": incident.version,
        "closed_at": incident.closed_at,
        "protocol": {"key": definition.key, "version": definition.version, "digest": definition.digest},
        "facts": dict(incident.facts),
        "steps": {key: _step_view(incident, key, principal) for key in definition.order()},
        "deadlines": [
            deadline_view(incident, d, now) for d in sorted(incident.deadlines.values(), key=lambda d: d.due_at)
        ],
        "approvals": [approval_view(a) for a in sorted(incident.approvals.values(), key=lambda a: a.requested_at)],
        "assignments": sorted(str(u) for u in incident.assignments),
    }


def approval_view(approval: Approval) -> dict[str, Any]:
    """A four-eyes request as the entry points show it."""
    return {
        "id": approval.id,
        "step": approval.step,
        "action": approval.action,
        "justification": approval.justification,
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at,
        "state": approval.state.value,
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at,
        "note": approval.note,
    }


def _step_view(incident: Incident, key: str, principal: Principal) -> dict[str, Any]:
    step, spec = incident.steps[key], incident.definition.step(key)
    return {
        "key": key,
        "state": step.state.value,
        "title": dict(spec.title),
        "requires": list(spec.requires),
        "applies": incident.applies(key),
        "blockers": incident.blockers(key),
        "completion": spec.completion,
        "started_at": step.started_at,
        "started_by": step.started_by,
        "ended_at": step.ended_at,
        "ended_by": step.ended_by,
        "start_evidence": step.start_evidence,
        "evidence": step.evidence,
        "justification": step.justification,
        "approved_by": step.approved_by,
        "pending_approval": any(
            a.step == key and a.state is ApprovalState.PENDING for a in incident.approvals.values()
        ),
        "actions": _actions(incident, key, principal),
    }


def _actions(incident: Incident, key: str, principal: Principal) -> list[str]:
    """The step actions that would pass the transition table, the guards and the permission matrix."""
    if principal.is_installation or incident.state.value != "open":
        return []
    step, spec = incident.steps[key], incident.definition.step(key)
    ready = not incident.blockers(key) and incident.applies(key) is True
    assigned = principal.user_id in incident.assignments
    open_actions = []
    for action in USER_ACTIONS:
        if (step.state, action) not in TRANSITIONS:
            continue
        grant = grant_for(principal, f"step.{action.value}", incident.organisation_id)
        if (
            grant is None
            or (grant.scope == "assigned" and not assigned)
            or (grant.steps is not None and key not in grant.steps)
        ):
            continue
        if action is StepAction.START and not ready:
            continue
        if action is StepAction.COMPLETE and spec.completion == "system":
            continue
        if action is StepAction.WAIVE:
            waiver = spec.waiver
            forbidden = waiver.forbidden_when is not None and waiver.forbidden_when.evaluate(incident.facts)
            pending = any(a.step == key and a.state is ApprovalState.PENDING for a in incident.approvals.values())
            if not waiver.allowed or forbidden or pending or (step.state is StepState.PENDING and not ready):
                continue
        open_actions.append(action.value)
    return open_actions


def deadline_view(incident: Incident, deadline: Any, now: datetime) -> dict[str, Any]:
    rule = next((r for r in incident.definition.deadlines if r.key == deadline.rule), None)
    return {
        "id": deadline.id,
        "rule": deadline.rule,
        "title": dict(rule.title) if rule else {},
        "step": deadline.step,
        "subject": deadline.subject,
        "set_at": deadline.set_at,
        "due_at": deadline.due_at,
        "last_day": deadline.last_day,
        "legal_basis": deadline.legal_basis,
        "state": deadline.state.value,
        "met_at": deadline.met_at,
        "missed_at": deadline.missed_at,
        "overdue": deadline.state is DeadlineState.MISSED
        or (deadline.state is DeadlineState.OPEN and deadline.due_at < now),
        "period": rule.period.describe() if rule else None,
    }
