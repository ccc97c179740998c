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

from notifications.services import oversight_persons
from protocol.services import (
    get_oversight_incident,
    get_oversight_timeline,
    list_oversight_incidents,
)
from web.context import herstel, principal
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
    found["persons"] = oversight_persons(herstel=herstel(), principal=principal(), incident_id=incident_id)
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
