"""Incidents: the report, the list, the whole incident with its steps, deadlines and approvals."""

from __future__ import annotations

import marshmallow as ma

from protocol.services import DEADLINE_STATES
from web.api.common import Input, VersionBody, text
from web.api.schemas.algorithms import AlgorithmSchema

STEP_STATES = ("pending", "active", "completed", "waived", "not_applicable")
STEP_KEY = ma.validate.Regexp(r"^[a-z][a-z0-9_-]{0,63}$")
Titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class ProtocolRefSchema(ma.Schema):
    key = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    digest = ma.fields.String()


class ProtocolChoiceSchema(Input):
    key = text(64)
    version = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=2**31 - 1))


class IncidentCreateSchema(Input):
    algorithm_id = ma.fields.UUID(required=True)
    title = text(300)
    description = text(20_000, required=False, load_default="")
    source = text(40, metadata={"description": "who reported the signal: see the definition's incident_sources"})
    detected_at = ma.fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with a time zone"})
    protected_grounds = ma.fields.List(text(40), load_default=list, validate=ma.validate.Length(max=30))
    protocol = ma.fields.Nested(ProtocolChoiceSchema, required=False, metadata={"description": "default: the latest"})
    owner_id = ma.fields.UUID(metadata={"description": "an officer or coordinator of the organisation; default: you"})


class IncidentQuerySchema(Input):
    state = ma.fields.String(validate=ma.validate.OneOf(("open", "closed")))
    step = ma.fields.String(validate=STEP_KEY, metadata={"description": "only incidents where this step is active"})
    overdue = ma.fields.Boolean(metadata={"description": "only incidents with (or without) a missed deadline"})
    owner_id = ma.fields.UUID(metadata={"description": "only incidents this user owns"})
    q = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"description": "search reference and title"})
    page = ma.fields.Integer(load_default=1, strict=False, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=25, strict=False, validate=ma.validate.Range(min=1, max=100))


class OwnerSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class NextDeadlineSchema(ma.Schema):
    rule = ma.fields.String(required=True)
    step = ma.fields.String(allow_none=True)
    due_at = ma.fields.DateTime(required=True)
    last_day = ma.fields.Date(allow_none=True)
    state = ma.fields.String(required=True, metadata={"description": "open, or missed (and not yet met)"})


class OwnerBodySchema(VersionBody):
    user_id = ma.fields.UUID(required=True, metadata={"description": "an officer or coordinator of the organisation"})


class IncidentSummarySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    algorithm_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    reported_at = ma.fields.DateTime(required=True)
    protocol = ma.fields.Nested(ProtocolRefSchema, required=True)
    overdue = ma.fields.Boolean(required=True)
    next_due_at = ma.fields.DateTime(allow_none=True)
    events = ma.fields.Integer(required=True, metadata={"description": "number of events on the timeline"})
    owner = ma.fields.Nested(OwnerSchema, allow_none=True)
    severity = ma.fields.Raw(allow_none=True, metadata={"description": "from the assessment (1-5), once known"})
    active_steps = ma.fields.List(ma.fields.String(), required=True)
    next_deadline = ma.fields.Nested(NextDeadlineSchema, allow_none=True)


class IncidentPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(IncidentSummarySchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)


class StepSchema(ma.Schema):
    key = ma.fields.String(required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(STEP_STATES))
    title = Titles
    requires = ma.fields.List(ma.fields.String(), required=True)
    applies = ma.fields.Boolean(allow_none=True, metadata={"description": "null while the facts are unknown"})
    blockers = ma.fields.List(ma.fields.String(), required=True)
    completion = ma.fields.String(required=True, metadata={"description": "manual, or system (completes itself)"})
    started_at = ma.fields.DateTime(allow_none=True)
    started_by = ma.fields.String(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)
    ended_by = ma.fields.String(allow_none=True)
    start_evidence = ma.fields.Dict(required=True)
    evidence = ma.fields.Dict(required=True)
    justification = ma.fields.String(allow_none=True)
    approved_by = ma.fields.String(allow_none=True)
    pending_approval = ma.fields.Boolean(required=True)
    actions = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "start/complete/waive as open to you now"}
    )


class DeadlineSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    rule = ma.fields.String(required=True)
    title = Titles
    step = ma.fields.String(allow_none=True)
    subject = ma.fields.String(allow_none=True)
    set_at = ma.fields.DateTime(required=True)
    due_at = ma.fields.DateTime(required=True)
    last_day = ma.fields.Date(allow_none=True)
    legal_basis = ma.fields.String(required=True)
    state = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(DEADLINE_STATES),
        metadata={
            "description": "open; met (step completed by the due moment) or met_late (after it); missed (passed, "
            "step not completed); waived (step waived in time); not_applicable (step does not apply)"
        },
    )
    met_at = ma.fields.DateTime(allow_none=True)
    missed_at = ma.fields.DateTime(allow_none=True)
    overdue = ma.fields.Boolean(required=True)
    period = ma.fields.String(allow_none=True)


class ApprovalSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    step = ma.fields.String(required=True)
    action = ma.fields.String(required=True)
    justification = ma.fields.String(required=True)
    requested_by = ma.fields.String(required=True)
    requested_at = ma.fields.DateTime(required=True)
    state = ma.fields.String(required=True, metadata={"description": "pending, granted, rejected or withdrawn"})
    decided_by = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(allow_none=True)
    note = ma.fields.String(allow_none=True)


class QueuedApprovalSchema(ApprovalSchema):
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    incident_version = ma.fields.Integer(required=True, metadata={"description": "send this as `version`"})
    can_decide = ma.fields.Boolean(required=True, metadata={"description": "you may approve or reject it"})


class ApprovalQuerySchema(Input):
    state = ma.fields.String(
        load_default="pending", validate=ma.validate.OneOf(("pending", "granted", "rejected", "withdrawn"))
    )


class IncidentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(required=True)
    algorithm_id = ma.fields.UUID(required=True)
    algorithm = ma.fields.Nested(AlgorithmSchema, allow_none=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    source = ma.fields.String(required=True)
    detected_at = ma.fields.DateTime(required=True)
    reported_at = ma.fields.DateTime(required=True)
    protected_grounds = ma.fields.List(ma.fields.String(), required=True)
    state = ma.fields.String(required=True, validate=ma.validate.OneOf(("open", "closed")))
    version = ma.fields.Integer(required=True, metadata={"description": "send it back with every action"})
    closed_at = ma.fields.DateTime(allow_none=True)
    protocol = ma.fields.Nested(ProtocolRefSchema, required=True)
    facts = ma.fields.Dict(required=True, metadata={"description": "what the evidence established so far"})
    steps = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(StepSchema), required=True)
    deadlines = ma.fields.List(ma.fields.Nested(DeadlineSchema), required=True)
    approvals = ma.fields.List(ma.fields.Nested(ApprovalSchema), required=True)
    assignments = ma.fields.List(ma.fields.UUID(), required=True, metadata={"description": "assigned investigators"})
    owner_id = ma.fields.UUID(allow_none=True, metadata={"description": "who carries the incident"})
    owner = ma.fields.Nested(OwnerSchema, allow_none=True)


class WaiveResultSchema(IncidentSchema):
    approval_id = ma.fields.UUID(
        allow_none=True,
        metadata={"description": "set (with status 202) when the waiver waits for a second coordinator"},
    )


class StepActionSchema(VersionBody):
    """`{version, ...evidence}`: the evidence fields are the step's, as GET /protocols/{key}/{version} describes."""

    class Meta:
        unknown = ma.INCLUDE


class WaiveSchema(VersionBody):
    justification = text(20_000)


class ReopenSchema(VersionBody):
    justification = text(20_000)
    steps = ma.fields.List(
        ma.fields.String(validate=STEP_KEY),
        load_default=list,
        validate=ma.validate.Length(max=50),
        metadata={"description": "ended steps to make active again"},
    )


class RejectSchema(VersionBody):
    note = text(20_000, required=False, load_default="")
