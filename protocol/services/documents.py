"""Files of an incident, such as the investigation report: stored whole, recorded on the timeline by digest.

The timeline's `DocumentAdded` event carries the document's id, SHA-256, size and media type —
never its content or file name, which may name people.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping
from typing import Any

from protocol import messages
from protocol.errors import IllegalTransition, InvalidEvidence, NotFound, Text
from protocol.identity import Principal
from protocol.services.access import incident_for
from protocol.storage.tables import DocumentRow
from protocol.storage.uow import UnitOfWork

# What an investigation report may be, with the bytes such a file starts with (None: no check).
ACCEPTED_TYPES: dict[str, bytes | None] = {
    "application/pdf": b"%PDF-",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK\x03\x04",
    "application/vnd.oasis.opendocument.text": b"PK\x03\x04",
    "text/plain": None,
}
DOCUMENT_TYPES = tuple(ACCEPTED_TYPES)
MAX_FILENAME = 255


def document_view(row: DocumentRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "incident_id": row.incident_id,
        "filename": row.filename,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_by": row.uploaded_by,
        "uploaded_at": row.uploaded_at,
    }


def clean_filename(name: str) -> str:
    """The last path component, without control characters; what a download will be called.

    Unicode format characters (category Cf: bidi overrides such as U+202E, zero-width joiners) go
    too: an override (U+202E) makes `invoice<U+202E>gpj.exe` look like `invoiceexe.jpg` in a list.
    """
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name)
    name = "".join(c for c in name if unicodedata.category(c) != "Cf").strip(" .")
    return name[:MAX_FILENAME]


def content_problem(
    content_type: str, content: bytes, accepted: Mapping[str, bytes | None], *, max_bytes: int | None = None
) -> Text | None:
    """What is wrong with a file's bytes for its declared type, or None: a type not in `accepted`, an
    empty file, one over `max_bytes`, or content that does not start as that type's files do (plain
    text: that is not UTF-8). The one content check of uploaded files, staff documents and citizens'
    attachments alike; a browser's declared type is never trusted alone."""
    if content_type not in accepted:
        return messages.ONE_OF(choices=messages.joined(accepted))
    if not content:
        return messages.FILE_EMPTY()
    if max_bytes is not None and len(content) > max_bytes:
        return messages.FILE_TOO_LARGE(limit=max_bytes // 1_000_000)
    magic = accepted[content_type]
    if magic is not None and not content.startswith(magic):
        return messages.CONTENT_MISMATCH(content_type=content_type)
    if magic is None:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return messages.TEXT_NOT_UTF8()
    return None


def upload_document(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    filename: str,
    content_type: str,
    content: bytes,
) -> dict[str, Any]:
    """Attach a file to an open incident (an investigator: to an incident assigned to them)."""
    errors: dict[str, list[str]] = {}
    name = clean_filename(filename)
    if not name:
        errors["filename"] = [messages.REQUIRED()]
    if content_type not in ACCEPTED_TYPES:
        errors["content_type"] = [messages.ONE_OF(choices=messages.joined(ACCEPTED_TYPES))]
    elif (problem := content_problem(content_type, content, ACCEPTED_TYPES)) is not None:
        errors["file"] = [problem]
    if errors:
        raise InvalidEvidence(messages.DOCUMENT_REFUSED(), errors=errors)
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, "document.upload")
        if incident.state.value != "open":
            raise IllegalTransition(messages.INCIDENT_CLOSED(reference=incident.reference), rule="incident-closed")
        now = uow.now()
        row = DocumentRow(
            id=uuid.uuid4(),
            incident_id=incident.id,
            filename=name,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by=actor.ref(),
            uploaded_at=now,
        )
        uow.documents.add(row)
        incident.note(
            "DocumentAdded",
            {"document_id": str(row.id), "sha256": row.sha256, "size": row.size, "content_type": content_type},
            actor=actor,
            now=now,
        )
        uow.incidents.save(incident)
        view = document_view(row)
        uow.commit()
        return view


def list_documents(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> list[dict[str, Any]]:
    """The files of an incident, oldest first (without their content)."""
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "document.read", lock=False)
        return [document_view(row) for row in uow.documents.for_incident(incident.id)]


def get_document(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    document_id: uuid.UUID,
    with_content: bool = False,
) -> dict[str, Any]:
    """One file's description, and its bytes as `content` when asked."""
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "document.read", lock=False)
        row = uow.documents.get(document_id, incident_id=incident.id)
        if row is None:
            raise NotFound(
                messages.NO_DOCUMENT(document_id=document_id, reference=incident.reference), rule="unknown-document"
            )
        view = document_view(row)
        if with_content:
            view["content"] = bytes(row.content)
        return view
