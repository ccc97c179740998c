"""Documents of an incident from the pages: upload (the investigation report) and download."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for

from protocol.services import (
    DOCUMENT_TYPES,
    InvalidEvidence,
    NotFound,
    ProtocolError,
    get_document,
    messages,
    upload_document,
)
from web.context import principal
from web.pages.common import uow
from web.pages.incident_view import FormState, Refusal
from web.pages.incidents import Page, fetch, render_incident
from web.pages.text import _
from web.problem import status_for
from web.security import body_types

blp = Blueprint("documents_page", __name__)

# what browsers send for a file they cannot type, mapped by extension to a type the service accepts
BY_EXTENSION = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".txt": "text/plain",
}


def content_type_of(filename: str, sent: str | None) -> str:
    """The media type of an upload: as the browser sent it if the service knows it, else by extension."""
    sent = (sent or "").split(";")[0].strip().lower()
    if sent in DOCUMENT_TYPES:
        return sent
    for extension, mimetype in BY_EXTENSION.items():
        if filename.lower().endswith(extension):
            return mimetype
    return sent or "application/octet-stream"


@blp.post("/incidents/<uuid:incident_id>/documents")
@body_types("multipart/form-data")  # an upload: the installation's body limit, not 1 MB
def upload(incident_id: uuid.UUID) -> Page:
    step = request.form.get("step", "")
    state = FormState(f"upload:{step}")
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise InvalidEvidence(messages.NO_FILE(), errors={"file": [messages.REQUIRED()]})
        document = upload_document(
            uow=uow(),
            principal=principal(),
            incident_id=incident_id,
            filename=file.filename,
            content_type=content_type_of(file.filename, file.mimetype),
            content=file.read(),
        )
    except NotFound:
        raise
    except InvalidEvidence as error:
        state.errors, state.refusal = error.errors, Refusal.of(error)
        return render_incident(fetch(incident_id), state=state, status=422)
    except ProtocolError as error:
        state.refusal = Refusal.of(error)
        return render_incident(fetch(incident_id), state=state, status=status_for(error))
    flash(_("Document “%(name)s” added. You can now choose it in the form.", name=document["filename"]), "info")
    return redirect(url_for("incident_page.show", incident_id=incident_id, _anchor=f"step-{step}" if step else None))


@blp.get("/incidents/<uuid:incident_id>/documents/<uuid:document_id>")
def download(incident_id: uuid.UUID, document_id: uuid.UUID) -> Response:
    document = get_document(
        uow=uow(), principal=principal(), incident_id=incident_id, document_id=document_id, with_content=True
    )
    response = current_app.response_class(document["content"], mimetype=document["content_type"])
    # always a download, never rendered in the app's origin (an uploaded file is not trusted content)
    response.headers["Content-Disposition"] = _attachment(document["filename"])
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
