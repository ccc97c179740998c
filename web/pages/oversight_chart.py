"""The chart of one case, drawn on the server as SVG: steps as lanes over time, deadlines as markers.

No JavaScript (the CSP allows no inline script, and a chart must not need one): the SVG is built
with ElementTree, so every text is escaped and the result is well-formed XML. It carries a <title>
and a <desc>, and `CaseChart.rows` holds the same facts for the data table the page shows as the
chart's text alternative. Colour is never the only signal: a missed deadline is a cross, one met
late a triangle, one met on time a filled diamond, an open one a hollow diamond, and every marker
has its own <title>. Labels come in already translated (this module knows no language).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

WIDTH = 760
LABEL_WIDTH = 170
LANE = 34
TOP = 34
BOTTOM = 28
RIGHT = 20
MARK = 7

COLOURS = {
    "completed": "#1d6b3a",
    "active": "#1f5fa8",
    "waived": "#6b6b6b",
    "met_on_time": "#1d6b3a",
    "met_late": "#a35200",
    "missed": "#b00020",
    "open": "#1f5fa8",
    "waived_deadline": "#6b6b6b",
    "not_applicable": "#6b6b6b",
}


@dataclass(frozen=True)
class ChartRow:
    """One fact of the chart, as the text alternative lists it."""

    kind: str  # "step" or "deadline"
    lane: str  # the step's title (deadlines without a step: the deadlines lane)
    label: str  # the step's or the deadline's title
    state: str  # translated state or outcome
    outcome: str  # the key: a step state or a deadline outcome
    start: datetime | None
    end: datetime | None  # a step's end; a deadline's due moment


@dataclass(frozen=True)
class CaseChart:
    svg: str
    rows: list[ChartRow]
    title: str
    description: str


def case_chart(
    *,
    steps: Sequence[Mapping[str, Any]],
    deadlines: Sequence[Mapping[str, Any]],
    start: datetime,
    now: datetime,
    title: str,
    description: str,
    step_title: Callable[[Mapping[str, Any]], str],
    deadline_title: Callable[[Mapping[str, Any]], str],
    state_label: Callable[[str], str],
    outcome_label: Callable[[str], str],
    when: Callable[[datetime], str],
    deadlines_lane: str,
    chart_id: str = "case-chart",
) -> CaseChart:
    """The SVG of a case and the rows of its text alternative, from the oversight view's steps and deadlines."""
    rows: list[ChartRow] = []
    lanes: list[tuple[str, str]] = []  # (step key, lane title)
    for step in steps:
        lane = step_title(step)
        lanes.append((str(step["key"]), lane))
        end = step.get("ended_at") or (now if step.get("started_at") else None)
        rows.append(
            ChartRow("step", lane, lane, state_label(step["state"]), step["state"], step.get("started_at"), end)
        )
    lane_of = dict(lanes)
    loose = [d for d in deadlines if d.get("step") not in lane_of]
    if loose:
        lanes.append(("", deadlines_lane))
    for deadline in deadlines:
        lane = lane_of.get(str(deadline.get("step")), deadlines_lane)
        rows.append(
            ChartRow(
                "deadline",
                lane,
                deadline_title(deadline),
                outcome_label(deadline["outcome"]),
                deadline["outcome"],
                deadline.get("met_at"),
                deadline["due_at"],
            )
        )

    moments = [start, now] + [m for r in rows for m in (r.start, r.end) if m is not None]
    first, last = min(moments), max(moments)
    span = max((last - first).total_seconds(), 3600.0)
    plot = WIDTH - LABEL_WIDTH - RIGHT
    height = TOP + LANE * max(len(lanes), 1) + BOTTOM

    def x(moment: datetime) -> float:
        return round(LABEL_WIDTH + (moment - first).total_seconds() / span * plot, 1)

    def y(index: int) -> float:
        return TOP + index * LANE + LANE / 2

    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "case-chart",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description

    # the time axis: the first and last moment, and now
    axis = ET.SubElement(svg, "g", {"class": "axis", "font-size": "11", "fill": "#333"})
    ET.SubElement(
        axis, "line", {"x1": str(LABEL_WIDTH), "x2": str(LABEL_WIDTH + plot), "y1": "24", "y2": "24", "stroke": "#999"}
    )
    for moment, anchor in ((first, "start"), (last, "end")):
        ET.SubElement(axis, "text", {"x": str(x(moment)), "y": "16", "text-anchor": anchor}).text = when(moment)
    now_line = ET.SubElement(
        axis,
        "line",
        {"x1": str(x(now)), "x2": str(x(now)), "y1": "24", "y2": str(height - BOTTOM), "stroke": "#999"},
    )
    now_line.set("stroke-dasharray", "3 3")

    lane_index = {key: i for i, (key, _title) in enumerate(lanes)}
    for index, (_key, lane) in enumerate(lanes):
        ET.SubElement(svg, "text", {"x": "4", "y": str(y(index) + 4), "font-size": "12", "fill": "#111"}).text = lane
        ET.SubElement(
            svg,
            "line",
            {"x1": str(LABEL_WIDTH), "x2": str(LABEL_WIDTH + plot), "y1": str(y(index)), "y2": str(y(index))},
        ).set("stroke", "#e3e3e3")

    for row in rows:
        if row.kind != "step":
            continue
        index = next(i for i, (_k, t) in enumerate(lanes) if t == row.lane)
        if row.start is None or row.end is None:
            continue  # never started: the lane stays empty, the table says why
        bar = ET.SubElement(
            svg,
            "rect",
            {
                "x": str(x(row.start)),
                "y": str(y(index) - 7),
                "width": str(max(x(row.end) - x(row.start), 2.0)),
                "height": "14",
                "fill": COLOURS.get(row.outcome, "#1f5fa8"),
                "class": f"step step--{row.outcome}",
            },
        )
        ET.SubElement(bar, "title").text = f"{row.label}: {row.state} ({when(row.start)} – {when(row.end)})"

    for deadline, row in zip(deadlines, (r for r in rows if r.kind == "deadline"), strict=True):
        index = lane_index.get(str(deadline.get("step")), lane_index.get("", 0))
        group = ET.SubElement(svg, "g", {"class": f"deadline deadline--{row.outcome}"})
        text = f"{row.label}: {row.state}; {when(deadline['due_at'])}"
        ET.SubElement(group, "title").text = text
        _marker(group, x(deadline["due_at"]), y(index), row.outcome)

    ET.indent(svg)
    return CaseChart(ET.tostring(svg, encoding="unicode"), rows, title, description)


def _marker(group: ET.Element, cx: float, cy: float, outcome: str) -> None:
    """A marker whose shape says the outcome (so colour is not the only signal)."""
    colour = COLOURS.get("waived_deadline" if outcome == "waived" else outcome, "#333333")
    if outcome == "missed":
        for y1, y2 in ((cy - MARK, cy + MARK), (cy + MARK, cy - MARK)):
            ET.SubElement(
                group,
                "line",
                {
                    "x1": str(cx - MARK),
                    "y1": str(y1),
                    "x2": str(cx + MARK),
                    "y2": str(y2),
                    "stroke": colour,
                    "stroke-width": "3",
                },
            )
        return
    if outcome == "met_late":
        points = f"{cx},{cy - MARK} {cx + MARK},{cy + MARK} {cx - MARK},{cy + MARK}"
        ET.SubElement(group, "polygon", {"points": points, "fill": colour})
        return
    points = f"{cx},{cy - MARK} {cx + MARK},{cy} {cx},{cy + MARK} {cx - MARK},{cy}"
    filled = outcome == "met_on_time"
    ET.SubElement(
        group,
        "polygon",
        {"points": points, "fill": colour if filled else "#ffffff", "stroke": colour, "stroke-width": "2"},
    )
