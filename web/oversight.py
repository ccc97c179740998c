"""What the oversight API and pages share: the list's filters, an incident with its persons as
counts, the timeline described in the reader's language, and the CSV of the list.

The timeline is described by the officer's own describer (`web.pages.timeline.summary`), fed the
pseudonymised events the oversight service returns, so the two views cannot drift apart.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import current_app
from werkzeug.wrappers import Response

from notifications.services import letter_timeliness, oversight_persons
from protocol.services import (
    compliance_figures,
    get_oversight_incident,
    get_oversight_timeline,
    list_oversight_incidents,
)
from web.context import herstel, notifications_uow, principal
from web.pages.common import definition, lang, zone
from web.pages.text import DEADLINE_OUTCOMES, EVENT_TYPES, label
from web.pages.timeline import summary

CSV_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a cell a spreadsheet would run as a formula
OUTCOME_ORDER = ("missed", "met_late", "met_on_time", "open", "waived", "not_applicable")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone())


def listing(query: dict[str, Any], *, per_page: int | None = None) -> dict[str, Any]:
    """The list of incidents for the query's filters (days are the installation's days, `to` inclusive)."""
    args = dict(query)
    reported_from, reported_to = args.pop("reported_from", None), args.pop("reported_to", None)
    order = args.pop("order", "desc")
    if per_page is not None:
        args["per_page"] = per_page
    return list_oversight_incidents(
        uow=herstel().uow(),
        principal=principal(),
        reported_from=_start_of(reported_from) if reported_from else None,
        reported_before=_start_of(reported_to + timedelta(days=1)) if reported_to else None,
        descending=order != "asc",
        **args,
    )


def incident_detail(incident_id: uuid.UUID) -> dict[str, Any]:
    """The incident as the body sees it, with its affected persons as counts and pseudonyms."""
    found = get_oversight_incident(uow=herstel().uow(), principal=principal(), incident_id=incident_id)
    found["persons"] = oversight_persons(
        uow=notifications_uow(),
        hash_key=herstel().settings.hash_key_bytes(),
        principal=principal(),
        incident_id=incident_id,
    )
    return found


def described_timeline(incident_id: uuid.UUID, *, after_seq: int = 0, limit: int = 100) -> dict[str, Any]:
    """The timeline with each event's meaning and facts in the reader's language (no payloads)."""
    installation = herstel()
    timeline = get_oversight_timeline(
        uow=installation.uow(),
        principal=principal(),
        incident_id=incident_id,
        hash_key=installation.settings.hash_key_bytes(),
        after_seq=after_seq,
        limit=limit,
    )
    protocol = definition(timeline["protocol"]["key"], timeline["protocol"]["version"])
    events = [
        {
            "seq": e["seq"],
            "type": e["type"],
            "meaning": label(EVENT_TYPES, e["type"]),
            "summary": summary(e, protocol),
            "at": e["at"],
            "actor": e["actor"],
            "prev_hash": e["prev_hash"],
            "hash": e["hash"],
        }
        for e in timeline["events"]
    ]
    return {**timeline, "events": events}


def _cell(value: object) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(CSV_FORMULA) else text


def csv_response(items: list[dict[str, Any]]) -> Response:
    """The list as CSV (UTF-8 with a byte-order mark, so spreadsheets read the accents): a row per incident."""
    step_keys: list[str] = []
    for item in items:
        for step in item["steps"]:
            if step["key"] not in step_keys:
                step_keys.append(step["key"])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "reference",
            "organisation",
            "algorithm",
            "state",
            "reported_at",
            "closed_at",
            *(f"deadlines_{o}" for o in OUTCOME_ORDER),
            *(f"step_{k}" for k in step_keys),
            "deadlines",
        ]
    )
    language = lang()
    for item in items:
        states = {s["key"]: s["state"] for s in item["steps"]}
        deadlines = "; ".join(
            f"{d['title'].get(language) or d['rule']}: {d['outcome']} (due {d['due_at'].isoformat()})"
            for d in item["deadlines"]
        )
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item["reference"],
                    item["organisation"],
                    item["algorithm"],
                    item["state"],
                    item["reported_at"],
                    item["closed_at"],
                    *(item["outcomes"].get(o, 0) for o in OUTCOME_ORDER),
                    *(states.get(k, "") for k in step_keys),
                    deadlines,
                )
            ]
        )
    response = current_app.response_class("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="oversight-incidents.csv"'
    return response


def outcome_label(key: str) -> str:
    """A deadline outcome in the page's language."""
    return label(DEADLINE_OUTCOMES, key)


def compliance(query: dict[str, Any]) -> dict[str, Any]:
    """The compliance figures: the protocol's (durations, deadlines, responses) with the letters' (notifications),
    per organisation, for incidents reported from `from_` up to and including `to` (installation days)."""
    start, end = query.get("from_"), query.get("to")
    scope: dict[str, Any] = {
        "principal": principal(),
        "organisation_id": query.get("organisation"),
        "reported_from": _start_of(start) if start else None,
        "reported_before": _start_of(end + timedelta(days=1)) if end else None,
    }
    figures = compliance_figures(uow=herstel().uow(), **scope)
    letters = letter_timeliness(uow=notifications_uow(), **scope)
    for item in figures["organisations"]:
        item["letters"] = letters[item["organisation_id"]]
    return figures


COMPLIANCE_COLUMNS = (
    "organisation",
    "period_from",
    "period_to",
    "incidents",
    "suspended",
    "suspension_median_hours",
    "suspension_p90_hours",
    "suspension_worst_hours",
    "suspension_waived",
    "not_suspended",
    "letters",
    "letters_delivered",
    "letters_delivered_in_time",
    "letters_share_in_time",
    "deadlines_not_kept",
    "responses_decided_in_time",
    "responses_decided_late",
    "responses_undecided_past_due",
    "responses_pending",
    "responses_share_in_time",
)


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"


def compliance_csv(figures: dict[str, Any], *, period: tuple[date | None, date | None]) -> Response:
    """The figures as CSV: a row per organisation, then a row per organisation and deadline rule."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COMPLIANCE_COLUMNS)
    start, end = (d.isoformat() if d else "" for d in period)
    for item in figures["organisations"]:
        s, letters, responses = item["report_to_suspension"], item["letters"], item["responses"]
        writer.writerow(
            [
                _cell(v)
                for v in (
                    item["organisation"],
                    start,
                    end,
                    item["incidents"],
                    s["count"],
                    _hours(s["median_seconds"]),
                    _hours(s["p90_seconds"]),
                    _hours(s["worst_seconds"]),
                    s["waived"],
                    s["not_suspended"],
                    letters["letters"],
                    letters["delivered"],
                    letters["delivered_in_time"],
                    "" if letters["share_in_time"] is None else letters["share_in_time"],
                    item["deadlines_not_kept"],
                    responses["decided_in_time"],
                    responses["decided_late"],
                    responses["undecided_past_due"],
                    responses["pending"],
                    "" if responses["share_in_time"] is None else responses["share_in_time"],
                )
            ]
        )
    writer.writerow([])
    writer.writerow(["organisation", "rule", "applicable", *(f"deadlines_{o}" for o in OUTCOME_ORDER)])
    for item in figures["organisations"]:
        for rule in item["deadlines"]:
            writer.writerow(
                [
                    _cell(item["organisation"]),
                    rule["rule"],
                    rule["applicable"],
                    *(rule["outcomes"].get(o, 0) for o in OUTCOME_ORDER),
                ]
            )
    response = current_app.response_class("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="oversight-compliance.csv"'
    return response
