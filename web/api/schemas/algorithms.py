"""Algorithms, as the algorithm register describes them."""

from __future__ import annotations

import marshmallow as ma

from protocol.services import ALGORITHM_DOMAINS
from web.api.common import Input, text

DOMAINS = ", ".join(ALGORITHM_DOMAINS)


class AlgorithmSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    lars = ma.fields.String(allow_none=True, metadata={"description": "Algoritmeregister LARS code"})
    register_status = ma.fields.String(allow_none=True)
    publication_category = ma.fields.String(allow_none=True)
    domain = ma.fields.String(
        allow_none=True, metadata={"description": f"policy domain, one of {DOMAINS}; null: registered without one"}
    )
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
    # checked against the list by the service, so a wrong value is refused with the list in its message
    domain = ma.fields.String(
        allow_none=True,
        validate=ma.validate.Length(max=40),
        metadata={
            "description": "the policy domain it decides in; the letters take their example of a consequence "
            f"from it (null: general words). One of {DOMAINS}",
        },
    )
