"""What the organisation did about a legal deadline not kept (issue 9, item 6).

A missed (or late-met) legal deadline is a notice on the oversight dashboard until the incident's
organisation records what it did about it. A coordinator or an administrator of the organisation
(action `deadline.account`) writes that account; it goes on the incident's timeline as a
`DeadlineMissAccounted` event (deadline id, rule, the text; principal and time as every event has),
and from then on the notice shows as answered, with the text. One account per deadline: a second
is refused (rule `deadline-accounted`), as is one for a deadline that was kept (`deadline-kept`).

The text is written for the supervisor and shown to it: the form says not to name persons. It is
the one free text an oversight body reads, and it is on the chain as written.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence, StateConflict
from protocol.identity import Principal
from protocol.oversight import BROKEN, deadline_outcome
from protocol.services.access import incident_for
from protocol.storage.uow import UnitOfWork

EVENT = "DeadlineMissAccounted"
ACTION = "deadline.account"
TEXT_LIMIT = 4000


def accounts_of(uow: UnitOfWork, incident_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """deadline id → its account (text, by, at), for the given incidents; in the caller's transaction."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for event in uow.timeline.of_type(incident_ids, EVENT):
        payload = json.loads(event.payload_json)
        found.setdefault(
            uuid.UUID(payload["deadline_id"]), {"text": payload.get("text", ""), "by": event.actor, "at": event.at}
        )
    return found


def account_for_missed_deadline(
    *, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, deadline_id: uuid.UUID, text: str
) -> dict[str, Any]:
    """Record what the organisation did about a deadline not kept; returns the account."""
    text = (text or "").strip()
    if not text or len(text) > TEXT_LIMIT:
        raise InvalidEvidence(messages.ACCOUNT_INVALID(), errors={"text": [messages.ACCOUNT_LENGTH(limit=TEXT_LIMIT)]})
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, ACTION)
        deadline = incident.deadlines.get(deadline_id)
        if deadline is None:
            raise InvalidEvidence(messages.UNKNOWN_DEADLINE(), errors={"deadline_id": [messages.NO_SUCH_DEADLINE()]})
        step = incident.steps.get(deadline.step or "")
        outcome = deadline_outcome(
            state=deadline.state,
            due_at=deadline.due_at,
            met_at=deadline.met_at,
            step_state=step.state if step is not None else None,
            now=uow.now(),
        )
        if outcome not in BROKEN:
            raise StateConflict(messages.DEADLINE_KEPT(), rule="deadline-kept")
        if deadline_id in accounts_of(uow, [incident.id]):
            raise StateConflict(messages.DEADLINE_ACCOUNTED(), rule="deadline-accounted")
        now = uow.now()
        incident.note(
            EVENT, {"deadline_id": str(deadline_id), "rule": deadline.rule, "text": text}, actor=actor, now=now
        )
        uow.incidents.save(incident)
        uow.commit()
    return {"incident_id": incident_id, "deadline_id": deadline_id, "text": text, "by": actor.ref(), "at": now}


def list_deadline_accounts(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> dict[str, Any]:
    """The incident's deadlines not kept, each with its account or none yet (for the staff's page)."""
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, "incident.read", lock=False)
        accounts = accounts_of(uow, [incident.id])
        now = uow.now()
        rules = {rule.key: rule for rule in incident.definition.deadlines}
        shown = []
        for deadline in sorted(incident.deadlines.values(), key=lambda d: (d.due_at, d.rule)):
            step = incident.steps.get(deadline.step or "")
            outcome = deadline_outcome(
                state=deadline.state,
                due_at=deadline.due_at,
                met_at=deadline.met_at,
                step_state=step.state if step is not None else None,
                now=now,
            )
            if outcome not in BROKEN:
                continue
            rule = rules.get(deadline.rule)
            shown.append(
                {
                    "id": deadline.id,
                    "rule": deadline.rule,
                    "title": dict(rule.title) if rule else {},
                    "due_at": deadline.due_at,
                    "met_at": deadline.met_at,
                    "legal_basis": deadline.legal_basis,
                    "outcome": outcome.value,
                    "account": accounts.get(deadline.id),
                }
            )
        return {
            "incident_id": incident.id,
            "organisation_id": incident.organisation_id,
            "reference": incident.reference,
            "deadlines": shown,
        }
