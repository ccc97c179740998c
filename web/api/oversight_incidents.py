"""The oversight body's read-only API: incidents of the supervised organisations, one incident, its
timeline in plain words, the list as CSV, and the deadlines not kept. No identities: see
protocol.services.oversight for what is shown and why."""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from werkzeug.wrappers import Response

from protocol.services import list_oversight_notices
from web.api.common import READ_ERRORS, api_blueprint, errors
from web.api.schemas.oversight_compliance import ComplianceQuerySchema, ComplianceSchema
from web.api.schemas.oversight_incidents import (
    OversightIncidentDetailSchema,
    OversightNoticeSchema,
    OversightPageSchema,
    OversightQuerySchema,
    OversightTimelineQuerySchema,
    OversightTimelineSchema,
)
from web.context import herstel, principal
from web.oversight import compliance, compliance_csv, csv_response, described_timeline, incident_detail, listing

blp = api_blueprint("oversight_incidents", "/oversight", "Oversight: incidents, deadlines and timelines, pseudonymised")
CSV_LIMIT = 500  # the service's page limit: a CSV is one page of the list, with its filters


@blp.route("/incidents")
class OversightIncidents(MethodView):
    @blp.arguments(OversightQuerySchema, location="query", unknown="raise")
    @blp.response(200, OversightPageSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """The incidents of the organisations you supervise: every step's state and every deadline's outcome."""
        return listing(query)


@blp.route("/incidents.csv")
class OversightIncidentsCsv(MethodView):
    @blp.arguments(OversightQuerySchema, location="query", unknown="raise")
    @blp.response(200, content_type="text/csv", description="a row per incident")
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> Response:
        """The same list as CSV (filters and sort as for the list; at most 500 rows, use `page` for more)."""
        query["per_page"] = CSV_LIMIT
        return csv_response(listing(query)["items"])


@blp.route("/incidents/<uuid:incident_id>")
class OversightIncident(MethodView):
    @blp.response(200, OversightIncidentDetailSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, incident_id: uuid.UUID) -> dict[str, Any]:
        """One incident: steps, deadlines, protocol facts, sanctions by category, persons as counts and pseudonyms."""
        return incident_detail(incident_id)


@blp.route("/incidents/<uuid:incident_id>/timeline")
class OversightTimeline(MethodView):
    @blp.arguments(OversightTimelineQuerySchema, location="query", unknown="raise")
    @blp.response(200, OversightTimelineSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any], incident_id: uuid.UUID) -> dict[str, Any]:
        """The events in order, each with its meaning and facts in your language, and its hash."""
        return described_timeline(incident_id, **query)


@blp.route("/notices")
class OversightNotices(MethodView):
    @blp.response(200, OversightNoticeSchema(many=True))
    @errors(blp, *READ_ERRORS)
    def get(self) -> list[dict[str, Any]]:
        """Legal deadlines not kept (missed, or met late) in the organisations you supervise, latest first."""
        return list_oversight_notices(uow=herstel().uow(), principal=principal())


@blp.route("/compliance")
class OversightCompliance(MethodView):
    @blp.arguments(ComplianceQuerySchema, location="query", unknown="raise")
    @blp.response(200, ComplianceSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Compliance figures per organisation for incidents reported in the period (`from`, `to`: days, inclusive):
        report to suspension (median, 90th percentile, worst), letters delivered by the inform deadline,
        deadlines not kept per rule, citizens' responses decided in time. Counts and durations only."""
        return compliance(query)


@blp.route("/compliance.csv")
class OversightComplianceCsv(MethodView):
    @blp.arguments(ComplianceQuerySchema, location="query", unknown="raise")
    @blp.response(200, content_type="text/csv", description="a row per organisation, then per organisation and rule")
    @errors(blp, *READ_ERRORS)
    def get(self, query: dict[str, Any]) -> Response:
        """The compliance figures as CSV."""
        return compliance_csv(compliance(query), period=(query.get("from_"), query.get("to")))
