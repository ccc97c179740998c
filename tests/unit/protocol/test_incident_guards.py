"""The guards of every action: requirements, applicability, evidence, versions, closed incidents.

A refused action raises a precise error and changes nothing: not the state, not the version, not
the events. `support.refused` asserts the latter for every refusal below.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from protocol.errors import IllegalTransition, InvalidEvidence, ProtocolError, StaleVersion, StepBlocked
from protocol.identity import SYSTEM
from protocol.incident import Incident
from protocol.steps import StepState
from tests.unit.protocol.support import (
    COORDINATOR,
    COORDINATOR_2,
    OFFICER,
    T0,
    assessed,
    closed,
    commission,
    complete,
    definition_from,
    refused,
    report,
    run_to_end,
    start,
    waive,
)

CONDITIONAL = """
[protocol]
key = "mini"
version = 1

[steps.assess.evidence.outcome]
type = "enum"
choices = ["yes", "no"]
fact = true

[steps.notify]
applies_when = { fact = "outcome", eq = "yes" }
"""


# ---------------------------------------------------------------------- requirements


@pytest.mark.parametrize("step", ["suspend", "report", "investigate", "inform"])
def test_a_step_cannot_start_before_assess_is_completed(step: str) -> None:
    incident = report()

    error = refused(incident, StepBlocked, lambda: start(incident, step, **commission()))

    assert error.rule == "requires"
    assert error.details == {"step": step, "blockers": ["assess"]}
    assert f"step {step} requires assess to be completed or waived first" in str(error)


@pytest.mark.parametrize("step", ["sanction", "safeguard"])
def test_sanction_and_safeguard_wait_for_the_investigation(step: str) -> None:
    incident = assessed("suspected")

    error = refused(incident, StepBlocked, lambda: start(incident, step))
    assert error.details["blockers"] == ["investigate"]

    start(incident, "investigate", **commission())
    error = refused(incident, StepBlocked, lambda: start(incident, step))
    assert error.details["blockers"] == ["investigate"], "an active requirement still blocks"

    complete(incident, "investigate")
    start(incident, step)
    assert incident.steps[step].state is StepState.ACTIVE


def test_a_waived_requirement_unblocks_like_a_completed_one() -> None:
    incident = assessed("suspected")
    approval = waive(incident, "investigate")
    incident.approve(approval.id, version=incident.version, actor=COORDINATOR, now=T0)

    start(incident, "sanction")

    assert incident.steps["sanction"].state is StepState.ACTIVE


@pytest.mark.parametrize("step", ["inform", "suspend"])
def test_a_reopened_step_cannot_be_completed_while_its_requirement_is_reopened_too(step: str) -> None:
    incident = closed("suspected")
    incident.reopen(
        version=incident.version,
        actor=COORDINATOR,
        now=T0,
        justification="The assessment is redone.",
        steps=("assess", step),
    )
    actor = SYSTEM if step == "inform" else OFFICER

    error = refused(incident, StepBlocked, lambda: complete(incident, step, actor=actor))

    assert error.rule == "requires"
    assert error.details == {"step": step, "blockers": ["assess"]}
    complete(incident, "assess")
    complete(incident, step, actor=actor)
    assert incident.steps[step].state is StepState.COMPLETED


def test_a_pending_step_cannot_be_waived_while_its_requirements_are_open() -> None:
    incident = report()

    error = refused(incident, StepBlocked, lambda: waive(incident, "report"))

    assert error.rule == "requires"


def test_blockers_lists_the_open_requirements() -> None:
    incident = report()

    assert incident.blockers("sanction") == ["investigate"]
    assert incident.blockers("assess") == []


# ---------------------------------------------------------------------- applicability


def test_a_step_whose_applicability_is_unknown_cannot_start_or_be_waived() -> None:
    incident = report(definition=definition_from(CONDITIONAL))
    assert incident.applies("notify") is None

    error = refused(incident, StepBlocked, lambda: start(incident, "notify"))
    assert error.rule == "applies"
    assert "not known yet (outcome eq 'yes')" in str(error)

    error = refused(incident, StepBlocked, lambda: waive(incident, "notify"))
    assert error.rule == "applies"


def test_a_step_that_does_not_apply_lapses_and_cannot_start() -> None:
    incident = report(definition=definition_from(CONDITIONAL))
    start(incident, "assess")
    complete(incident, "assess", {"outcome": "no"})

    assert incident.steps["notify"].state is StepState.NOT_APPLICABLE
    error = refused(incident, IllegalTransition, lambda: start(incident, "notify"))
    assert error.details == {"step": "notify", "state": "not_applicable", "action": "start"}


def test_a_step_that_applies_can_start_once_the_fact_is_known() -> None:
    incident = report(definition=definition_from(CONDITIONAL))
    start(incident, "assess")
    complete(incident, "assess", {"outcome": "yes"})

    start(incident, "notify")

    assert incident.steps["notify"].state is StepState.ACTIVE


# ---------------------------------------------------------------------- evidence


def test_evidence_is_validated_with_an_error_per_field() -> None:
    incident = report()

    error = refused(
        incident,
        InvalidEvidence,
        lambda: complete(incident, "assess", {"outcome": "maybe", "severity": 9, "colour": "red"}),
    )

    assert error.rule == "evidence"
    assert error.errors == {
        "colour": ["unknown field"],
        "outcome": ["must be one of: established, suspected, unfounded"],
        "severity": ["must be at most 4"],
        "estimated_affected": ["required"],
        "high_risk_ai": ["required"],
        "personal_data_breach": ["required"],
        "widespread": ["required"],
        "summary": ["required"],
    }


def test_evidence_errors_in_lists_name_the_item_and_field() -> None:
    incident = assessed("suspected")
    start(incident, "report")
    bodies = [
        {"body": "the_press", "informed_at": "yesterday"},
        "AP",
        {"body": "council", "informed_at": "2026-12-01T10:00:00+01:00", "extra": 1},
    ]

    error = refused(incident, InvalidEvidence, lambda: complete(incident, "report", {"bodies": bodies}))

    assert error.errors == {
        "bodies[0].body": [
            "must be one of: market_surveillance_authority, autoriteit_persoonsgegevens, internal_supervisor, "
            "council, parliament, ombudsman, other"
        ],
        "bodies[0].informed_at": ["must be a date and time (ISO 8601 with time zone)"],
        "bodies[1]": ["must be an object"],
        "bodies[2].extra": ["unknown field"],
    }


def test_one_of_needs_at_least_one_of_the_group() -> None:
    incident = assessed("suspected")
    start(incident, "investigate", **commission())
    complete(incident, "investigate")
    start(incident, "sanction")

    error = refused(incident, InvalidEvidence, lambda: complete(incident, "sanction", {}))

    message = "give at least one of: sanctions, none_reason"
    assert error.errors == {"sanctions": [message], "none_reason": [message]}


def test_start_evidence_is_validated_too() -> None:
    incident = assessed("suspected")

    error = refused(
        incident,
        InvalidEvidence,
        lambda: start(incident, "investigate", investigator="someone", due_date="next week"),
    )

    assert error.errors == {
        "investigator": ["must be an id (UUID)"],
        "due_date": ["must be a date (YYYY-MM-DD)"],
    }


@pytest.mark.parametrize("text", ["", "   short  ", "x" * 20_001])
def test_a_waiver_needs_a_written_justification_of_reasonable_length(text: str) -> None:
    incident = assessed("suspected")

    error = refused(
        incident,
        InvalidEvidence,
        lambda: incident.waive_step("report", version=incident.version, actor=OFFICER, now=T0, justification=text),
    )

    assert list(error.errors) == ["justification"]


BAD_TEXT = ["lone surrogate \ud800 in a long enough text", "NUL \x00 in a long enough text"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_free_text_that_cannot_be_hashed_or_stored_is_refused_not_crashed_on(text: str) -> None:
    incident = assessed("suspected")
    start(incident, "report")
    bodies = [{"body": "council", "informed_at": "2026-12-01T10:00:00Z", "reference": text}]

    error = refused(incident, InvalidEvidence, lambda: complete(incident, "report", {"bodies": bodies}))
    assert list(error.errors) == ["bodies[0].reference"]

    error = refused(incident, InvalidEvidence, lambda: waive(incident, "report", justification=text))
    assert list(error.errors) == ["justification"]

    approval = waive(incident, "suspend")
    error = refused(
        incident,
        InvalidEvidence,
        lambda: incident.reject(approval.id, version=incident.version, actor=COORDINATOR, now=T0, note=text),
    )
    assert list(error.errors) == ["note"]


@pytest.mark.parametrize("text", BAD_TEXT)
def test_a_report_with_text_that_cannot_be_stored_is_refused(text: str) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        report(title=text[:20], description=text)

    assert set(caught.value.errors) == {"title", "description"}


# ---------------------------------------------------------------------- optimistic version


def test_a_stale_version_is_refused_naming_both_versions() -> None:
    incident = assessed("suspected")
    assert incident.version == 2

    error = refused(
        incident,
        StaleVersion,
        lambda: incident.start_step("report", version=1, actor=OFFICER, now=T0),
    )

    assert error.rule == "version"
    assert error.details == {"expected": 1, "actual": 2}
    assert "since version 1; it is now at version 2" in str(error)


def test_a_version_from_the_future_is_refused_as_well() -> None:
    incident = report()

    error = refused(incident, StaleVersion, lambda: incident.close(version=5, actor=COORDINATOR, now=T0))

    assert error.details == {"expected": 5, "actual": 1}


def _every_kind_of_action() -> list[tuple[str, Callable[[Incident], Any]]]:
    def approve(incident: Incident) -> None:
        approval = next(a for a in incident.approvals.values() if a.state.value == "pending")
        incident.approve(approval.id, version=incident.version, actor=COORDINATOR_2, now=T0)

    def reject(incident: Incident) -> None:
        approval = next(a for a in incident.approvals.values() if a.state.value == "pending")
        incident.reject(approval.id, version=incident.version, actor=COORDINATOR_2, now=T0, note="Not convincing.")

    return [
        ("complete assess", lambda i: complete(i, "assess")),
        ("start report", lambda i: start(i, "report")),
        ("waive report (request)", lambda i: waive(i, "report", actor=COORDINATOR)),
        ("reject", reject),
        ("waive report (request again)", lambda i: waive(i, "report", actor=COORDINATOR)),
        ("approve", approve),
        ("start investigate", lambda i: start(i, "investigate", **commission())),
        ("complete investigate", lambda i: complete(i, "investigate")),
        ("run the rest", lambda i: run_to_end(i)),
        ("close", lambda i: i.close(version=i.version, actor=COORDINATOR, now=T0)),
        (
            "reopen",
            lambda i: i.reopen(
                version=i.version, actor=COORDINATOR, now=T0, justification="New facts came to light.", steps=()
            ),
        ),
    ]


def test_every_accepted_action_raises_the_version_by_exactly_one() -> None:
    incident = report()

    for name, action in _every_kind_of_action():
        before = incident.version
        action(incident)
        if name == "run the rest":
            continue  # several actions at once; each was checked by the same rule below
        assert incident.version == before + 1, name


def test_each_action_of_a_full_run_bumps_the_version_once() -> None:
    incident = assessed("suspected")
    for key in incident.definition.order():
        if incident.steps[key].state is StepState.PENDING:
            before = incident.version
            start(incident, key, **(commission() if key == "investigate" else {}))
            assert incident.version == before + 1
        if incident.steps[key].state is StepState.ACTIVE:
            before = incident.version
            complete(incident, key)
            assert incident.version == before + 1


def test_recording_outside_facts_and_sweeping_deadlines_leave_the_version_alone() -> None:
    incident = assessed("suspected")
    before = incident.version

    incident.note("LetterCampaignStarted", {"campaign_id": "c1", "letters": 10}, actor=SYSTEM, now=T0)
    incident.check_deadlines(now=T0 + timedelta(days=60), actor=SYSTEM)

    assert incident.version == before
    assert "LetterCampaignStarted" in [e.type for e in incident.events]


# ---------------------------------------------------------------------- closed incidents


def test_a_closed_incident_accepts_no_step_action() -> None:
    incident = closed("suspected")
    actions: list[Callable[[], Any]] = [
        lambda: start(incident, "report"),
        lambda: complete(incident, "report"),
        lambda: waive(incident, "report"),
        lambda: incident.close(version=incident.version, actor=COORDINATOR, now=T0),
    ]

    for action in actions:
        error = refused(incident, IllegalTransition, action)
        assert error.rule == "incident-closed"


def test_refusals_are_protocol_errors_with_a_rule() -> None:
    incident = report()

    error = refused(incident, ProtocolError, lambda: start(incident, "report"))

    assert error.rule == "requires"


def test_the_assessment_may_not_be_skipped() -> None:
    incident = report()

    error = refused(incident, ProtocolError, lambda: waive(incident, "assess"))

    assert error.rule == "waiver-not-allowed"
