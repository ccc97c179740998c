"""The compliance figures on the oversight dashboard: four small charts, each with its table.

1. time from report to suspension (median, 90th percentile, worst) per organisation, in hours;
2. the share of letters delivered by the inform deadline, per organisation;
3. deadlines not kept, per rule (over the organisations shown);
4. citizens' objections and other responses decided in time, per organisation.

The figures are `web.oversight.compliance` (the same as the API's and the CSV's); here they are
only laid out, labelled in the reader's language and drawn (`figure_charts.bar_chart`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, format_percent
from markupsafe import Markup

from web.pages.figure_charts import Bar, bar_chart
from web.pages.text import _


@dataclass
class FigureChart:
    key: str
    title: str
    description: str
    svg: Markup
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: bool = False
    empty_text: str = ""


def hours(seconds: float | None) -> str:
    """A duration: in minutes under an hour, else in hours with one decimal."""
    if seconds is None:
        return "—"
    if seconds < 3600:
        return _("%(minutes)s min", minutes=format_decimal(seconds / 60, format="#,##0"))
    return _("%(hours)s h", hours=format_decimal(seconds / 3600, format="#,##0.0"))


def share(value: float | None) -> str:
    return "—" if value is None else str(format_percent(value, format="#,##0 %"))


def figure_charts(figures: dict[str, Any], language: str) -> list[FigureChart]:
    """The four charts with their tables, from the compliance figures."""
    organisations = figures["organisations"]
    return [
        _suspension(organisations),
        _letters(organisations),
        _deadlines(organisations, language),
        _responses(organisations),
    ]


def _svg(key: str, title: str, description: str, bars: list[Bar], scale: float | None = None) -> Markup:
    svg = bar_chart(bars=bars, title=title, description=description, chart_id=f"figure-{key}", scale=scale)
    return Markup(svg)  # noqa: S704 - built by ElementTree, every text escaped


def _suspension(organisations: list[dict[str, Any]]) -> FigureChart:
    title = _("Time from report to suspension")
    description = _(
        "Per organisation, three bars: the median, the 90th percentile and the longest time from an incident's "
        "report to the suspension of its algorithm, in hours, over the incidents whose algorithm was suspended. "
        "The table below holds the same figures."
    )
    names = (_("median"), _("90th percentile"), _("longest"))
    bars, rows = [], []
    for org in organisations:
        s = org["report_to_suspension"]
        values = (s["median_seconds"], s["p90_seconds"], s["worst_seconds"])
        for tone, (name, value) in enumerate(zip(names, values, strict=True)):
            if value is not None:
                bars.append(Bar(f"{org['organisation']}: {name}", value / 3600, hours(value), tone))
        rows.append(
            [org["organisation"], str(org["incidents"]), str(s["count"]), *(hours(v) for v in values), str(s["waived"])]
        )
    columns = [
        _("Organisation"),
        _("Incidents"),
        _("Suspended"),
        _("Median"),
        _("90th percentile"),
        _("Longest"),
        _("Suspension waived"),
    ]
    return FigureChart(
        "suspension", title, description, _svg("suspension", title, description, bars), columns, rows, not bars
    )


def _letters(organisations: list[dict[str, Any]]) -> FigureChart:
    title = _("Letters delivered within the deadline for informing")
    description = _(
        "Per organisation, the share of the letters to affected persons that were delivered by the incident's "
        "deadline for informing them. The table below holds the same figures."
    )
    bars, rows = [], []
    for org in organisations:
        letters = org["letters"]
        if letters["share_in_time"] is not None:
            bars.append(Bar(org["organisation"], letters["share_in_time"] * 100, share(letters["share_in_time"])))
        rows.append(
            [
                org["organisation"],
                str(letters["letters"]),
                str(letters["delivered"]),
                str(letters["delivered_in_time"]),
                share(letters["share_in_time"]),
            ]
        )
    columns = [_("Organisation"), _("Letters"), _("Delivered"), _("Delivered in time"), _("Share in time")]
    return FigureChart(
        "letters", title, description, _svg("letters", title, description, bars, 100.0), columns, rows, not bars
    )


def _deadlines(organisations: list[dict[str, Any]], language: str) -> FigureChart:
    title = _("Deadlines not kept, per rule")
    description = _(
        "Per deadline rule, how many deadlines were missed or met only late, over the organisations shown. "
        "The table below holds the figures per organisation."
    )
    totals: dict[str, tuple[str, int]] = {}
    rows = []
    for org in organisations:
        for rule in org["deadlines"]:
            name = str(rule["title"].get(language) or rule["rule"])
            totals[rule["rule"]] = (name, totals.get(rule["rule"], (name, 0))[1] + rule["not_kept"])
            rows.append(
                [org["organisation"], name, str(rule["applicable"]), str(rule["missed"]), str(rule["met_late"])]
            )
    bars = [Bar(name, count, str(count), 2) for _key, (name, count) in sorted(totals.items()) if count]
    columns = [_("Organisation"), _("Deadline"), _("Applicable"), _("Missed"), _("Met late")]
    chart = FigureChart("deadlines", title, description, _svg("deadlines", title, description, bars), columns, rows)
    chart.empty = not bars
    chart.empty_text = _("No deadline was missed or met late in this period.")
    return chart


def _responses(organisations: list[dict[str, Any]]) -> FigureChart:
    title = _("Objections and complaints decided in time")
    description = _(
        "Per organisation, the share of citizens' objections, complaints and harm reports with a legal deadline "
        "that were decided by it, of those decided or past their deadline. The table below holds the same figures."
    )
    bars, rows = [], []
    for org in organisations:
        r = org["responses"]
        if r["share_in_time"] is not None:
            bars.append(Bar(org["organisation"], r["share_in_time"] * 100, share(r["share_in_time"]), 3))
        rows.append(
            [
                org["organisation"],
                str(r["decided_in_time"]),
                str(r["decided_late"]),
                str(r["undecided_past_due"]),
                str(r["pending"]),
                share(r["share_in_time"]),
            ]
        )
    columns = [
        _("Organisation"),
        _("Decided in time"),
        _("Decided late"),
        _("Undecided past the deadline"),
        _("Still running"),
        _("Share in time"),
    ]
    return FigureChart(
        "responses", title, description, _svg("responses", title, description, bars, 100.0), columns, rows, not bars
    )
