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
    expected_letters = ma.fields.Integer(
        validate=ma.validate.Range(min=0),
        metadata={
            "description": "the number of letters you were shown (GET .../letters/preview): the campaign starts"
            " only if it would write exactly this many now, else 409 (rule campaign-count-changed, with"
            " `actual`); leave it out to start without that check"
        },
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


class PreviewQuerySchema(Input):
    kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(CAMPAIGN_KINDS),
        metadata={"description": "notification: to the affected persons; unfounded: to the reporter"},
    )
    person = ma.fields.UUID(
        metadata={"description": "the person whose letter to show; default: the first the campaign would write to"}
    )


class PreviewLetterSchema(ma.Schema):
    person_id = ma.fields.UUID(required=True)
    language = ma.fields.String(required=True)
    channel = ma.fields.String(
        required=True, metadata={"description": "the channel the policy chooses for this person (none: unreachable)"}
    )
    subject = ma.fields.String(required=True)
    text = ma.fields.String(required=True, metadata={"description": "the e-mail's plain text"})
    html = ma.fields.String(required=True, metadata={"description": "the e-mail's HTML"})


class PreviewSchema(ma.Schema):
    kind = ma.fields.String(required=True)
    letters = ma.fields.Integer(
        required=True, metadata={"description": "the letters a campaign would write now: send it as expected_letters"}
    )
    channels = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={"description": "letters per channel: email, post, none (no address: recorded as failed)"},
    )
    letter = ma.fields.Nested(
        PreviewLetterSchema,
        required=True,
        metadata={"description": "one person's letter, its access code replaced by a placeholder; nothing is stored"},
    )
