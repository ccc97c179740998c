"""Files that belong to an incident, such as the external investigation report.

The file itself is kept in the database; the timeline records that it was added and its SHA-256,
never its name (a file name can carry personal data), so the chain vouches for the exact bytes.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from protocol.errors import InvalidEvidence
from protocol.identity import Principal
from protocol.services.access import incident_for
from protocol.storage.tables import DocumentRow
from protocol.storage.uow import UnitOfWork

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def add_document(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> dict[str, Any]:
    """Attach a file to an incident (evidence can then refer to it by id); records DocumentAdded."""
    errors: dict[str, list[str]] = {}
    filename = (filename or "").strip()
    if not filename or len(filename) > 255:
        errors["filename"] = ["required, at most 255 characters"]
    if not content_type or len(content_type) > 100:
        errors["content_type"] = ["required, at most 100 characters"]
    if not content:
        errors["content"] = ["the file is empty"]
    elif len(content) > max_bytes:
        errors["content"] = [f"at most {max_bytes} bytes"]
    if errors:
        raise InvalidEvidence("the document is invalid", errors=errors)
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, "document.upload")
        now = uow.now()
        row = DocumentRow(
            id=uuid.uuid4(),
            incident_id=incident.id,
            filename=filename,
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
        view = {
            "id": row.id,
            "incident_id": row.incident_id,
            "filename": row.filename,
            "content_type": row.content_type,
            "size": row.size,
            "sha256": row.sha256,
            "uploaded_by": row.uploaded_by,
            "uploaded_at": row.uploaded_at,
        }
        uow.commit()
        return view
