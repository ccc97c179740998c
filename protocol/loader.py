"""Loading protocol definitions from TOML, refusing a bad file with the file and key at fault.

The file format is documented in docs/protocol-definitions.md; the built-in definitions live in
protocol/definitions/. Validation is strict: unknown keys are errors, so a typo never silently
turns a rule off.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from protocol.conditions import Condition, ConditionSyntaxError, parse_condition
from protocol.definition import (
    CITIZEN_ROLES,
    LETTER_COUNTS,
    PERIOD_UNITS,
    RULE_UNITS,
    STEP_EFFECTS,
    CalendarRule,
    CitizenView,
    DeadlineRule,
    EventMatch,
    Period,
    ProtocolDefinition,
    StepDefinition,
    StepGuard,
    WaiverRule,
)
from protocol.errors import DefinitionError
from protocol.events import EVENT_TYPES
from protocol.evidence import FIELD_TYPES, EvidenceSchema, FieldSpec
from protocol.identity import Role

SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
INCIDENT_FACTS = {"source"}  # facts an incident has from its report
STEP_KEYS = {
    "title",
    "description",
    "requires",
    "applies_when",
    "auto_start",
    "completion",
    "waiver",
    "evidence",
    "start_evidence",
    "effects",
    "guards",
    "citizen",
}
CITIZEN_KEYS = {"title", "role", "date", "scope", "tells", "words", "lead", "skipped", "item"}
GUARD_KEYS = {"rule", "when", "require", "reason"}
WAIVER_KEYS = {"allowed", "forbidden_when", "forbidden_reason", "two_person_when"}
FIELD_KEYS = {
    "name",
    "type",
    "required",
    "label",
    "help",
    "fact",
    "choices",
    "minimum",
    "maximum",
    "max_length",
    "min_items",
    "max_items",
    "fields",
    "role",
    "default",
}
DEADLINE_KEYS = {
    "key",
    "title",
    "trigger",
    "period",
    "met_by",
    "legal_basis",
    "rule",
    "atw",
    "runs_from",
    "applies_when",
    "effective_from",
    "due_from_evidence",
    "subject",
    "reminders",
    "escalate_to",
}


def builtin_definition_paths() -> list[Path]:
    """The definition files shipped with Herstel."""
    folder = resources.files("protocol") / "definitions"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))


def load_definition_file(path: str | Path) -> ProtocolDefinition:
    """Load and validate one definition file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DefinitionError(str(path), "-", f"cannot read the file: {error.strerror}") from None
    return load_definition_text(data, source=str(path))


def load_definition_text(data: bytes | str, *, source: str) -> ProtocolDefinition:
    """Load and validate a definition from its TOML text; `source` names it in error messages."""
    raw_bytes = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw_bytes[: error.start].count(b"\n") + 1
        raise DefinitionError(source, f"line {line}", "the file is not UTF-8") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        key, line = _toml_error_place(text, str(error))
        duplicate = "Cannot overwrite" in str(error) or "Cannot declare" in str(error)
        problem = f"duplicate key or table at line {line}" if duplicate else f"not valid TOML ({error})"
        raise DefinitionError(source, key, problem) from None
    return _Parser(source, document, hashlib.sha256(raw_bytes).hexdigest()).parse()


_TOML_LINE = re.compile(r"at line (\d+)")
_TOML_HEADER = re.compile(r"^\[{1,2}([^\[\],=]+)\]{1,2}\s*(#.*)?$")


def _toml_error_place(text: str, message: str) -> tuple[str, int]:
    """The dotted key (best effort) and line a TOML error points at, since tomllib names neither key nor table.

    tomllib reports duplicates as "Cannot overwrite a value (at line 16, column 18)", or "at end of
    document" when the duplicate is the last line; the key is read back from that line and the
    table header above it.
    """
    lines = text.splitlines()
    found = _TOML_LINE.search(message)
    number = int(found.group(1)) if found else len(lines)
    while not found and number > 1 and not lines[number - 1].strip():
        number -= 1  # "end of document": the last line with something on it
    line = lines[number - 1].strip() if 0 < number <= len(lines) else ""
    header = ""
    for above in reversed(lines[: number - 1]):
        match = _TOML_HEADER.match(above.strip())
        if match:
            header = match.group(1)
            break
    own = _TOML_HEADER.match(line)
    if own:
        key = own.group(1)
    elif "=" in line:
        key = ".".join(filter(None, (header, line.split("=", 1)[0])))
    else:
        return "-", number
    return ".".join(part.strip() for part in key.split(".")), number


