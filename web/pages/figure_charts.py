"""Small bar charts of the compliance figures, drawn on the server as SVG (issue 9, item 5).

Like the case chart (`oversight_chart.py`): no JavaScript, built with ElementTree so every text is
escaped, a <title> and <desc> named by `aria-labelledby`, a <title> on every bar, and on the page a
table of the same figures as the chart's text alternative. Each bar carries its value as text beside
it, so neither colour nor length is the only signal. Labels and values come in already translated and
formatted (this module knows no language).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 520
LABEL_WIDTH = 200
VALUE_WIDTH = 80
BAR = 16
GAP = 8
TOP = 8
COLOURS = ("#1f5fa8", "#a35200", "#b00020", "#1d6b3a")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the reader reads it, e.g. "10,0 uur" or "67 %"
    tone: int = 0  # an index into COLOURS


def bar_chart(*, bars: Sequence[Bar], title: str, description: str, chart_id: str, scale: float | None = None) -> str:
    """Horizontal bars, one per row, scaled to `scale` (else to the largest value); the SVG as text."""
    top = scale if scale is not None else max((b.value for b in bars), default=0.0)
    top = top or 1.0
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + max(len(bars), 1) * (BAR + GAP)
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {height}",
            "width": str(WIDTH),
            "height": str(height),
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "class": "figure-chart",
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR + GAP)
        ET.SubElement(svg, "text", {"x": "4", "y": str(y + BAR - 4), "font-size": "12", "fill": "#111"}).text = _fit(
            bar.label
        )
        width = max(round(max(bar.value, 0.0) / top * plot, 1), 1.0)
        rect = ET.SubElement(
            svg,
            "rect",
            {
                "x": str(LABEL_WIDTH),
                "y": str(y),
                "width": str(width),
                "height": str(BAR),
                "fill": COLOURS[bar.tone % len(COLOURS)],
            },
        )
        ET.SubElement(rect, "title").text = f"{bar.label}: {bar.text}"
        ET.SubElement(
            svg, "text", {"x": str(LABEL_WIDTH + width + 6), "y": str(y + BAR - 4), "font-size": "12", "fill": "#111"}
        ).text = bar.text
    ET.indent(svg)
    return ET.tostring(svg, encoding="unicode")


def _fit(label: str, limit: int = 30) -> str:
    """A label short enough for its column (the bar's own <title> and the table hold it whole)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
