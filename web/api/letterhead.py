"""The organisation's letterhead: whose letters they are, how readers reach them, who signs (administrators)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any

import marshmallow as ma
from flask.views import MethodView

from notifications.services import LOGO_LIMIT, get_letterhead, notification_messages, set_letterhead
from protocol.services import InvalidEvidence
from web.api.common import READ_ERRORS, WRITE_ERRORS, Input, api_blueprint, errors, text
from web.context import notifications_uow, principal

blp = api_blueprint(
    "letterhead",
    "/organisations",
    "The letterhead: the organisation's name, address, phone, logo and signing official on every letter",
)


class LogoSchema(ma.Schema):
    sha256 = ma.fields.String(required=True)
    media_type = ma.fields.String(required=True, metadata={"description": "image/png or image/jpeg"})
    width = ma.fields.Integer(required=True, metadata={"description": "pixels"})
    height = ma.fields.Integer(required=True, metadata={"description": "pixels"})


class LetterheadSchema(ma.Schema):
    organisation_id = ma.fields.UUID(required=True)
    set = ma.fields.Boolean(
        required=True, metadata={"description": "false: never set; letters carry the organisation's name alone"}
    )
    name = ma.fields.String(required=True)
    postal_address = ma.fields.String(required=True, metadata={"description": "lines separated by \\n"})
    phone = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    website = ma.fields.String(required=True)
    signatory_name = ma.fields.String(required=True)
    signatory_title = ma.fields.String(required=True)
    logo = ma.fields.Nested(LogoSchema, allow_none=True)
    updated_at = ma.fields.DateTime(allow_none=True)
    missing = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "what a campaign needs and the letterhead lacks (postal_address, phone)"},
    )


class LetterheadInputSchema(Input):
    name = text(200, metadata={"description": "the organisation's name as letters print it"})
    postal_address = text(500, required=False, metadata={"description": "where readers send an objection"})
    phone = text(40, required=False)
    email = text(254, required=False)
    website = text(200, required=False)
    signatory_name = text(200, required=False, metadata={"description": "who signs the letters"})
    signatory_title = text(200, required=False, metadata={"description": "their function"})
    logo = ma.fields.String(
        required=False,
        validate=ma.validate.Length(max=(LOGO_LIMIT // 3 + 1) * 4 + 8),
        metadata={"description": f"a PNG or JPEG of at most {LOGO_LIMIT // 1024} KiB, base64; absent: keep the logo"},
    )
    remove_logo = ma.fields.Boolean(required=False, load_default=False)


def _logo(body: dict[str, Any]) -> bytes | None:
    encoded = body.get("logo")
    if not encoded:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidEvidence(
            notification_messages.SENDER_INVALID(), errors={"logo": [notification_messages.LOGO_NOT_IMAGE()]}
        ) from None


@blp.route("/<uuid:organisation_id>/letterhead")
class Letterhead(MethodView):
    @blp.response(200, LetterheadSchema)
    @errors(blp, *READ_ERRORS)
    def get(self, organisation_id: uuid.UUID) -> dict[str, Any]:
        """The organisation's letterhead (administrators of the organisation)."""
        return get_letterhead(uow=notifications_uow(), principal=principal(), organisation_id=organisation_id)

    @blp.arguments(LetterheadInputSchema)
    @blp.response(200, LetterheadSchema)
    @errors(blp, *WRITE_ERRORS)
    def put(self, body: dict[str, Any], organisation_id: uuid.UUID) -> dict[str, Any]:
        """Replace the letterhead (a field left out is emptied; the logo is kept unless a new one is given
        or `remove_logo`). Letters sent before keep the letterhead they were sent with."""
        values = {k: v for k, v in body.items() if k not in ("logo", "remove_logo")}
        return set_letterhead(
            uow=notifications_uow(),
            principal=principal(),
            organisation_id=organisation_id,
            values=values,
            logo=_logo(body),
            remove_logo=body["remove_logo"],
        )
