"""Letters: starting a campaign, and how far the incident's letters have got."""

from __future__ import annotations

import marshmallow as ma

from notifications.services import CAMPAIGN_KINDS
from web.api.common import Input

Counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class CampaignBodySchema(Input):
    kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(CAMPAIGN_KINDS),
        metadata={"description": "notification: to the affected persons; unfounded: to the reporter"},
    )


class CampaignSchema(ma.Schema):
    campaign_id = ma.fields.UUID(allow_none=True, required=True)
    kind = ma.fields.String(required=True)
    letters = ma.fields.Integer(required=True, metadata={"description": "letters queued by this call"})
    created = ma.fields.Boolean(
        required=True, metadata={"description": "false when everyone already had a letter of this kind"}
    )
    channels = Counts


class CampaignSummarySchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True)
    letters = ma.fields.Integer(required=True)
    started_at = ma.fields.DateTime(required=True)
    completed_at = ma.fields.DateTime(allow_none=True)


class LettersSummarySchema(ma.Schema):
    total = ma.fields.Integer(required=True)
    open = ma.fields.Integer(required=True, metadata={"description": "neither delivered nor finally failed"})
    by_status = Counts
    by_channel = ma.fields.Dict(
        keys=ma.fields.String(), values=Counts, metadata={"description": "channel → status → count"}
    )
    by_kind = Counts
    campaigns = ma.fields.List(ma.fields.Nested(CampaignSummarySchema), required=True)
    unrecorded_attempts = ma.fields.Integer(
        required=True, metadata={"description": "delivery attempts not yet recorded on the timeline"}
    )
