"""Four eyes end to end: request, the coordinators' queue, approve or reject, never by the same person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.integration.web.conftest import Api

JUSTIFICATION = "Continued use: the fallback procedure is not ready yet."


@pytest.fixture
def requested(officer_api: Api, assessed: dict[str, Any]) -> dict[str, Any]:
    """The officer asked to waive `suspend` (outcome suspected): a coordinator must sign."""
    return officer_api.act(assessed, "steps/suspend/waive", status=202, justification=JUSTIFICATION)


def test_the_request_shows_on_the_incident_and_in_the_queue(
    officer_api: Api, coordinator_api: Api, requested: dict[str, Any]
) -> None:
    on_incident = officer_api.ok(officer_api.get(f"/incidents/{requested['id']}/approvals"))
    assert [(a["id"], a["state"], a["step"]) for a in on_incident] == [(requested["approval_id"], "pending", "suspend")]
    assert on_incident[0]["requested_by"] == f"user:{officer_api.principal.user_id}"
    queue = coordinator_api.ok(coordinator_api.get("/approvals"))
    assert [(q["id"], q["incident_version"], q["can_decide"]) for q in queue] == [
        (requested["approval_id"], requested["version"], True)
    ]
    assert queue[0]["reference"] == requested["reference"]
    mine = officer_api.ok(officer_api.get("/approvals"))
    assert [q["can_decide"] for q in mine] == [False]  # officers see the queue, only coordinators decide
    assert coordinator_api.ok(coordinator_api.get("/approvals?state=granted")) == []
    assert coordinator_api.get("/approvals?state=whatever").status_code == 422


def test_a_different_coordinator_approves(coordinator_api: Api, requested: dict[str, Any]) -> None:
    path = f"/incidents/{requested['id']}/approvals/{requested['approval_id']}/approve"
    stale = coordinator_api.post(path, {"version": requested["version"] - 1})
    assert (stale.status_code, stale.get_json()["rule"]) == (409, "version")
    done = coordinator_api.ok(coordinator_api.post(path, {"version": requested["version"]}))
    assert done["steps"]["suspend"]["state"] == "waived"
    assert done["steps"]["suspend"]["approved_by"] == f"user:{coordinator_api.principal.user_id}"
    assert [a["state"] for a in done["approvals"]] == ["granted"]
    again = coordinator_api.post(path, {"version": done["version"]})
    assert (again.status_code, again.get_json()["rule"]) == (409, "approval-decided")
    assert coordinator_api.ok(coordinator_api.get("/approvals")) == []


def test_the_same_person_cannot_sign_twice(
    coordinator_api: Api, as_user: Callable[..., Api], assessed: dict[str, Any]
) -> None:
    asked = coordinator_api.act(assessed, "steps/suspend/waive", status=202, justification=JUSTIFICATION)
    queue = coordinator_api.ok(coordinator_api.get("/approvals"))
    assert [q["can_decide"] for q in queue] == [False]
    own = coordinator_api.post(
        f"/incidents/{asked['id']}/approvals/{asked['approval_id']}/approve", {"version": asked["version"]}
    )
    assert (own.status_code, own.get_json()["rule"]) == (409, "four-eyes")
    other = as_user("coordinator")
    approved = other.act(asked, f"approvals/{asked['approval_id']}/approve")
    assert approved["steps"]["suspend"]["state"] == "waived"


def test_officers_and_investigators_cannot_approve(
    officer_api: Api, as_user: Callable[..., Api], requested: dict[str, Any]
) -> None:
    path = f"/incidents/{requested['id']}/approvals/{requested['approval_id']}/approve"
    for api in (as_user("officer"), as_user("investigator")):
        response = api.post(path, {"version": requested["version"]})
        assert (response.status_code, response.get_json()["rule"]) == (403, "permission")


def test_a_coordinator_rejects_and_the_requester_may_withdraw(
    officer_api: Api, coordinator_api: Api, requested: dict[str, Any]
) -> None:
    rejected = coordinator_api.act(
        requested, f"approvals/{requested['approval_id']}/reject", note="Stop it first, then talk."
    )
    assert [a["state"] for a in rejected["approvals"]] == ["rejected"]
    assert rejected["steps"]["suspend"]["state"] == "pending"
    again = officer_api.act(rejected, "steps/suspend/waive", status=202, justification=JUSTIFICATION)
    withdrawn = officer_api.act(again, f"approvals/{again['approval_id']}/reject")
    assert [a["state"] for a in withdrawn["approvals"]] == ["rejected", "withdrawn"]


def test_another_officer_cannot_withdraw_someone_elses_request(
    as_user: Callable[..., Api], requested: dict[str, Any]
) -> None:
    other = as_user("officer")
    response = other.post(
        f"/incidents/{requested['id']}/approvals/{requested['approval_id']}/reject", {"version": requested["version"]}
    )
    assert response.status_code == 403
