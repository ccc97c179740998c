"""Incidents: report a signal, list them (overdue first), read one whole."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Response, jsonify, url_for
from flask.views import MethodView

from protocol.services import assign_owner, get_incident, get_incident_document, list_incidents, report_incident
from web.api.common import READ_ERRORS, WRITE_ERRORS, api_blueprint, errors
from web.api.schemas.algorithms import AlgorithmSchema
from web.api.schemas.incidents import (
    DeadlineSchema,
    IncidentCreateSchema,
    IncidentPageSchema,
    IncidentQuerySchema,
    IncidentSchema,
    OwnerBodySchema,
    OwnerSchema,
)
from web.context import herstel, principal

ALGORITHM, OWNER = AlgorithmSchema(), OwnerSchema()

blp = api_blueprint("incidents", "/incidents", "Incidents: report, list, read")


@blp.route("")
class Incidents(MethodView):
    @blp.arguments(IncidentCreateSchema)
    @blp.response(201, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def post(self, body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """Report a signal about an algorithm: opens an incident, its assess step active."""
        choice = body.pop("protocol", None)
        incident = report_incident(
            uow=herstel().uow(),
            principal=principal(),
            protocol=(choice["key"], choice["version"]) if choice else None,
            **body,
        )
        return incident, {"Location": url_for("incidents.Incident", incident_id=incident["id"])}

    @blp.arguments(IncidentQuerySchema, location="query", unknown="raise")
    @blp.response(200, IncidentPageSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """A page of the incidents you may see, overdue first, then newest; totals in the body."""
        return list_incidents(uow=herstel().uow(), principal=principal(), **query)


@blp.route("/<uuid:incident_id>")
class Incident(MethodView):
    @blp.response(200, IncidentSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> dict[str, Any] | Response:
        """The incident with its steps (and the actions open to you), deadlines and approvals."""
        document = get_incident_document(uow=herstel().uow(), principal=principal(), incident_id=incident_id)
        if document is None:  # no current read model: from the aggregate, dumped by IncidentSchema
            return get_incident(uow=herstel().uow(), principal=principal(), incident_id=incident_id)
        # already in IncidentSchema's JSON values (tests/integration/web/api/test_incident_views.py
        # holds the two answers equal) but for the algorithm and the owner, as they are now
        if document["algorithm"] is not None:
            document["algorithm"] = ALGORITHM.dump(document["algorithm"])
        if document["owner"] is not None:
            document["owner"] = OWNER.dump(document["owner"])
        return jsonify(document)


@blp.route("/<uuid:incident_id>/deadlines")
class Deadlines(MethodView):
    @blp.response(200, DeadlineSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> list[dict[str, Any]]:
        """The incident's deadlines, earliest first: rule, due moment, state and legal basis."""
        incident = get_incident(uow=herstel().uow(), principal=principal(), incident_id=incident_id)
        return list(incident["deadlines"])


@blp.route("/<uuid:incident_id>/owner")
class Owner(MethodView):
    @blp.arguments(OwnerBodySchema)
    @blp.response(200, IncidentSchema)
    @errors(blp, *WRITE_ERRORS)
    def put(self, body: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """Hand the incident to another officer or coordinator (coordinators); OwnerAssigned on the timeline."""
        return assign_owner(
            uow=herstel().uow(),
            principal=principal(),
            incident_id=incident_id,
            user_id=body["user_id"],
            version=body["version"],
        )
