"""The human-readable summary of an export bundle: one PDF, without personal data.

It shows the incident's reference, the algorithm, the protocol, every step with its state and
dates, every deadline with its state, and counts — nothing else: no titles or descriptions (free
text may name people), no evidence values, no actors. It is a reading aid; the evidence is the
bundle's events, proofs and tree head (docs/timeline.md, "The export bundle").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from protocol.deadlines import DeadlineState
from protocol.incident import Incident

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)
FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

LABELS = {
    "nl": {
        "title": "Samenvatting van incident",
        "algorithm": "Algoritme",
        "protocol": "Protocol",
        "state": "Stand",
        "reported": "Gemeld",
        "closed": "Gesloten",
        "steps": "Stappen",
        "step": "Stap",
        "started": "Gestart",
        "ended": "Afgerond",
        "deadlines": "Termijnen",
        "rule": "Termijn",
        "due": "Uiterlijk",
        "counts": "Aantallen",
        "events": "gebeurtenissen in de tijdlijn",
        "tree": "Gecontroleerd tegen de ondertekende boom van omvang {size}, wortel {root}.",
        "note": "Deze samenvatting is een leeshulp. Het bewijs zijn de gebeurtenissen, bewijzen en de "
        "ondertekende boomkop in deze bundel; controleer ze met herstel verify-export.",
        "page": "pagina",
        "on_time": "op tijd gehaald",
        "late": "te laat gehaald",
        "missed": "gemist",
        "open": "open",
        "waived": "overgeslagen",
        "not_applicable": "niet van toepassing",
    },
    "en": {
        "title": "Summary of incident",
        "algorithm": "Algorithm",
        "protocol": "Protocol",
        "state": "State",
        "reported": "Reported",
        "closed": "Closed",
        "steps": "Steps",
        "step": "Step",
        "started": "Started",
        "ended": "Ended",
        "deadlines": "Deadlines",
        "rule": "Deadline",
        "due": "Due",
        "counts": "Counts",
        "events": "events in the timeline",
        "tree": "Checked against the signed tree of size {size}, root {root}.",
        "note": "This summary is a reading aid. The evidence is the events, proofs and the signed tree "
        "head in this bundle; check them with herstel verify-export.",
        "page": "page",
        "on_time": "met on time",
        "late": "met late",
        "missed": "missed",
        "open": "open",
        "waived": "waived",
        "not_applicable": "not applicable",
    },
}


class FontMissing(RuntimeError):
    """The DejaVu fonts are not installed (Debian: fonts-dejavu-core)."""


def _font(name: str) -> str:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise FontMissing(f"font {name} not found in {', '.join(map(str, FONT_DIRS))}; install fonts-dejavu-core")


@dataclass(frozen=True)
class Summary:
    """What the PDF shows besides the incident itself."""

    algorithm: str
    events: int
    event_types: Counter[str]
    tree_size: int
    root: str


class _SummaryPdf(FPDF):
    label = "page"
    reference = ""

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Body", "", 8)
        self.cell(0, 5, f"{self.reference}   ·   {self.label} {self.page_no()}", align="R")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "–"


def deadline_state(state: DeadlineState, met_at: datetime | None, due_at: datetime) -> str:
    """open, met on time, met late, missed, waived or not applicable: the label key."""
    if state is DeadlineState.MET_LATE:
        return "late"
    if state is DeadlineState.MET:
        return "late" if met_at is not None and met_at > due_at else "on_time"
    return state.value


def render_summary(incident: Incident, summary: Summary, language: str = "nl") -> bytes:
    """The summary PDF of an incident in `language` (nl or en)."""
    labels = LABELS.get(language, LABELS["nl"])
    pdf = _SummaryPdf(format="A4", unit="mm")
    pdf.label, pdf.reference = labels["page"], incident.reference
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    for style, name in FONTS.items():
        pdf.add_font("Body", style=style, fname=_font(name))
    pdf.set_title(f"Herstel {incident.reference}")
    pdf.set_creation_date(incident.reported_at)  # reproducible: no time of export in the file
    pdf.add_page()

    def heading(text: str, size: int = 12) -> None:
        pdf.set_font("Body", "B", size)
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Body", "", 10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")

    definition = incident.definition
    heading(f"{labels['title']} {incident.reference}", 15)
    line(f"{labels['algorithm']}: {summary.algorithm}")
    line(f"{labels['protocol']}: {definition.key} v{definition.version} (SHA-256 {definition.digest})")
    line(f"{labels['state']}: {incident.state.value}")
    line(f"{labels['reported']}: {_when(incident.reported_at)}")
    if incident.closed_at:
        line(f"{labels['closed']}: {_when(incident.closed_at)}")
    pdf.ln(3)

    heading(labels["steps"])
    for key in definition.order():
        step, spec = incident.steps[key], definition.step(key)
        title = spec.title.get(language) or spec.title.get("nl") or key
        line(
            f"{title} — {step.state.value}; {labels['started']}: {_when(step.started_at)}; "
            f"{labels['ended']}: {_when(step.ended_at)}"
        )
    pdf.ln(3)

    heading(labels["deadlines"])
    rules = {rule.key: rule for rule in definition.deadlines}
    for deadline in sorted(incident.deadlines.values(), key=lambda d: d.due_at):
        rule = rules.get(deadline.rule)
        rule_title = (rule.title.get(language) or rule.title.get("nl")) if rule else None
        state = labels[deadline_state(deadline.state, deadline.met_at, deadline.due_at)]
        line(f"{rule_title or deadline.rule} — {labels['due']}: {_when(deadline.due_at)}; {state}")
    if not incident.deadlines:
        line("–")
    pdf.ln(3)

    heading(labels["counts"])
    line(f"{summary.events} {labels['events']}")
    for event_type, count in sorted(summary.event_types.items()):
        line(f"{event_type}: {count}")
    pdf.ln(3)
    line(labels["tree"].format(size=summary.tree_size, root=summary.root))
    pdf.ln(2)
    pdf.set_font("Body", "", 9)
    line(labels["note"])
    return bytes(pdf.output())