class _Parser:
    def __init__(self, source: str, document: dict[str, Any], digest: str) -> None:
        self.source = source
        self.doc = document
        self.digest = digest

    def fail(self, key: str, problem: str) -> DefinitionError:
        return DefinitionError(self.source, key, problem)

    # -------------------------------------------------------------- document

    def parse(self) -> ProtocolDefinition:
        self._only(self.doc, {"protocol", "incident", "steps", "deadlines"}, "")
        head = self._table(self.doc.get("protocol"), "protocol")
        self._only(head, {"key", "version", "title", "sources"}, "protocol")
        key = head.get("key")
        if not isinstance(key, str) or not SLUG.match(key):
            raise self.fail("protocol.key", "must be a lowercase identifier such as nl-discrimination")
        version = head.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("protocol.version", "must be a whole number of at least 1")
        incident = self._table(self.doc.get("incident", {}), "incident")
        self._only(incident, {"sources", "protected_grounds"}, "incident")

        raw_steps = self._table(self.doc.get("steps"), "steps")
        if not raw_steps:
            raise self.fail("steps", "a protocol needs at least one step")
        steps = {name: self._step(name, self._table(body, f"steps.{name}")) for name, body in raw_steps.items()}
        self._check_requires(steps)
        self._check_citizen_roles(steps)
        facts = INCIDENT_FACTS | {f for s in steps.values() for f in s.evidence.facts() | s.start_evidence.facts()}
        for name, step in steps.items():
            self._check_facts(step.applies_when, f"steps.{name}.applies_when", facts)
            self._check_facts(step.waiver.forbidden_when, f"steps.{name}.waiver.forbidden_when", facts)
            self._check_facts(step.waiver.two_person_when, f"steps.{name}.waiver.two_person_when", facts)
            for index, guard in enumerate(step.guards):
                where = f"steps.{name}.guards[{index}]"
                self._check_facts(guard.when, f"{where}.when", facts)
                self._check_facts(guard.require, f"{where}.require", facts | set(step.evidence.names))

        raw_deadlines = self.doc.get("deadlines", [])
        if not isinstance(raw_deadlines, list):
            raise self.fail("deadlines", "must be an array of tables ([[deadlines]])")
        deadlines: list[DeadlineRule] = []
        for index, body in enumerate(raw_deadlines):
            rule = self._deadline(index, self._table(body, f"deadlines[{index}]"), steps, facts)
            if any(r.key == rule.key for r in deadlines):
                raise self.fail(f"deadlines[{index}].key", f"duplicate deadline key {rule.key!r}")
            deadlines.append(rule)

        return ProtocolDefinition(
            key=key,
            version=version,
            title=self._labels(head.get("title", {}), "protocol.title"),
            steps=steps,
            deadlines=tuple(deadlines),
            sources=tuple(self._strings(head.get("sources", []), "protocol.sources")),
            incident_sources=tuple(self._strings(incident.get("sources", []), "incident.sources")),
            protected_grounds=tuple(self._strings(incident.get("protected_grounds", []), "incident.protected_grounds")),
            digest=self.digest,
        )

    # -------------------------------------------------------------- steps

    def _step(self, name: str, body: Mapping[str, Any]) -> StepDefinition:
        where = f"steps.{name}"
        if not SLUG.match(name):
            raise self.fail(where, "a step key must be a lowercase identifier")
        self._only(body, STEP_KEYS, where)
        completion = body.get("completion", "manual")
        if completion not in ("manual", "system"):
            raise self.fail(f"{where}.completion", "must be 'manual' or 'system'")
        effects = tuple(self._strings(body.get("effects", []), f"{where}.effects"))
        for effect in effects:
            if effect not in STEP_EFFECTS:
                raise self.fail(
                    f"{where}.effects", f"unknown effect {effect!r}; known: {', '.join(sorted(STEP_EFFECTS))}"
                )
        start_evidence = self._evidence(body.get("start_evidence", {}), f"{where}.start_evidence")
        if "assign_investigator" in effects and "investigator" not in start_evidence.names:
            raise self.fail(f"{where}.effects", "assign_investigator needs a start_evidence field 'investigator'")
        evidence = self._evidence(body.get("evidence", {}), f"{where}.evidence")
        citizen = None
        if "citizen" in body:
            citizen = self._citizen(body["citizen"], f"{where}.citizen", completion, start_evidence, evidence)
        return StepDefinition(
            key=name,
            title=self._labels(body.get("title", {}), f"{where}.title"),
            description=self._labels(body.get("description", {}), f"{where}.description"),
            requires=tuple(self._strings(body.get("requires", []), f"{where}.requires")),
            applies_when=self._condition(body.get("applies_when"), f"{where}.applies_when"),
            auto_start=self._bool(body.get("auto_start", False), f"{where}.auto_start"),
            completion=completion,
            start_evidence=start_evidence,
            evidence=evidence,
            waiver=self._waiver(body.get("waiver", {}), f"{where}.waiver"),
            effects=effects,
            guards=self._guards(body.get("guards", []), f"{where}.guards"),
            citizen=citizen,
        )

    def _citizen(
        self, raw: Any, where: str, completion: str, start_evidence: EvidenceSchema, evidence: EvidenceSchema
    ) -> CitizenView:
        """`[steps.<key>.citizen]`: the citizen's title and what a letter may say about the step."""
        body = self._table(raw, where)
        self._only(body, CITIZEN_KEYS, where)
        title = self._labels(body.get("title"), f"{where}.title") if "title" in body else {}
        if not title or not all(text.strip() for text in title.values()):
            raise self.fail(f"{where}.title", "required: the step's title in plain words, per language")
        role = body.get("role")
        if role is not None and role not in CITIZEN_ROLES:
            raise self.fail(f"{where}.role", f"unknown role {role!r}; known: {', '.join(CITIZEN_ROLES)}")
        fields = {f.name: f for f in (*start_evidence.fields, *evidence.fields)}
        day = body.get("date")
        if day is not None:
            if role not in ("suspension", "investigation"):
                raise self.fail(f"{where}.date", "only a suspension or investigation step gives a date to quote")
            if not isinstance(day, str) or day not in fields or fields[day].type not in ("date", "datetime"):
                raise self.fail(f"{where}.date", f"no date or datetime evidence field {day!r} in this step")
        scope = body.get("scope")
        if scope is not None:
            if role != "suspension":
                raise self.fail(f"{where}.scope", "only a suspension step has a scope")
            spec = {f.name: f for f in evidence.fields}.get(str(scope))
            if not spec or spec.type != "enum" or "partial" not in spec.choices:
                raise self.fail(f"{where}.scope", f"no enum evidence field {scope!r} with the choice 'partial'")
        if role == "letters":
            if completion != "system":
                raise self.fail(
                    f"{where}.role", "the letters step is completed by the system: add completion = 'system'"
                )
            extra = sorted(evidence.names - set(LETTER_COUNTS))
            if extra:
                raise self.fail(
                    f"{where}.role",
                    f"the letters ledger completes this step with {', '.join(LETTER_COUNTS)}; "
                    f"it cannot give {', '.join(extra)}",
                )
        tells, words, lead = self._citizen_conclusion(body, where, evidence)
        skipped = self._labels(body.get("skipped", {}), f"{where}.skipped")
        item = body.get("item")
        list_field = {f.name: f for f in evidence.fields}.get(str(tells)) if tells else None
        if list_field is not None and list_field.type == "list":
            if not any(f.name == item and f.type in ("text", "string") for f in list_field.fields):
                raise self.fail(f"{where}.item", f"required: a text field of the items of {tells!r}")
        elif item is not None:
            raise self.fail(f"{where}.item", "only with tells = <a list evidence field>")
        return CitizenView(
            title=title,
            role=role,
            date=day,
            scope=scope,
            tells=tells,
            words=words,
            lead=lead,
            skipped=skipped,
            item=None if item is None else str(item),
        )

    def _citizen_conclusion(
        self, body: Mapping[str, Any], where: str, evidence: EvidenceSchema
    ) -> tuple[str | None, dict[str, dict[str, str]], dict[str, str]]:
        """`tells`: the evidence field the citizen reads when the step is done; an enum needs `words`
        for each of its choices, a text may have a `lead`."""
        tells = body.get("tells")
        if tells is None:
            for key in ("words", "lead"):
                if key in body:
                    raise self.fail(f"{where}.{key}", "only with tells = <evidence field>")
            return None, {}, {}
        spec = {f.name: f for f in evidence.fields}.get(str(tells))
        if spec is None or spec.type not in ("enum", "text", "string", "list"):
            raise self.fail(f"{where}.tells", f"no enum, text, string or list evidence field {tells!r} in this step")
        words: dict[str, dict[str, str]] = {}
        if spec.type == "enum":
            raw = self._table(body.get("words"), f"{where}.words")
            for choice in spec.choices:
                if choice not in raw:
                    raise self.fail(f"{where}.words.{choice}", "required: the sentence for this choice")
            for choice, text in raw.items():
                if choice not in spec.choices:
                    raise self.fail(f"{where}.words.{choice}", f"not a choice of {tells!r}")
                words[choice] = self._labels(text, f"{where}.words.{choice}")
        elif "words" in body:
            raise self.fail(f"{where}.words", "only an enum field has words per choice; a text may have a lead")
        lead = self._labels(body.get("lead", {}), f"{where}.lead")
        if lead and spec.type == "enum":
            raise self.fail(f"{where}.lead", "an enum field has words per choice, not a lead")
        return str(tells), words, lead

    def _check_citizen_roles(self, steps: Mapping[str, StepDefinition]) -> None:
        seen: dict[str, str] = {}
        for name, step in steps.items():
            role = step.citizen.role if step.citizen else None
            if role is None:
                continue
            if role in seen:
                raise self.fail(f"steps.{name}.citizen.role", f"step {seen[role]!r} plays the role {role!r} already")
            seen[role] = name

    def _guards(self, raw: Any, where: str) -> tuple[StepGuard, ...]:
        if not isinstance(raw, list):
            raise self.fail(where, "must be an array of tables ([[steps.<key>.guards]])")
        guards = []
        for index, item in enumerate(raw):
            at = f"{where}[{index}]"
            body = self._table(item, at)
            self._only(body, GUARD_KEYS, at)
            rule = body.get("rule")
            if not isinstance(rule, str) or not SLUG.match(rule):
                raise self.fail(f"{at}.rule", "must be a lowercase identifier naming the rule")
            reason = body.get("reason")
            if not isinstance(reason, str) or not reason:
                raise self.fail(f"{at}.reason", "must say why, in words")
            when = self._condition(body.get("when", True), f"{at}.when")
            require = self._condition(body.get("require"), f"{at}.require")
            if when is None or require is None:
                raise self.fail(f"{at}.require", "a guard needs a condition the evidence must meet")
            guards.append(StepGuard(rule=rule, when=when, require=require, reason=reason))
        return tuple(guards)

    def _waiver(self, raw: Any, where: str) -> WaiverRule:
        body = self._table(raw, where)
        self._only(body, WAIVER_KEYS, where)
        return WaiverRule(
            allowed=self._bool(body.get("allowed", True), f"{where}.allowed"),
            forbidden_when=self._condition(body.get("forbidden_when"), f"{where}.forbidden_when"),
            forbidden_reason=str(body.get("forbidden_reason", "")),
            two_person_when=self._condition(body.get("two_person_when"), f"{where}.two_person_when"),
        )

    def _check_requires(self, steps: Mapping[str, StepDefinition]) -> None:
        for name, step in steps.items():
            for required in step.requires:
                if required not in steps:
                    raise self.fail(f"steps.{name}.requires", f"unknown step {required!r}")
        state: dict[str, str] = {}

        def visit(name: str, path: list[str]) -> None:
            if state.get(name) == "done":
                return
            if state.get(name) == "visiting":
                cycle = [*path[path.index(name) :], name]
                raise self.fail(f"steps.{name}.requires", "cycle: " + " -> ".join(cycle))
            state[name] = "visiting"
            for required in steps[name].requires:
                visit(required, [*path, name])
            state[name] = "done"

        for name in steps:
            visit(name, [])

    # -------------------------------------------------------------- evidence

    def _evidence(self, raw: Any, where: str) -> EvidenceSchema:
        body = dict(self._table(raw, where))
        one_of_raw = body.pop("one_of", [])
        fields = tuple(
            self._field(name, self._table(spec, f"{where}.{name}"), f"{where}.{name}") for name, spec in body.items()
        )
        names = {f.name for f in fields}
        groups: list[tuple[str, ...]] = []
        if not isinstance(one_of_raw, list):
            raise self.fail(f"{where}.one_of", "must be a list of lists of field names")
        for group in one_of_raw:
            members = tuple(self._strings(group, f"{where}.one_of"))
            for member in members:
                if member not in names:
                    raise self.fail(f"{where}.one_of", f"unknown evidence field {member!r}")
            groups.append(members)
        return EvidenceSchema(fields=fields, one_of=tuple(groups))

    def _field(self, name: str, body: Mapping[str, Any], where: str) -> FieldSpec:
        self._only(body, FIELD_KEYS, where)
        if not SLUG.match(name):
            raise self.fail(where, "a field name must be a lowercase identifier")
        kind = body.get("type")
        if kind not in FIELD_TYPES:
            raise self.fail(f"{where}.type", f"unknown field type {kind!r}; known: {', '.join(FIELD_TYPES)}")
        choices = tuple(self._strings(body.get("choices", []), f"{where}.choices"))
        if kind == "enum" and not choices:
            raise self.fail(f"{where}.choices", "an enum field needs choices")
        sub_fields: tuple[FieldSpec, ...] = ()
        if kind == "list":
            raw_items = body.get("fields")
            if not isinstance(raw_items, list) or not raw_items:
                raise self.fail(f"{where}.fields", "a list field needs [[...fields]] describing its items")
            seen: set[str] = set()
            items = []
            for index, item in enumerate(raw_items):
                item_table = self._table(item, f"{where}.fields[{index}]")
                item_name = item_table.get("name")
                if not isinstance(item_name, str):
                    raise self.fail(f"{where}.fields[{index}].name", "required")
                if item_name in seen:
                    raise self.fail(f"{where}.fields[{index}].name", f"duplicate field {item_name!r}")
                seen.add(item_name)
                items.append(self._field(item_name, item_table, f"{where}.fields[{index}]"))
            sub_fields = tuple(items)
        elif "fields" in body:
            raise self.fail(f"{where}.fields", "only a list field has item fields")
        default = body.get("default")
        if default is not None and (kind != "boolean" or not isinstance(default, bool)):
            raise self.fail(f"{where}.default", "only a boolean field has a default, true or false")
        if default is not None and body.get("required", True):
            raise self.fail(f"{where}.default", "a field with a default is optional: add required = false")
        return FieldSpec(
            name=name,
            default=default,
            type=kind,
            required=self._bool(body.get("required", True), f"{where}.required"),
            label=self._labels(body.get("label", {}), f"{where}.label"),
            help=self._labels(body.get("help", {}), f"{where}.help"),
            fact=self._bool(body.get("fact", False), f"{where}.fact"),
            choices=choices,
            minimum=self._int(body.get("minimum"), f"{where}.minimum"),
            maximum=self._int(body.get("maximum"), f"{where}.maximum"),
            max_length=self._int(body.get("max_length"), f"{where}.max_length"),
            min_items=self._int(body.get("min_items"), f"{where}.min_items") or 0,
            max_items=self._int(body.get("max_items"), f"{where}.max_items"),
            fields=sub_fields,
            role=self._role(body.get("role"), kind, f"{where}.role"),
        )

    def _role(self, raw: Any, kind: str, where: str) -> str | None:
        if raw is None:
            return None
        if kind != "user":
            raise self.fail(where, "only a user field names a role")
        if raw not in {r.value for r in Role}:
            raise self.fail(where, f"unknown role {raw!r}")
        return str(raw)

    # -------------------------------------------------------------- deadlines

    def _deadline(
        self, index: int, body: Mapping[str, Any], steps: Mapping[str, StepDefinition], facts: set[str]
    ) -> DeadlineRule:
        where = f"deadlines[{index}]"
        self._only(body, DEADLINE_KEYS, where)
        key = body.get("key")
        if not isinstance(key, str) or not SLUG.match(key):
            raise self.fail(f"{where}.key", "required: a lowercase identifier")
        where = f"deadlines.{key}"
        legal_basis = body.get("legal_basis")
        if not isinstance(legal_basis, str) or not legal_basis.strip():
            raise self.fail(f"{where}.legal_basis", "required: the law or norm this deadline comes from")
        applies_when = self._condition(body.get("applies_when"), f"{where}.applies_when")
        self._check_facts(applies_when, f"{where}.applies_when", facts)
        effective = body.get("effective_from")
        if effective is not None and (not isinstance(effective, date) or hasattr(effective, "hour")):
            raise self.fail(f"{where}.effective_from", "must be a date such as 2027-12-02")
        due_field = body.get("due_from_evidence")
        if due_field is not None and not any(
            f.name == due_field and f.type == "date"
            for s in steps.values()
            for f in (*s.evidence.fields, *s.start_evidence.fields)
        ):
            raise self.fail(f"{where}.due_from_evidence", f"no date evidence field {due_field!r} in any step")
        escalate = tuple(self._strings(body.get("escalate_to", []), f"{where}.escalate_to"))
        for role in escalate:
            if role not in {r.value for r in Role}:
                raise self.fail(f"{where}.escalate_to", f"unknown role {role!r}")
        subject = body.get("subject")
        if subject is not None and not isinstance(subject, str):
            raise self.fail(f"{where}.subject", "must be the name of a payload field")
        period = self._period(body.get("period"), f"{where}.period")
        rule = self._calendar_rule(body, period, key, where)
        runs_from_fact, runs_from = self._runs_from(body.get("runs_from", "event"), f"{where}.runs_from", steps)
        reminders_raw = body.get("reminders", [])
        if not isinstance(reminders_raw, list):
            raise self.fail(f"{where}.reminders", "must be a list of periods")
        return DeadlineRule(
            key=key,
            title=self._labels(body.get("title", {}), f"{where}.title"),
            trigger=self._match(body.get("trigger"), f"{where}.trigger", steps),
            period=period,
            met_by=self._match(body.get("met_by"), f"{where}.met_by", steps),
            legal_basis=legal_basis.strip(),
            calendar=rule,
            runs_from_fact=runs_from_fact,
            runs_from=runs_from,
            applies_when=applies_when,
            effective_from=effective,
            due_from_evidence=due_field,
            subject=subject,
            reminders=tuple(self._period(r, f"{where}.reminders[{i}]") for i, r in enumerate(reminders_raw)),
            escalate_to=escalate,
        )

    def _calendar_rule(self, body: Mapping[str, Any], period: Period, key: str, where: str) -> CalendarRule:
        """The deadline's calendar rule; a file without `rule` keeps its old meaning (the Atw, hours never extended)."""
        allowed = ", ".join(r.value for r in CalendarRule)
        raw = body.get("rule")
        if raw is None:
            atw = self._bool(body.get("atw", True), f"{where}.atw")
            rule = CalendarRule.for_unit(period.unit)
            if not atw and rule is CalendarRule.ATW:
                raise self.fail(
                    f"{where}.atw", f"deadline {key!r}: a period in {period.unit} needs a calendar rule ({allowed})"
                )
            return rule
        if "atw" in body:
            raise self.fail(f"{where}.atw", f"deadline {key!r}: give either rule or the older atw, not both")
        if raw not in {r.value for r in CalendarRule}:
            raise self.fail(f"{where}.rule", f"deadline {key!r}: unknown calendar rule {raw!r}; allowed: {allowed}")
        rule = CalendarRule(raw)
        if not rule.counts(period.unit):
            units = " or ".join(u.replace("_", " ") for u in RULE_UNITS[rule])
            raise self.fail(
                f"{where}.rule",
                f"deadline {key!r}: the {rule.value} rule counts a period in {units}, "
                f"not in {period.unit.replace('_', ' ')}",
            )
        return rule

    def _runs_from(self, raw: Any, where: str, steps: Mapping[str, StepDefinition]) -> tuple[str | None, str]:
        """What the period runs from: "event", "reported", or {fact = <datetime fact>, otherwise = one of those}."""
        moments = ("event", "reported")
        if isinstance(raw, str):
            if raw not in moments:
                raise self.fail(where, f"must be one of {', '.join(moments)}, or {{ fact = ..., otherwise = ... }}")
            return None, raw
        body = self._table(raw, where)
        self._only(body, {"fact", "otherwise"}, where)
        fact = body.get("fact")
        if not any(
            f.name == fact and f.type == "datetime" and f.fact
            for s in steps.values()
            for f in (*s.evidence.fields, *s.start_evidence.fields)
        ):
            raise self.fail(f"{where}.fact", f"no datetime evidence field {fact!r} with fact = true in any step")
        otherwise = body.get("otherwise", "event")
        if otherwise not in moments:
            raise self.fail(f"{where}.otherwise", f"must be one of {', '.join(moments)}")
        return str(fact), str(otherwise)

    def _match(self, raw: Any, where: str, steps: Mapping[str, StepDefinition]) -> EventMatch:
        body = self._table(raw, where)
        self._only(body, {"event", "where"}, where)
        events_raw = body.get("event")
        events = [events_raw] if isinstance(events_raw, str) else events_raw
        if not isinstance(events, list) or not events:
            raise self.fail(f"{where}.event", "required: an event type or a list of them")
        for event in events:
            if event not in EVENT_TYPES:
                raise self.fail(f"{where}.event", f"unknown event type {event!r}")
        conditions = dict(self._table(body.get("where", {}), f"{where}.where"))
        if "step" in conditions and conditions["step"] not in steps:
            raise self.fail(f"{where}.where.step", f"unknown step {conditions['step']!r}")
        return EventMatch(events=tuple(events), where=conditions)

    def _period(self, raw: Any, where: str) -> Period:
        body = self._table(raw, where)
        if len(body) != 1:
            raise self.fail(where, f"a period has exactly one of: {', '.join(PERIOD_UNITS)}")
        ((unit, count),) = body.items()
        if unit not in PERIOD_UNITS:
            raise self.fail(where, f"unknown unit {unit!r}; known: {', '.join(PERIOD_UNITS)}")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise self.fail(f"{where}.{unit}", "must be a whole number of at least 1")
        return Period(unit, count)

    # -------------------------------------------------------------- small parts

    def _condition(self, raw: Any, where: str) -> Condition | None:
        if raw is None:
            return None
        try:
            return parse_condition(raw)
        except ConditionSyntaxError as error:
            raise self.fail(where, str(error)) from None

    def _check_facts(self, condition: Condition | None, where: str, facts: set[str]) -> None:
        if condition is None:
            return
        unknown = sorted(condition.facts_used() - facts)
        if unknown:
            raise self.fail(where, f"unknown fact(s) {', '.join(unknown)}; known: {', '.join(sorted(facts))}")

    def _table(self, raw: Any, where: str) -> Mapping[str, Any]:
        if raw is None:
            raise self.fail(where, "required")
        if not isinstance(raw, Mapping):
            raise self.fail(where, "must be a table")
        return raw

    def _only(self, body: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in body:
            if key not in allowed:
                prefix = f"{where}." if where else ""
                raise self.fail(f"{prefix}{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}")

    def _strings(self, raw: Any, where: str) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise self.fail(where, "must be a list of strings")
        if len(set(raw)) != len(raw):
            raise self.fail(where, "has duplicates")
        return list(raw)

    def _labels(self, raw: Any, where: str) -> dict[str, str]:
        if isinstance(raw, str):
            return {"en": raw}
        if not isinstance(raw, Mapping) or not all(isinstance(v, str) for v in raw.values()):
            raise self.fail(where, "must be a string or a table of language → text")
        return dict(raw)

    def _bool(self, raw: Any, where: str) -> bool:
        if not isinstance(raw, bool):
            raise self.fail(where, "must be true or false")
        return raw

    def _int(self, raw: Any, where: str) -> int | None:
        if raw is None:
            return None
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise self.fail(where, "must be a whole number")
        return raw
