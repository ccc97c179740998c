"""Citizens' responses on an incident, for staff: what they asked or objected to, the legal deadline
of each, who handles it, and the forms to answer it, to hand it to a colleague and, for a review
request or an objection, to decide on it with reasons (Awb 7:11-7:12 for an objection); a decision
sends the citizen its decision letter.

Each form is a thin call of the service the API calls too; a refusal or an invalid field comes back
on the response it was about, in the page's language, with what the user wrote still in the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications.services import (
    DECISION_OUTCOMES,
    REVIEW_OUTCOMES,
    answer_citizen_response,
    assign_response,
    decide_response,
    list_citizen_responses,
)
from protocol.services import InvalidEvidence, NotFound, ProtocolError, list_staff
from web.attachments import attachment_download
from web.context import notifications_uow, principal, vault
from web.pages.common import may, uow, user_name
from web.pages.incident_view import Refusal
from web.pages.incidents import OWNER_ROLES, Page, fetch
from web.pages.letters_text import RESPONSE_NAMES
from web.pages.text import DECISION_OUTCOMES as OUTCOME_WORDS
from web.pages.text import _, field_message, label
from web.problem import status_for

blp = Blueprint("responses_page", __name__)
# the outcomes the decision form offers per kind; the service holds the rule
OUTCOMES = {"review": REVIEW_OUTCOMES, "objection": DECISION_OUTCOMES}


def render_responses(incident_id: uuid.UUID, *, failed: dict[str, Any] | None = None, status: int = 200) -> Page:
    incident = fetch(incident_id)
    responses = list_citizen_responses(
        uow=notifications_uow(), vault=vault(), principal=principal(), incident_id=incident_id
    )
    organisation = incident["organisation_id"]
    may_assign = may("responses.assign", organisation)
    colleagues = (
        [
            (str(u["id"]), str(u["display_name"]))
            for u in list_staff(uow=uow(), principal=principal())
            if u["active"] and OWNER_ROLES & set(u["roles"])
        ]
        if may_assign
        else []
    )
    html = render_template(
        "responses.html",
        incident=incident,
        responses=sorted(responses, key=lambda r: (r["answered_at"] is not None, r["received_at"])),
        kind_label=lambda k: label(RESPONSE_NAMES, k),
        user_name=user_name,
        outcomes={kind: [(key, label(OUTCOME_WORDS, key)) for key in keys] for kind, keys in OUTCOMES.items()},
        outcome_label=lambda k: label(OUTCOME_WORDS, k),
        decidable=tuple(OUTCOMES),
        may_answer=may("responses.answer", organisation),
        may_assign=may_assign,
        may_decide=may("responses.decide", organisation),
        colleagues=colleagues,
        failed=failed,
        page_url=url_for("responses_page.index", incident_id=incident_id),
    )
    return html, status


@blp.get("/incidents/<uuid:incident_id>/responses")
def index(incident_id: uuid.UUID) -> Page:
    return render_responses(incident_id)


def _attempt(
    incident_id: uuid.UUID,
    response_id: uuid.UUID,
    form: str,
    values: dict[str, str],
    call: Callable[[], Any],
    done: str,
) -> Page:
    """Call a service for one response's form; on success flash `done`, on a refusal show the form again."""
    failed: dict[str, Any] = {"id": str(response_id), "form": form, "given": values, "errors": {}, "refusal": None}
    try:
        call()
    except NotFound:
        raise
    except InvalidEvidence as error:
        failed["errors"] = {name: " ".join(field_message(m) for m in msgs) for name, msgs in error.errors.items()}
        if "response_id" in error.errors:
            failed["refusal"] = Refusal.of(error)
            failed["refusal"].message = failed["errors"].pop("response_id")
        return render_responses(incident_id, failed=failed, status=422)
    except ProtocolError as error:
        failed["refusal"] = Refusal.of(error)
        return render_responses(incident_id, failed=failed, status=status_for(error))
    flash(done, "info")
    return redirect(url_for("responses_page.index", incident_id=incident_id, _anchor=f"response-{response_id}"))


@blp.post("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/answer")
def answer(incident_id: uuid.UUID, response_id: uuid.UUID) -> Page:
    text = request.form.get("answer", "")
    failed: dict[str, Any] = {
        "id": str(response_id),
        "form": "answer",
        "given": {"answer": text},
        "errors": {},
        "refusal": None,
    }
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
        failed["errors"] = {"answer": _("Write an answer of at most 10,000 characters.")}
        if "response_id" in error.errors:
            failed["errors"] = {"answer": _("This response does not belong to this incident.")}
        return render_responses(incident_id, failed=failed, status=422)
    except ProtocolError as error:
        failed["refusal"] = Refusal.of(error)
        return render_responses(incident_id, failed=failed, status=status_for(error))
    flash(_("Your answer is recorded. The citizen reads it on their page and is told so by e-mail or by post."), "info")
    return redirect(url_for("responses_page.index", incident_id=incident_id, _anchor=f"response-{response_id}"))


@blp.post("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/assignee")
def assignee(incident_id: uuid.UUID, response_id: uuid.UUID) -> Page:
    """Hand a response to a colleague (an officer or coordinator of the incident's organisation)."""
    raw = request.form.get("user_id", "").strip()
    values = {"user_id": raw}
    try:
        user_id = uuid.UUID(raw)
    except ValueError:
        failed = {
            "id": str(response_id),
            "form": "assign",
            "given": values,
            "errors": {"user_id": _("Choose the colleague who will handle this response.")},
            "refusal": None,
        }
        return render_responses(incident_id, failed=failed, status=422)

    def call() -> Any:
        return assign_response(
            uow=notifications_uow(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            user_id=user_id,
        )

    done = _("%(name)s now handles this response.", name=user_name(user_id))
    return _attempt(incident_id, response_id, "assign", values, call, done)


@blp.post("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/decision")
def decision(incident_id: uuid.UUID, response_id: uuid.UUID) -> Page:
    """Decide on a review request or an objection: the outcome and the reasons (both required, as the
    service says); the citizen receives the decision letter."""
    values = {"outcome": request.form.get("outcome", ""), "reasons": request.form.get("reasons", "")}

    def call() -> Any:
        return decide_response(
            uow=notifications_uow(),
            vault=vault(),
            principal=principal(),
            incident_id=incident_id,
            response_id=response_id,
            outcome=values["outcome"],
            reasons=values["reasons"],
        )

    done = _("Your decision is recorded. The citizen receives the decision letter.")
    return _attempt(incident_id, response_id, "decide", values, call, done)


@blp.get("/incidents/<uuid:incident_id>/responses/<uuid:response_id>/attachments/<uuid:attachment_id>")
def attachment(incident_id: uuid.UUID, response_id: uuid.UUID, attachment_id: uuid.UUID) -> Response:
    return attachment_download(incident_id, response_id, attachment_id)
