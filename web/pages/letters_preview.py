"""A look before the letters go out: the counts per channel, one person's letter (e-mail and post),
and the start itself, confirmed with the number the officer saw.

The page asks the services for everything it shows: the counts and the refusal are the campaign's
own (`plan_campaign`), the letter is rendered by the letters' own code with a placeholder code
(`preview_letter`). The start form carries the number of letters it named; the service refuses the
start if the campaign would now write another number, and the page then shows the new one.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from werkzeug.wrappers import Response

from notifications.services import (
    CAMPAIGN_KINDS,
    plan_campaign,
    preview_letter,
    preview_letter_pdf,
    start_campaign,
)
from protocol.services import NotFound, ProtocolError
from web.context import herstel, notifications_uow, principal, vault
from web.pages.incident_view import Refusal
from web.pages.incidents import Page, fetch
from web.pages.letter_html import letter_body
from web.pages.letters_text import CHANNELS, LETTER_KINDS_TEXT
from web.pages.text import _, label, ngettext
from web.problem import status_for

blp = Blueprint("letters_preview_page", __name__)

# the channels of the count, in the order the page lists them ("none": no address to write to)
CHANNEL_ORDER = ("email", "post", "none")


def number(value: int) -> str:
    """12.345 in Dutch, 12,345 in English."""
    return str(format_decimal(value, format="#,##0"))


def send_label(letters: int) -> str:
    """The start button's words, naming the number it starts."""
    return ngettext("Send %(count)s letter", "Send %(count)s letters", letters, count=number(letters))


def _kind() -> str:
    kind = request.values.get("kind", "")
    if kind not in CAMPAIGN_KINDS:
        abort(400, description=_("Choose which letter to send."))
    return kind


def _person() -> uuid.UUID | None:
    raw = request.args.get("person", "")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        abort(404, description=_("There is no such person among this letter's readers."))


def _channel_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    words = {**CHANNELS, "none": _("Unreachable (no address): recorded as failed")}
    keys = [*CHANNEL_ORDER, *sorted(set(plan["channels"]) - set(CHANNEL_ORDER))]
    return [{"key": k, "label": label(words, k), "count": number(plan["channels"].get(k, 0))} for k in keys]


def render_preview(
    incident_id: uuid.UUID,
    kind: str,
    person_id: uuid.UUID | None = None,
    *,
    refusal: Refusal | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The preview page; `refusal` says why a start was just refused (the counts shown are today's)."""
    incident = fetch(incident_id)
    plan = shown = None
    try:
        plan = plan_campaign(uow=notifications_uow(), principal=principal(), incident_id=incident_id, kind=kind)
    except NotFound:
        raise
    except ProtocolError as error:
        refusal = refusal or Refusal.of(error)
    if plan is not None:
        try:
            shown = preview_letter(
                uow=notifications_uow(),
                vault=vault(),
                principal=principal(),
                incident_id=incident_id,
                kind=kind,
                base_url=herstel().settings.base_url,
                person_id=person_id,
            )
        except NotFound:
            raise
        except ProtocolError as error:
            refusal = refusal or Refusal.of(error)
    letter = shown["letter"] if shown else None
    html = render_template(
        "letters_preview.html",
        incident=incident,
        kind=kind,
        kind_label=label(LETTER_KINDS_TEXT, kind),
        plan=plan,
        channels=_channel_rows(plan) if plan else [],
        total=number(plan["letters"]) if plan else "0",
        send_label=send_label(plan["letters"]) if plan else "",
        refusal=refusal,
        shown=shown,
        reader=letter.recipient_lines[0] if letter and letter.recipient_lines else "",
        channel_label=label({**CHANNELS, "none": _("none: no address to write to")}, shown["channel"]) if shown else "",
        body=letter_body(letter.html) if letter else "",
        placeholder=next((b.plain for b in letter.blocks if b.kind == "code"), "") if letter else "",
        pdf_url=(
            url_for("letters_preview_page.pdf", incident_id=incident_id, kind=kind, person=str(shown["person_id"]))
            if shown
            else ""
        ),
    )
    return html, status


@blp.get("/incidents/<uuid:incident_id>/letters/preview")
def show(incident_id: uuid.UUID) -> Page:
    return render_preview(incident_id, _kind(), _person())


@blp.get("/incidents/<uuid:incident_id>/letters/preview.pdf")
def pdf(incident_id: uuid.UUID) -> Response:
    data = preview_letter_pdf(
        uow=notifications_uow(),
        vault=vault(),
        principal=principal(),
        incident_id=incident_id,
        kind=_kind(),
        base_url=herstel().settings.base_url,
        person_id=_person(),
    )
    response = current_app.response_class(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="voorbeeldbrief.pdf"'
    return response


@blp.post("/incidents/<uuid:incident_id>/letters")
def start(incident_id: uuid.UUID) -> Page:
    kind = _kind()
    raw = request.form.get("expected", "")
    if not raw.isdigit():
        abort(400, description=_("The form is incomplete (no number of letters). Look at the letter again."))
    try:
        result = start_campaign(
            uow=notifications_uow(),
            principal=principal(),
            incident_id=incident_id,
            kind=kind,
            expected_letters=int(raw),
        )
    except NotFound:
        raise
    except ProtocolError as error:
        return render_preview(incident_id, kind, refusal=Refusal.of(error), status=status_for(error))
    if result["created"]:
        flash(ngettext("%(num)d letter queued.", "%(num)d letters queued.", result["letters"]), "info")
    else:
        flash(_("Everyone already has this letter: nothing new was queued."), "info")
    return redirect(url_for("incident_page.show", incident_id=incident_id, _anchor="letters"))
