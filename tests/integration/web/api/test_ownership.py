"""Ownership over HTTP: the reporter owns an incident unless another is named, coordinators hand it
on (OwnerAssigned), the list sorts by urgency and searches, /me/waiting lists what waits on you."""

from __future__ import annotations

import json
from typing import Any

from installation import Herstel
from tests.conftest import Clock
from tests.integration.web.conftest import Api


def test_the_reporter_owns_the_incident_and_a_coordinator_hands_it_on(
    officer_api: Api, coordinator_api: Api, as_user: Any, incident: dict[str, Any]
) -> None:
    assert incident["owner_id"] == str(officer_api.principal.user_id)
    assert incident["owner"]["id"] == incident["owner_id"]
    colleague = as_user("officer")
    path = f"/incidents/{incident['id']}/owner"
    body = {"user_id": str(colleague.principal.user_id), "version": incident["version"]}
    refused = officer_api.put(path, body)
    assert (refused.status_code, refused.get_json()["rule"]) == (403, "permission")
    oversight = as_user("oversight")
    not_staff = coordinator_api.put(path, {"user_id": str(oversight.principal.user_id), "version": incident["version"]})
    assert not_staff.status_code == 422
    assert not_staff.get_json()["errors"]["user_id"]
    handed = coordinator_api.ok(coordinator_api.put(path, body))
    assert handed["owner_id"] == str(colleague.principal.user_id)
    assert handed["version"] == incident["version"] + 1
    same = coordinator_api.put(path, {**body, "version": handed["version"]})
    assert (same.status_code, same.get_json()["rule"]) == (409, "owner-unchanged")
    stale = coordinator_api.put(path, {"user_id": str(officer_api.principal.user_id), "version": incident["version"]})
    assert stale.status_code == 409
    timeline = officer_api.ok(officer_api.get(f"/incidents/{incident['id']}/timeline?limit=1000"))
    reported = next(e for e in timeline["events"] if e["type"] == "IncidentReported")
    assert reported["payload"]["owner_id"] == str(officer_api.principal.user_id)
    assigned = [e for e in timeline["events"] if e["type"] == "OwnerAssigned"]
    assert [e["payload"] for e in assigned] == [
        {"user_id": str(colleague.principal.user_id), "previous": str(officer_api.principal.user_id)}
    ]
    assert colleague.principal.display_name not in json.dumps(timeline)  # ids only on the timeline


def test_a_chosen_owner_at_report(officer_api: Api, as_user: Any, algorithm: dict[str, Any]) -> None:
    colleague = as_user("coordinator")
    chosen = officer_api.report(str(algorithm["id"]), owner_id=str(colleague.principal.user_id))
    assert chosen["owner_id"] == str(colleague.principal.user_id)
    investigator = as_user("investigator")
    refused = officer_api.post(
        "/incidents",
        {
            "algorithm_id": str(algorithm["id"]),
            "title": "Niet van een onderzoeker",
            "source": "citizen",
            "detected_at": "2026-11-29T08:00:00Z",
            "owner_id": str(investigator.principal.user_id),
        },
    )
    assert refused.status_code == 422
    assert "owner_id" in refused.get_json()["errors"]


def test_the_list_is_by_urgency_with_owner_step_and_next_deadline_and_searches(
    officer_api: Api, algorithm: dict[str, Any], clock: Clock
) -> None:
    first = officer_api.report(str(algorithm["id"]), title="Eerste signaal")
    clock.advance(days=3)
    second = officer_api.report(str(algorithm["id"]), title="Tweede signaal over toeslagen")
    page = officer_api.ok(officer_api.get("/incidents"))
    # the first one's assessment falls due first, so it comes first although it is older
    assert [i["id"] for i in page["items"]] == [first["id"], second["id"]]
    item = page["items"][0]
    assert item["owner"]["id"] == str(officer_api.principal.user_id)
    assert item["active_steps"] == ["assess"]
    assert item["next_deadline"]["step"] == "assess"
    assert item["next_deadline"]["state"] == "open"
    assert item["severity"] is None
    clock.advance(days=60)  # both missed now: missed first, earliest due first
    page = officer_api.ok(officer_api.get("/incidents"))
    assert [i["overdue"] for i in page["items"]] == [True, True]
    assert [i["id"] for i in page["items"]] == [first["id"], second["id"]]
    found = officer_api.ok(officer_api.get("/incidents?q=toeslagen"))
    assert [i["id"] for i in found["items"]] == [second["id"]]
    by_reference = officer_api.ok(officer_api.get(f"/incidents?q={first['reference'].lower()}"))
    assert [i["id"] for i in by_reference["items"]] == [first["id"]]
    wildcard = officer_api.ok(officer_api.get("/incidents?q=%25"))
    assert wildcard["items"] == []


def test_waiting_lists_owned_steps_and_approvals_of_others(
    officer_api: Api, coordinator_api: Api, as_user: Any, incident: dict[str, Any], clock: Clock
) -> None:
    waiting = officer_api.ok(officer_api.get("/me/waiting"))
    assert [(i["kind"], i["step"], i["reference"]) for i in waiting["items"]] == [
        ("step", "assess", incident["reference"])
    ]
    assert waiting["items"][0]["deadline"]["overdue"] is False
    assert waiting["counts"]["step"] == 1
    # the coordinator owns nothing here: nothing waits on them
    assert coordinator_api.ok(coordinator_api.get("/me/waiting"))["items"] == []
    clock.advance(days=60)
    late = officer_api.ok(officer_api.get("/me/waiting"))
    assert late["items"][0]["deadline"]["overdue"] is True
    assert late["counts"]["overdue"] == 1


def test_overdue_deadlines_of_the_readable_incidents(
    herstel: Herstel, officer: Any, as_user: Any, incident: dict[str, Any], clock: Clock
) -> None:
    from protocol.services import overdue_deadlines

    assert overdue_deadlines(uow=herstel.uow(), principal=officer) == []
    clock.advance(days=60)
    rows = overdue_deadlines(uow=herstel.uow(), principal=officer)
    assert [(r["reference"], r["step"]) for r in rows if r["step"] == "assess"] == [(incident["reference"], "assess")]
    assert all(r["days_overdue"] >= 0 for r in rows)
    assert rows[0]["owner"]["id"] == officer.user_id
    assert overdue_deadlines(uow=herstel.uow(), principal=as_user("oversight").principal) == []
