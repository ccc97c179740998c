"""Compliance figures per supervised organisation and period (issue 9, item 5): counts, shares and
durations only, never a reference, a person or free text."""

from __future__ import annotations

from datetime import date
from typing import Any

import marshmallow as ma

from web.api.common import Input
from web.api.schemas.oversight_incidents import DAYS, OUTCOMES, Titles


class ComplianceQuerySchema(Input):
    organisation = ma.fields.UUID(metadata={"description": "one of the organisations you supervise (else all)"})
    from_ = ma.fields.Date(
        data_key="from", validate=DAYS, metadata={"description": "incidents reported on or after this day"}
    )
    to = ma.fields.Date(validate=DAYS, metadata={"description": "incidents reported on or before this day"})

    @ma.validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        start, end = data.get("from_"), data.get("to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            raise ma.ValidationError("must not be before from", field_name="to")


class DurationSchema(ma.Schema):
    count = ma.fields.Integer(required=True, metadata={"description": "incidents whose suspend step was completed"})
    median_seconds = ma.fields.Float(allow_none=True)
    p90_seconds = ma.fields.Float(allow_none=True, metadata={"description": "90th percentile, nearest rank"})
    worst_seconds = ma.fields.Float(allow_none=True)
    waived = ma.fields.Integer(required=True, metadata={"description": "incidents whose suspension was waived"})
    not_suspended = ma.fields.Integer(required=True, metadata={"description": "neither completed nor waived (yet)"})


class RuleFiguresSchema(ma.Schema):
    rule = ma.fields.String(required=True)
    title = Titles
    outcomes = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.OneOf(OUTCOMES)), values=ma.fields.Integer())
    applicable = ma.fields.Integer(required=True)
    not_kept = ma.fields.Integer(required=True, metadata={"description": "missed plus met late"})
    missed = ma.fields.Integer(required=True)
    met_late = ma.fields.Integer(required=True)


class LetterFiguresSchema(ma.Schema):
    letters = ma.fields.Integer(required=True)
    delivered = ma.fields.Integer(required=True)
    delivered_in_time = ma.fields.Integer(required=True, metadata={"description": "delivered by the inform deadline"})
    without_deadline = ma.fields.Integer(required=True)
    share_in_time = ma.fields.Float(allow_none=True, metadata={"description": "of the letters with a deadline"})


class ResponseFiguresSchema(ma.Schema):
    rules = ma.fields.List(ma.fields.String())
    decided_in_time = ma.fields.Integer(required=True)
    decided_late = ma.fields.Integer(required=True)
    undecided_past_due = ma.fields.Integer(required=True)
    pending = ma.fields.Integer(required=True)
    share_in_time = ma.fields.Float(allow_none=True)


class OrganisationFiguresSchema(ma.Schema):
    organisation_id = ma.fields.UUID(required=True)
    organisation = ma.fields.String(required=True)
    incidents = ma.fields.Integer(required=True)
    report_to_suspension = ma.fields.Nested(DurationSchema, required=True)
    letters = ma.fields.Nested(LetterFiguresSchema, required=True)
    deadlines = ma.fields.List(ma.fields.Nested(RuleFiguresSchema))
    deadlines_not_kept = ma.fields.Integer(required=True)
    responses = ma.fields.Nested(ResponseFiguresSchema, required=True)


class ComplianceSchema(ma.Schema):
    reported_from = ma.fields.DateTime(allow_none=True)
    reported_before = ma.fields.DateTime(allow_none=True, metadata={"description": "exclusive"})
    computed_at = ma.fields.DateTime(required=True)
    organisations = ma.fields.List(ma.fields.Nested(OrganisationFiguresSchema))
