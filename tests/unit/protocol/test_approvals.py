"""Waivers and four eyes: who may skip a step, and when a second coordinator must agree."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from protocol.errors import IllegalTransition, NotAllowed, NotFound, StateConflict
from protocol.identity import SYSTEM, Actor
from protocol.incident import ApprovalState, text_digest
from protocol.steps import StepState
from tests.unit.protocol.support import (
    COORDINATOR,
    COORDINATOR_2,
    INVESTIGATOR,
    OFFICER,
    OFFICER_2,
    T0,
    assessed,
    definition_from,
    refused,
    report,
    start,
    types,
    waive,
)

REASON = "The algorithm was already switched off by the supplier last week."


def test_suspend_cannot_be_waived_when_discrimination_is_established() -> None:
    incident = assessed("established")

    for actor in (OFFICER, COORDINATOR):
        error = refused(incident, NotAllowed, lambda: waive(incident, "suspend", actor=actor))  # noqa: B023
        assert error.rule == "waiver-forbidden"
        assert error.details == {"step": "suspend"}
        assert "motion Koekoek" in str(error)


def test_suspend_cannot_be_waived_when_established_even_once_started() -> None:
    incident = assessed("established")
    start(incident, "suspend")

    error = refused(incident, NotAllowed, lambda: waive(incident, "suspend"))

    assert error.rule == "waiver-forbidden"


def test_waiving_suspend_when_suspected_asks_for_a_second_signature() -> None:
    incident = assessed("suspected")
    before = incident.version
    now = T0 + timedelta(hours=2)

    approval = waive(incident, "suspend", actor=OFFICER, now=now, justification=REASON)

    assert approval is not None
    assert (approval.step, approval.action, approval.state) == ("suspend", "waive", ApprovalState.PENDING)
    assert (approval.requested_by, approval.requested_at, approval.justification) == (OFFICER.ref(), now, REASON)
    assert incident.steps["suspend"].state is StepState.PENDING, "nothing is waived before the second signature"
    assert incident.version == before + 1
    requested = incident.events[-1]
    assert requested.type == "ApprovalRequested"
    assert requested.payload == {
        "approval_id": str(approval.id),
        "step": "suspend",
        "action": "waive",
        "justification": text_digest(REASON),
    }


def test_a_different_coordinator_grants_the_waiver() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER, justification=REASON)
    later = T0 + timedelta(hours=5)

    incident.approve(approval.id, version=incident.version, actor=COORDINATOR, now=later)

    step = incident.steps["suspend"]
    assert step.state is StepState.WAIVED
    assert (step.justification, step.approved_by, step.ended_by, step.ended_at) == (
        REASON,
        COORDINATOR.ref(),
        COORDINATOR.ref(),
        later,
    )
    assert (approval.state, approval.decided_by, approval.decided_at) == (
        ApprovalState.GRANTED,
        COORDINATOR.ref(),
        later,
    )
    granted, waived = (e for e in incident.events if e.type in ("ApprovalGranted", "StepWaived"))
    assert granted.payload == {"approval_id": str(approval.id), "step": "suspend"}
    assert waived.payload == {
        "step": "suspend",
        "justification": text_digest(REASON),
        "approval_id": str(approval.id),
        "requested_by": OFFICER.ref(),
    }


def test_the_coordinator_who_asked_cannot_approve_their_own_request() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=COORDINATOR)

    error = refused(
        incident, NotAllowed, lambda: incident.approve(approval.id, version=incident.version, actor=COORDINATOR, now=T0)
    )

    assert error.rule == "four-eyes"
    assert error.details == {"approval_id": str(approval.id)}


@pytest.mark.parametrize("actor", [OFFICER, OFFICER_2, INVESTIGATOR, SYSTEM], ids=lambda a: a.ref())
def test_only_a_coordinator_can_approve(actor: Actor) -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER)

    error = refused(
        incident,
        NotAllowed,
        lambda: incident.approve(approval.id, version=incident.version, actor=actor, now=T0),
    )

    assert error.rule == "four-eyes-role"


def test_a_second_request_for_the_same_step_is_refused_while_one_is_pending() -> None:
    incident = assessed("suspected")
    waive(incident, "suspend", actor=OFFICER)

    error = refused(incident, StateConflict, lambda: waive(incident, "suspend", actor=OFFICER_2))

    assert error.rule == "approval-pending"
    assert error.details == {"step": "suspend"}


def test_requests_for_different_steps_may_wait_side_by_side() -> None:
    incident = assessed("suspected")

    first = waive(incident, "suspend")
    second = waive(incident, "report")

    assert first is not None
    assert second is not None
    assert {a.step for a in incident.approvals.values() if a.state is ApprovalState.PENDING} == {"suspend", "report"}


def test_a_coordinator_rejects_a_request_and_the_step_stays_as_it_was() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER)

    incident.reject(approval.id, version=incident.version, actor=COORDINATOR, now=T0, note="  Stop it first.  ")

    assert approval.state is ApprovalState.REJECTED
    assert (approval.decided_by, approval.note) == (COORDINATOR.ref(), "Stop it first.")
    assert incident.steps["suspend"].state is StepState.PENDING
    assert incident.events[-1].payload == {
        "approval_id": str(approval.id),
        "step": "suspend",
        "withdrawn": False,
        "note": text_digest("  Stop it first.  "),
    }
    waive(incident, "suspend", actor=OFFICER)  # a new request is possible again


def test_the_requester_may_withdraw_their_own_request_without_being_a_coordinator() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER)

    incident.reject(approval.id, version=incident.version, actor=OFFICER, now=T0)

    assert approval.state is ApprovalState.WITHDRAWN
    assert approval.note is None
    assert incident.events[-1].payload["withdrawn"] is True
    assert incident.events[-1].payload["note"] is None


def test_another_officer_cannot_reject() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER)

    error = refused(
        incident, NotAllowed, lambda: incident.reject(approval.id, version=incident.version, actor=OFFICER_2, now=T0)
    )

    assert error.rule == "four-eyes-role"


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decided_request_cannot_be_decided_again(decision: str) -> None:
    incident = assessed("suspected")
    approval = waive(incident, "report", actor=OFFICER)
    incident.reject(approval.id, version=incident.version, actor=COORDINATOR, now=T0)

    error = refused(
        incident,
        IllegalTransition,
        lambda: getattr(incident, decision)(approval.id, version=incident.version, actor=COORDINATOR_2, now=T0),
    )

    assert error.rule == "approval-decided"


def test_an_unknown_approval_is_not_found() -> None:
    incident = assessed("suspected")

    error = refused(
        incident, NotFound, lambda: incident.approve(UUID(int=7), version=incident.version, actor=COORDINATOR, now=T0)
    )

    assert error.rule == "unknown-approval"


def test_approval_rechecks_the_step_when_it_moved_meanwhile() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "suspend", actor=OFFICER)
    start(incident, "suspend")
    incident.complete_step(
        "suspend",
        version=incident.version,
        actor=OFFICER,
        now=T0,
        evidence={
            "scope": "full",
            "fallback_procedure": "Manual review.",
            "not_working_since": "2026-11-01T00:00:00Z",
            "confirmed_by_owner": True,
        },
    )

    error = refused(
        incident,
        IllegalTransition,
        lambda: incident.approve(approval.id, version=incident.version, actor=COORDINATOR, now=T0),
    )

    assert error.details["state"] == "completed"


def test_other_steps_always_need_four_eyes_to_be_waived() -> None:
    incident = assessed("established")

    for step in ("report", "investigate", "inform"):
        assert waive(incident, step) is not None, step
    assert all(incident.steps[k].state is StepState.PENDING for k in ("report", "investigate", "inform"))
    assert types(incident).count("ApprovalRequested") == 3


def test_a_step_without_a_four_eyes_rule_is_waived_at_once() -> None:
    definition = definition_from(
        """
        [protocol]
        key = "mini"
        version = 1
        [steps.assess]
        auto_start = true
        [steps.extra]
        """
    )
    incident = report(definition=definition)

    assert waive(incident, "extra", justification=REASON) is None

    assert incident.steps["extra"].state is StepState.WAIVED
    assert incident.steps["extra"].approved_by is None
    assert incident.events[-1].payload["requested_by"] == OFFICER.ref()
    assert incident.events[-1].payload["approval_id"] is None
