"""The staff inbox page: my notifications, newest first; mark one or all read; mail preferences.

The header of every page shows the unread count (`inbox_unread`, a context processor), so a
reminder is seen on whatever page its reader is working.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import (
    InvalidEvidence,
    list_notifications,
    mark_notifications_read,
    notification_preferences,
    set_notification_preferences,
    unread_notifications,
)
from web.access import current_principal
from web.context import principal
from web.pages.common import lang, page_arg, page_count, uow
from web.pages.text import _

blp = Blueprint("inbox_page", __name__)
PER_PAGE = 25


@blp.app_context_processor
def inbox_context() -> dict[str, Any]:
    def inbox_unread() -> int:
        found = current_principal()
        return unread_notifications(uow=uow(), principal=found) if found is not None else 0

    return {"inbox_unread": inbox_unread}


@blp.get("/inbox")
def index() -> tuple[str, int]:
    page = page_arg()
    listing = list_notifications(
        uow=uow(), principal=principal(), language=lang(), limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    html = render_template(
        "inbox.html",
        listing=listing,
        page=page,
        pages=page_count(listing["total"], PER_PAGE),
        paged=lambda n: url_for("inbox_page.index", page=n),
        preferences=notification_preferences(uow=uow(), principal=principal()),
        page_url=url_for("inbox_page.index"),
    )
    return html, 200


@blp.post("/inbox/read")
def mark_read() -> Response:
    """Mark one notification read (`notification_id`), or all of them (`all`); then back to the list."""
    if request.form.get("all"):
        marked = mark_notifications_read(uow=uow(), principal=principal(), notification_ids=None)
        flash(_("All notifications are marked as read.") if marked else _("There was nothing unread."), "info")
        return redirect(url_for("inbox_page.index"))
    try:
        notification_id = uuid.UUID(request.form.get("notification_id", ""))
    except ValueError:
        flash(_("That notification does not exist."), "error")
        return redirect(url_for("inbox_page.index"))
    mark_notifications_read(uow=uow(), principal=principal(), notification_ids=[notification_id])
    page = page_arg()
    return redirect(url_for("inbox_page.index", page=page if page > 1 else None, _anchor=f"n-{notification_id}"))


@blp.post("/inbox/preferences")
def preferences() -> Response | tuple[str, int]:
    try:
        set_notification_preferences(
            uow=uow(),
            principal=principal(),
            mail=request.form.get("mail") or None,
            language=request.form.get("language") or None,
        )
    except InvalidEvidence:
        flash(_("Choose one of the options offered."), "error")
        return redirect(url_for("inbox_page.index", _anchor="preferences"))
    flash(_("Your choice is saved."), "info")
    return redirect(url_for("inbox_page.index", _anchor="preferences"))
