"""Staff handling of citizens' responses: who handles one (the assignee), and the decision on a
review request (granted, partly granted or refused) or an objection (Awb 7:11-7:12: upheld, partly
upheld or dismissed), with reasons, sent to the citizen as a decision letter.

An answer acknowledges or answers a response; for an objection it is not the decision, and only
the decision (`CitizenObjectionDecided`) meets the objection's legal deadline (definition
nl-discrimination version 2: objection-decision is met by that event). The reasons are sealed like
the citizen's own text; the timeline carries the outcome and the response's id, never the text.
The decision letter is queued in the decision's transaction (one per decision) and rendered by the
workers like every letter (notifications.delivery, notifications.decision_letters).
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications import messages
from notifications.crypto import Vault
from notifications.model import AffectedPerson
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import DECISION_LETTER_KINDS, OUTCOMES_BY_KIND, CitizenResponseRow
from protocol.errors import InvalidEvidence, StateConflict
from protocol.identity import Principal
from protocol.messages import NOT_A_CHOICE, TOO_LONG, joined
from protocol.services import append_to_timeline
from protocol.services.access import incident_for, owner_view, staff_member

REASONS_LIMIT = 20_000
DECIDABLE_KINDS = ("review", "objection")


def assign_response(
    *,
    uow: NotificationsUnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    response_id: uuid.UUID,
    user_id: uuid.UUID,
) -> dict[str, Any]:
    """Make an officer or coordinator of the incident's organisation the one who handles a response."""
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, "responses.assign")
        row = _response(uow, incident_id, response_id)
        staff_member(uow, incident.organisation_id, user_id, field="user_id")
        if row.assigned_to == user_id:
            raise StateConflict(messages.ASSIGNEE_UNCHANGED(), rule="assignee-unchanged")
        previous, row.assigned_to = row.assigned_to, user_id
        append_to_timeline(
            uow,
            incident_id=incident_id,
            event_type="CitizenResponseAssigned",
            payload={
                "response_id": str(response_id),
                "user_id": str(user_id),
                "previous": str(previous) if previous else None,
            },
            actor=actor,
        )
        view = {"response_id": response_id, "assignee": owner_view(uow, user_id)}
        uow.commit()
    return view


def decide_response(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    response_id: uuid.UUID,
    outcome: str,
    reasons: str,
) -> dict[str, Any]:
    """Record the decision on a review request (granted, partly granted, refused) or an objection
    (upheld, partly upheld, dismissed), by the response's own kind, and queue its decision letter, in
    one transaction: a decision without its letter, or a second letter for one decision, cannot
    happen (a decided response is refused; the letter is unique per response). A review request's
    letter (`decision-review`) is open to objection, an objection's (`decision-objection`) points to
    the administrative court; the decision meets the response's deadline, on time or late. The
    workers send the letter after the commit (`LetterQueued`, handled in notifications.handlers)."""
    reasons = (reasons or "").strip()
    with uow:
        _incident, actor = incident_for(uow, principal, incident_id, "responses.decide")
        row = _response(uow, incident_id, response_id)
        if row.kind not in DECIDABLE_KINDS:
            raise StateConflict(messages.DECISION_OBJECTION_ONLY(kind=row.kind), rule="decision-objection-only")
        if row.decided_at is not None:
            raise StateConflict(messages.OBJECTION_DECIDED(), rule="objection-decided")
        errors: dict[str, list[str]] = {}
        if outcome not in OUTCOMES_BY_KIND[row.kind]:  # a review request and an objection have their own words
            errors["outcome"] = [NOT_A_CHOICE(choices=joined(OUTCOMES_BY_KIND[row.kind]))]
        if not reasons:
            errors["reasons"] = [messages.DECISION_REASONS_REQUIRED()]
        elif len(reasons) > REASONS_LIMIT:
            errors["reasons"] = [TOO_LONG(limit=REASONS_LIMIT)]
        if errors:
            raise InvalidEvidence(messages.DECISION_INCOMPLETE(), errors=errors)
        now = uow.now()
        # both texts and the reasons are sealed with one key: re-seal what is there with the current one
        place = f"citizen_responses/{response_id}"
        text = vault.open(row.text_sealed, key_id=row.key_id, place=f"{place}/text")
        answer = (
            vault.open(row.answer_sealed, key_id=row.key_id, place=f"{place}/answer")
            if row.answer_sealed is not None
            else None
        )
        row.key_id = vault.key_id
        row.text_sealed = vault.seal(text, place=f"{place}/text")
        if answer is not None:
            row.answer_sealed = vault.seal(answer, place=f"{place}/answer")
        row.decision_reasons_sealed = vault.seal(reasons, place=f"{place}/reasons")
        row.decision_outcome, row.decided_at, row.decided_by = outcome, now, actor.ref()
        letter_id = uuid.uuid4()
        letter_kind = DECISION_LETTER_KINDS[row.kind]
        person = uow.persons.get(row.person_id)
        assert person is not None  # a response has its person (foreign key)
        channel = uow.letters.add_decision_letter(
            letter_id=letter_id,
            response_id=response_id,
            person=AffectedPerson(
                person.id, person.language, person.consent_electronic, person.has_email, person.has_address
            ),
            incident_id=incident_id,
            kind=letter_kind,
            now=now,
        )
        append_to_timeline(
            uow,
            incident_id=incident_id,
            # The review-decision deadline of nl-discrimination@4 is met by the answer to the request;
            # the decision is that answer (docs/letters.md). An objection's decision has its own event.
            event_type="CitizenObjectionDecided" if row.kind == "objection" else "CitizenResponseAnswered",
            payload={"response_id": str(response_id), "kind": row.kind, "outcome": outcome},
            actor=actor,
        )
        append_to_timeline(
            uow,
            incident_id=incident_id,
            event_type="LetterQueued",
            payload={
                "letter_id": str(letter_id),
                "response_id": str(response_id),
                "kind": letter_kind,
                "channel": channel,
            },
            actor=actor,
        )
        uow.commit()
    return {"response_id": response_id, "outcome": outcome, "decided_at": now, "letter_id": letter_id}


def decision_reasons(vault: Vault, row: CitizenResponseRow) -> str | None:
    """The reasons of a decision, opened (for staff views)."""
    if row.decision_reasons_sealed is None:
        return None
    return vault.open(row.decision_reasons_sealed, key_id=row.key_id, place=f"citizen_responses/{row.id}/reasons")


def _response(uow: NotificationsUnitOfWork, incident_id: uuid.UUID, response_id: uuid.UUID) -> CitizenResponseRow:
    row = uow.responses.get(response_id, incident_id=incident_id)
    if row is None:
        raise InvalidEvidence(messages.RESPONSE_UNKNOWN(), errors={"response_id": [messages.RESPONSE_NOT_HERE()]})
    return row
