"""The timeline of an incident, a page at a time, and the verification of its hash chain."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import get_timeline, verify_incident
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.timeline import TimelineQuerySchema, TimelineSchema, VerificationSchema
from web.context import herstel, principal

blp = api_blueprint("timeline", "/incidents/<uuid:incident_id>", "The hash-chained timeline")


@blp.route("/timeline")
class Timeline(MethodView):
    @blp.arguments(TimelineQuerySchema, location="query", unknown="raise")
    @blp.response(200, TimelineSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Events in order, each with seq, type, at, actor, payload, prev_hash and hash."""
        return get_timeline(uow=herstel().uow(), principal=principal(), incident_id=incident_id, **query)


@blp.route("/verify")
class Verify(MethodView):
    @blp.response(200, VerificationSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> dict[str, Any]:
        """Recompute the chain: valid, or the first event that does not match (also the latest checkpoint's)."""
        installation = herstel()
        return verify_incident(
            uow=installation.uow(),
            principal=principal(),
            incident_id=incident_id,
            trusted_public_key=installation.checkpoint_public_key(),
        ).as_dict()
