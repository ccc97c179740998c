"""The oversight body's pages: the dashboard (deadlines not kept, every incident with its deadline
outcomes, filters, search, sort, CSV) and one incident (its chart with a table alternative, its
timeline in plain words, persons as counts and pseudonyms). Read-only; no identities."""

from __future__ import annotations

import uuid
from typing import Any

import marshmallow as ma
from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from protocol.services import list_algorithms, list_oversight_notices
from web.api.schemas.oversight_incidents import SORTS, OversightQuerySchema
from web.context import herstel, principal
from web.oversight import (
    compliance,
    compliance_csv,
    csv_response,
    described_timeline,
    incident_detail,
    listing,
    outcome_label,
)
from web.pages.common import definition, lang, page_arg, page_count, uow, when
from web.pages.letters_text import LETTER_STATUSES, RESPONSE_NAMES
from web.pages.oversight_chart import case_chart
from web.pages.oversight_figures import figure_charts
from web.pages.text import STEP_STATES, _, choice, humanise, label

blp = Blueprint("oversight_page", __name__)
PER_PAGE = 25
TIMELINE_LIMIT = 1000
FILTERS = ("organisation_id", "algorithm_id", "reported_from", "reported_to", "state", "missed", "reference")


def _query() -> dict[str, Any]:
    """The filters as asked for; one the page cannot read is dropped (the form shows it reset)."""
    raw = {k: v for k, v in request.args.items() if k in (*FILTERS, "sort", "order") and v.strip()}
    schema = OversightQuerySchema()
    while True:
        try:
            loaded: dict[str, Any] = schema.load(raw)
            return loaded
        except ma.ValidationError as error:
            bad = set(error.messages) if isinstance(error.messages, dict) else set(raw)
            raw = {k: v for k, v in raw.items() if k not in bad}


def _args(query: dict[str, Any]) -> dict[str, Any]:
    """The query as URL arguments (for sorting links, paging and the CSV)."""
    shown: dict[str, Any] = {}
    for key in (*FILTERS, "sort", "order"):
        value = query.get(key)
        if value is None:
            continue
        shown[key] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    return shown


@blp.get("/oversight")
def dashboard() -> str:
    query = _query()
    query["page"] = page_arg()
    query["per_page"] = PER_PAGE
    found = listing(query)
    args = _args(query)

    def sorted_by(key: str) -> str:
        order = "asc" if query.get("sort") == key and query.get("order") == "desc" else "desc"
        return url_for("oversight_page.dashboard", **{**args, "sort": key, "order": order})

    def paged(number: int) -> str:
        return url_for("oversight_page.dashboard", **{**args, "page": str(number)})

    return render_template(
        "oversight/dashboard.html",
        listing=found,
        query=query,
        args=args,
        sorts=SORTS,
        sorted_by=sorted_by,
        paged=paged,
        pages=page_count(found["total"], PER_PAGE),
        algorithms=list_algorithms(uow=uow(), principal=principal()),
        notices=list_oversight_notices(uow=uow(), principal=principal()),
        csv_url=url_for("oversight_page.incidents_csv", **args),
        figures=figure_charts(compliance(_figures_query(query)), lang()),
        figures_csv_url=url_for(
            "oversight_page.compliance_csv_download",
            **{k: v for k, v in args.items() if k in ("organisation_id", "reported_from", "reported_to")},
        ),
        lang=lang(),
    )


@blp.get("/oversight/incidents.csv")
def incidents_csv() -> Response:
    query = _query()
    query["per_page"] = 500
    return csv_response(listing(query)["items"])


@blp.get("/oversight/compliance.csv")
def compliance_csv_download() -> Response:
    """The compliance figures of the dashboard's organisation and period, as CSV."""
    query = _figures_query(_query())
    return compliance_csv(compliance(query), period=(query.get("from_"), query.get("to")))


def _figures_query(query: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's organisation and report period, as the compliance figures take them."""
    return {
        "organisation": query.get("organisation_id"),
        "from_": query.get("reported_from"),
        "to": query.get("reported_to"),
    }


def _facts(found: dict[str, Any]) -> list[tuple[str, str]]:
    """The protocol facts with the definition's labels, in the page's language."""
    protocol = definition(found["protocol"]["key"], found["protocol"]["version"])
    labels = {
        f.name: f.label_for(lang())
        for spec in protocol.steps.values()
        for f in (*spec.start_evidence.fields, *spec.evidence.fields)
    }
    shown = []
    for key, value in found["facts"].items():
        text = (_("Yes") if value else _("No")) if isinstance(value, bool) else choice(value)
        shown.append((labels.get(key) or humanise(key), text))
    return shown


@blp.get("/oversight/incidents/<uuid:incident_id>")
def incident(incident_id: uuid.UUID) -> str:
    found = incident_detail(incident_id)
    timeline = described_timeline(incident_id, limit=TIMELINE_LIMIT)
    language = lang()
    chart = case_chart(
        steps=found["steps"],
        deadlines=found["deadlines"],
        start=found["reported_at"],
        now=found["closed_at"] or herstel().clock(),
        title=_("The case %(reference)s over time", reference=found["reference"]),
        description=_(
            "Each step of the protocol is a lane; a bar runs from its start to its end. Each deadline is a "
            "marker on its step's lane at its due moment: a filled diamond when met on time, a triangle when "
            "met late, a cross when missed, a hollow diamond when open, waived or not applicable. The table below "
            "holds the same facts."
        ),
        step_title=lambda s: str(s["title"].get(language) or s["key"]),
        deadline_title=lambda d: str(d["title"].get(language) or d["rule"]),
        state_label=lambda key: label(STEP_STATES, key),
        outcome_label=outcome_label,
        when=when,
        deadlines_lane=_("Other deadlines"),
    )
    return render_template(
        "oversight/incident.html",
        incident=found,
        chart=chart,
        chart_svg=Markup(chart.svg),  # noqa: S704 - built by ElementTree, every text escaped
        events=timeline["events"],
        more_events=timeline["next_after_seq"] is not None,
        facts=_facts(found),
        letters=[(label(LETTER_STATUSES, k), n) for k, n in found["persons"]["letters"].items()],
        responses=[(label(RESPONSE_NAMES, k), n) for k, n in found["persons"]["responses"].items()],
        lang=language,
    )
