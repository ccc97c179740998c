"""What the workers do when an event is published: the handler registry and the staff notices.

Handlers are idempotent by construction: `outbox.handle_event` runs each one inside a transaction
that also records it in the handled-events ledger. Other packages add their handlers with
`register_handler` (notifications fans out letters on `LetterCampaignStarted`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from protocol.events import StoredEvent
from protocol.identity import Principal
from protocol.storage.tables import NoticeRow
from protocol.storage.uow import UnitOfWork

Handler = Callable[[Any, StoredEvent], None]
_REGISTRY: dict[str, dict[str, Handler]] = {}


def register_handler(event_type: str, name: str, handler: Handler) -> None:
    """Run `handler` for every published event of `event_type`; `name` keys its idempotency ledger."""
    _REGISTRY.setdefault(event_type, {})[name] = handler


def handlers_for(event_type: str) -> dict[str, Handler]:
    return dict(_REGISTRY.get(event_type, {}))


def _organisation_of(uow: UnitOfWork, event: StoredEvent) -> uuid.UUID:
    organisation_id: uuid.UUID = uow.incidents.get(event.incident_id, lock=False).organisation_id
    return organisation_id


def notice_approval_requested(uow: UnitOfWork, event: StoredEvent) -> None:
    """A coordinator must give a second signature."""
    payload = json.loads(event.payload_json)
    uow.notices.add(
        NoticeRow(
            id=uuid.uuid4(),
            organisation_id=_organisation_of(uow, event),
            incident_id=event.incident_id,
            event_id=event.id,
            role="coordinator",
            kind="approval",
            subject=payload["approval_id"],
            created_at=event.at,
        )
    )


def resolve_approval_notice(uow: UnitOfWork, event: StoredEvent) -> None:
    payload = json.loads(event.payload_json)
    uow.notices.resolve(incident_id=event.incident_id, kind="approval", subject=payload["approval_id"], at=event.at)


def notice_deadline_missed(uow: UnitOfWork, event: StoredEvent) -> None:
    """Escalation: the roles the rule names are told a deadline passed."""
    payload = json.loads(event.payload_json)
    organisation_id = _organisation_of(uow, event)
    for role in payload.get("escalate_to") or ["coordinator"]:
        uow.notices.add(
            NoticeRow(
                id=uuid.uuid4(),
                organisation_id=organisation_id,
                incident_id=event.incident_id,
                event_id=event.id,
                role=role,
                kind="deadline_missed",
                subject=payload["deadline_id"],
                created_at=event.at,
            )
        )


def resolve_deadline_notice(uow: UnitOfWork, event: StoredEvent) -> None:
    payload = json.loads(event.payload_json)
    uow.notices.resolve(
        incident_id=event.incident_id, kind="deadline_missed", subject=payload["deadline_id"], at=event.at
    )


register_handler("ApprovalRequested", "notice.approval", notice_approval_requested)
register_handler("ApprovalGranted", "notice.approval.resolve", resolve_approval_notice)
register_handler("ApprovalRejected", "notice.approval.resolve", resolve_approval_notice)
register_handler("DeadlineMissed", "notice.deadline", notice_deadline_missed)
register_handler("DeadlineMet", "notice.deadline.resolve", resolve_deadline_notice)


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
