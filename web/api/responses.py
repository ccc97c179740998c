"""Citizens' responses to an incident's letters, as the officers read and answer them."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask.views import MethodView

from notifications.services import (
    answer_citizen_response,
    assign_response,
    decide_response,
    list_citizen_responses,
)
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.citizens import (
    AnswerBodySchema,
    AnswerSchema,
    AssigneeBodySchema,
    AssigneeSchema,
    DecisionBodySchema,
    DecisionSchema,
    ResponseSchema,
)
from web.attachments import attachment_download
from web.context import notifications_uow, principal, vault

blp = api_blueprint(
    "responses", "/incidents/<uuid:incident_id>/responses", "Citizens' questions, objections, complaints, harm"
)


@blp.route("")
class Responses(MethodView):
    @blp.response(200, ResponseSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> list[dict[str, Any]]:
        """The incident's responses with their texts, due dates and answers."""
        return list_citizen_responses(
            uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id
        )


@blp.route("/<uuid:response_id>/answer")
class Answer(MethodView):
    @blp.arguments(AnswerBodySchema)
    @blp.response(200, AnswerSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, response_id: uuid.UUID) -> dict[str, Any]:
        """Answer a response; this meets its legal deadline, except an objection's (see /decision)."""
        return answer_citizen_response(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            answer=body["answer"],
        )


@blp.route("/<uuid:response_id>/assignee")
class Assignee(MethodView):
    @blp.arguments(AssigneeBodySchema)
    @blp.response(200, AssigneeSchema)
    @errors(blp, *WRITE_ERRORS)
    def put(self, body: dict[str, Any], incident_id: uuid.UUID, response_id: uuid.UUID) -> dict[str, Any]:
        """Name the officer or coordinator who handles this response (CitizenResponseAssigned)."""
        return assign_response(
            uow=notifications_uow(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            user_id=body["user_id"],
        )


@blp.route("/<uuid:response_id>/decision")
class Decision(MethodView):
    @blp.arguments(DecisionBodySchema)
    @blp.response(200, DecisionSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, response_id: uuid.UUID) -> dict[str, Any]:
        """Decide on an objection (upheld, partly_upheld, dismissed) or a review request (granted,
        partly_granted, refused) with reasons; this meets its deadline and sends the citizen the decision letter."""
        return decide_response(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            outcome=body["outcome"],
            reasons=body["reasons"],
        )


@blp.route("/<uuid:response_id>/attachments/<uuid:attachment_id>")
class AttachmentContent(MethodView):
    @blp.doc(
        responses={"200": {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}
    )
    @blp.response(200, description="the file as the citizen sent it (PDF, JPEG or PNG)")
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID, response_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
        """A file a citizen sent with a response, as a download."""
        return attachment_download(incident_id, response_id, attachment_id)
