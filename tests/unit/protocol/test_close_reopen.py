"""Closing and reopening an incident, and what reopening does to its steps and their applicability."""

from __future__ import annotations

from datetime import timedelta

import pytest

from protocol.errors import IllegalTransition, InvalidEvidence, NotAllowed, NotFound, StepBlocked
from protocol.identity import Actor
from protocol.incident import Incident, IncidentState
from protocol.steps import StepState
from tests.unit.protocol.support import (
    COORDINATOR,
    COORDINATOR_2,
    INVESTIGATOR,
    OFFICER,
    T0,
    assessed,
    assessment,
    closed,
    commission,
    complete,
    refused,
    run_to_end,
    start,
    types,
    waive,
)

WHY = "The supervisor sent new information about the affected group."


def reopen(
    incident: Incident, *, actor: Actor = COORDINATOR, steps: tuple[str, ...] = (), justification: str = WHY
) -> None:
    incident.reopen(version=incident.version, actor=actor, now=T0, justification=justification, steps=steps)


# ---------------------------------------------------------------------- close


def test_an_incident_closes_when_every_step_is_settled() -> None:
    incident = assessed("suspected")
    run_to_end(incident)
    later = T0 + timedelta(days=3)

    incident.close(version=incident.version, actor=COORDINATOR, now=later)

    assert incident.state is IncidentState.CLOSED
    assert incident.closed_at == later
    assert incident.events[-1].type == "IncidentClosed"
    assert incident.events[-1].payload == {}


def test_an_unfounded_incident_closes_once_inform_is_done() -> None:
    incident = assessed("unfounded")
    start(incident, "inform")
    complete(incident, "inform")

    incident.close(version=incident.version, actor=COORDINATOR, now=T0)

    assert incident.state is IncidentState.CLOSED


def test_an_incident_does_not_close_while_a_step_is_open() -> None:
    incident = assessed("suspected")

    error = refused(incident, StepBlocked, lambda: incident.close(version=incident.version, actor=COORDINATOR, now=T0))

    assert error.rule == "close-requires-steps"
    assert error.details == {"steps": ["suspend", "report", "investigate", "inform", "sanction", "safeguard"]}


def test_an_incident_does_not_close_while_an_approval_is_pending() -> None:
    incident = assessed("suspected")
    waive(incident, "suspend")  # asks for approval, then the step is done by hand anyway
    run_to_end(incident)
    assert all(step.settled for step in incident.steps.values())

    error = refused(incident, StepBlocked, lambda: incident.close(version=incident.version, actor=COORDINATOR, now=T0))

    assert error.rule == "close-requires-decisions"


def test_closing_twice_is_refused() -> None:
    incident = closed()

    error = refused(
        incident, IllegalTransition, lambda: incident.close(version=incident.version, actor=COORDINATOR, now=T0)
    )

    assert error.rule == "incident-closed"


# ---------------------------------------------------------------------- reopen


def test_a_coordinator_reopens_a_closed_incident() -> None:
    incident = closed()
    before = incident.version

    reopen(incident)

    assert incident.state is IncidentState.OPEN
    assert incident.closed_at is None
    assert incident.version == before + 1
    assert types(incident)[-1] == "IncidentReopened"
    assert incident.events[-1].payload["steps"] == []
    assert WHY not in str(incident.events[-1].payload), "free text enters the timeline as a digest only"


def test_only_a_closed_incident_can_be_reopened() -> None:
    incident = assessed()

    error = refused(incident, IllegalTransition, lambda: reopen(incident))

    assert error.rule == "reopen-closed"


@pytest.mark.parametrize("actor", [OFFICER, INVESTIGATOR], ids=lambda a: a.ref())
def test_only_a_coordinator_can_reopen(actor: Actor) -> None:
    incident = closed()

    error = refused(incident, NotAllowed, lambda: reopen(incident, actor=actor))

    assert error.rule == "reopen-coordinator"


def test_reopening_needs_a_justification() -> None:
    incident = closed()

    error = refused(incident, InvalidEvidence, lambda: reopen(incident, justification="why not"))

    assert list(error.errors) == ["justification"]


