"""Affected persons: the result of an import, a refused file's rows, a page of persons."""

from __future__ import annotations

import marshmallow as ma

from web.api.common import Input
from web.problem import ProblemSchema


class ImportResultSchema(ma.Schema):
    imported = ma.fields.Integer(required=True, metadata={"description": "persons added"})
    merged = ma.fields.Integer(
        required=True, metadata={"description": "rows whose BSN was already in the file or the incident (updated)"}
    )
    rows = ma.fields.Integer(required=True, metadata={"description": "data rows read"})


ROW_ERROR = {
    "type": "object",
    "properties": {
        "row": {"type": "integer", "description": "as a spreadsheet numbers it (the header is row 1)"},
        "field": {"type": "string"},
        "message": {"type": "string"},
    },
    "required": ["row", "field", "message"],
}
FIELD_ERRORS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}


class PersonsFileProblemSchema(ProblemSchema):
    """A refused persons file (nothing was imported): `errors` lists the bad rows. A request that is
    not a file at all (no `file` part, unstorable form text) gets the usual `{field: [message]}`."""

    errors = ma.fields.Raw(  # type: ignore[assignment]
        metadata={"oneOf": [{"type": "array", "items": ROW_ERROR}, FIELD_ERRORS]}
    )
    total = ma.fields.Integer(metadata={"description": "how many problems were found in all"})


class AddressSchema(ma.Schema):
    street = ma.fields.String()
    house_number = ma.fields.String()
    addition = ma.fields.String()
    postal_code = ma.fields.String()
    city = ma.fields.String()


class IdentitySchema(ma.Schema):
    bsn = ma.fields.String(
        allow_none=True,
        metadata={"description": "in a list masked to its last three digits (******123); whole for one person"},
    )
    name = ma.fields.String(allow_none=True)
    address = ma.fields.Nested(AddressSchema, allow_none=True)
    email = ma.fields.String(allow_none=True)


class PersonLetterSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    channel = ma.fields.String(required=True)


class PersonSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "affected or reporter"})
    language = ma.fields.String(required=True)
    consent_electronic = ma.fields.Boolean(required=True)
    has_email = ma.fields.Boolean(required=True)
    has_address = ma.fields.Boolean(required=True)
    identity = ma.fields.Nested(
        IdentitySchema, allow_none=True, metadata={"description": "null for roles that may not see identities"}
    )
    letter = ma.fields.Nested(PersonLetterSchema, allow_none=True, metadata={"description": "the latest letter"})


class PersonPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PersonSchema), required=True)
    total = ma.fields.Integer(required=True)
    page = ma.fields.Integer(required=True)
    per_page = ma.fields.Integer(required=True)
    identity_visible = ma.fields.Boolean(required=True)
    searched = ma.fields.Boolean(required=True, metadata={"description": "true for the answer to a BSN search"})


class PersonQuerySchema(Input):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))


class PersonSearchSchema(Input):
    """A BSN search goes in a POST body, never in a URL (URLs end up in logs and browser history)."""

    bsn = ma.fields.String(required=True, validate=ma.validate.Length(max=20), metadata={"description": "a whole BSN"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=500))
