"""The definition model: labels with fallbacks, event matching, periods."""

from __future__ import annotations

from protocol.definition import EventMatch, Period
from tests.unit.protocol.support import DEFINITION


def test_titles_fall_back_to_english_and_then_the_key() -> None:
    step = DEFINITION.step("assess")

    assert step.title_for("nl") == "Beoordelen"
    assert step.title_for("fr") == "Assess"
    rule = next(r for r in DEFINITION.deadlines if r.key == "assess")
    assert rule.title_for("nl") == "Beoordeling binnen 2 werkdagen"
    assert DEFINITION.ref == "nl-discrimination@1"


def test_an_event_match_needs_the_type_and_every_payload_value() -> None:
    match = EventMatch(("StepCompleted", "StepWaived"), {"step": "assess"})

    assert match.matches("StepCompleted", {"step": "assess", "evidence": {}})
    assert match.matches("StepWaived", {"step": "assess"})
    assert not match.matches("StepStarted", {"step": "assess"})
    assert not match.matches("StepCompleted", {"step": "report"})
    assert not match.matches("StepCompleted", {})
    assert EventMatch(("IncidentReported",)).matches("IncidentReported", {})


def test_periods_describe_themselves() -> None:
    assert Period("working_days", 2).describe() == "2 working days"
    assert Period("hours", 72).describe() == "72 hours"
