"""Letters of an incident: start a campaign (the workers send them), follow how far they got."""

from __future__ import annotations

import uuid
from typing import Any

from flask import current_app
from flask.views import MethodView
from werkzeug.wrappers import Response

from notifications.services import letters_summary, plan_campaign, preview_letter, preview_letter_pdf, start_campaign
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.letters import (
    CampaignBodySchema,
    CampaignSchema,
    LettersSummarySchema,
    PreviewQuerySchema,
    PreviewSchema,
)
from web.context import herstel, notifications_uow, principal, vault

PDF = {"type": "string", "format": "binary"}

blp = api_blueprint("letters", "/incidents/<uuid:incident_id>/letters", "Letters to the affected persons")


@blp.route("")
class Letters(MethodView):
    @blp.arguments(CampaignBodySchema)
    @blp.response(202, CampaignSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Queue a letter of `kind` for everyone who has none of that kind yet (never a second one), and
        start `inform`; the letters go out in the background (see the summary). Look first (GET
        .../letters/preview) and send the number it gave as `expected_letters`."""
        return start_campaign(
            uow=notifications_uow(),
            principal=principal(),
            incident_id=incident_id,
            kind=body["kind"],
            expected_letters=body.get("expected_letters"),
        )


@blp.route("/summary")
class LettersSummary(MethodView):
    @blp.response(200, LettersSummarySchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> dict[str, Any]:
        """Counts of the incident's letters per status, channel and kind, and its campaigns."""
        return letters_summary(uow=notifications_uow(), principal=principal(), incident_id=incident_id)


def _preview(query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
    return preview_letter(
        uow=notifications_uow(),
        vault=vault(),
        principal=principal(),
        incident_id=incident_id,
        kind=query["kind"],
        base_url=herstel().settings.base_url,
        person_id=query.get("person"),
    )


@blp.route("/preview")
class LettersPreview(MethodView):
    @blp.arguments(PreviewQuerySchema, location="query")
    @blp.response(200, PreviewSchema)
    @errors(blp, 400, 401, 403, 404, 409, 422)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """What a campaign of `kind` would do now, before it starts: the letters per channel (by the
        campaign's own channel policy) and one person's letter as e-mail, its code replaced by a
        placeholder. Refused (409) as the campaign itself would be. Writes nothing."""
        plan = plan_campaign(
            uow=notifications_uow(), principal=principal(), incident_id=incident_id, kind=query["kind"]
        )
        shown = _preview(query, incident_id)
        letter = shown["letter"]
        return {
            **plan,
            "letter": {
                "person_id": shown["person_id"],
                "language": shown["language"],
                "channel": shown["channel"],
                "subject": letter.subject,
                "text": letter.text,
                "html": letter.html,
            },
        }


@blp.route("/preview.pdf")
class LettersPreviewPdf(MethodView):
    @blp.arguments(PreviewQuerySchema, location="query")
    @blp.doc(responses={"200": {"content": {"application/pdf": {"schema": PDF}}}})
    @blp.response(200, description="the post letter as a PDF", content_type="application/pdf")
    @errors(blp, 400, 401, 403, 404, 409, 422)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> Response:
        """The same person's letter as the post letter (PDF), its code replaced by a placeholder."""
        data = preview_letter_pdf(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            kind=query["kind"],
            base_url=herstel().settings.base_url,
            person_id=query.get("person"),
        )
        response = current_app.response_class(data, mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="voorbeeldbrief.pdf"'
        return response
