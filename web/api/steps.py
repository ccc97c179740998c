"""The protocol's actions on an incident: start, complete and waive a step; close and reopen.

Every body carries the incident's `version` (a stale one is 409). Start and complete take the
step's evidence as further fields, validated by the incident's protocol definition (see
GET /protocols/{key}/{version}); a refusal names the rule that refused it.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView

from protocol.services import close_incident, complete_step, reopen_incident, start_step, waive_step
from web.api.common import WRITE_ERRORS, VersionBody, api_blueprint, errors
from web.api.schemas.incidents import IncidentSchema, ReopenSchema, StepActionSchema, WaiveResultSchema, WaiveSchema
from web.context import herstel, principal

blp = api_blueprint("steps", "/incidents/<uuid:incident_id>", "Protocol actions: steps, close, reopen")


@blp.route("/steps/<step>/start")
class StartStep(MethodView):
    @blp.arguments(StepActionSchema)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, step: str) -> dict[str, Any]:
        """Begin a step whose requirements are met (`investigate`: name the investigator, optionally a due date)."""
        version = body.pop("version")
        return start_step(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            step=step,
            version=version,
            evidence=body or None,
        )


@blp.route("/steps/<step>/complete")
class CompleteStep(MethodView):
    @blp.arguments(StepActionSchema)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, step: str) -> dict[str, Any]:
        """Finish an active step with the evidence its definition asks for."""
        version = body.pop("version")
        return complete_step(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            step=step,
            version=version,
            evidence=body,
        )


@blp.route("/steps/<step>/waive")
class WaiveStep(MethodView):
    @blp.arguments(WaiveSchema)
    @blp.response(200, WaiveResultSchema, description="the step is waived")
    @blp.alt_response(
        202, schema=WaiveResultSchema, description="the waiver waits for a second coordinator (see approval_id)"
    )
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID, step: str) -> tuple[dict[str, Any], int]:
        """Skip a step with a written justification. Where four eyes are needed, 202 with `approval_id`."""
        incident = waive_step(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            step=step,
            version=body["version"],
            justification=body["justification"],
        )
        return incident, 202 if incident.get("approval_id") else 200


@blp.route("/close")
class Close(MethodView):
    @blp.arguments(VersionBody)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Close the incident: every applicable step completed or waived, no approval pending (coordinator)."""
        return close_incident(uow=herstel().uow(), principal=principal(), incident_id=incident_id, **body)


@blp.route("/reopen")
class Reopen(MethodView):
    @blp.arguments(ReopenSchema)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Reopen a closed incident with a justification, optionally making ended steps active again (coordinator)."""
        return reopen_incident(uow=herstel().uow(), principal=principal(), incident_id=incident_id, **body)
