"""Conditions on an incident's facts: parsing, three-valued evaluation, descriptions, syntax errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.conditions import ALWAYS, Condition, ConditionSyntaxError, parse_condition

FACTS = {"outcome": "suspected", "severity": 3, "high_risk_ai": True, "widespread": False, "nothing": None}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"fact": "outcome", "eq": "suspected"}, True),
        ({"fact": "outcome", "eq": "established"}, False),
        ({"fact": "outcome", "ne": "unfounded"}, True),
        ({"fact": "outcome", "in": ["suspected", "established"]}, True),
        ({"fact": "outcome", "not_in": ["suspected"]}, False),
        ({"fact": "high_risk_ai", "is": True}, True),
        ({"fact": "widespread", "is": True}, False),
        ({"fact": "widespread", "is": False}, True),
        ({"fact": "severity", "gte": 3}, True),
        ({"fact": "severity", "gte": 4}, False),
        ({"fact": "severity", "lte": 3}, True),
        ({"fact": "severity", "lte": 2}, False),
        ({"fact": "nothing", "gte": 1}, False),  # a known but empty fact compares as False, not as an error
        ({"fact": "nothing", "lte": 1}, False),
        ({"fact": "nothing", "is": False}, True),
        ({"fact": "unknown", "eq": 1}, None),
        (True, True),
    ],
)
def test_comparisons(raw: Any, expected: bool | None) -> None:
    assert parse_condition(raw).evaluate(FACTS) is expected


@pytest.mark.parametrize(
    ("children", "all_", "any_"),
    [
        ([True, True], True, True),
        ([True, False], False, True),
        ([False, False], False, False),
        ([True, None], None, True),
        ([False, None], False, None),
        ([None, None], None, None),
    ],
)
def test_all_and_any_are_three_valued(children: list[bool | None], all_: bool | None, any_: bool | None) -> None:
    def part(value: bool | None) -> dict[str, Any]:
        return {"fact": "unknown", "eq": 1} if value is None else {"fact": "high_risk_ai", "is": value}

    parts = [part(v) for v in children]

    assert parse_condition({"all": parts}).evaluate(FACTS) is all_
    assert parse_condition({"any": parts}).evaluate(FACTS) is any_


def test_not_keeps_unknown_unknown() -> None:
    assert parse_condition({"not": {"fact": "unknown", "eq": 1}}).evaluate(FACTS) is None
    assert parse_condition({"not": {"fact": "widespread", "is": True}}).evaluate(FACTS) is True


leaf = st.builds(lambda fact, value: {"fact": fact, "is": value}, st.sampled_from(["a", "b", "c"]), st.booleans())
conditions = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        inner.map(lambda x: {"not": x}),
    ),
    max_leaves=8,
)
partial_facts = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.booleans())


@given(conditions, partial_facts)
def test_de_morgan_holds_in_three_valued_logic(raw: dict[str, Any], facts: dict[str, bool]) -> None:
    condition = parse_condition(raw)
    if condition.op not in ("all", "any"):
        return
    dual = "any" if condition.op == "all" else "all"
    mirrored = Condition(
        "not", children=(Condition(dual, children=tuple(Condition("not", children=(c,)) for c in condition.children)),)
    )

    assert condition.evaluate(facts) == mirrored.evaluate(facts)


@given(conditions, partial_facts, st.booleans())
def test_knowing_more_facts_never_flips_a_decided_condition(
    raw: dict[str, Any], facts: dict[str, bool], fill: bool
) -> None:
    condition = parse_condition(raw)
    before = condition.evaluate(facts)
    complete = {name: facts.get(name, fill) for name in ("a", "b", "c")}

    after = condition.evaluate(complete)

    assert after is not None
    if before is not None:
        assert after is before


def test_describe_and_facts_used() -> None:
    condition = parse_condition(
        {"all": [{"fact": "outcome", "ne": "unfounded"}, {"not": {"any": [{"fact": "widespread", "is": True}]}}]}
    )

    assert condition.describe() == "(outcome ne 'unfounded' and not (widespread is True))"
    assert condition.facts_used() == {"outcome", "widespread"}
    assert ALWAYS.describe() == "always"
    assert ALWAYS.facts_used() == set()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("outcome", "a condition is a table"),
        ({"all": []}, "'all' takes a non-empty list"),
        ({"any": {"fact": "x", "eq": 1}}, "'any' takes a non-empty list"),
        ({"all": [True], "fact": "x"}, "'all' takes a non-empty list of conditions and nothing else"),
        ({"not": True, "fact": "x"}, "'not' takes one condition"),
        ({"eq": 1}, "a comparison needs 'fact'"),
        ({"fact": "x"}, "got none"),
        ({"fact": "x", "eq": 1, "ne": 2}, "got eq, ne"),
        ({"fact": "x", "like": "a%"}, "got like"),
        ({"fact": "x", "in": "abc"}, "'in' takes a list"),
        ({"all": [{"fact": "x", "between": [1, 2]}]}, "got between"),
    ],
)
def test_malformed_conditions_are_refused_saying_how(raw: Any, message: str) -> None:
    with pytest.raises(ConditionSyntaxError, match=message.replace("(", r"\(")):
        parse_condition(raw)
