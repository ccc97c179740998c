"""Read models: what the entry points show of an incident, built from the domain objects.

Pure (the domain only): the services answer with them, and the incident read model
(protocol.storage.incident_views) stores them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from protocol.deadlines import DeadlineState, is_overdue
from protocol.identity import Principal
from protocol.incident import Approval, ApprovalState, Incident
from protocol.permissions import permits
from protocol.steps import USER_ACTIONS, StepAction

DEADLINE_STATES = tuple(state.value for state in DeadlineState)  # open, met, met_late, missed, waived, not_applicable


def incident_view(
    incident: Incident,
    *,
    principal: Principal,
    now: datetime,
    algorithm: dict[str, Any] | None = None,
    owner: dict[str, Any] | None = None,
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
        # deadlines set by one action often fall due together: ties go by rule (and id), so the order is
        # the same whether the incident was just changed (the read model is written from that) or loaded
        "deadlines": [
            deadline_view(incident, d, now)
            for d in sorted(incident.deadlines.values(), key=lambda d: (d.due_at, d.rule, str(d.id)))
        ],
        "approvals": [approval_view(a) for a in sorted(incident.approvals.values(), key=lambda a: a.requested_at)],
        "assignments": sorted(str(u) for u in incident.assignments),
        "owner_id": incident.owner_id,
        "owner": owner,
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
    """The step actions the permission matrix grants `principal` and the incident would accept now."""
    if principal.is_installation:
        return []
    actor = principal.actor_in(incident.organisation_id)
    assigned = principal.user_id in incident.assignments
    granted = granted_actions(
        principal, incident.organisation_id, key, [a.value for a in USER_ACTIONS], assigned=assigned
    )
    return [action for action in granted if incident.refusal(StepAction(action), key, actor=actor) is None]


def granted_actions(
    principal: Principal, organisation_id: UUID, key: str, actions: Iterable[str], *, assigned: bool
) -> list[str]:
    """Of `actions` on step `key`, those the permission matrix grants `principal` (none to the installation)."""
    if principal.is_installation:
        return []
    return [
        action
        for action in actions
        if permits(principal, f"step.{action}", organisation_id, assigned=assigned, step=key)
    ]


def deadline_view(incident: Incident, deadline: Any, now: datetime) -> dict[str, Any]:
    rule = incident.definition.deadline_rule(deadline.rule)
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
        "overdue": is_overdue(deadline.state, deadline.due_at, now),
        "period": rule.period.describe() if rule else None,
    }
