"""The staff's page for the deadlines not kept of one incident (issue 9, item 6): each with the
account the organisation gave the oversight body, or, for a coordinator or admin, a form to give it."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import NotFound, ProtocolError, account_for_missed_deadline, list_deadline_accounts
from web.context import principal
from web.pages.common import lang, may, uow
from web.pages.incident_view import Refusal
from web.pages.text import _
from web.problem import status_for

blp = Blueprint("deadline_accounts_page", __name__)


def _render(incident_id: uuid.UUID, *, refusal: Refusal | None = None, status: int = 200) -> tuple[str, int]:
    found = list_deadline_accounts(uow=uow(), principal=principal(), incident_id=incident_id)
    page = render_template(
        "deadline_accounts.html",
        found=found,
        may_account=may("deadline.account", found["organisation_id"]),
        refusal=refusal,
        text=request.form.get("text", "") if request.method == "POST" else "",
        failed=request.form.get("deadline_id") if request.method == "POST" else None,
        lang=lang(),
    )
    return page, status


@blp.get("/incidents/<uuid:incident_id>/deadline-accounts")
def show(incident_id: uuid.UUID) -> tuple[str, int]:
    return _render(incident_id)


@blp.post("/incidents/<uuid:incident_id>/deadline-accounts")
def account(incident_id: uuid.UUID) -> Response | tuple[str, int]:
    try:
        deadline_id = uuid.UUID(request.form.get("deadline_id", ""))
    except ValueError:
        return _render(incident_id, status=422)
    try:
        account_for_missed_deadline(
            uow=uow(),
            principal=principal(),
            incident_id=incident_id,
            deadline_id=deadline_id,
            text=request.form.get("text", ""),
        )
    except NotFound:
        raise
    except ProtocolError as error:
        return _render(incident_id, refusal=Refusal.of(error), status=status_for(error))
    flash(_("Your account has been recorded; the oversight body now sees it."), "info")
    return redirect(url_for("deadline_accounts_page.show", incident_id=incident_id))
