"""A deadline's calendar rule and start moment in a definition file: named, checked, and defaulted for old files."""

from __future__ import annotations

import pytest

from protocol.definition import CalendarRule
from protocol.errors import DefinitionError
from protocol.loader import load_definition_text
from tests.unit.protocol.test_loader import GOOD

AWARE = """
[steps.assess.evidence.became_aware_at]
type = "datetime"
fact = true
required = false

[steps.assess.evidence.death]
type = "boolean"
fact = true
required = false
default = false
"""


def with_deadline(lines: str, period: str = "period = { days = 5 }", extra: str = "") -> str:
    text = GOOD.replace("[steps.notify]", extra + "\n[steps.notify]")
    return text.replace("period = { days = 5 }", period + "\n" + lines)


def loaded_rule(text: str) -> CalendarRule:
    (rule,) = load_definition_text(text, source="test.toml").deadlines
    return rule.calendar


def refusal(text: str) -> str:
    with pytest.raises(DefinitionError) as caught:
        load_definition_text(text, source="test.toml")
    return str(caught.value)


@pytest.mark.parametrize(("rule", "period"), [("atw", "days"), ("eu", "weeks"), ("eu", "months")])
def test_a_named_rule_is_taken(rule: str, period: str) -> None:
    assert loaded_rule(with_deadline(f'rule = "{rule}"', f"period = {{ {period} = 2 }}")) is CalendarRule(rule)


@pytest.mark.parametrize(
    ("period", "atw", "rule"),
    [
        ("days = 5", "", CalendarRule.ATW),  # no rule given: the Atw, as before
        ("weeks = 6", "atw = true", CalendarRule.ATW),
        ("hours = 72", "atw = false", CalendarRule.HOURS),
        ("hours = 72", "", CalendarRule.HOURS),  # hours were never extended
        ("working_days = 2", "", CalendarRule.WORKDAYS),
    ],
)
def test_an_old_definition_without_a_rule_still_loads(period: str, atw: str, rule: CalendarRule) -> None:
    assert loaded_rule(with_deadline(atw, f"period = {{ {period} }}")) is rule


def test_an_unknown_rule_is_refused_naming_the_deadline_and_the_allowed_rules() -> None:
    message = refusal(with_deadline('rule = "julian"'))

    assert message.startswith("test.toml: deadlines.notify.rule: ")
    assert "deadline 'notify'" in message
    assert "allowed: atw, eu, hours, workdays" in message


@pytest.mark.parametrize(
    ("rule", "period"), [("hours", "days = 3"), ("eu", "hours = 72"), ("workdays", "weeks = 2"), ("atw", "hours = 1")]
)
def test_a_rule_that_does_not_count_the_unit_is_refused(rule: str, period: str) -> None:
    message = refusal(with_deadline(f'rule = "{rule}"', f"period = {{ {period} }}"))

    assert message.startswith("test.toml: deadlines.notify.rule: deadline 'notify': the ")


def test_rule_and_atw_together_are_refused() -> None:
    assert "not both" in refusal(with_deadline('rule = "eu"\natw = true'))


def test_a_period_may_run_from_a_datetime_fact() -> None:
    text = with_deadline('runs_from = { fact = "became_aware_at", otherwise = "reported" }', extra=AWARE)

    (rule,) = load_definition_text(text, source="test.toml").deadlines

    assert (rule.runs_from_fact, rule.runs_from) == ("became_aware_at", "reported")


@pytest.mark.parametrize(
    ("runs_from", "key"),
    [
        ('{ fact = "decided_on" }', "deadlines.notify.runs_from.fact"),  # a date, not a datetime fact
        ('{ fact = "became_aware_at", otherwise = "never" }', "deadlines.notify.runs_from.otherwise"),
        ('"yesterday"', "deadlines.notify.runs_from"),
    ],
)
def test_a_bad_start_moment_is_refused(runs_from: str, key: str) -> None:
    assert refusal(with_deadline(f"runs_from = {runs_from}", extra=AWARE)).startswith(f"test.toml: {key}: ")


def test_a_default_belongs_to_an_optional_boolean() -> None:
    required = AWARE.replace("required = false\ndefault", "default")
    assert "add required = false" in refusal(with_deadline("", extra=required))
    on_date = GOOD.replace(
        '[steps.assess.evidence.decided_on]\ntype = "date"',
        '[steps.assess.evidence.decided_on]\ntype = "date"\nrequired = false\ndefault = true',
    )
    assert "only a boolean field" in refusal(on_date)
