"""GET /api/v1/oversight/incidents/{id}/export: an incident's bundle, to be checked offline.

Served to an oversight body granted the incident's organisation (action `oversight.export`); for
anyone else the incident does not exist (404). The format is docs/timeline.md, "The export bundle";
`herstel verify-export` checks it.
"""

from __future__ import annotations

import tempfile
import uuid
from typing import Any

import marshmallow as ma
from flask import Response, send_file
from flask.views import MethodView
from flask_babel import get_locale

from protocol.services import export_incident
from web.api.common import READ_ERRORS, Input, api_blueprint, errors
from web.context import herstel, principal

blp = api_blueprint("oversight_export", "/oversight", "An incident's export bundle, checkable offline")
SPOOL = 16 * 1024 * 1024  # a bundle larger than this is spooled to a temporary file


class ExportQuerySchema(Input):
    since = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=2**62),
        metadata={
            "description": "the size of a signed tree head you keep: the bundle adds the consistency proof from it"
        },
    )


@blp.route("/incidents/<uuid:incident_id>/export")
class IncidentExport(MethodView):
    @blp.arguments(ExportQuerySchema, location="query", unknown="raise")
    @blp.response(200, description="the bundle (a zip)", content_type="application/zip")
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> Response:
        """The incident's events, their inclusion proofs, the signed tree head, the definition and a PDF summary."""
        installation = herstel()
        language = "en" if str(get_locale() or "nl") == "en" else "nl"
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 - send_file closes it
        try:
            manifest = export_incident(
                uow_factory=installation.uow,
                principal=principal(),
                incident_id=incident_id,
                private_key=installation.settings.signing_key_bytes(),
                out=spool,
                since=query.get("since"),
                language=language,
            )
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        response = send_file(
            spool,
            mimetype="application/zip",
            as_attachment=True,
            download_name=f"herstel-{manifest['reference']}.zip",
            max_age=0,
        )
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
