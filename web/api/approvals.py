"""Four eyes: the requests of an incident, the coordinators' queue, approve and reject."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import approval_queue, approve, list_approvals, reject_approval
from web.api.common import READ_ERRORS, WRITE_ERRORS, VersionBody, api_blueprint, errors
from web.api.schemas.incidents import (
    ApprovalQuerySchema,
    ApprovalSchema,
    IncidentSchema,
    QueuedApprovalSchema,
    RejectSchema,
)
from web.context import herstel, principal

blp = api_blueprint("approvals", "", "Four-eyes approvals")


@blp.route("/approvals")
class Queue(MethodView):
    @blp.arguments(ApprovalQuerySchema, location="query", unknown="raise")
    @blp.response(200, QueuedApprovalSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Requests across your incidents (pending by default), oldest first, with whether you may decide them."""
        return approval_queue(uow=herstel().uow(), principal=principal(), **query)


@blp.route("/incidents/<uuid:incident_id>/approvals")
class IncidentApprovals(MethodView):
    @blp.response(200, ApprovalSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every four-eyes request of the incident."""
        return list_approvals(uow=herstel().uow(), principal=principal(), incident_id=incident_id)


@blp.route("/incidents/<uuid:incident_id>/approvals/<uuid:approval_id>/approve")
class Approve(MethodView):
    @blp.arguments(VersionBody)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, approval_id: uuid.UUID) -> dict[str, Any]:
        """The second signature, by a coordinator other than the one who asked (else 409, rule four-eyes)."""
        return approve(
            uow=herstel().uow(), principal=principal(), incident_id=incident_id, approval_id=approval_id, **body
        )


@blp.route("/incidents/<uuid:incident_id>/approvals/<uuid:approval_id>/reject")
class Reject(MethodView):
    @blp.arguments(RejectSchema)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, approval_id: uuid.UUID) -> dict[str, Any]:
        """Refuse a request (a coordinator), or withdraw your own."""
        return reject_approval(
            uow=herstel().uow(), principal=principal(), incident_id=incident_id, approval_id=approval_id, **body
        )
