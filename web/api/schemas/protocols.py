"""Protocol definitions as data, with the JSON Schema of each step's evidence."""

from __future__ import annotations

import marshmallow as ma

Titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class DefinitionSummarySchema(ma.Schema):
    key = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    digest = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(allow_none=True)
    registered_at = ma.fields.DateTime(required=True)


class WaiverSchema(ma.Schema):
    allowed = ma.fields.Boolean(required=True)
    forbidden_when = ma.fields.String(allow_none=True)
    forbidden_reason = ma.fields.String(allow_none=True)
    two_person_when = ma.fields.String(allow_none=True, metadata={"description": "when a second coordinator signs"})


class CitizenViewSchema(ma.Schema):
    title = Titles
    role = ma.fields.String(
        allow_none=True, metadata={"description": "suspension, investigation or letters: what letters say of the step"}
    )
    date = ma.fields.String(allow_none=True, metadata={"description": "the evidence field whose date a letter quotes"})
    scope = ma.fields.String(allow_none=True, metadata={"description": "suspension: 'partial' in this field"})
    tells = ma.fields.String(
        allow_none=True, metadata={"description": "the evidence field the citizen reads once the step is done"}
    )
    item = ma.fields.String(allow_none=True, metadata={"description": "for a list: the text field of each item"})
    words = ma.fields.Dict(keys=ma.fields.String(), values=Titles, metadata={"description": "per enum choice"})
    lead = Titles
    skipped = Titles


class StepDefinitionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    title = Titles
    description = Titles
    requires = ma.fields.List(ma.fields.String(), required=True)
    applies_when = ma.fields.String(allow_none=True)
    auto_start = ma.fields.Boolean(required=True)
    completion = ma.fields.String(required=True)
    waiver = ma.fields.Nested(WaiverSchema, required=True)
    start_evidence = ma.fields.Dict(
        required=True,
        metadata={"description": "JSON Schema of the body of POST .../steps/{step}/start (besides version)"},
    )
    evidence = ma.fields.Dict(
        required=True,
        metadata={"description": "JSON Schema of the body of POST .../steps/{step}/complete (besides version)"},
    )
    citizen = ma.fields.Nested(
        CitizenViewSchema,
        allow_none=True,
        metadata={"description": "what the citizen reads about the step ([steps.<key>.citizen])"},
    )


class DeadlineRuleSchema(ma.Schema):
    key = ma.fields.String(required=True)
    title = Titles
    trigger = ma.fields.List(ma.fields.String(), required=True)
    period = ma.fields.String(required=True)
    working_days_rule = ma.fields.Boolean(
        required=True, metadata={"description": "extended past weekends and holidays (every rule but hours)"}
    )
    calendar_rule = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["atw", "eu", "hours", "workdays"]),
        metadata={"description": "how the period is counted: atw, eu (Regulation 1182/71), hours, workdays"},
    )
    runs_from = ma.fields.String(
        required=True, metadata={"description": "event, reported, or the fact it runs from (became_aware_at)"}
    )
    applies_when = ma.fields.String(allow_none=True)
    effective_from = ma.fields.Date(allow_none=True)
    legal_basis = ma.fields.String(required=True)
    escalate_to = ma.fields.List(ma.fields.String(), required=True)


class DefinitionSchema(ma.Schema):
    key = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    digest = ma.fields.String(required=True)
    title = Titles
    sources = ma.fields.List(ma.fields.String(), required=True)
    incident_sources = ma.fields.List(ma.fields.String(), required=True)
    protected_grounds = ma.fields.List(ma.fields.String(), required=True)
    steps = ma.fields.List(ma.fields.Nested(StepDefinitionSchema), required=True)
    deadlines = ma.fields.List(ma.fields.Nested(DeadlineRuleSchema), required=True)
