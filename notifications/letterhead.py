"""Whose letter it is: the organisation's letterhead (name, postal address, phone, e-mail, website,
logo) and the official who signs, set by the organisation's administrator.

Every letter, its e-mail and the citizen's page carry it. A letter keeps the letterhead it was
sent with (notifications.copies): changing it here changes only letters sent afterwards.

A logo is checked by its content, as documents are (protocol.services.documents): it must start as
a PNG or a JPEG does, open as one with Pillow (which fpdf2 uses to embed it, so what passes here
also prints), stay under `LOGO_LIMIT` bytes and `LOGO_PIXELS` on a side. What the uploader calls
the file, or which type their browser claims, plays no part.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import warnings
from typing import Any

from PIL import Image

from notifications import messages
from notifications.rendering import Logo
from notifications.storage import NotificationsUnitOfWork
from notifications.tables import LetterSenderRow
from protocol.errors import InvalidEvidence, NotFound, StateConflict
from protocol.identity import Principal
from protocol.messages import NO_ORGANISATION, REQUIRED, TOO_LONG
from protocol.services.access import organisation_for
from protocol.services.accounts import record_change

ACTION = "letterhead.manage"
LOGO_LIMIT = 256 * 1024  # bytes: a letterhead logo is a few KiB to some tens; it travels in every e-mail
LOGO_PIXELS = 2000  # on a side: more is no sharper on paper, and bounds what Pillow is asked to decode
SIGNATURES = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
ADDRESS_LINES = 6
LIMITS = {
    "name": 200,
    "postal_address": 500,
    "phone": 40,
    "email": 254,
    "website": 200,
    "signatory_name": 200,
    "signatory_title": 200,
}
_PHONE = re.compile(r"[0-9+()\- ]{3,40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_logo(content: bytes) -> Logo:
    """The logo, if `content` is a PNG or JPEG image of a sensible size; else InvalidEvidence on `logo`."""

    def refuse(message: str) -> InvalidEvidence:
        return InvalidEvidence(messages.SENDER_INVALID(), errors={"logo": [message]})

    if len(content) > LOGO_LIMIT:
        raise refuse(messages.LOGO_TOO_LARGE(limit=LOGO_LIMIT // 1024))
    media_type = next((t for t, magic in SIGNATURES.items() if content.startswith(magic)), None)
    if media_type is None:
        raise refuse(messages.LOGO_NOT_IMAGE())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                found = FORMATS.get(image.format or "")
                width, height = image.size
                if found == media_type and max(width, height) <= LOGO_PIXELS:
                    image.load()  # decodes every pixel: a truncated or corrupt file fails here
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(messages.LOGO_NOT_IMAGE()) from None
    if found != media_type:
        raise refuse(messages.LOGO_NOT_IMAGE())
    if max(width, height) > LOGO_PIXELS:
        raise refuse(messages.LOGO_DIMENSIONS(limit=LOGO_PIXELS))
    return Logo(media_type, hashlib.sha256(content).hexdigest(), width, height, content)


def _cleaned(values: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The fields trimmed (the address line by line), and what is wrong with them."""
    address = [line.strip() for line in (values.get("postal_address") or "").splitlines()]
    cleaned = {name: " ".join((values.get(name) or "").split()) for name in LIMITS}
    cleaned["postal_address"] = "\n".join(line for line in address if line)
    errors: dict[str, list[str]] = {}
    for name, limit in LIMITS.items():
        if len(cleaned[name]) > limit:
            errors[name] = [TOO_LONG(limit=limit)]
    if not cleaned["name"]:
        errors["name"] = [REQUIRED()]
    if len(cleaned["postal_address"].splitlines()) > ADDRESS_LINES:
        errors["postal_address"] = [messages.ADDRESS_LINES(limit=ADDRESS_LINES)]
    if cleaned["phone"] and not _PHONE.fullmatch(cleaned["phone"]):
        errors.setdefault("phone", []).append(messages.PHONE_FORMAT())
    if cleaned["email"] and not _EMAIL.fullmatch(cleaned["email"]):
        errors.setdefault("email", []).append(messages.EMAIL_FORMAT())
    return cleaned, errors


def _view(organisation_id: uuid.UUID, name: str, row: LetterSenderRow | None, logo: Logo | None) -> dict[str, Any]:
    """The letterhead as the pages, the API and the CLI show it (`set`: whether the admin ever set one)."""
    return {
        "organisation_id": organisation_id,
        "set": row is not None,
        "name": row.name if row else name,
        "postal_address": row.postal_address if row else "",
        "phone": row.phone if row else "",
        "email": row.email if row else "",
        "website": row.website if row else "",
        "signatory_name": row.signatory if row else "",
        "signatory_title": row.signatory_title if row else "",
        "logo": None
        if logo is None
        else {"sha256": logo.sha256, "media_type": logo.media_type, "width": logo.width, "height": logo.height},
        "logo_data_uri": logo.data_uri() if logo is not None else None,
        "updated_at": row.updated_at if row else None,
        "missing": letterhead_gaps(row),
    }


