"""Letters of an incident: start a campaign (the workers send them), follow how far they got."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from notifications.services import letters_summary, start_campaign
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.letters import CampaignBodySchema, CampaignSchema, LettersSummarySchema
from web.context import notifications_uow, principal

blp = api_blueprint("letters", "/incidents/<uuid:incident_id>/letters", "Letters to the affected persons")


@blp.route("")
class Letters(MethodView):
    @blp.arguments(CampaignBodySchema)
    @blp.response(202, CampaignSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Queue a letter of `kind` for everyone who has none of that kind yet (never a second one), and
        start `inform`; the letters go out in the background (see the summary)."""
        return start_campaign(
            uow=notifications_uow(), principal=principal(), incident_id=incident_id, kind=body["kind"]
        )


@blp.route("/summary")
class LettersSummary(MethodView):
    @blp.response(200, LettersSummarySchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> dict[str, Any]:
        """Counts of the incident's letters per status, channel and kind, and its campaigns."""
        return letters_summary(uow=notifications_uow(), principal=principal(), incident_id=incident_id)
