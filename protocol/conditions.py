"""Conditions on an incident's facts, as they are written in a protocol definition.

A condition is data, for example ``{fact = "outcome", ne = "unfounded"}`` or
``{all = [{fact = "high_risk_ai", is = true}, {fact = "widespread", is = true}]}``.
Facts become known as steps complete; a condition over a fact that is not known yet evaluates to
``None`` (undetermined), and the three-valued ``all``/``any``/``not`` keep it so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPARISONS = ("eq", "ne", "in", "not_in", "is", "gte", "lte")


@dataclass(frozen=True)
class Condition:
    """A parsed condition; build it with `parse_condition`."""

    op: str  # "all", "any", "not", "always", or one of COMPARISONS
    fact: str | None = None
    value: Any = None
    children: tuple[Condition, ...] = ()

    def evaluate(self, facts: Mapping[str, Any]) -> bool | None:
        """True or False when decidable from `facts`, None while a fact it needs is unknown."""
        if self.op == "always":
            return True
        if self.op == "all":
            results = [c.evaluate(facts) for c in self.children]
            if False in results:
                return False
            return None if None in results else True
        if self.op == "any":
            results = [c.evaluate(facts) for c in self.children]
            if True in results:
                return True
            return None if None in results else False
        if self.op == "not":
            inner = self.children[0].evaluate(facts)
            return None if inner is None else not inner
        assert self.fact is not None
        if self.fact not in facts:
            return None
        return _compare(self.op, facts[self.fact], self.value)

    def facts_used(self) -> set[str]:
        """Every fact this condition reads, for validating a definition."""
        used = {self.fact} if self.fact else set()
        for child in self.children:
            used |= child.facts_used()
        return used

    def describe(self) -> str:
        """A short human-readable rendering, used in refusal messages."""
        if self.op == "always":
            return "always"
        if self.op in ("all", "any"):
            joiner = " and " if self.op == "all" else " or "
            return "(" + joiner.join(c.describe() for c in self.children) + ")"
        if self.op == "not":
            return f"not {self.children[0].describe()}"
        return f"{self.fact} {self.op} {self.value!r}"


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return bool(actual == expected)
    if op == "ne":
        return bool(actual != expected)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op == "is":
        return bool(actual) is bool(expected)
    if actual is None:
        return False
    if op == "gte":
        return bool(actual >= expected)
    return bool(actual <= expected)  # lte


ALWAYS = Condition("always")


class ConditionSyntaxError(ValueError):
    """A condition in a definition is malformed; the message says how."""


def parse_condition(raw: Any) -> Condition:
    """Parse the TOML form of a condition, refusing anything it does not know."""
    if raw is True:
        return ALWAYS
    if not isinstance(raw, Mapping):
        raise ConditionSyntaxError(f"a condition is a table, got {raw!r}")
    if "all" in raw or "any" in raw:
        op = "all" if "all" in raw else "any"
        if len(raw) != 1 or not isinstance(raw[op], list) or not raw[op]:
            raise ConditionSyntaxError(f"'{op}' takes a non-empty list of conditions and nothing else")
        return Condition(op, children=tuple(parse_condition(c) for c in raw[op]))
    if "not" in raw:
        if len(raw) != 1:
            raise ConditionSyntaxError("'not' takes one condition and nothing else")
        return Condition("not", children=(parse_condition(raw["not"]),))
    if "fact" not in raw:
        raise ConditionSyntaxError("a comparison needs 'fact'")
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in COMPARISONS:
        raise ConditionSyntaxError(
            f"a comparison needs exactly one of {', '.join(COMPARISONS)}, got {', '.join(ops) or 'none'}"
        )
    op = ops[0]
    value = raw[op]
    if op in ("in", "not_in") and not isinstance(value, list):
        raise ConditionSyntaxError(f"'{op}' takes a list")
    return Condition(op, fact=str(raw["fact"]), value=value)
