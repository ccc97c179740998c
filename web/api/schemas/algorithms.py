"""Algorithms, as the algorithm register describes them."""

from __future__ import annotations

import marshmallow as ma

from web.api.common import Input, text


class AlgorithmSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    lars = ma.fields.String(allow_none=True, metadata={"description": "Algoritmeregister LARS code"})
    register_status = ma.fields.String(allow_none=True)
    publication_category = ma.fields.String(allow_none=True)
    suspended = ma.fields.Boolean(required=True, metadata={"description": "stopped by an incident's suspend step"})
    suspended_at = ma.fields.DateTime(allow_none=True)
    suspended_by_incident_id = ma.fields.UUID(allow_none=True)
    created_at = ma.fields.DateTime(required=True)


class AlgorithmCreateSchema(Input):
    name = text(200)
    organisation = text(
        64,
        required=False,
        metadata={"description": "organisation id or slug; default: your only organisation"},
    )
    lars = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=8),
        metadata={"description": "8 digits, the last a check digit"},
    )
    register_status = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=40))
    publication_category = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1))
