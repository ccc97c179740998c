"""Citizens' responses on an incident, for staff: what they asked or objected to, the legal deadline
of each, and a form to answer (the answer meets the deadline and shows on the citizen's page)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications.services import answer_citizen_response, list_citizen_responses
from protocol.services import InvalidEvidence, NotFound, ProtocolError
from web.attachments import attachment_download
from web.context import notifications_uow, principal, vault
from web.pages.common import may
from web.pages.incident_view import Refusal
from web.pages.incidents import Page, fetch
from web.pages.letters_text import RESPONSE_NAMES
from web.pages.text import _, field_message, label
from web.problem import status_for

blp = Blueprint("responses_page", __name__)


def render_responses(incident_id: uuid.UUID, *, failed: dict[str, Any] | None = None, status: int = 200) -> Page:
    incident = fetch(incident_id)
    responses = list_citizen_responses(
        uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id
    )
    html = render_template(
        "responses.html",
        incident=incident,
        responses=sorted(responses, key=lambda r: (r["answered_at"] is not None, r["received_at"])),
        kind_label=lambda k: label(RESPONSE_NAMES, k),
        may_answer=may("responses.answer", incident["organisation_id"]),
        failed=failed,
        page_url=url_for("responses_page.index", incident_id=incident_id),
    )
    return html, status


@blp.get("/incidents/<uuid:incident_id>/responses")
def index(incident_id: uuid.UUID) -> Page:
    return render_responses(incident_id)


@blp.post("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/answer")
def answer(incident_id: uuid.UUID, response_id: uuid.UUID) -> Page:
    text = request.form.get("answer", "")
    try:
        answer_citizen_response(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            answer=text,
        )
    except NotFound:
        raise
    except InvalidEvidence as error:
        failed = {"id": str(response_id), "answer": text, "message": _("Write an answer of at most 10,000 characters.")}
        if "response_id" in error.errors:
            failed["message"] = _("This response does not belong to this incident.")
        return render_responses(incident_id, failed=failed, status=422)
    except ProtocolError as error:
        message = Refusal.of(error).explanation or field_message(error.message)
        failed = {"id": str(response_id), "answer": text, "message": message}
        return render_responses(incident_id, failed=failed, status=status_for(error))
    flash(_("Your answer is recorded. The citizen reads it on their page and is told so by e-mail or by post."), "info")
    return redirect(url_for("responses_page.index", incident_id=incident_id, _anchor=f"response-{response_id}"))


@blp.get("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/attachments/<uuid:attachment_id>")
def attachment(incident_id: uuid.UUID, response_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
    return attachment_download(incident_id, response_id, attachment_id)
