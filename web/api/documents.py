"""Files of an incident: the investigator uploads the report here, then names it in the step's evidence."""

from __future__ import annotations

import io
import uuid
from typing import Any

import marshmallow as ma
from flask import Response, request, send_file, url_for
from flask.views import MethodView

from protocol.services import DOCUMENT_TYPES, InvalidEvidence, get_document, list_documents, messages, upload_document
from web.api.common import READ_ERRORS, WRITE_ERRORS, Input, api_blueprint, errors, text
from web.api.schemas.documents import DocumentSchema
from web.context import herstel, principal
from web.security import body_types

blp = api_blueprint(
    "documents", "/incidents/<uuid:incident_id>/documents", "Documents such as the investigation report"
)

BINARY = {"type": "string", "format": "binary"}
UPLOAD_BODY = {
    "required": True,
    "description": "multipart/form-data with the file in `file`, or the file itself as the body (with ?filename=)",
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "properties": {"file": BINARY}, "required": ["file"]},
        },
        **{media_type: {"schema": BINARY} for media_type in DOCUMENT_TYPES},
    },
}


class UploadQuerySchema(Input):
    filename = text(255, required=False, metadata={"description": "the file name, when the body is the file itself"})


def _upload() -> tuple[str, str, bytes]:
    """(file name, media type, content) from a multipart form or a raw body."""
    if request.mimetype == "multipart/form-data":
        part = request.files.get("file")
        if part is None:
            raise InvalidEvidence(messages.NO_FILE(), errors={"file": [messages.NO_FILE_PART()]})
        return part.filename or "", part.mimetype, part.read()
    return request.args.get("filename", ""), request.mimetype, request.get_data()


@blp.route("")
class Documents(MethodView):
    @body_types("multipart/form-data", *DOCUMENT_TYPES)
    @blp.arguments(UploadQuerySchema, location="query", unknown=ma.RAISE)
    @blp.doc(requestBody=UPLOAD_BODY)
    @blp.response(201, DocumentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, _query: dict[str, Any], incident_id: uuid.UUID) -> tuple[dict[str, Any], dict[str, str]]:
        """Upload a file (PDF, DOCX, ODT or UTF-8 text); the timeline records its SHA-256, never its content."""
        filename, content_type, content = _upload()
        document = upload_document(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            filename=filename,
            content_type=content_type,
            content=content,
        )
        location = url_for("documents.Document", incident_id=incident_id, document_id=document["id"])
        return document, {"Location": location}

    @blp.response(200, DocumentSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> list[dict[str, Any]]:
        """The incident's documents (without content)."""
        return list_documents(uow=herstel().uow(), principal=principal(), incident_id=incident_id)


@blp.route("/<uuid:document_id>")
class Document(MethodView):
    @blp.response(200, DocumentSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID, document_id: uuid.UUID) -> dict[str, Any]:
        """One document's description."""
        return get_document(
            uow=herstel().uow(), principal=principal(), incident_id=incident_id, document_id=document_id
        )


@blp.route("/<uuid:document_id>/content")
class DocumentContent(MethodView):
    @blp.response(200, description="the file, as an attachment", content_type="application/octet-stream")
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID, document_id: uuid.UUID) -> Response:
        """Download the file itself."""
        document = get_document(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            document_id=document_id,
            with_content=True,
        )
        response = send_file(
            io.BytesIO(document["content"]),
            mimetype=document["content_type"],
            as_attachment=True,
            download_name=document["filename"],
            max_age=0,
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["ETag"] = f'"{document["sha256"]}"'
        return response
