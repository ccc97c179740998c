"""Reporting a signal: the form that opens an incident, and registering the algorithm it is about."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from protocol.services import (
    ALGORITHM_DOMAINS,
    InvalidEvidence,
    ProtocolError,
    list_algorithms,
    messages,
    register_algorithm,
    report_incident,
)
from web.context import principal
from web.pages.common import current_definition, from_local_input, may, uow
from web.pages.forms import Field, field_maker, flat_errors
from web.pages.incident_view import Refusal
from web.pages.text import ALGORITHM_DOMAINS as DOMAIN_WORDS
from web.pages.text import _, choice, label
from web.problem import status_for

blp = Blueprint("report", __name__)
Page = str | tuple[str, int] | Response
ALGORITHM_FIELDS = ("name", "lars", "domain")


def _report_fields(values: dict[str, Any], errors: dict[str, list[str]]) -> list[Field]:
    algorithms = list_algorithms(uow=uow(), principal=principal())
    protocol = current_definition()
    sources = protocol.incident_sources if protocol else ()
    grounds = protocol.protected_grounds if protocol else ()

    made = field_maker(lambda name: f"report-{name}", values, errors)

    return [
        made(
            "algorithm_id",
            "select",
            _("Algorithm"),
            choices=[(str(a["id"]), a["name"]) for a in algorithms],
            hint=_("The algorithm the signal is about."),
        ),
        made("title", "text", _("Title"), max_length=300, hint=_("A short description of what was noticed.")),
        made(
            "description",
            "textarea",
            _("Description"),
            required=False,
            hint=_("What happened, who noticed it, what is known so far. No names or citizen service numbers."),
        ),
        made(
            "source",
            "radios" if len(sources) <= 4 else "select",
            _("Who reported it"),
            choices=[(s, choice(s)) for s in sources],
        ),
        made("detected_at", "datetime", _("Noticed on"), hint=_("Dutch time, for example 1 December 2026 at 09:30.")),
        made(
            "protected_grounds",
            "checkboxes",
            _("Protected grounds"),
            required=False,
            choices=[(g, choice(g)) for g in grounds],
            hint=_("The grounds on which the algorithm may discriminate. Tick all that apply."),
        ),
    ]


def _algorithm_fields(values: dict[str, Any], errors: dict[str, list[str]]) -> list[Field]:
    made = field_maker(lambda name: f"algorithm-{name}", values, errors)
    return [
        made("name", "text", _("Name of the algorithm"), max_length=200),
        made(
            "lars",
            "text",
            _("LARS code in the Algorithm Register"),
            required=False,
            hint=_("8 digits, for example 12345670."),
        ),
        made(
            "domain",
            "select",
            _("Domain"),
            required=False,
            choices=[(key, label(DOMAIN_WORDS, key)) for key in ALGORITHM_DOMAINS],
            hint=_(
                "What the algorithm decides about. The letters to affected persons give an example of what a "
                "wrong decision may have meant for them in this domain; without a domain they say it in general words."
            ),
        ),
    ]


def render_report(
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    refusal: ProtocolError | None = None,
    algorithm_values: dict[str, Any] | None = None,
    algorithm_errors: dict[str, list[str]] | None = None,
    algorithm_refusal: ProtocolError | None = None,
    status: int = 200,
) -> tuple[str, int]:
    fields = _report_fields(values or {"protected_grounds": []}, errors or {})
    algorithm_fields = _algorithm_fields(algorithm_values or {}, algorithm_errors or {})
    known = {f.name for f in fields}
    html = render_template(
        "report.html",
        fields=fields,
        invalid=flat_errors(fields),
        general=[m for k, msgs in (errors or {}).items() if k not in known for m in msgs],
        refusal=Refusal.of(refusal) if refusal else None,
        has_algorithms=bool(fields[0].choices),
        may_register=may("algorithm.register"),
        algorithm_fields=algorithm_fields,
        algorithm_invalid=flat_errors(algorithm_fields),
        algorithm_refusal=Refusal.of(algorithm_refusal) if algorithm_refusal else None,
        page_url=url_for("report.form"),
    )
    return html, status


@blp.get("/incidents/new")
def form() -> Page:
    return render_report(values={"protected_grounds": [], "algorithm_id": request.args.get("algorithm", "")})


@blp.post("/incidents/new")
def submit() -> Page:
    form_data = request.form
    values: dict[str, Any] = {
        "algorithm_id": form_data.get("algorithm_id", "").strip(),
        "title": form_data.get("title", ""),
        "description": form_data.get("description", ""),
        "source": form_data.get("source", ""),
        "detected_at": form_data.get("detected_at", "").strip(),
        "protected_grounds": form_data.getlist("protected_grounds"),
    }
    errors: dict[str, list[str]] = {}
    algorithm_id = None
    try:
        algorithm_id = uuid.UUID(values["algorithm_id"])
    except ValueError:
        errors["algorithm_id"] = [messages.REQUIRED() if not values["algorithm_id"] else messages.NOT_AN_ID()]
    if not values["detected_at"]:
        errors["detected_at"] = [messages.REQUIRED()]
    if errors or algorithm_id is None:
        # the engine cannot check the rest without these: name the other missing fields too, at once
        if not values["title"].strip():
            errors["title"] = [messages.REQUIRED()]
        if not values["source"]:
            errors["source"] = [messages.REQUIRED()]
        return render_report(values=values, errors=errors, status=422)
    try:
        incident = report_incident(
            uow=uow(),
            principal=principal(),
            algorithm_id=algorithm_id,
            title=values["title"],
            description=values["description"],
            source=values["source"],
            detected_at=from_local_input(values["detected_at"]),
            protected_grounds=values["protected_grounds"],
        )
    except InvalidEvidence as error:
        return render_report(values=values, errors=error.errors, status=422)
    except ProtocolError as error:
        return render_report(values=values, refusal=error, status=status_for(error))
    flash(
        _(
            "The signal is reported as incident %(reference)s. The first step, the assessment, has started.",
            reference=incident["reference"],
        ),
        "info",
    )
    return redirect(url_for("incident_page.show", incident_id=incident["id"]))


@blp.post("/algorithms")
def register() -> Page:
    values = {name: request.form.get(name, "").strip() for name in ALGORITHM_FIELDS}
    try:
        algorithm = register_algorithm(
            uow=uow(),
            principal=principal(),
            name=values["name"],
            lars=values["lars"] or None,
            domain=values["domain"] or None,
        )
    except InvalidEvidence as error:
        return render_report(algorithm_values=values, algorithm_errors=error.errors, status=422)
    except ProtocolError as error:
        return render_report(algorithm_values=values, algorithm_refusal=error, status=status_for(error))
    flash(_("Algorithm “%(name)s” registered.", name=algorithm["name"]), "info")
    return redirect(url_for("report.form", algorithm=str(algorithm["id"])))
