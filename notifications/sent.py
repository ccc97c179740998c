"""The letters of a campaign as they were sent, for staff: the e-mail and the post letter (PDF).

Staff see the stored copy (`copies`), the letter exactly as it went out, except the reader's access
code, which is hidden (`copies.without_code`). The PDF is rendered from that copy as the print batch
rendered it; it is not kept (the kept PDF is the citizen's, with their code). Nothing is written.
"""

from __future__ import annotations

import uuid
from typing import Any

from notifications import messages
from notifications.copies import open_copy, without_code
from notifications.crypto import Vault
from notifications.pdf import render_pdf
from notifications.storage import NotificationsUnitOfWork
from protocol.errors import NotFound
from protocol.identity import Principal
from protocol.permissions import require
from protocol.services.access import incident_for


def get_sent_letter(
    *, uow: NotificationsUnitOfWork, vault: Vault, principal: Principal, incident_id: uuid.UUID, letter_id: uuid.UUID
) -> dict[str, Any]:
    """One letter of the incident as sent (its code hidden), with its channel and status; `letter` is
    None while no attempt has rendered it yet. For those who may read letters and see identities."""
    with uow.read_only():
        incident, _actor = incident_for(uow, principal, incident_id, "letters.read", lock=False)
        require(principal, "persons.read_identity", incident.organisation_id)
        row = uow.letters.get(letter_id)
        if row is None or row.incident_id != incident_id:
            raise NotFound(messages.LETTER_NOT_HERE(), rule="not-found")
        found = uow.letters.copy_as_sent(letter_id)
        letter = None
        if found is not None:
            copy, attempt = found
            letter = without_code(
                open_copy(
                    vault,
                    copy.letter_id,
                    copy.number,
                    key_id=copy.key_id,
                    sealed=copy.letter_sealed,
                    digest=attempt.letter_sha256,
                    logos=uow.senders.logo,
                )
            )
        return {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "channel": row.channel,
            "language": row.language,
            "letter": letter,
        }


def get_sent_letter_pdf(
    *, uow: NotificationsUnitOfWork, vault: Vault, principal: Principal, incident_id: uuid.UUID, letter_id: uuid.UUID
) -> bytes | None:
    """The same letter as the post letter (PDF), its code hidden; None while it has not been rendered."""
    found = get_sent_letter(uow=uow, vault=vault, principal=principal, incident_id=incident_id, letter_id=letter_id)
    if found["letter"] is None:
        return None
    data, _placed = render_pdf([found["letter"]])
    return data
