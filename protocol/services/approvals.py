"""Four-eyes requests: those of one incident, and the coordinator's queue across incidents."""

from __future__ import annotations

import uuid
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence
from protocol.identity import Principal
from protocol.permissions import grant_for, organisations_for
from protocol.services.access import incident_for
from protocol.storage.uow import UnitOfWork
from protocol.views import approval_view

APPROVAL_STATES = ("pending", "granted", "rejected", "withdrawn")


def list_approvals(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every four-eyes request of an incident, oldest first."""
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "approval.read", lock=False)
        return [approval_view(a) for a in sorted(incident.approvals.values(), key=lambda a: a.requested_at)]


def approval_queue(*, uow: UnitOfWork, principal: Principal, state: str | None = "pending") -> list[dict[str, Any]]:
    """Requests across the incidents the principal may see, oldest first, saying which they can decide.

    A request can be decided by a coordinator other than the one who asked (four eyes).
    """
    if state is not None and state not in APPROVAL_STATES:
        raise InvalidEvidence(
            messages.STATE_INVALID(), errors={"state": [messages.ONE_OF(choices=messages.joined(APPROVAL_STATES))]}
        )
    with uow.read_only():
        organisations = organisations_for(principal, "approval.read")
        items = []
        for row, incident in uow.approvals.in_organisations(organisations, state=state):
            me = principal.actor_in(incident.organisation_id).ref()
            may_decide = grant_for(principal, "approval.decide", incident.organisation_id) is not None
            items.append(
                {
                    "id": row.id,
                    "incident_id": incident.id,
                    "reference": incident.reference,
                    "title": incident.title,
                    "incident_version": incident.version,
                    "step": row.step,
                    "action": row.action,
                    "justification": row.justification,
                    "requested_by": row.requested_by,
                    "requested_at": row.requested_at,
                    "state": row.state,
                    "decided_by": row.decided_by,
                    "decided_at": row.decided_at,
                    "note": row.note,
                    "can_decide": row.state == "pending" and may_decide and row.requested_by != me,
                }
            )
        return items
