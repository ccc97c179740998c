"""The incident page and the actions taken from it: steps, four-eyes decisions, close and reopen.

Every action is a plain form post carrying the incident's `version`. On success the page redirects
back to the step (post/redirect/get); on a refusal it shows the incident as it is now, with the
user's input still in the form and the rule that refused it beside the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import (
    InvalidEvidence,
    NotFound,
    ProtocolError,
    approve,
    assign_owner,
    close_incident,
    complete_step,
    get_incident,
    list_staff,
    reject_approval,
    reopen_incident,
    start_step,
    waive_step,
)
from web.context import principal
from web.pages.common import definition, lang, may, uow
from web.pages.forms import extra_row, parse_form
from web.pages.incident_view import FormState, Refusal, approval_rows, deadline_row, step_cards
from web.pages.letters_panel import progress_panel
from web.pages.text import _, field_message
from web.problem import status_for

blp = Blueprint("incident_page", __name__)
Page = str | tuple[str, int] | Response
OWNER_ROLES = {"officer", "coordinator"}  # whom the form offers; the service decides who may carry it


def fetch(incident_id: uuid.UUID) -> dict[str, Any]:
    return get_incident(uow=uow(), principal=principal(), incident_id=incident_id)


def render_incident(incident: dict[str, Any], *, state: FormState | None = None, status: int = 200) -> tuple[str, int]:
    """The incident page; `state` puts a form back as its author sent it, with errors or a refusal."""
    protocol = definition(incident["protocol"]["key"], incident["protocol"]["version"])
    if state is not None and state.refusal is not None:
        state.refusal.reword(protocol)
    open_deadlines = [d for d in incident["deadlines"] if d["state"] == "open"]
    html = render_template(
        "incident.html",
        incident=incident,
        protocol_title=protocol.title.get(lang()) or protocol.title.get("en") or protocol.key,
        cards=step_cards(incident, protocol, state),
        approvals=approval_rows(incident, state),
        next_deadline=deadline_row(open_deadlines[0]) if open_deadlines else None,
        overdue=sum(1 for d in incident["deadlines"] if d["overdue"]),
        state=state,
        stale=bool(state and state.refusal and state.refusal.stale),
        may_close=may("incident.close", incident["organisation_id"]),
        may_read_approvals=may("approval.read", incident["organisation_id"]),
        may_reopen=may("incident.reopen", incident["organisation_id"]),
        letters=progress_panel(incident),
        owner=_owner_form(incident, state),
        page_url=url_for("incident_page.show", incident_id=incident["id"]),  # a re-rendered POST links here
    )
    return html, status


def _owner_form(incident: dict[str, Any], state: FormState | None) -> dict[str, Any] | None:
    """The form to hand the incident to a colleague, for those the matrix lets do it; None for others."""
    if incident["state"] != "open" or not may("incident.assign_owner", incident["organisation_id"]):
        return None
    mine = state if state is not None and state.target == "owner" else None
    colleagues = [
        (str(u["id"]), str(u["display_name"]))
        for u in list_staff(uow=uow(), principal=principal())
        if u["active"] and OWNER_ROLES & set(u["roles"])
    ]
    return {
        "choices": colleagues,
        "value": mine.values.get("user_id", "") if mine else str(incident["owner_id"] or ""),
        "errors": [field_message(m) for m in mine.errors.get("user_id", [])] if mine else [],
        "refusal": mine.refusal if mine and not mine.errors else None,
    }


@blp.get("/incidents/<uuid:incident_id>")
def show(incident_id: uuid.UUID) -> Page:
    return render_incident(fetch(incident_id))


def submitted_version() -> int:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        abort(400, description=_("The form is incomplete (no version of the incident). Reload the page."))
    return int(raw)


def attempt(
    incident_id: uuid.UUID,
    state: FormState,
    call: Callable[[], dict[str, Any]],
    done: Callable[[dict[str, Any]], str],
    anchor: str | None = None,
) -> Page:
    """Call a service; on success flash `done` and go back to the page, on a refusal show why."""
    try:
        result = call()
    except NotFound:
        raise  # the error page: the incident (or approval) is not there for this user
    except InvalidEvidence as error:
        state.errors, state.refusal = error.errors, Refusal.of(error)
        return render_incident(fetch(incident_id), state=state, status=422)
    except ProtocolError as error:
        state.refusal = Refusal.of(error)
        return render_incident(fetch(incident_id), state=state, status=status_for(error))
    flash(done(result), "info")
    return redirect(url_for("incident_page.show", incident_id=incident_id, _anchor=anchor))


def _step_title(incident_id: uuid.UUID, step: str) -> tuple[dict[str, Any], Any]:
    incident = fetch(incident_id)
    protocol = definition(incident["protocol"]["key"], incident["protocol"]["version"])
    if step not in protocol.steps:
        abort(404, description=_("This protocol has no such step."))
    return incident, protocol.step(step)


def _evidence_action(incident_id: uuid.UUID, step: str, action: str) -> Page:
    version = submitted_version()
    incident, spec = _step_title(incident_id, step)
    schema = spec.start_evidence if action == "start" else spec.evidence
    evidence, values = parse_form(schema, request.form)
    state = FormState(f"{action}:{step}", values)
    grow = extra_row(request.form)
    if grow:  # "add another row": show the form again, one row longer, nothing submitted
        state.extra_rows = grow
        return render_incident(incident, state=state)
    service = start_step if action == "start" else complete_step
    title = spec.title_for(lang())

    def call() -> dict[str, Any]:
        return service(
            uow=uow(), principal=principal(), incident_id=incident_id, step=step, version=version, evidence=evidence
        )

    def done(_result: dict[str, Any]) -> str:
        if action == "start":
            return _("Step “%(step)s” started.", step=title)
        return _("Step “%(step)s” completed.", step=title)

    return attempt(incident_id, state, call, done, anchor=f"step-{step}")


@blp.post("/incidents/<uuid:incident_id>/steps/<step>/start", endpoint="start_step")
def start_step_view(incident_id: uuid.UUID, step: str) -> Page:
    return _evidence_action(incident_id, step, "start")


@blp.post("/incidents/<uuid:incident_id>/steps/<step>/complete", endpoint="complete_step")
def complete_step_view(incident_id: uuid.UUID, step: str) -> Page:
    return _evidence_action(incident_id, step, "complete")


@blp.post("/incidents/<uuid:incident_id>/steps/<step>/waive", endpoint="waive_step")
def waive_step_view(incident_id: uuid.UUID, step: str) -> Page:
    version = submitted_version()
    _incident, spec = _step_title(incident_id, step)
    justification = request.form.get("justification", "")
    state = FormState(f"waive:{step}", {"justification": justification})
    title = spec.title_for(lang())

    def call() -> dict[str, Any]:
        return waive_step(
            uow=uow(),
            principal=principal(),
            incident_id=incident_id,
            step=step,
            version=version,
            justification=justification,
        )

    def done(result: dict[str, Any]) -> str:
        if result.get("approval_id"):
            return _("Your request to waive “%(step)s” now waits for a second signature by a coordinator.", step=title)
        return _("Step “%(step)s” waived.", step=title)

    return attempt(incident_id, state, call, done, anchor=f"step-{step}")


@blp.post("/incidents/<uuid:incident_id>/approvals/<uuid:approval_id>/approve", endpoint="approve")
def approve_view(incident_id: uuid.UUID, approval_id: uuid.UUID) -> Page:
    version = submitted_version()
    state = FormState(f"approve:{approval_id}")

    def call() -> dict[str, Any]:
        return approve(
            uow=uow(), principal=principal(), incident_id=incident_id, approval_id=approval_id, version=version
        )

    return _decision(incident_id, state, call, _("Approved: the second signature is recorded."))


@blp.post("/incidents/<uuid:incident_id>/approvals/<uuid:approval_id>/reject", endpoint="reject")
def reject_view(incident_id: uuid.UUID, approval_id: uuid.UUID) -> Page:
    version = submitted_version()
    note = request.form.get("note", "")
    state = FormState(f"reject:{approval_id}", {"note": note})

    def call() -> dict[str, Any]:
        return reject_approval(
            uow=uow(),
            principal=principal(),
            incident_id=incident_id,
            approval_id=approval_id,
            version=version,
            note=note,
        )

    return _decision(incident_id, state, call, _("The request is no longer waiting: it was rejected or withdrawn."))


def _decision(incident_id: uuid.UUID, state: FormState, call: Callable[[], dict[str, Any]], message: str) -> Page:
    """A four-eyes decision, from the incident page or from the approvals queue (`back=queue`)."""
    if request.form.get("back") == "queue":
        from web.pages.approvals import decide_from_queue  # the queue renders its own refusals

        return decide_from_queue(state, call, message)
    return attempt(incident_id, state, call, lambda _result: message, anchor="approvals")


@blp.post("/incidents/<uuid:incident_id>/close")
def close(incident_id: uuid.UUID) -> Page:
    version = submitted_version()

    def call() -> dict[str, Any]:
        return close_incident(uow=uow(), principal=principal(), incident_id=incident_id, version=version)

    return attempt(incident_id, FormState("close"), call, lambda _r: _("The incident is closed."))


@blp.post("/incidents/<uuid:incident_id>/reopen")
def reopen(incident_id: uuid.UUID) -> Page:
    version = submitted_version()
    justification = request.form.get("justification", "")

    def call() -> dict[str, Any]:
        return reopen_incident(
            uow=uow(), principal=principal(), incident_id=incident_id, version=version, justification=justification
        )

    state = FormState("reopen", {"justification": justification})
    return attempt(incident_id, state, call, lambda _r: _("The incident is open again."))


@blp.post("/incidents/<uuid:incident_id>/owner")
def owner(incident_id: uuid.UUID) -> Page:
    """Hand the incident to another officer or coordinator (the service checks who may, and whom)."""
    version = submitted_version()
    raw = request.form.get("user_id", "").strip()
    state = FormState("owner", {"user_id": raw})
    try:
        user_id = uuid.UUID(raw)
    except ValueError:
        state.errors = {"user_id": [_("Choose the colleague who will carry this incident.")]}
        return render_incident(fetch(incident_id), state=state, status=422)

    def call() -> dict[str, Any]:
        return assign_owner(uow=uow(), principal=principal(), incident_id=incident_id, user_id=user_id, version=version)

    def done(result: dict[str, Any]) -> str:
        return _("%(name)s now carries this incident.", name=(result["owner"] or {}).get("name", ""))

    return attempt(incident_id, state, call, done, anchor="owner")
