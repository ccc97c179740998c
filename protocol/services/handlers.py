"""What the workers do when an event is published: the handler registry and the staff notices.

Handlers are idempotent by construction: `outbox.handle_event` runs each one inside a transaction
that also records it in the handled-events ledger. They must not depend on the order events
arrive in either: workers run in parallel and the relay resends, so the answer to an approval
can be handled before the request. The notice handlers therefore lock the incident (which the
action that answers it also locks) and create a notice already resolved when its answer is in.
Other packages add their handlers with `register_handler` (notifications fans out letters on
`LetterCampaignStarted`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from protocol.events import StoredEvent
from protocol.identity import Principal
from protocol.incident import ApprovalState, Incident
from protocol.services.inbox import HANDLERS as INBOX_HANDLERS
from protocol.storage.tables import NoticeRow
from protocol.storage.uow import UnitOfWork

Handler = Callable[[Any, StoredEvent], None]
_REGISTRY: dict[str, dict[str, Handler]] = {}


def register_handler(event_type: str, name: str, handler: Handler) -> None:
    """Run `handler` for every published event of `event_type`; `name` keys its idempotency ledger."""
    _REGISTRY.setdefault(event_type, {})[name] = handler


def handlers_for(event_type: str) -> dict[str, Handler]:
    return dict(_REGISTRY.get(event_type, {}))


def _incident(uow: UnitOfWork, event: StoredEvent) -> Incident:
    """The event's incident, locked: a notice and the answer that resolves it are never written at once."""
    return uow.incidents.get(event.incident_id)


def notice_approval_requested(uow: UnitOfWork, event: StoredEvent) -> None:
    """A coordinator must give a second signature."""
    payload = json.loads(event.payload_json)
    incident = _incident(uow, event)
    approval = incident.approvals.get(uuid.UUID(payload["approval_id"]))
    answered = approval.decided_at if approval and approval.state is not ApprovalState.PENDING else None
    uow.notices.add(
        NoticeRow(
            id=uuid.uuid4(),
            organisation_id=incident.organisation_id,
            incident_id=event.incident_id,
            event_id=event.id,
            role="coordinator",
            kind="approval",
            subject=payload["approval_id"],
            created_at=event.at,
            resolved_at=answered,
        )
    )


def resolve_approval_notice(uow: UnitOfWork, event: StoredEvent) -> None:
    payload = json.loads(event.payload_json)
    _incident(uow, event)  # waits for a notice being created right now
    uow.notices.resolve(incident_id=event.incident_id, kind="approval", subject=payload["approval_id"], at=event.at)


def notice_deadline_missed(uow: UnitOfWork, event: StoredEvent) -> None:
    """Escalation: the roles the rule names are told a deadline passed."""
    payload = json.loads(event.payload_json)
    incident = _incident(uow, event)
    deadline = incident.deadlines.get(uuid.UUID(payload["deadline_id"]))
    met_at = deadline.met_at if deadline else None
    for role in payload.get("escalate_to") or ["coordinator"]:
        uow.notices.add(
            NoticeRow(
                id=uuid.uuid4(),
                organisation_id=incident.organisation_id,
                incident_id=event.incident_id,
                event_id=event.id,
                role=role,
                kind="deadline_missed",
                subject=payload["deadline_id"],
                created_at=event.at,
                resolved_at=met_at,
            )
        )


def resolve_deadline_notice(uow: UnitOfWork, event: StoredEvent) -> None:
    payload = json.loads(event.payload_json)
    _incident(uow, event)  # waits for a notice being created right now
    uow.notices.resolve(
        incident_id=event.incident_id, kind="deadline_missed", subject=payload["deadline_id"], at=event.at
    )


register_handler("ApprovalRequested", "notice.approval", notice_approval_requested)
register_handler("ApprovalGranted", "notice.approval.resolve", resolve_approval_notice)
register_handler("ApprovalRejected", "notice.approval.resolve", resolve_approval_notice)
register_handler("DeadlineMissed", "notice.deadline", notice_deadline_missed)
register_handler("DeadlineMet", "notice.deadline.resolve", resolve_deadline_notice)
for _type, _name, _handler in INBOX_HANDLERS:  # the staff inbox: protocol.services.inbox
    register_handler(_type, _name, _handler)


def list_notices(*, uow: UnitOfWork, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """What waits for the principal: open notices for the roles they hold."""
    with uow.read_only():
        pairs = [(org, role.value) for org, roles in principal.memberships.items() for role in roles]
        return [
            {
                "id": n.id,
                "incident_id": n.incident_id,
                "kind": n.kind,
                "role": n.role,
                "subject": n.subject,
                "created_at": n.created_at,
            }
            for n in uow.notices.open_for(pairs, limit=limit)
        ]
