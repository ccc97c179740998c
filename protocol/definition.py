"""A protocol definition: the steps of the protocol, their rules and deadlines, as data.

Definitions are loaded from versioned TOML files by `protocol.loader`; an incident keeps the
definition (key and version) it was opened under for its whole life.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from protocol.conditions import Condition
from protocol.evidence import EvidenceSchema

PERIOD_UNITS = ("hours", "days", "working_days", "weeks", "months")
STEP_EFFECTS = {
    "suspend_algorithm": "complete",  # completing the step records AlgorithmSuspended
    "assign_investigator": "start",  # starting the step assigns the investigator named in its evidence
}


@dataclass(frozen=True)
class WaiverRule:
    """When a step may be waived, and when a waiver needs a second person (four eyes)."""

    allowed: bool = True
    forbidden_when: Condition | None = None
    forbidden_reason: str = ""
    two_person_when: Condition | None = None


@dataclass(frozen=True)
class StepGuard:
    """A rule the evidence of a step must satisfy when the incident's facts call for it.

    `when` reads the incident's facts; `require` reads them together with the evidence given. A
    completion that does not satisfy `require` is refused with `rule` and `reason`."""

    rule: str
    when: Condition
    require: Condition
    reason: str


# What a letter and the citizen's status page may say about a step, by the step's role for the citizen.
CITIZEN_ROLES = {
    "suspension": "stopping the algorithm: the letter says whether it has stopped, in full or in part, "
    "and from `date` since when it did not work as it should",
    "investigation": "the independent investigation: the letter says whether it is under way or done, "
    "and from `date` by when it ends",
    "letters": "informing those affected: a letter campaign starts the step and the delivery of its letters "
    "completes it (completion = system)",
}
# The counts the letters ledger completes the `letters` step with; its evidence may declare any of them.
LETTER_COUNTS = ("letters", "delivered", "failed", "by_email", "by_post")


@dataclass(frozen=True)
class CitizenView:
    """What the citizen reads about a step: its title in plain words, and what letters may say about it.

    `role` (one of CITIZEN_ROLES) tells the letters what the step stands for; `date` names the evidence
    field whose date a letter may quote, `scope` an enum evidence field whose value "partial" makes
    the letter say the algorithm stopped in part. A letter quotes nothing else of the evidence."""

    title: Mapping[str, str]
    role: str | None = None
    date: str | None = None
    scope: str | None = None
    # What the citizen reads once the step is done: `tells` names an evidence field; for an enum,
    # `words` gives the sentence per choice; for a text, `lead` is put before the officer's words.
    tells: str | None = None
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    lead: Mapping[str, str] = field(default_factory=dict)
    skipped: Mapping[str, str] = field(default_factory=dict)  # said instead of "skipped" when it is waived
    item: str | None = None  # for a list field: the text field of each item the citizen reads

    def title_for(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or ""

    def conclusion(self, evidence: Mapping[str, Any], lang: str) -> str | None:
        """The step's conclusion in plain words from its evidence, or None when it tells nothing."""
        if self.tells is None:
            return None
        value = evidence.get(self.tells)
        if value in (None, "", []):
            return None
        if self.words:
            said = self.words.get(str(value), {})
            return said.get(lang) or said.get("en")
        if isinstance(value, list):  # a list: the `item` text of each entry
            value = "; ".join(str(entry.get(self.item) or "").strip() for entry in value if isinstance(entry, Mapping))
            if not value.strip("; "):
                return None
        lead = self.lead.get(lang) or self.lead.get("en") or ""
        return f"{lead}{value}" if lead else str(value)


