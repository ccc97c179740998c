"""POST .../steps/{step}/start|complete|waive, /close and /reopen: success and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from protocol.services import register_definition
from tests.conftest import Clock
from tests.integration.web.conftest import ASSESSMENT, SUSPENSION, Api

MINI = (Path(__file__).parent / "mini-protocol.toml").read_text("utf-8")


def refusal(response: Any, status: int, rule: str) -> dict[str, Any]:
    body: dict[str, Any] = response.get_json()
    assert (response.status_code, body.get("rule")) == (status, rule), body
    assert response.mimetype == "application/problem+json"
    return body


def test_start_and_complete_record_evidence(officer_api: Api, assessed: dict[str, Any]) -> None:
    assert assessed["version"] == 2
    assert assessed["facts"]["outcome"] == "suspected"
    assert assessed["steps"]["assess"]["state"] == "completed"
    assert assessed["steps"]["assess"]["evidence"]["severity"] == 3
    started = officer_api.act(assessed, "steps/suspend/start")
    assert started["steps"]["suspend"]["state"] == "active"
    assert started["version"] == 3
    done = officer_api.act(started, "steps/suspend/complete", **SUSPENSION)
    assert done["steps"]["suspend"]["state"] == "completed"
    assert done["algorithm"]["suspended"] is True


def test_a_stale_version_is_refused(officer_api: Api, assessed: dict[str, Any]) -> None:
    officer_api.act(assessed, "steps/suspend/start")
    again = officer_api.post(f"/incidents/{assessed['id']}/steps/report/start", {"version": assessed["version"]})
    body = refusal(again, 409, "version")
    assert body["actual"] == assessed["version"] + 1


def test_a_blocked_step_is_refused(officer_api: Api, incident: dict[str, Any]) -> None:
    body = refusal(
        officer_api.post(f"/incidents/{incident['id']}/steps/sanction/start", {"version": 1}), 409, "requires"
    )
    assert body["blockers"] == ["investigate"]
    refusal(officer_api.post(f"/incidents/{incident['id']}/steps/suspend/start", {"version": 1}), 409, "requires")


def test_an_illegal_transition_is_refused(officer_api: Api, assessed: dict[str, Any]) -> None:
    response = officer_api.post(f"/incidents/{assessed['id']}/steps/suspend/complete", {"version": 2, **SUSPENSION})
    refusal(response, 409, "transition")
    response = officer_api.post(f"/incidents/{assessed['id']}/steps/assess/start", {"version": 2})
    refusal(response, 409, "transition")


def test_an_unknown_step_is_404(officer_api: Api, incident: dict[str, Any]) -> None:
    refusal(officer_api.post(f"/incidents/{incident['id']}/steps/astrology/start", {"version": 1}), 404, "unknown-step")


def test_evidence_is_validated_by_the_definition(officer_api: Api, incident: dict[str, Any]) -> None:
    response = officer_api.post(
        f"/incidents/{incident['id']}/steps/assess/complete",
        {"version": 1, "outcome": "maybe", "severity": 9, "estimated_affected": "many", "mood": "grim"},
    )
    body = refusal(response, 422, "evidence")
    flags = {"high_risk_ai", "personal_data_breach", "widespread"}
    assert set(body["errors"]) == {"outcome", "severity", "estimated_affected", "mood", "summary"} | flags
    assert body["errors"]["severity"] == ["must be at most 4"]
    assert body["errors"]["mood"] == ["unknown field"]
    nested = officer_api.act(incident, "steps/assess/complete", **ASSESSMENT)
    response = officer_api.post(f"/incidents/{nested['id']}/steps/report/start", {"version": nested["version"]})
    started = officer_api.ok(response)
    response = officer_api.post(
        f"/incidents/{started['id']}/steps/report/complete",
        {"version": started["version"], "bodies": [{"body": "council", "informed_at": "gisteren"}]},
    )
    assert refusal(response, 422, "evidence")["errors"] == {
        "bodies[0].informed_at": ["must be a date and time (ISO 8601 with time zone)"]
    }


def test_inform_completes_itself_only(officer_api: Api, assessed: dict[str, Any]) -> None:
    response = officer_api.post(f"/incidents/{assessed['id']}/steps/inform/complete", {"version": 2})
    assert response.status_code == 409  # pending: no such move; once active, completion is the system's
    assert "complete" not in assessed["steps"]["inform"]["actions"]


def test_suspend_cannot_be_waived_when_discrimination_is_established(
    officer_api: Api, incident: dict[str, Any]
) -> None:
    established = officer_api.act(incident, "steps/assess/complete", **{**ASSESSMENT, "outcome": "established"})
    assert "waive" not in established["steps"]["suspend"]["actions"]
    response = officer_api.post(
        f"/incidents/{incident['id']}/steps/suspend/waive",
        {"version": established["version"], "justification": "We would rather keep using it for now."},
    )
    refusal(response, 409, "waiver-forbidden")


GUARD = "established-requires-full-confirmed-suspension"


def test_an_established_discrimination_is_suspended_only_in_full_with_the_owner_s_confirmation(
    officer_api: Api, incident: dict[str, Any]
) -> None:
    established = officer_api.act(incident, "steps/assess/complete", **{**ASSESSMENT, "outcome": "established"})
    started = officer_api.act(established, "steps/suspend/start")
    path = f"/incidents/{incident['id']}/steps/suspend/complete"

    partial = officer_api.post(path, {"version": started["version"], **SUSPENSION, "scope": "partial"})
    unconfirmed = officer_api.post(path, {"version": started["version"], **SUSPENSION, "confirmed_by_owner": False})

    for response in (partial, unconfirmed):  # both were accepted, and showed "met" and "stopped"
        body = refusal(response, 422, GUARD)
        assert set(body["errors"]) == {"scope", "confirmed_by_owner"}
        assert "motion Koekoek" in body["errors"]["scope"][0]
    current = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}"))
    assert current["steps"]["suspend"]["state"] == "active"
    deadlines = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/deadlines"))
    assert next(d for d in deadlines if d["rule"] == "suspend")["state"] == "open"

    done = officer_api.act(started, "steps/suspend/complete", **SUSPENSION)
    assert done["steps"]["suspend"]["state"] == "completed"


def test_a_suspected_discrimination_may_be_suspended_in_part(officer_api: Api, assessed: dict[str, Any]) -> None:
    started = officer_api.act(assessed, "steps/suspend/start")

    done = officer_api.act(started, "steps/suspend/complete", **{**SUSPENSION, "scope": "partial"})

    assert done["steps"]["suspend"]["state"] == "completed"


def test_a_waiver_needs_a_justification(officer_api: Api, assessed: dict[str, Any]) -> None:
    response = officer_api.post(
        f"/incidents/{assessed['id']}/steps/suspend/waive", {"version": 2, "justification": "no"}
    )
    assert refusal(response, 422, "evidence")["errors"] == {"justification": ["at least 10 characters"]}


def test_a_four_eyes_waiver_is_accepted_with_202(officer_api: Api, assessed: dict[str, Any]) -> None:
    response = officer_api.post(
        f"/incidents/{assessed['id']}/steps/suspend/waive",
        {"version": 2, "justification": "Continued use: the fallback is not ready yet."},
    )
    assert response.status_code == 202
    body = response.get_json()
    assert body["approval_id"]
    assert body["steps"]["suspend"]["state"] == "pending"
    assert body["steps"]["suspend"]["pending_approval"] is True
    assert [a["state"] for a in body["approvals"]] == ["pending"]


def test_a_waived_step_s_deadline_says_waived_not_met(
    officer_api: Api, coordinator_api: Api, as_user: Callable[..., Api], assessed: dict[str, Any]
) -> None:
    waiving = coordinator_api.act(
        assessed, "steps/suspend/waive", status=202, justification="Continued use: the fallback is not ready yet."
    )
    as_user("coordinator").act(waiving, f"approvals/{waiving['approval_id']}/approve")

    deadlines = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/deadlines"))
    states = {d["rule"]: d["state"] for d in deadlines}
    assert states["assess"] == "met"
    assert states["suspend"] == "waived"  # it said "met": a waiver does not meet a deadline
    suspend = next(d for d in deadlines if d["rule"] == "suspend")
    assert suspend["met_at"] is None


def test_a_step_completed_after_its_deadline_says_met_late(
    officer_api: Api, incident: dict[str, Any], clock: Clock
) -> None:
    clock.advance(days=6)  # past the 2 working days to assess

    officer_api.act(incident, "steps/assess/complete", **ASSESSMENT)

    deadlines = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/deadlines"))
    assess = next(d for d in deadlines if d["rule"] == "assess")
    assert assess["state"] == "met_late"  # it said "missed", indistinguishable from never done
    assert assess["met_at"] > assess["due_at"]
    assert assess["missed_at"] == assess["met_at"]


@pytest.fixture
def mini(herstel: Herstel) -> dict[str, Any]:
    """A second definition, registered as data: no code knows it."""
    definition = register_definition(uow=herstel.uow(), text=MINI, source="mini-protocol.toml")
    return {"key": definition.key, "version": definition.version}


def test_a_plain_waiver_is_done_at_once_with_200(officer_api: Api, algorithm: dict, mini: dict[str, Any]) -> None:
    incident = officer_api.report(str(algorithm["id"]), protocol=mini, protected_grounds=["age"])
    assert incident["protocol"]["key"] == "test-mini"
    triaged = officer_api.act(incident, "steps/triage/complete", outcome="minor")
    response = officer_api.post(
        f"/incidents/{incident['id']}/steps/review/waive",
        {"version": triaged["version"], "justification": "A minor case: no review needed."},
    )
    assert response.status_code == 200
    assert response.get_json()["approval_id"] is None
    assert response.get_json()["steps"]["review"]["state"] == "waived"


def test_close_and_reopen(
    officer_api: Api, coordinator_api: Api, as_user: Callable[..., Api], incident: dict[str, Any]
) -> None:
    unfounded = officer_api.act(incident, "steps/assess/complete", **{**ASSESSMENT, "outcome": "unfounded"})
    refusal(
        coordinator_api.post(f"/incidents/{incident['id']}/close", {"version": unfounded["version"]}),
        409,
        "close-requires-steps",
    )
    assert officer_api.post(f"/incidents/{incident['id']}/close", {"version": unfounded["version"]}).status_code == 403
    # inform is the system's to complete; a coordinator waives it and a second one approves
    waiving = coordinator_api.act(
        unfounded, "steps/inform/waive", status=202, justification="The reporter was informed by phone."
    )
    second = as_user("coordinator")
    waived = second.act(waiving, f"approvals/{waiving['approval_id']}/approve")
    closed = coordinator_api.act(waived, "close")
    assert closed["state"] == "closed"
    assert closed["closed_at"]
    refusal(
        officer_api.post(f"/incidents/{incident['id']}/steps/assess/start", {"version": closed["version"]}),
        409,
        "incident-closed",
    )
    no_reason = coordinator_api.post(
        f"/incidents/{incident['id']}/reopen", {"version": closed["version"], "justification": ""}
    )
    assert no_reason.status_code == 422
    reopened = coordinator_api.act(closed, "reopen", justification="New facts came to light.", steps=["assess"])
    assert reopened["state"] == "open"
    assert reopened["steps"]["assess"]["state"] == "active"
    refusal(
        coordinator_api.post(
            f"/incidents/{incident['id']}/reopen",
            {"version": reopened["version"], "justification": "Once more, please."},
        ),
        409,
        "reopen-closed",
    )


def test_a_step_whose_requirement_is_reopened_offers_no_completion_the_api_would_refuse(
    officer_api: Api, coordinator_api: Api, algorithm: dict, mini: dict[str, Any]
) -> None:
    incident = officer_api.report(str(algorithm["id"]), protocol=mini, protected_grounds=["age"])
    triaged = officer_api.act(incident, "steps/triage/complete", outcome="minor")
    started = officer_api.act(triaged, "steps/review/start")
    reviewed = officer_api.act(started, "steps/review/complete", reviewed_on="2026-11-30")
    closed = coordinator_api.act(reviewed, "close")
    reopened = coordinator_api.act(
        closed, "reopen", justification="The triage missed a fact.", steps=["triage", "review"]
    )
    assert reopened["steps"]["review"]["state"] == "active"
    # the view offers what the incident accepts: review waits for triage again
    assert "complete" not in reopened["steps"]["review"]["actions"]
    response = officer_api.post(
        f"/incidents/{incident['id']}/steps/review/complete",
        {"version": reopened["version"], "reviewed_on": "2026-11-30"},
    )
    assert refusal(response, 409, "requires")["blockers"] == ["triage"]
