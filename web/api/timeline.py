"""The timeline of an incident, a page at a time, and the verification of its hash chain."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify
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
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> Response:
        """Events in order, each with seq, type, at, actor, payload, prev_hash and hash."""
        return jsonify(
            dumped(get_timeline(uow=herstel().uow(), principal=principal(), incident_id=incident_id, **query))
        )


def dumped(timeline: dict[str, Any]) -> dict[str, Any]:
    """What TimelineSchema dumps, without marshmallow walking seven fields of up to 1,000 events
    (a tenth of a page's time); test_timeline holds the two equal."""
    return {
        "incident_id": str(timeline["incident_id"]),
        "reference": timeline["reference"],
        "events": [
            {
                "seq": event["seq"],
                "type": event["type"],
                "at": event["at"].isoformat(),
                "actor": event["actor"],
                "payload": event["payload"],
                "prev_hash": event["prev_hash"],
                "hash": event["hash"],
            }
            for event in timeline["events"]
        ],
        "next_after_seq": timeline["next_after_seq"],
        "total": timeline["total"],
    }


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
