"""An objection as it reaches Herstel's storage without the citizen's forms.

Neither letter Herstel sends is a decision, so no form offers an objection (notifications.citizens.
REPLIES), yet objections exist: databases hold those lodged before, and objections against a decision
(such as the answer to a review request) are decided with the same machinery (CitizenObjectionDecided,
the `objection-decision` deadline). `store_objection` writes one exactly as the citizen's service
wrote it before the review request replaced it: the sealed row and `CitizenResponded` on the
incident's chain, in one transaction, so its deadline is set by the same handlers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from notifications.answers import Attachment, keep_attachments, next_reference
from notifications.citizens import citizen_session
from notifications.crypto import Vault
from notifications.storage import UnitOfWorkFactory
from notifications.tables import CitizenResponseRow
from protocol.identity import Actor
from protocol.services import append_to_timeline


def store_objection(
    *, uow_factory: UnitOfWorkFactory, vault: Vault, token: str, text: str, attachments: Sequence[Attachment] = ()
) -> dict[str, Any]:
    """Store an objection from the reader of the session `token` (with its `attachments`, kept as the
    citizen's service keeps a response's); returns its id and deadline, as the service did."""
    session = citizen_session(uow_factory=uow_factory, token=token)
    response_id = uuid.uuid4()
    with uow_factory() as uow:
        now = uow.now()
        row = CitizenResponseRow(
            id=response_id,
            incident_id=session.incident_id,
            person_id=session.person_id,
            letter_id=session.letter_id,
            kind="objection",
            key_id=vault.key_id,
            text_sealed=vault.seal(text, place=f"citizen_responses/{response_id}/text"),
            received_at=now,
            reference=next_reference(uow, now),
        )
        uow.responses.add(row)
        keep_attachments(uow, vault, row, attachments, now)
        append_to_timeline(
            uow,
            incident_id=session.incident_id,
            event_type="CitizenResponded",
            payload={
                "response_id": str(response_id),
                "kind": "objection",
                "person_id": str(session.person_id),
                "letter_id": str(session.letter_id),
            },
            actor=Actor.citizen(session.person_id),
        )
        reference = row.reference
        incident = uow.incidents.get(session.incident_id, lock=False)
        due = next((d for d in incident.deadlines.values() if d.subject == str(response_id)), None)
        uow.commit()
    return {
        "response_id": response_id,
        "kind": "objection",
        "reference": reference,
        "received_at": now,
        "answer_due": due.last_day if due else None,
        "legal_basis": due.legal_basis if due else None,
    }