def test_reopening_puts_the_named_steps_back_to_active() -> None:
    incident = closed()

    reopen(incident, actor=COORDINATOR_2, steps=("report", "sanction"))

    for key in ("report", "sanction"):
        step = incident.steps[key]
        assert step.state is StepState.ACTIVE
        assert (step.ended_at, step.ended_by, step.justification, step.approved_by) == (None, None, None, None)
    assert incident.steps["suspend"].state is StepState.COMPLETED
    assert types(incident)[-3:] == ["IncidentReopened", "StepReopened", "StepReopened"]
    assert incident.events[-3].payload["steps"] == ["report", "sanction"]
    assert [e.payload for e in incident.events[-2:]] == [{"step": "report"}, {"step": "sanction"}]


def test_a_reopened_step_can_be_completed_again() -> None:
    incident = closed()
    reopen(incident, steps=("report",))

    complete(incident, "report")
    incident.close(version=incident.version, actor=COORDINATOR, now=T0)

    assert incident.state is IncidentState.CLOSED


def test_a_waived_step_can_be_reopened() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend")
    incident.approve(approval.id, version=incident.version, actor=COORDINATOR, now=T0)
    run_to_end(incident)
    incident.close(version=incident.version, actor=COORDINATOR, now=T0)

    reopen(incident, steps=("suspend",))

    assert incident.steps["suspend"].state is StepState.ACTIVE
    assert incident.steps["suspend"].approved_by is None


def test_reopening_an_unknown_step_is_refused() -> None:
    incident = closed()

    error = refused(incident, NotFound, lambda: reopen(incident, steps=("report", "pray")))

    assert error.details == {"step": "pray"}


def test_reopening_a_step_that_never_ended_is_refused() -> None:
    incident = closed("unfounded")

    error = refused(incident, IllegalTransition, lambda: reopen(incident, steps=("inform", "suspend")))

    assert "step suspend is not_applicable: only an ended step can be reopened" in str(error)


def test_naming_a_step_twice_when_reopening_reopens_it_once() -> None:
    incident = closed()

    reopen(incident, steps=("report", "report"))

    assert incident.steps["report"].state is StepState.ACTIVE
    assert types(incident).count("StepReopened") == 1


# ---------------------------------------------------------------------- re-assessment


def test_reassessing_as_unfounded_leaves_the_work_already_done() -> None:
    incident = closed("suspected")
    reopen(incident, steps=("assess",))

    complete(incident, "assess", assessment("unfounded"))

    assert incident.facts["outcome"] == "unfounded"
    assert all(incident.steps[k].state is StepState.COMPLETED for k in incident.steps), "done work stays done"
    assert "StepNotApplicable" not in types(incident)


def test_applicability_follows_the_facts_both_ways() -> None:
    incident = closed("unfounded")
    reopen(incident, steps=("assess",))

    complete(incident, "assess", assessment("suspected"))

    for key in ("suspend", "report", "investigate", "sanction", "safeguard"):
        assert incident.steps[key].state is StepState.PENDING, key
    revived = [e.payload["step"] for e in incident.events if e.type == "StepApplicable"]
    assert revived == ["suspend", "report", "investigate", "sanction", "safeguard"]
    assert {e.actor for e in incident.events if e.type == "StepApplicable"} == {"system"}
    error = refused(incident, StepBlocked, lambda: incident.close(version=incident.version, actor=COORDINATOR, now=T0))
    assert error.details["steps"] == ["suspend", "report", "investigate", "sanction", "safeguard"]
    start(incident, "suspend")
    assert incident.steps["suspend"].state is StepState.ACTIVE


def test_a_step_in_progress_does_not_lapse_when_the_facts_turn() -> None:
    incident = closed("suspected")
    reopen(incident, steps=("assess", "investigate"))

    complete(incident, "assess", assessment("unfounded"))

    assert incident.steps["investigate"].state is StepState.ACTIVE
    assert incident.steps["sanction"].state is StepState.COMPLETED


def test_a_reassessment_starts_no_step_by_itself() -> None:
    incident = closed("unfounded")
    reopen(incident, steps=("assess",))

    complete(incident, "assess", assessment("established"))

    assert all(s.state is not StepState.ACTIVE for s in incident.steps.values())
    start(incident, "investigate", **commission())
    assert incident.assignments == {INVESTIGATOR.id}
