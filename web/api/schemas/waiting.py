"""What waits on a user."""

from __future__ import annotations

import marshmallow as ma

Titles = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": "per language"})


class WaitingDeadlineSchema(ma.Schema):
    rule = ma.fields.String(required=True)
    title = Titles
    due_at = ma.fields.DateTime(required=True)
    last_day = ma.fields.Date(allow_none=True)
    state = ma.fields.String(required=True)
    overdue = ma.fields.Boolean(required=True)
    legal_basis = ma.fields.String(required=True)


class WaitingItemSchema(ma.Schema):
    kind = ma.fields.String(
        required=True, validate=ma.validate.OneOf(("step", "investigation", "approval", "response"))
    )
    incident_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    incident_version = ma.fields.Integer(required=True)
    deadline = ma.fields.Nested(WaitingDeadlineSchema, allow_none=True)
    step = ma.fields.String()
    step_title = Titles
    approval_id = ma.fields.UUID()
    action = ma.fields.String()
    requested_at = ma.fields.DateTime()
    response_id = ma.fields.UUID()
    response_kind = ma.fields.String()
    received_at = ma.fields.DateTime()
    unassigned = ma.fields.Boolean(metadata={"description": "a response of your incident that nobody handles yet"})


class WaitingSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(WaitingItemSchema), required=True)
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), required=True)