def _organisation(uow: NotificationsUnitOfWork, principal: Principal, organisation_id: uuid.UUID | None) -> Any:
    """The organisation whose letterhead this is: one the admin administers; the CLI (the installation)
    names any that exists."""
    if principal.is_installation:
        found = uow.accounts.organisation(organisation_id) if organisation_id is not None else None
    else:
        found = uow.accounts.organisation(organisation_for(principal, ACTION, organisation_id))
    if found is None:
        raise NotFound(NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
    return found


def get_letterhead(
    *, uow: NotificationsUnitOfWork, principal: Principal, organisation_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """The organisation's letterhead; where none was set, what letters say instead (its name alone)."""
    with uow.read_only():
        organisation = _organisation(uow, principal, organisation_id)
        row = uow.senders.get(organisation.id)
        logo = uow.senders.logo(row.logo_sha256) if row is not None and row.logo_sha256 else None
        return _view(organisation.id, organisation.name, row, logo)


def set_letterhead(
    *,
    uow: NotificationsUnitOfWork,
    principal: Principal,
    values: dict[str, str],
    organisation_id: uuid.UUID | None = None,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> dict[str, Any]:
    """Set the organisation's letterhead (all of `LIMITS`' fields; a field left out is emptied) and,
    given one, its logo; `remove_logo` takes the logo off. Letters sent before keep theirs.
    Recorded in the administrators' audit log (`letterhead.changed`)."""
    cleaned, errors = _cleaned(values)
    checked: Logo | None = None
    if logo:
        try:
            checked = check_logo(logo)
        except InvalidEvidence as refused:
            errors.update(refused.errors)
    if errors:
        raise InvalidEvidence(messages.SENDER_INVALID(), errors=errors)
    with uow:
        organisation = _organisation(uow, principal, organisation_id)
        before = uow.senders.get(organisation.id)
        now = uow.now()
        if checked is not None:
            uow.senders.keep_logo(checked, now)
        logo_sha256 = checked.sha256 if checked else (None if remove_logo or before is None else before.logo_sha256)
        uow.senders.put(
            LetterSenderRow(
                organisation_id=organisation.id,
                name=cleaned["name"],
                postal_address=cleaned["postal_address"],
                phone=cleaned["phone"],
                email=cleaned["email"],
                website=cleaned["website"],
                signatory=cleaned["signatory_name"],
                signatory_title=cleaned["signatory_title"],
                logo_sha256=logo_sha256,
                updated_at=now,
            )
        )
        record_change(uow, principal.ref(), "letterhead.changed", organisation.id)
        row = uow.senders.get(organisation.id)
        view = _view(organisation.id, organisation.name, row, uow.senders.logo(logo_sha256) if logo_sha256 else None)
        uow.commit()
    return view


def letterhead_gaps(row: LetterSenderRow | None) -> list[str]:
    """What a letter needs to give its reader a way back that the letterhead lacks: the postal
    address (where to send an objection, Awb 6:5) and a phone number."""
    return [name for name in ("postal_address", "phone") if row is None or not getattr(row, name)]


def letterhead_refusal(uow: NotificationsUnitOfWork, organisation_id: uuid.UUID) -> StateConflict | None:
    """Why a campaign may not start (409) because its letters would not tell the reader where to
    write or whom to call, or None when the letterhead has both."""
    gaps = letterhead_gaps(uow.senders.get(organisation_id))
    if not gaps:
        return None
    message = {
        ("postal_address", "phone"): messages.CAMPAIGN_NO_ADDRESS_PHONE,
        ("postal_address",): messages.CAMPAIGN_NO_ADDRESS,
        ("phone",): messages.CAMPAIGN_NO_PHONE,
    }[tuple(gaps)]
    return StateConflict(message(), rule="letterhead-incomplete", missing=gaps)


def check_letterhead_complete(uow: NotificationsUnitOfWork, organisation_id: uuid.UUID) -> None:
    """Refuse (409) a campaign whose letters would not tell the reader where to write or whom to call."""
    refused = letterhead_refusal(uow, organisation_id)
    if refused is not None:
        raise refused


def citizen_contact(*, uow: NotificationsUnitOfWork) -> dict[str, Any] | None:
    """Whom a reader who lost their code can call or write to, for the page where the code is asked:
    the letterhead of the installation's organisation when it serves one; None when it serves several
    (which one wrote is then told by the letter alone)."""
    with uow.read_only():
        organisations = uow.accounts.organisations()
        if len(organisations) != 1:
            return None
        return contact_of(uow, organisations[0].id)


def contact_of(uow: NotificationsUnitOfWork, organisation_id: uuid.UUID) -> dict[str, Any] | None:
    """How a reader reaches the organisation today (inside the caller's transaction); None without a
    letterhead. A letter shows the letterhead it was sent with; this is for the page around it."""
    row = uow.senders.get(organisation_id)
    if row is None:
        return None
    logo = uow.senders.logo(row.logo_sha256) if row.logo_sha256 else None
    return {
        "name": row.name,
        "address_lines": row.postal_address.splitlines(),
        "phone": row.phone,
        "email": row.email,
        "website": row.website,
        "logo_data_uri": logo.data_uri() if logo is not None else None,
    }
