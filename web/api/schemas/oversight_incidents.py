"""The oversight body's views: incidents with step states and deadline outcomes, no identities."""

from __future__ import annotations

from datetime import date

import marshmallow as ma

from protocol.services import DeadlineOutcome
from web.api.common import Input

SORTS = ("reported_at", "reference", "organisation", "algorithm", "state", "missed")
OUTCOMES = tuple(o.value for o in DeadlineOutcome)
Titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
# days a period can be counted in (the day after the last one must exist, in any time zone)
DAYS = ma.validate.Range(min=date(1900, 1, 1), max=date(9998, 12, 31))


class OversightQuerySchema(Input):
    organisation_id = ma.fields.UUID(metadata={"description": "one of the organisations you supervise"})
    algorithm_id = ma.fields.UUID()
    reported_from = ma.fields.Date(
        validate=DAYS, metadata={"description": "reported on or after this day (installation time)"}
    )
    reported_to = ma.fields.Date(
        validate=DAYS, metadata={"description": "reported on or before this day (installation time)"}
    )
    state = ma.fields.String(validate=ma.validate.OneOf(("open", "closed")))
    missed = ma.fields.Boolean(metadata={"description": "only incidents with (or without) a deadline not kept"})
    reference = ma.fields.String(
        validate=ma.validate.Length(min=1, max=40), metadata={"description": "part of the reference"}
    )
    sort = ma.fields.String(load_default="reported_at", validate=ma.validate.OneOf(SORTS))
    order = ma.fields.String(load_default="desc", validate=ma.validate.OneOf(("asc", "desc")))
    page = ma.fields.Integer(load_default=1, strict=False, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=50, strict=False, validate=ma.validate.Range(min=1, max=500))


class OversightStepSchema(ma.Schema):
    key = ma.fields.String(required=True)
    title = Titles
    state = ma.fields.String(required=True)
    started_at = ma.fields.DateTime(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)


class OversightDeadlineSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    rule = ma.fields.String(required=True)
    title = Titles
    step = ma.fields.String(allow_none=True)
    set_at = ma.fields.DateTime(required=True)
    due_at = ma.fields.DateTime(required=True)
    met_at = ma.fields.DateTime(allow_none=True)
    missed_at = ma.fields.DateTime(allow_none=True)
    legal_basis = ma.fields.String(required=True)
    outcome = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(OUTCOMES),
        metadata={"description": "met late when met after its due moment; waived or not applicable by its step"},
    )


class ProtocolSchema(ma.Schema):
    key = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    digest = ma.fields.String()


class OversightIncidentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation = ma.fields.String(required=True)
    algorithm_id = ma.fields.UUID(required=True)
    algorithm = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    reported_at = ma.fields.DateTime(required=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    protocol = ma.fields.Nested(ProtocolSchema, required=True)
    steps = ma.fields.List(ma.fields.Nested(OversightStepSchema), required=True)
    deadlines = ma.fields.List(ma.fields.Nested(OversightDeadlineSchema), required=True)
    outcomes = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    missed = ma.fields.Integer(required=True, metadata={"description": "deadlines not kept (missed or met late)"})


class OrganisationRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class OversightPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(OversightIncidentSchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    organisations = ma.fields.List(ma.fields.Nested(OrganisationRefSchema), required=True)


class SanctionsSchema(ma.Schema):
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    total = ma.fields.Integer(required=True)
    none_recorded = ma.fields.Boolean(required=True)


class PersonsSchema(ma.Schema):
    affected = ma.fields.Integer(required=True)
    reporters = ma.fields.Integer(required=True)
    pseudonyms = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "keyed hashes, stable within this incident, not reversible by the reader"},
    )
    pseudonyms_shown = ma.fields.Integer(required=True, metadata={"description": "at most this many are listed"})
    letters = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
    responses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)


class OversightIncidentDetailSchema(OversightIncidentSchema):
    source = ma.fields.String(required=True)
    detected_at = ma.fields.DateTime(required=True)
    protected_grounds = ma.fields.List(ma.fields.String(), required=True)
    facts = ma.fields.Dict(required=True, metadata={"description": "choices, numbers and yes/no; never text"})
    sanctions = ma.fields.Nested(SanctionsSchema, required=True)
    persons = ma.fields.Nested(PersonsSchema, required=True)
    events = ma.fields.Integer(required=True)
    head_hash = ma.fields.String(required=True)


class OversightTimelineQuerySchema(Input):
    after_seq = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=2**31 - 1))
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class OversightEventSchema(ma.Schema):
    seq = ma.fields.Integer(required=True)
    type = ma.fields.String(required=True)
    meaning = ma.fields.String(required=True, metadata={"description": "the event in the reader's language"})
    summary = ma.fields.String(required=True, metadata={"description": "its facts in plain words"})
    at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True, metadata={"description": "user:<id>, system, or citizen:<pseudonym>"})
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True)


class OversightTimelineSchema(ma.Schema):
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.Nested(OversightEventSchema), required=True)
    next_after_seq = ma.fields.Integer(allow_none=True)
    total = ma.fields.Integer(required=True)


class DeadlineAccountSchema(ma.Schema):
    text = ma.fields.String(required=True)
    by = ma.fields.String(required=True, metadata={"description": "user:<id> of the coordinator or admin"})
    at = ma.fields.DateTime(required=True)


class DeadlineAccountInputSchema(Input):
    text = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=4000),
        metadata={"description": "what the organisation did about the deadline not kept; name no person"},
    )


class DeadlineAccountResultSchema(DeadlineAccountSchema):
    incident_id = ma.fields.UUID(required=True)
    deadline_id = ma.fields.UUID(required=True)


class OversightNoticeSchema(ma.Schema):
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation = ma.fields.String(required=True)
    deadline_id = ma.fields.UUID(required=True)
    rule = ma.fields.String(required=True)
    title = Titles
    legal_basis = ma.fields.String(required=True)
    due_at = ma.fields.DateTime(required=True)
    met_at = ma.fields.DateTime(allow_none=True)
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(OUTCOMES))
    answered = ma.fields.Boolean(required=True, metadata={"description": "the organisation recorded what it did"})
    account = ma.fields.Nested(DeadlineAccountSchema, allow_none=True)
