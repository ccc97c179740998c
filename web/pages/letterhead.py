"""The administrator's page for the organisation's letterhead: name, postal address, phone, logo and
the official who signs. Every letter sent from then on carries it; letters sent before keep theirs."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications.services import LOGO_LIMIT, get_letterhead, set_letterhead
from protocol.services import InvalidEvidence, NotFound, list_organisations, messages
from web.context import notifications_uow, principal
from web.pages.common import may, uow
from web.pages.text import _
from web.security import body_types

blp = Blueprint("letterhead_page", __name__)
FIELDS = ("name", "postal_address", "phone", "email", "website", "signatory_name", "signatory_title")


def _organisations() -> list[dict[str, Any]]:
    """The organisations whose letterhead the signed-in administrator sets."""
    return [o for o in list_organisations(uow=uow()) if may("letterhead.manage", o["id"])]


def _chosen(organisations: list[dict[str, Any]]) -> uuid.UUID:
    """The organisation asked for (`?organisation=`), else the first; the service checks it is theirs."""
    raw = request.values.get("organisation") or ""
    try:
        return uuid.UUID(raw) if raw else uuid.UUID(str(organisations[0]["id"]))
    except (ValueError, IndexError):
        raise NotFound(messages.NO_ORGANISATION(organisation=raw[:40]), rule="unknown-organisation") from None


def _render(
    organisation_id: uuid.UUID,
    organisations: list[dict[str, Any]],
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    current = get_letterhead(uow=notifications_uow(), principal=principal(), organisation_id=organisation_id)
    page = render_template(
        "letterhead.html",
        current=current,
        form=form or {name: current[name] or "" for name in FIELDS},
        errors=errors or {},
        organisations=organisations,
        organisation_id=organisation_id,
        logo_limit=LOGO_LIMIT // 1024,
    )
    return page, status


@blp.get("/letterhead")
def show() -> tuple[str, int]:
    organisations = _organisations()
    return _render(_chosen(organisations), organisations)


@blp.post("/letterhead")
@body_types("multipart/form-data", "application/x-www-form-urlencoded")  # a logo: refused by size in the service
def save() -> tuple[str, int] | Response:
    organisations = _organisations()
    organisation_id = _chosen(organisations)
    form = {name: request.form.get(name, "") for name in FIELDS}
    upload = request.files.get("logo")
    logo = upload.read(LOGO_LIMIT + 1) if upload is not None and upload.filename else None
    try:
        set_letterhead(
            uow=notifications_uow(),
            principal=principal(),
            organisation_id=organisation_id,
            values=form,
            logo=logo,
            remove_logo=request.form.get("remove_logo") == "1",
        )
    except InvalidEvidence as error:
        return _render(organisation_id, organisations, form=form, errors=dict(error.errors), status=422)
    flash(_("The letterhead is saved. Letters sent from now on carry it; letters sent before keep theirs."), "info")
    return redirect(url_for("letterhead_page.show", organisation=str(organisation_id)))