@dataclass(frozen=True)
class StepDefinition:
    """One step of the protocol."""

    key: str
    title: Mapping[str, str]
    requires: tuple[str, ...] = ()
    applies_when: Condition | None = None  # None: always applies
    auto_start: bool = False
    completion: str = "manual"  # "manual" or "system" (completed by the system only)
    start_evidence: EvidenceSchema = field(default_factory=EvidenceSchema)
    evidence: EvidenceSchema = field(default_factory=EvidenceSchema)
    waiver: WaiverRule = field(default_factory=WaiverRule)
    effects: tuple[str, ...] = ()
    description: Mapping[str, str] = field(default_factory=dict)
    guards: tuple[StepGuard, ...] = ()
    citizen: CitizenView | None = None

    def title_for(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.key

    def citizen_title(self, lang: str) -> str:
        """The step's title as the citizen reads it: the `citizen` title, else the step's own."""
        return (self.citizen.title_for(lang) if self.citizen else "") or self.title_for(lang)


class CalendarRule(StrEnum):
    """How a period is counted; `protocol.calendar` holds the counting and its legal sources."""

    ATW = "atw"  # Algemene termijnenwet: Dutch statutory periods
    EU = "eu"  # Regulation 1182/71 art. 3: periods of EU law (AI Act, GDPR)
    HOURS = "hours"  # exact elapsed time, never extended
    WORKDAYS = "workdays"  # a count of working days (service norms), on the Atw's holidays

    def counts(self, unit: str) -> bool:
        """Whether this rule counts a period in `unit`."""
        return unit in RULE_UNITS[self]

    @classmethod
    def for_unit(cls, unit: str) -> CalendarRule:
        """The rule a definition that names none meant: hours and working days by their unit, else the Atw."""
        return {"hours": cls.HOURS, "working_days": cls.WORKDAYS}.get(unit, cls.ATW)


RULE_UNITS: Mapping[CalendarRule, tuple[str, ...]] = {
    CalendarRule.ATW: ("days", "weeks", "months"),
    CalendarRule.EU: ("days", "weeks", "months"),
    CalendarRule.HOURS: ("hours",),
    CalendarRule.WORKDAYS: ("working_days",),
}


@dataclass(frozen=True)
class Period:
    """A length of time as the law writes it: hours, calendar days, working days, weeks or months."""

    unit: str
    count: int

    def describe(self) -> str:
        return f"{self.count} {self.unit.replace('_', ' ')}"


@dataclass(frozen=True)
class EventMatch:
    """Matches an event by type and by equal values in its payload."""

    events: tuple[str, ...]
    where: Mapping[str, Any] = field(default_factory=dict)

    def matches(self, event_type: str, payload: Mapping[str, Any]) -> bool:
        return event_type in self.events and all(payload.get(k) == v for k, v in self.where.items())


@dataclass(frozen=True)
class DeadlineRule:
    """When a deadline is set, how long it runs, what meets it, and on what legal basis."""

    key: str
    title: Mapping[str, str]
    trigger: EventMatch
    period: Period
    met_by: EventMatch
    legal_basis: str
    calendar: CalendarRule = CalendarRule.ATW
    applies_when: Condition | None = None
    effective_from: date | None = None
    due_from_evidence: str | None = None  # an evidence date field that, when given, sets the last day
    subject: str | None = None  # a payload field that ties trigger and meeting event together
    reminders: tuple[Period, ...] = ()
    escalate_to: tuple[str, ...] = ()
    # The moment the period runs from: a datetime fact when it is known (for AI Act art. 73 and
    # GDPR art. 33, when the organisation became aware), else the trigger event or the report.
    runs_from_fact: str | None = None
    runs_from: str = "event"  # "event" or "reported"

    def title_for(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.key

    @property
    def atw(self) -> bool:
        """Whether the Algemene termijnenwet extends this period."""
        return self.calendar is CalendarRule.ATW


@dataclass(frozen=True)
class ProtocolDefinition:
    """A whole protocol, identified by key and version."""

    key: str
    version: int
    title: Mapping[str, str]
    steps: Mapping[str, StepDefinition]
    deadlines: tuple[DeadlineRule, ...]
    sources: tuple[str, ...] = ()
    incident_sources: tuple[str, ...] = ()
    protected_grounds: tuple[str, ...] = ()
    digest: str = ""  # SHA-256 of the file it was loaded from

    @property
    def ref(self) -> str:
        return f"{self.key}@{self.version}"

    def step(self, key: str) -> StepDefinition:
        return self.steps[key]

    def deadline_rule(self, key: str) -> DeadlineRule | None:
        """The deadline rule named `key`; None for a rule this version no longer has."""
        return next((r for r in self.deadlines if r.key == key), None)

    def order(self) -> list[str]:
        """The steps in the order the file lists them (which respects `requires`)."""
        return list(self.steps)

    @property
    def declares_citizen(self) -> bool:
        """Whether any step says what the citizen reads about it (definitions before nl-discrimination@3 do not)."""
        return any(step.citizen is not None for step in self.steps.values())

    def citizen_step(self, role: str) -> StepDefinition | None:
        """The step that plays `role` (CITIZEN_ROLES) for the citizen, if the definition has one.

        Without a declared `letters` step, the one step the system completes is it (as in the
        definitions published before the `citizen` tables)."""
        found = next((s for s in self.steps.values() if s.citizen and s.citizen.role == role), None)
        if found is None and role == "letters":
            system = [s for s in self.steps.values() if s.completion == "system"]
            found = system[0] if len(system) == 1 else None
        return found

    def with_citizen_words(self, newer: ProtocolDefinition) -> ProtocolDefinition:
        """This definition with the `citizen` tables of a newer version of the same protocol, for the
        steps both have with the same evidence the tables name. A published version never changes
        (its digest is on the chain), so incidents opened under one written before the `citizen`
        tables existed take the citizen's words from the version that has them."""
        if self.declares_citizen or newer.key != self.key:
            return self
        steps = dict(self.steps)
        for key, step in self.steps.items():
            view = newer.steps[key].citizen if key in newer.steps else None
            if view is None:
                continue
            names = set(step.evidence.names) | set(step.start_evidence.names)
            if all(name is None or name in names for name in (view.date, view.scope, view.tells)):
                steps[key] = replace(step, citizen=view)
        return replace(self, steps=steps)
