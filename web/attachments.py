"""A citizen's attachment, served to staff as a download (for the API and the pages alike)."""

from __future__ import annotations

import io
import uuid

from flask import Response, send_file

from notifications.services import get_response_attachment
from web.context import notifications_uow, principal, vault


def attachment_download(incident_id: uuid.UUID, response_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
    """The attachment as a download, never inline: it is the citizen's file, not a page of ours.
    The service checks that the caller may read the incident's responses; anyone else gets 404/403."""
    found = get_response_attachment(
        uow=notifications_uow(),
        vault=vault(),
        principal=principal(),
        incident_id=incident_id,
        response_id=response_id,
        attachment_id=attachment_id,
    )
    response = send_file(
        io.BytesIO(found["content"]),
        mimetype=found["content_type"],
        as_attachment=True,
        download_name=found["filename"],
    )
    response.headers["Cache-Control"] = "no-store"
    return response
