"""Loading protocol definitions: the built-in one loads, and a bad file is refused naming the file and key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from protocol.errors import DefinitionError
from protocol.loader import builtin_definition_paths, load_definition_file, load_definition_text

GOOD = """\
[protocol]
key = "mini"
version = 1
title = "A small protocol"

[steps.assess]
auto_start = true

[steps.assess.evidence.outcome]
type = "enum"
choices = ["yes", "no"]
fact = true

[steps.assess.evidence.decided_on]
type = "date"

[steps.notify]
requires = ["assess"]
applies_when = { fact = "outcome", eq = "yes" }

[steps.notify.evidence.who]
type = "user"
role = "investigator"

[[deadlines]]
key = "notify"
trigger = { event = "StepCompleted", where = { step = "assess" } }
period = { days = 5 }
met_by = { event = "StepCompleted", where = { step = "notify" } }
legal_basis = "test"
escalate_to = ["coordinator"]
"""


def bad(path: Path, text: str | bytes) -> DefinitionError:
    """Write `text` to a file, load it, and return the refusal (which must name the file)."""
    if isinstance(text, str):
        path.write_text(text, "utf-8")
    else:
        path.write_bytes(text)
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    error = caught.value
    assert str(error).startswith(f"{path}: {error.key}: "), str(error)
    assert error.source == str(path)
    return error


def edit(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


# ---------------------------------------------------------------------- the good ones


def test_the_built_in_definition_loads() -> None:
    (path,) = [p for p in builtin_definition_paths() if p.name == "nl-discrimination-1.toml"]

    definition = load_definition_file(path)

    assert definition.ref == "nl-discrimination@1"
    assert definition.order() == ["assess", "suspend", "report", "investigate", "inform", "sanction", "safeguard"]
    assert definition.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    # 10 protocol deadlines, plus 3 for citizens' responses (Awb 7:10, 9:11, 4:13)
    assert len(definition.deadlines) == 13
    assert definition.step("assess").auto_start
    assert definition.step("inform").completion == "system"
    assert definition.step("suspend").effects == ("suspend_algorithm",)
    assert definition.step("investigate").effects == ("assign_investigator",)
    assert not definition.step("assess").waiver.allowed
    assert "employee" in definition.incident_sources
    assert "civil_status" in definition.protected_grounds
    gdpr = next(r for r in definition.deadlines if r.key == "report-gdpr-art33")
    assert (gdpr.period.unit, gdpr.period.count, gdpr.atw) == ("hours", 72, False)


@pytest.mark.parametrize("path", builtin_definition_paths(), ids=lambda p: p.name)
def test_every_built_in_definition_loads(path: Path) -> None:
    assert load_definition_file(path).steps


def test_a_small_definition_loads_from_text() -> None:
    definition = load_definition_text(GOOD, source="inline")

    assert definition.title == {"en": "A small protocol"}
    assert definition.step("notify").requires == ("assess",)
    assert definition.step("notify").evidence.fields[0].role == "investigator"
    assert definition.step("assess").evidence.facts() == {"outcome"}
    assert definition.digest == hashlib.sha256(GOOD.encode()).hexdigest()


# ---------------------------------------------------------------------- refusals

CASES = {
    "unknown step in requires": (
        edit('requires = ["assess"]', 'requires = ["assess", "asess"]'),
        "steps.notify.requires",
        "unknown step 'asess'",
    ),
    "a cycle": (
        edit("auto_start = true", 'auto_start = true\nrequires = ["notify"]'),
        "steps.assess.requires",
        "cycle: assess -> notify -> assess",
    ),
    "unknown condition fact": (
        edit('fact = "outcome"', 'fact = "outcom"'),
        "steps.notify.applies_when",
        "unknown fact(s) outcom; known: outcome, source",
    ),
    "unknown fact in a waiver condition": (
        GOOD + '\n[steps.notify.waiver]\ntwo_person_when = { fact = "severity", gte = 3 }\n',
        "steps.notify.waiver.two_person_when",
        "unknown fact(s) severity",
    ),
    "unknown evidence field in one_of": (
        edit(
            "[steps.notify.evidence.who]",
            '[steps.notify.evidence]\none_of = [["who", "whom"]]\n\n[steps.notify.evidence.who]',
        ),
        "steps.notify.evidence.one_of",
        "unknown evidence field 'whom'",
    ),
    "unknown field type": (
        edit('type = "date"', 'type = "colour"'),
        "steps.assess.evidence.decided_on.type",
        "unknown field type 'colour'",
    ),
    "typo in a step": (
        edit('requires = ["assess"]', 'requries = ["assess"]'),
        "steps.notify.requries",
        "unknown key; allowed:",
    ),
    "typo in a field": (
        edit('type = "date"', 'type = "date"\nrequried = false'),
        "steps.assess.evidence.decided_on.requried",
        "unknown key",
    ),
    "typo in the head": (edit("version = 1", "version = 1\nverison = 2"), "protocol.verison", "unknown key"),
    "typo at the top": (
        GOOD + "\n[step.extra]\n",
        "step",
        "unknown key; allowed: deadlines, incident, protocol, steps",
    ),
    "typo in a deadline": (
        edit('legal_basis = "test"', 'legal_bases = "test"'),
        "deadlines[0].legal_bases",
        "unknown key",
    ),
    "typo in a match": (
        edit('trigger = { event = "StepCompleted", where', 'trigger = { event = "StepCompleted", wehre'),
        "deadlines.notify.trigger.wehre",
        "unknown key",
    ),
    "typo in a waiver": (
        GOOD + "\n[steps.notify.waiver]\ntwo_persons_when = true\n",
        "steps.notify.waiver.two_persons_when",
        "unknown key",
    ),
    "duplicate deadline key": (
        GOOD + GOOD[GOOD.index("[[deadlines]]") :],
        "deadlines[1].key",
        "duplicate deadline key 'notify'",
    ),
    "unknown event type in trigger": (
        edit('trigger = { event = "StepCompleted"', 'trigger = { event = "StepFinished"'),
        "deadlines.notify.trigger.event",
        "unknown event type 'StepFinished'",
    ),
    "unknown step in a match": (
        edit('where = { step = "notify" }', 'where = { step = "notfy" }'),
        "deadlines.notify.met_by.where.step",
        "unknown step 'notfy'",
    ),
    "unknown period unit": (
        edit("period = { days = 5 }", "period = { fortnights = 1 }"),
        "deadlines.notify.period",
        "unknown unit 'fortnights'",
    ),
    "zero period": (
        edit("period = { days = 5 }", "period = { days = 0 }"),
        "deadlines.notify.period.days",
        "at least 1",
    ),
    "period as text": (
        edit("period = { days = 5 }", 'period = { days = "5" }'),
        "deadlines.notify.period.days",
        "whole number",
    ),
    "two units": (
        edit("period = { days = 5 }", "period = { days = 5, hours = 2 }"),
        "deadlines.notify.period",
        "exactly one of: hours, days, working_days, weeks",
    ),
    "bad reminder": (
        edit('legal_basis = "test"', 'legal_basis = "test"\nreminders = [{ fortnights = 1 }]'),
        "deadlines.notify.reminders[0]",
        "unknown unit 'fortnights'",
    ),
    "due_from_evidence naming no field": (
        edit('legal_basis = "test"', 'legal_basis = "test"\ndue_from_evidence = "agreed_on"'),
        "deadlines.notify.due_from_evidence",
        "no date evidence field 'agreed_on'",
    ),
    "due_from_evidence naming a field that is no date": (
        edit('legal_basis = "test"', 'legal_basis = "test"\ndue_from_evidence = "outcome"'),
        "deadlines.notify.due_from_evidence",
        "no date evidence field 'outcome'",
    ),
    "unknown role of a user field": (
        edit('role = "investigator"', 'role = "judge"'),
        "steps.notify.evidence.who.role",
        "unknown role 'judge'",
    ),
    "unknown role to escalate to": (
        edit('escalate_to = ["coordinator"]', 'escalate_to = ["boss"]'),
        "deadlines.notify.escalate_to",
        "unknown role 'boss'",
    ),
    "a role on a field that names no user": (
        edit('type = "date"', 'type = "date"\nrole = "officer"'),
        "steps.assess.evidence.decided_on.role",
        "only a user field names a role",
    ),
    "effective_from that is not a date": (
        edit('legal_basis = "test"', 'legal_basis = "test"\neffective_from = "2027-12-02"'),
        "deadlines.notify.effective_from",
        "must be a date",
    ),
    "no legal basis": (edit('legal_basis = "test"\n', ""), "deadlines.notify.legal_basis", "required"),
    "unknown effect": (
        edit('requires = ["assess"]', 'requires = ["assess"]\neffects = ["notify_press"]'),
        "steps.notify.effects",
        "unknown effect 'notify_press'",
    ),
    "assign_investigator without an investigator field": (
        edit('requires = ["assess"]', 'requires = ["assess"]\neffects = ["assign_investigator"]'),
        "steps.notify.effects",
        "needs a start_evidence field 'investigator'",
    ),
    "a malformed condition": (
        edit('applies_when = { fact = "outcome", eq = "yes" }', 'applies_when = { fact = "outcome", like = "y%" }'),
        "steps.notify.applies_when",
        "exactly one of",
    ),
    "a step key that is no identifier": (
        GOOD + '\n[steps."Send Letters"]\n',
        "steps.Send Letters",
        "lowercase identifier",
    ),
    "no version": (edit("version = 1\n", ""), "protocol.version", "at least 1"),
    "no steps": (GOOD[: GOOD.index("[steps.assess]")], "steps", "required"),
}


@pytest.mark.parametrize(("text", "key", "problem"), CASES.values(), ids=list(CASES))
def test_a_bad_definition_is_refused_naming_the_file_and_the_key(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    error = bad(tmp_path / "mine.toml", text)

    assert error.key == key
    assert problem in error.problem
    assert error.rule == "definition"


def test_a_duplicate_toml_key_is_refused_naming_the_key(tmp_path: Path) -> None:
    text = edit('type = "date"', 'type = "date"\ntype = "datetime"')

    error = bad(tmp_path / "dup.toml", text)

    assert error.key == "steps.assess.evidence.decided_on.type"
    assert error.problem == "duplicate key or table at line 16"


def test_a_table_declared_twice_is_refused_naming_it(tmp_path: Path) -> None:
    text = GOOD + '\n[steps.notify]\ntitle = "again"\n'

    error = bad(tmp_path / "dup.toml", text)

    assert error.key == "steps.notify"
    assert error.problem == "duplicate key or table at line 33"


def test_a_duplicate_on_the_last_line_is_found_too(tmp_path: Path) -> None:
    text = GOOD + 'legal_basis = "again"'  # no newline at the end: tomllib says "at end of document"

    error = bad(tmp_path / "dup.toml", text)

    assert error.key == "deadlines.legal_basis"


def test_a_duplicate_inside_an_inline_table_names_its_key(tmp_path: Path) -> None:
    error = bad(tmp_path / "dup.toml", edit("period = { days = 5 }", "period = { days = 5, days = 6 }"))

    assert error.key == "deadlines.period"


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    text = edit('title = "A small protocol"', 'title = "Discriminatieprotocol \xe9"').encode("latin-1")

    error = bad(tmp_path / "latin1.toml", text)

    assert "not UTF-8" in error.problem
    assert "line 4" in str(error)


def test_a_file_that_cannot_be_read_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"missing\.toml: -: cannot read the file"):
        load_definition_file(tmp_path / "missing.toml")


def test_invalid_toml_is_refused_naming_the_file(tmp_path: Path) -> None:
    error = bad(tmp_path / "broken.toml", GOOD + "\n[steps.other\n")

    assert "not valid TOML" in error.problem
    assert "line 33" in error.problem


# ---------------------------------------------------------------------- step guards

GUARDED = """
[[steps.notify.guards]]
rule = "yes-needs-someone"
when = { fact = "outcome", eq = "yes" }
require = { fact = "who", ne = "" }
reason = "someone must be named"
"""


def test_a_step_guard_loads_with_its_rule_and_reason() -> None:
    definition = load_definition_text(
        edit("[steps.notify.evidence.who]", GUARDED + "\n[steps.notify.evidence.who]"), source="guarded.toml"
    )

    (guard,) = definition.steps["notify"].guards
    assert (guard.rule, guard.reason) == ("yes-needs-someone", "someone must be named")
    assert guard.when.facts_used() == {"outcome"}
    assert guard.require.facts_used() == {"who"}


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            'require = { fact = "who", ne = "" }',
            'require = { fact = "whom", ne = "" }',
            "steps.notify.guards[0].require",
        ),
        (
            'when = { fact = "outcome", eq = "yes" }',
            'when = { fact = "mood", eq = "yes" }',
            "steps.notify.guards[0].when",
        ),
        ('rule = "yes-needs-someone"', 'rule = "Yes Needs"', "steps.notify.guards[0].rule"),
        ('reason = "someone must be named"', 'reason = ""', "steps.notify.guards[0].reason"),
        ('require = { fact = "who", ne = "" }', "", "steps.notify.guards[0].require"),
    ],
)
def test_a_bad_step_guard_is_refused_naming_its_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    text = edit("[steps.notify.evidence.who]", GUARDED.replace(old, new) + "\n[steps.notify.evidence.who]")

    assert bad(tmp_path / "guarded.toml", text).key == key


def test_the_default_definition_guards_the_suspension_of_an_established_discrimination() -> None:
    latest = max(builtin_definition_paths(), key=lambda p: p.name)
    guards = load_definition_file(latest).steps["suspend"].guards

    assert [g.rule for g in guards] == ["established-requires-full-confirmed-suspension"]
    assert guards[0].require.evaluate({"scope": "partial", "confirmed_by_owner": True}) is False
    assert guards[0].require.evaluate({"scope": "full", "confirmed_by_owner": False}) is False
    assert guards[0].require.evaluate({"scope": "full", "confirmed_by_owner": True}) is True
