"""The citizen's side (a session from the code in their letter) and the officers' view of responses."""

from __future__ import annotations

import marshmallow as ma

from notifications.services import DECISION_OUTCOMES, RESPONSE_KINDS, REVIEW_OUTCOMES
from web.api.common import Input, text

TEXT_LIMIT = 10_000


class SessionBodySchema(Input):
    access_code = text(64, metadata={"description": "the code printed in the letter, e.g. ABCD-EFGH-JKLM-NPQR"})


class SessionSchema(ma.Schema):
    token = ma.fields.String(required=True, metadata={"description": "send as Authorization: Bearer <token>"})
    expires_at = ma.fields.DateTime(required=True)
    language = ma.fields.String(required=True)


class CitizenLetterSchema(ma.Schema):
    subject = ma.fields.String(required=True)
    html = ma.fields.String(required=True, metadata={"description": "the letter as a whole HTML page"})
    text = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    as_sent = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "true: the stored copy of the letter exactly as sent (its code included, its SHA-256 on"
            " the letters ledger); false: a letter sent before copies were kept, rendered anew without the code"
        },
    )
    sender_lines = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "the letterhead the letter was sent with"}
    )
    reference = ma.fields.String(required=True)
    date_line = ma.fields.String(required=True)


class ContactSchema(ma.Schema):
    """How the organisation is reached today (the letter keeps the letterhead it was sent with)."""

    name = ma.fields.String(required=True)
    address_lines = ma.fields.List(ma.fields.String(), required=True)
    phone = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    website = ma.fields.String(required=True)


class StepStatusSchema(ma.Schema):
    key = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    state = ma.fields.String(required=True)
    text = ma.fields.String(required=True, metadata={"description": "where the step stands, in plain words"})
    ended_on = ma.fields.String(allow_none=True)
    titles = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(), metadata={"description": "the title per language"}
    )
    conclusion = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        allow_none=True,
        metadata={"description": "what the step came to, per language (the definition's words); null if nothing"},
    )


class StatusLetterSchema(ma.Schema):
    kind = ma.fields.String(allow_none=True)
    sent_on = ma.fields.Date(allow_none=True)


class OwnFileSchema(ma.Schema):
    filename = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)


class OwnAnswerSchema(ma.Schema):
    text = ma.fields.String(required=True)
    at = ma.fields.DateTime(required=True)
    role = ma.fields.String(
        required=True, metadata={"description": "who answered on behalf of the organisation: officer, coordinator"}
    )
    organisation = ma.fields.String(required=True)


class OwnResponseSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    reference = ma.fields.String(allow_none=True, metadata={"description": "the response's reference number"})
    kind = ma.fields.String(required=True)
    received_at = ma.fields.DateTime(required=True)
    text = ma.fields.String(required=True, metadata={"description": "the citizen's own message"})
    attachments = ma.fields.List(ma.fields.Nested(OwnFileSchema), required=True)
    answered = ma.fields.Boolean(required=True)
    answer = ma.fields.Nested(OwnAnswerSchema, allow_none=True)
    answer_due = ma.fields.Date(allow_none=True)
    answer_due_text = ma.fields.String(allow_none=True)


class CaseStatusSchema(ma.Schema):
    reference = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    closed = ma.fields.Boolean(required=True)
    steps = ma.fields.List(ma.fields.Nested(StepStatusSchema), required=True)
    letter = ma.fields.Nested(StatusLetterSchema, required=True)
    replies = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={
            "description": "the kinds of response the reader's letter offers (POST /citizen/responses refuses"
            " others); no letter offers `objection`: neither is a decision"
        },
    )
    responses = ma.fields.List(ma.fields.Nested(OwnResponseSchema), required=True)
    contact = ma.fields.Nested(ContactSchema, allow_none=True)


class ResponseBodySchema(Input):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(RESPONSE_KINDS))
    text = text(TEXT_LIMIT)


class RecordedResponseSchema(ma.Schema):
    response_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True, metadata={"description": "e.g. R-2026-000123: to quote, not a secret"})
    receipt = ma.fields.String(
        allow_none=True, metadata={"description": "email: a receipt is mailed; null: no consent to e-mail, none is"}
    )
    kind = ma.fields.String(required=True)
    received_at = ma.fields.DateTime(required=True)
    answer_due = ma.fields.Date(allow_none=True, metadata={"description": "last day of the legal deadline started"})
    legal_basis = ma.fields.String(allow_none=True)


class ResponseSchema(ma.Schema):
    """A citizen's response as the officers read it."""

    id = ma.fields.UUID(required=True)
    reference = ma.fields.String(allow_none=True)
    kind = ma.fields.String(required=True)
    person_id = ma.fields.UUID(required=True)
    attachments = ma.fields.List(ma.fields.Nested("AttachmentSchema"), required=True)
    received_at = ma.fields.DateTime(required=True)
    text = ma.fields.String(required=True)
    answer_due = ma.fields.Date(allow_none=True)
    deadline_state = ma.fields.String(allow_none=True)
    answered_at = ma.fields.DateTime(allow_none=True)
    answer = ma.fields.String(allow_none=True)
    assigned_to = ma.fields.UUID(allow_none=True, metadata={"description": "the officer or coordinator handling it"})
    decision = ma.fields.Nested(
        "DecisionViewSchema", allow_none=True, metadata={"description": "an objection's decision, once taken"}
    )


class AttachmentSchema(ma.Schema):
    """A file a citizen sent with a response (its bytes: .../attachments/{id})."""

    id = ma.fields.UUID(required=True)
    filename = ma.fields.String(required=True)
    content_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)


class DecisionViewSchema(ma.Schema):
    outcome = ma.fields.String(required=True)
    reasons = ma.fields.String(allow_none=True)
    decided_at = ma.fields.DateTime(required=True)
    decided_by = ma.fields.String(allow_none=True)


class AssigneeBodySchema(Input):
    user_id = ma.fields.UUID(required=True, metadata={"description": "an officer or coordinator of the organisation"})


class OwnerRefSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)


class AssigneeSchema(ma.Schema):
    response_id = ma.fields.UUID(required=True)
    assignee = ma.fields.Nested(OwnerRefSchema, required=True)


class DecisionBodySchema(Input):
    outcome = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(DECISION_OUTCOMES + REVIEW_OUTCOMES),
        metadata={
            "description": "an objection: upheld, partly_upheld, dismissed; a review request: granted, "
            "partly_granted, refused"
        },
    )
    reasons = text(20_000)


class DecisionSchema(ma.Schema):
    response_id = ma.fields.UUID(required=True)
    outcome = ma.fields.String(required=True)
    decided_at = ma.fields.DateTime(required=True)


class AnswerBodySchema(Input):
    answer = text(TEXT_LIMIT)


class AnswerSchema(ma.Schema):
    response_id = ma.fields.UUID(required=True)
    answered_at = ma.fields.DateTime(required=True)
    notice = ma.fields.String(
        allow_none=True, metadata={"description": "how the citizen is told there is an answer: email, post, or null"}
    )
