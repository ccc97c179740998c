"""The timeline (hash-chained events) and its verification."""

from __future__ import annotations

import marshmallow as ma

from web.api.common import Input


class TimelineQuerySchema(Input):
    after_seq = ma.fields.Integer(
        load_default=0,
        validate=ma.validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "the last seq already seen (0: from the start)"},
    )
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class EventSchema(ma.Schema):
    seq = ma.fields.Integer(required=True)
    type = ma.fields.String(required=True)
    at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True, metadata={"description": "user:<id>, citizen:<id> or system"})
    payload = ma.fields.Dict(required=True, metadata={"description": "never personal data; free text as a digest"})
    prev_hash = ma.fields.String(required=True)
    hash = ma.fields.String(required=True)


class TimelineSchema(ma.Schema):
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    events = ma.fields.List(ma.fields.Nested(EventSchema), required=True)
    next_after_seq = ma.fields.Integer(allow_none=True, metadata={"description": "ask again with this; null: done"})
    total = ma.fields.Integer(required=True)


class VerificationSchema(ma.Schema):
    incident_id = ma.fields.String(required=True)
    valid = ma.fields.Boolean(required=True)
    events = ma.fields.Integer(required=True)
    head = ma.fields.String(allow_none=True)
    first_invalid_seq = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    checkpoint_at = ma.fields.DateTime(allow_none=True)  # the signed checkpoint the chain was held to
