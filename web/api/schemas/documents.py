"""Files of an incident (the investigation report)."""

from __future__ import annotations

import marshmallow as ma


class DocumentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    incident_id = ma.fields.UUID(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True, metadata={"description": "as recorded on the timeline"})
    uploaded_by = ma.fields.String(required=True)
    uploaded_at = ma.fields.DateTime(required=True)
