"""The deadline calculator: its query and its answer."""

from __future__ import annotations

import marshmallow as ma

from web.api.common import Input

RULES = ["atw", "eu", "hours", "workdays"]


class DueQuerySchema(Input):
    from_ = ma.fields.String(
        data_key="from",
        required=True,
        validate=ma.validate.Length(min=1, max=40),
        metadata={"description": "the day (2028-05-11) or moment with zone (2028-05-11T10:00:00+02:00) of the event"},
    )
    period = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=12),
        metadata={"description": "an ISO 8601 duration: PnD (working days under workdays), PnW, PnM or PTnH"},
    )
    rule = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(RULES),
        metadata={"description": "atw (Algemene termijnenwet), eu (Regulation 1182/71), hours, workdays"},
    )


class ExplanationPartSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "e.g. extended-holiday, beyond-data"})
    params = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True)
    text = ma.fields.String(required=True, metadata={"description": "the step in words, in the reader's language"})


class DueSchema(ma.Schema):
    due_at = ma.fields.DateTime(required=True, metadata={"description": "the instant the period expires"})
    last_day = ma.fields.Date(allow_none=True, metadata={"description": "the last day (none for hours)"})
    explanation = ma.fields.List(ma.fields.Nested(ExplanationPartSchema), required=True)
