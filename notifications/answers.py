"""What a citizen's response carries beyond its text, and what the citizen reads back.

- A reference number, given when the response is recorded (`R-2026-000123`, per installation and
  year, from a counter row): what the citizen quotes when they call or write. It is a reference, not
  a secret: it opens nothing, only the code in their letter does.
- Attachments (PDF, JPEG, PNG; at most 3 of 10 MB each), checked by their content with the same
  check as staff documents (`protocol.services.documents.content_problem`), and stored sealed, name
  and bytes, bound to their row. Staff of the incident's organisation open them; nobody else.
- The notices: a receipt by e-mail (only with consent to electronic contact), and "there is an
  answer" by e-mail with consent, else by post. One row per (response, purpose), queued in the
  transaction that records the response or the answer, so each is sent once however often anything
  is retried (`response_notices` delivers them).
- The citizen's own view: their messages and every answer, opened from the vault, with who answers
  on behalf of the organisation by role, never by name.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifications import messages
from notifications.crypto import Vault
from notifications.letters import incident_facts
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import AffectedPersonRow, CitizenResponseRow, ResponseAttachmentRow, ResponseNoticeRow
from protocol.calendar import local_date
from protocol.errors import NotFound, Text
from protocol.identity import Actor, Principal
from protocol.services.access import incident_for
from protocol.services.documents import clean_filename, content_problem

# What a citizen may attach, with the bytes such a file starts with.
ATTACHMENT_TYPES: dict[str, bytes | None] = {
    "application/pdf": b"%PDF-",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
MAX_ATTACHMENTS = 3
ATTACHMENT_BYTES = 10_000_000  # each; the web's body limit for this form is set above 3 of these
FIELD = "attachments"


@dataclass(frozen=True)
class Attachment:
    """A file as the citizen sent it: its name, the type the browser declared, its bytes."""

    filename: str
    content_type: str
    content: bytes


def attachment_problems(files: Sequence[Attachment]) -> list[Text]:
    """What is wrong with the files, each problem naming its file; empty when all may be kept."""
    if len(files) > MAX_ATTACHMENTS:
        return [messages.ATTACHMENTS_TOO_MANY(limit=MAX_ATTACHMENTS)]
    problems = []
    for file in files:
        problem = content_problem(file.content_type, file.content, ATTACHMENT_TYPES, max_bytes=ATTACHMENT_BYTES)
        if problem is not None:
            problems.append(messages.ATTACHMENT_PROBLEM(name=clean_filename(file.filename) or "?", problem=problem))
    return problems


def next_reference(uow: NotificationsUnitOfWork, now: datetime) -> str:
    """The next reference number, in the year of `now` on the Dutch calendar (inside the caller's transaction)."""
    year = local_date(now).year
    return f"R-{year}-{uow.response_extras.next_number(year):06d}"


def _place(attachment_id: uuid.UUID, field: str) -> str:
    return f"response_attachments/{attachment_id}/{field}"


def keep_attachments(
    uow: NotificationsUnitOfWork, vault: Vault, row: CitizenResponseRow, files: Sequence[Attachment], now: datetime
) -> None:
    """Store the (checked) files of a response, sealed (inside the caller's transaction)."""
    for position, file in enumerate(files):
        attachment_id = uuid.uuid4()
        name = clean_filename(file.filename) or "file"
        uow.response_extras.add_attachment(
            ResponseAttachmentRow(
                id=attachment_id,
                response_id=row.id,
                incident_id=row.incident_id,
                position=position,
                content_type=file.content_type,
                size=len(file.content),
                sha256=hashlib.sha256(file.content).hexdigest(),
                key_id=vault.key_id,
                filename_sealed=vault.seal(name, place=_place(attachment_id, "name")),
                content_sealed=vault.seal_bytes(file.content, place=_place(attachment_id, "content")),
                created_at=now,
            )
        )


def _attachment_view(vault: Vault, row: ResponseAttachmentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": vault.open(row.filename_sealed, key_id=row.key_id, place=_place(row.id, "name")),
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
    }


def attachments_by_response(
    uow: NotificationsUnitOfWork, vault: Vault, response_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """The attachments (without their bytes) of these responses, in the order sent."""
    found: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for row in uow.response_extras.attachments_of(response_ids):
        found.setdefault(row.response_id, []).append(_attachment_view(vault, row))
    return found


def get_response_attachment(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    response_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> dict[str, Any]:
    """One attachment with its bytes (`content`), for staff who may read the incident's responses."""
    with uow.read_only():
        incident_for(uow, principal, incident_id, "responses.read", lock=False)
        response = uow.responses.get(response_id, incident_id=incident_id)
        row = uow.response_extras.attachment(attachment_id, response_id=response_id) if response else None
        if row is None:
            raise NotFound(messages.ATTACHMENT_UNKNOWN(), rule="unknown-attachment")
        content = vault.open_bytes(row.content_sealed, key_id=row.key_id, place=_place(row.id, "content"))
        if hashlib.sha256(content).hexdigest() != row.sha256:
            raise NotFound(messages.ATTACHMENT_UNKNOWN(), rule="unknown-attachment")
        return {**_attachment_view(vault, row), "content": content}


# ---------------------------------------------------------------------- notices


def notice_channel(person: AffectedPersonRow, purpose: str) -> str | None:
    """How a notice reaches the person: e-mail only with consent to electronic contact; the notice
    of an answer otherwise by post; a receipt otherwise not at all (the page shows it, to print)."""
    if person.consent_electronic and person.has_email:
        return "email"
    if purpose == "answer" and person.has_address:
        return "post"
    return None


def queue_notice(uow: NotificationsUnitOfWork, row: CitizenResponseRow, purpose: str, now: datetime) -> str | None:
    """Queue the response's notice of `purpose` once (a second call queues nothing); its channel, or None."""
    person = uow.persons.get(row.person_id)
    channel = notice_channel(person, purpose) if person is not None else None
    if channel is None:
        return None
    uow.response_extras.queue_notice(
        ResponseNoticeRow(
            id=uuid.uuid4(),
            response_id=row.id,
            incident_id=row.incident_id,
            purpose=purpose,
            channel=channel,
            status="queued",
            attempts=0,
            available_at=now,
            lease_until=None,
            sent_at=None,
            print_batch_id=None,
            last_error=None,
            created_at=now,
        )
    )
    return channel


def answer_role(actor: Actor) -> str:
    """The role an answer is given in, as the citizen is told (coordinator before officer)."""
    roles = {role.value for role in actor.roles}
    return next((r for r in ("coordinator", "officer") if r in roles), "staff")


def list_response_notices(*, uow: NotificationsUnitOfWork, response_id: uuid.UUID) -> list[dict[str, Any]]:
    """The notices of one response (for the operator and the tests): purpose, channel, status, attempts."""
    with uow.read_only():
        return [
            {
                "purpose": n.purpose,
                "channel": n.channel,
                "status": n.status,
                "attempts": n.attempts,
                "sent_at": n.sent_at,
                "print_batch_id": n.print_batch_id,
                "last_error": n.last_error,
            }
            for n in uow.response_extras.notices_of(response_id)
        ]


# ---------------------------------------------------------------------- the citizen's view


def citizen_thread(
    uow: NotificationsUnitOfWork, vault: Vault, rows: list[CitizenResponseRow], incident_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The citizen's own messages, each with its reference, text, files and answer (inside a read)."""
    if not rows:
        return []
    organisation = incident_facts(uow, incident_id).sender["name"]
    files = attachments_by_response(uow, vault, [r.id for r in rows])
    thread = []
    for row in rows:
        place = f"citizen_responses/{row.id}"
        answer = None
        if row.answer_sealed is not None:
            answer = {
                "text": vault.open(row.answer_sealed, key_id=row.key_id, place=f"{place}/answer"),
                "at": row.answered_at,
                "role": row.answered_role or "staff",
                "organisation": organisation,
            }
        thread.append(
            {
                "id": row.id,
                "reference": row.reference,
                "text": vault.open(row.text_sealed, key_id=row.key_id, place=f"{place}/text"),
                "attachments": [{"filename": f["filename"], "size": f["size"]} for f in files.get(row.id, [])],
                "answer": answer,
            }
        )
    return thread
