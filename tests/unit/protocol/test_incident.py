"""The incident aggregate: reporting, the step actions, their effects and the facts they establish."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from protocol.errors import IllegalTransition, InvalidEvidence, NotAllowed, NotFound
from protocol.identity import SYSTEM
from protocol.incident import Incident, IncidentState, text_digest
from protocol.steps import StepState
from tests.unit.protocol.support import (
    ALGORITHM,
    DEFINITION,
    DOCUMENT,
    INVESTIGATOR,
    OFFICER,
    T0,
    assessed,
    assessment,
    commission,
    complete,
    letters_accounted_for,
    refused,
    report,
    start,
    suspension,
    types,
)


def states(incident: Incident) -> dict[str, str]:
    return {key: step.state.value for key, step in incident.steps.items()}


# ---------------------------------------------------------------------- reporting


def test_a_report_opens_an_incident_at_version_1_with_assess_started_automatically() -> None:
    incident = report()

    assert incident.state is IncidentState.OPEN
    assert incident.version == 1
    assert states(incident) == {
        "assess": "active",
        "suspend": "pending",
        "report": "pending",
        "investigate": "pending",
        "inform": "pending",
        "sanction": "pending",
        "safeguard": "pending",
    }
    assert types(incident) == ["IncidentReported", "StepStarted", "DeadlineSet"]
    started = incident.events[1]
    assert started.actor == "system"
    assert started.payload == {"step": "assess", "automatic": True, "evidence": {}}
    assert incident.steps["assess"].started_by == "system"
    assert incident.facts == {"source": "employee"}


def test_the_report_event_carries_ids_and_digests_never_the_free_text() -> None:
    incident = report()

    payload = incident.events[0].payload
    assert incident.events[0].actor == OFFICER.ref()
    assert payload["algorithm_id"] == str(ALGORITHM)
    assert payload["protocol"] == {"key": "nl-discrimination", "version": 1, "digest": DEFINITION.digest}
    assert payload["content_digest"] == text_digest(incident.title + "\n" + incident.description)
    assert "single parents" not in json.dumps(payload)


def test_report_strips_text_and_deduplicates_grounds() -> None:
    incident = report(title="  Title  ", protected_grounds=["sex", "age", "sex"])

    assert incident.title == "Title"
    assert incident.protected_grounds == ("sex", "age")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "required"),
        ({"title": "x" * 301}, "title", "at most 300 characters"),
        ({"description": "x" * 20_001}, "description", "at most 20000 characters"),
        ({"source": "rumour"}, "source", "must be one of: employee, citizen"),
        ({"protected_grounds": ["hair_colour", "age"]}, "protected_grounds", "unknown: hair_colour"),
        ({"detected_at": T0.replace(tzinfo=None)}, "detected_at", "needs a time zone"),
        ({"detected_at": T0 + timedelta(seconds=1)}, "detected_at", "lies in the future"),
    ],
)
def test_a_bad_report_is_refused_naming_each_field(overrides: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        report(**overrides)

    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field][0]


def test_a_report_lists_every_problem_at_once() -> None:
    with pytest.raises(InvalidEvidence) as caught:
        report(title="", source="rumour", detected_at=T0 + timedelta(days=1))

    assert set(caught.value.errors) == {"title", "source", "detected_at"}


# ---------------------------------------------------------------------- start and complete


def test_completing_assess_records_the_evidence_and_makes_its_fields_facts() -> None:
    incident = report()
    now = T0 + timedelta(hours=3)

    complete(incident, "assess", assessment("established", severity=4), now=now)

    step = incident.steps["assess"]
    assert step.state is StepState.COMPLETED
    assert (step.ended_at, step.ended_by) == (now, OFFICER.ref())
    assert step.evidence["severity"] == 4
    assert incident.facts == {
        "source": "employee",
        "outcome": "established",
        "severity": 4,
        "estimated_affected": 1200,
        "high_risk_ai": False,
        "personal_data_breach": False,
        "widespread": False,
    }
    completed = next(e for e in incident.events if e.type == "StepCompleted")
    assert completed.payload["evidence"]["summary"] == text_digest("The score weighs household composition.")
    assert completed.payload["evidence"]["outcome"] == "established"


def test_starting_a_step_records_who_and_when() -> None:
    incident = assessed("suspected")
    now = T0 + timedelta(hours=1)

    start(incident, "report", now=now)

    step = incident.steps["report"]
    assert (step.state, step.started_at, step.started_by) == (StepState.ACTIVE, now, OFFICER.ref())
    assert incident.events[-1].type == "StepStarted"
    assert incident.events[-1].payload == {"step": "report", "automatic": False, "evidence": {}}


def test_an_unknown_step_is_not_found() -> None:
    incident = report()

    error = refused(incident, NotFound, lambda: start(incident, "pray"))

    assert error.rule == "unknown-step"
    assert error.details == {"step": "pray"}


# ---------------------------------------------------------------------- effects


def test_completing_suspend_records_that_the_algorithm_is_suspended() -> None:
    incident = assessed("established")
    start(incident, "suspend")

    complete(incident, "suspend", suspension(scope="partial"))

    suspended = next(e for e in incident.events if e.type == "AlgorithmSuspended")
    assert suspended.payload == {
        "algorithm_id": str(ALGORITHM),
        "scope": "partial",
        "since": "2026-10-31T23:00:00.000000Z",
    }
    assert types(incident).index("StepCompleted", 4) < types(incident).index("AlgorithmSuspended")


def test_no_other_step_suspends_the_algorithm() -> None:
    incident = assessed("suspected")
    start(incident, "report")
    complete(incident, "report")

    assert "AlgorithmSuspended" not in types(incident)


def test_starting_investigate_assigns_the_investigator_named_in_its_evidence() -> None:
    incident = assessed("suspected")

    start(incident, "investigate", **commission())

    assert incident.assignments == {INVESTIGATOR.id}
    assigned = next(e for e in incident.events if e.type == "InvestigatorAssigned")
    assert assigned.payload == {"user_id": str(INVESTIGATOR.id), "step": "investigate"}
    assert ("assignment", INVESTIGATOR.id) in incident.dirty


def test_investigate_cannot_start_without_an_investigator() -> None:
    incident = assessed("suspected")

    error = refused(incident, InvalidEvidence, lambda: start(incident, "investigate"))

    assert error.errors == {"investigator": ["required"]}


def test_the_investigator_may_complete_investigate_with_the_report() -> None:
    incident = assessed("suspected")
    start(incident, "investigate", **commission())

    complete(
        incident,
        "investigate",
        {"report_document": str(DOCUMENT), "conclusion": "not_established"},
        actor=INVESTIGATOR,
    )

    assert incident.steps["investigate"].ended_by == INVESTIGATOR.ref()
    assert incident.facts["conclusion"] == "not_established"
    assert states(incident)["sanction"] == "pending"


# ---------------------------------------------------------------------- system completion


def test_nobody_can_complete_inform_by_hand() -> None:
    incident = assessed("suspected")
    start(incident, "inform")

    error = refused(incident, NotAllowed, lambda: complete(incident, "inform", {}, actor=OFFICER))

    assert error.rule == "system-completion"
    assert error.details == {"step": "inform"}


def test_the_system_completes_inform() -> None:
    incident = assessed("suspected")
    start(incident, "inform")

    complete(incident, "inform", letters_accounted_for(), actor=SYSTEM)

    assert incident.steps["inform"].state is StepState.COMPLETED
    assert incident.steps["inform"].ended_by == "system"


# ---------------------------------------------------------------------- applicability


@pytest.mark.parametrize("outcome", ["established", "suspected"])
def test_every_step_applies_unless_the_signal_is_unfounded(outcome: str) -> None:
    incident = assessed(outcome)

    assert all(incident.applies(key) is True for key in incident.steps)
    assert "StepNotApplicable" not in types(incident)


def test_an_unfounded_signal_leaves_only_inform() -> None:
    incident = assessed("unfounded")

    assert states(incident) == {
        "assess": "completed",
        "suspend": "not_applicable",
        "report": "not_applicable",
        "investigate": "not_applicable",
        "inform": "pending",
        "sanction": "not_applicable",
        "safeguard": "not_applicable",
    }
    lapsed = [e for e in incident.events if e.type == "StepNotApplicable"]
    assert [e.payload["step"] for e in lapsed] == ["suspend", "report", "investigate", "sanction", "safeguard"]
    assert lapsed[0].payload == {"step": "suspend", "condition": "outcome ne 'unfounded'"}
    assert {e.actor for e in lapsed} == {"system"}


def test_applicability_is_unknown_until_the_facts_are_known() -> None:
    incident = report()

    assert incident.applies("suspend") is None
    assert incident.applies("inform") is True


def test_a_not_applicable_step_cannot_be_started() -> None:
    incident = assessed("unfounded")

    error = refused(incident, IllegalTransition, lambda: start(incident, "suspend"))

    assert error.details["state"] == "not_applicable"
    assert "step suspend is not_applicable: cannot start" in str(error)


def test_the_incident_keeps_ids_as_uuids() -> None:
    incident = report()

    assert isinstance(incident.id, UUID)
    assert ("incident", incident.id) in incident.dirty
