"""The case chart: well-formed SVG with a title and a description, whose table holds the same facts."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

from web.pages.oversight_chart import case_chart

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _chart(**overrides: Any) -> Any:
    steps = [
        {"key": "assess", "title": {"en": "Assess"}, "state": "completed", "started_at": START,
         "ended_at": START + timedelta(hours=2)},
        {"key": "suspend", "title": {"en": "Suspend <& \"stop\">"}, "state": "active",
         "started_at": START + timedelta(days=3), "ended_at": None},
        {"key": "report", "title": {"en": "Report"}, "state": "pending", "started_at": None, "ended_at": None},
    ]  # fmt: skip
    deadlines = [
        {"rule": "suspend", "title": {"en": "Suspend within a working day"}, "step": "suspend",
         "due_at": START + timedelta(days=1), "met_at": None, "outcome": "missed"},
        {"rule": "report", "title": {"en": "Report within 15 days"}, "step": "report",
         "due_at": START + timedelta(days=15), "met_at": None, "outcome": "open"},
        {"rule": "odd", "title": {"en": "A deadline of no step"}, "step": None,
         "due_at": START + timedelta(days=2), "met_at": START + timedelta(days=3), "outcome": "met_late"},
    ]  # fmt: skip
    arguments: dict[str, Any] = {
        "steps": steps,
        "deadlines": deadlines,
        "start": START,
        "now": START + timedelta(days=5),
        "title": "The case HER-1 over time",
        "description": "Steps as lanes, deadlines as markers.",
        "step_title": lambda s: s["title"]["en"],
        "deadline_title": lambda d: d["title"]["en"],
        "state_label": lambda key: key.replace("_", " "),
        "outcome_label": lambda key: {"missed": "Missed", "open": "Open", "met_late": "Met late"}[key],
        "when": lambda moment: moment.strftime("%d %b %Y"),
        "deadlines_lane": "Other deadlines",
        **overrides,
    }
    return case_chart(**arguments)


def test_the_svg_is_well_formed_with_a_title_and_a_description() -> None:
    chart = _chart()
    tree = ET.fromstring(chart.svg)
    assert tree.tag == f"{SVG}svg"
    assert tree.get("role") == "img"
    title, desc = tree.find(f"{SVG}title"), tree.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "The case HER-1 over time"
    assert desc is not None
    assert desc.text == "Steps as lanes, deadlines as markers."
    assert tree.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<script" not in chart.svg
    assert "style=" not in chart.svg


def test_text_is_escaped_not_markup() -> None:
    chart = _chart()
    assert 'Suspend &lt;&amp; "stop"&gt;' in chart.svg
    labels = [t.text for t in ET.fromstring(chart.svg).iter(f"{SVG}text")]
    assert 'Suspend <& "stop">' in labels


def test_steps_are_lanes_and_deadlines_markers_missed_ones_marked() -> None:
    tree = ET.fromstring(_chart().svg)
    bars = tree.findall(f"{SVG}rect")
    assert len(bars) == 2  # assess (ended) and suspend (running till now); report never started
    groups = {g.get("class"): g for g in tree.iter(f"{SVG}g") if (g.get("class") or "").startswith("deadline ")}
    assert set(groups) == {"deadline deadline--missed", "deadline deadline--open", "deadline deadline--met_late"}
    missed = groups["deadline deadline--missed"]
    assert len(missed.findall(f"{SVG}line")) == 2  # a cross, not only a colour
    title = missed.find(f"{SVG}title")
    assert title is not None
    assert title.text == "Suspend within a working day: Missed; 01 Dec 2026"
    lanes = [t.text for t in tree.iter(f"{SVG}text")]
    assert "Other deadlines" in lanes  # a deadline without a step gets a lane of its own


def test_the_table_alternative_holds_the_same_facts() -> None:
    chart = _chart()
    tree = ET.fromstring(chart.svg)
    marker_titles = {(t.text or "").split(":")[0] for g in tree.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")}
    bar_titles = {(t.text or "").split(":")[0] for r in tree.iter(f"{SVG}rect") for t in r.findall(f"{SVG}title")}
    rows = {(r.kind, r.label): r for r in chart.rows}
    assert {label for kind, label in rows if kind == "deadline"} == marker_titles
    assert bar_titles <= {label for kind, label in rows if kind == "step"}
    assert len([r for r in chart.rows if r.kind == "step"]) == 3  # every step, started or not
    missed = rows[("deadline", "Suspend within a working day")]
    assert (missed.outcome, missed.state, missed.end) == ("missed", "Missed", START + timedelta(days=1))
    odd = rows[("deadline", "A deadline of no step")]
    assert odd.lane == "Other deadlines"
    assert odd.start == START + timedelta(days=3)


def test_a_case_of_one_moment_still_draws() -> None:
    chart = _chart(steps=[], deadlines=[], now=START)
    tree = ET.fromstring(chart.svg)
    assert tree.find(f"{SVG}title") is not None
    assert chart.rows == []
