"""The demo mailbox: the mail the demo's SMTP sink captured, so a demo can follow a letter to the
citizen's inbox and open it with its code. In production no sink runs and the page says so.

Each reader sees only the letters of their own organisations (the service decides, per message).
A message's HTML is never put in the page as it came: only its text structure, through the same
allow-list as the citizen's letter (a sandboxed srcdoc frame stayed blank under our CSP).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from notifications.services import get_captured_mail, list_captured_mail
from web.context import herstel, notifications_uow, principal
from web.pages.common import page_arg, page_count
from web.pages.letter_html import letter_body
from web.pages.text import _

blp = Blueprint("mailbox_page", __name__)
PER_PAGE = 50


def sink_configured() -> bool:
    """Whether this installation runs the demo's SMTP sink (`herstel up` without an SMTP server)."""
    return bool(current_app.config.get("HERSTEL_MAILBOX"))


@blp.get("/mailbox")
def index() -> str:
    page = page_arg()
    found = list_captured_mail(
        uow=notifications_uow(),
        data_dir=herstel().settings.data_dir,
        principal=principal(),
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    pages = page_count(found["total"], PER_PAGE)
    return render_template("mailbox.html", mail=found, page=page, pages=pages, sink=sink_configured())


@blp.get("/mailbox/<mail_id>")
def message(mail_id: str) -> str:
    found = get_captured_mail(
        uow=notifications_uow(), data_dir=herstel().settings.data_dir, principal=principal(), mail_id=mail_id
    )
    if found is None:
        abort(404, description=_("There is no such message in the mailbox."))
    return render_template("mail.html", message=found, html_body=letter_body(found["html"]) if found["html"] else "")
