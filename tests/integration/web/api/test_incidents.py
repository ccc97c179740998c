"""POST/GET /incidents, GET /incidents/{id} and its deadlines."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import Clock
from tests.integration.web.conftest import ASSESSMENT, SUSPENSION, Api


def test_report_returns_the_whole_incident(officer_api: Api, algorithm: dict[str, Any]) -> None:
    response = officer_api.post(
        "/incidents",
        {
            "algorithm_id": str(algorithm["id"]),
            "title": "Risicoselectie",
            "source": "citizen",
            "detected_at": "2026-11-29T08:00:00Z",
            "protected_grounds": ["nationality", "ethnicity"],
        },
    )
    incident = officer_api.ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/incidents/{incident['id']}"
    assert incident["reference"] == "HST-2026-00001"
    assert incident["state"] == "open"
    assert incident["version"] == 1
    assert incident["protocol"]["key"] == "nl-discrimination"
    assert incident["protocol"]["version"] == 4  # the latest built-in version
    assert incident["steps"]["assess"]["state"] == "active"
    assert incident["steps"]["assess"]["actions"] == ["complete"]
    assert incident["steps"]["suspend"]["state"] == "pending"
    assert [d["rule"] for d in incident["deadlines"]] == ["assess"]
    assert incident["deadlines"][0]["state"] == "open"
    assert officer_api.ok(officer_api.get(f"/incidents/{incident['id']}")) == incident


def test_report_refuses_bad_fields_by_name(officer_api: Api, algorithm: dict[str, Any]) -> None:
    body = {
        "algorithm_id": str(algorithm["id"]),
        "title": "x",
        "source": "astrologer",
        "detected_at": "2027-01-01T00:00:00+01:00",
        "protected_grounds": ["star_sign"],
    }
    response = officer_api.post("/incidents", body)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"source", "detected_at", "protected_grounds"}
    naive = officer_api.post("/incidents", {**body, "detected_at": "2026-11-01T10:00:00"})
    assert "detected_at" in naive.get_json()["errors"]
    unknown = officer_api.post("/incidents", {**body, "source": "employee", "algorithm_id": str(uuid.uuid4())})
    assert unknown.status_code == 422
    assert "algorithm_id" in unknown.get_json()["errors"]


def test_the_list_is_paged_with_totals_in_the_body(officer_api: Api, algorithm: dict[str, Any]) -> None:
    reported = [officer_api.report(str(algorithm["id"]), title=f"Signaal {i}") for i in range(5)]
    first = officer_api.ok(officer_api.get("/incidents?per_page=2"))
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (5, 1, 2, 2)
    last = officer_api.ok(officer_api.get("/incidents?per_page=2&page=3"))
    assert len(last["items"]) == 1
    seen = {
        i["id"] for p in (1, 2, 3) for i in officer_api.ok(officer_api.get(f"/incidents?per_page=2&page={p}"))["items"]
    }
    assert seen == {i["id"] for i in reported}
    beyond = officer_api.ok(officer_api.get("/incidents?page=9"))
    assert beyond["items"] == []
    assert beyond["total"] == 5


def test_filters_state_step_and_overdue(officer_api: Api, algorithm: dict[str, Any], clock: Clock) -> None:
    waiting = officer_api.report(str(algorithm["id"]), title="Wacht op beoordeling")
    assessed = officer_api.act(officer_api.report(str(algorithm["id"])), "steps/assess/complete", **ASSESSMENT)
    suspending = officer_api.act(assessed, "steps/suspend/start")
    suspended = officer_api.act(suspending, "steps/suspend/complete", **SUSPENSION)

    def ids(query: str) -> set[str]:
        return {i["id"] for i in officer_api.ok(officer_api.get(f"/incidents?{query}"))["items"]}

    assert ids("step=assess") == {waiting["id"]}
    assert ids("step=report") == set()  # report is pending, not active
    assert ids("state=open") == {waiting["id"], suspended["id"]}
    assert ids("state=closed") == set()
    assert ids("overdue=true") == set()
    clock.advance(days=5)  # the 2 working days to assess have passed; the other's deadlines are weeks away
    assert ids("overdue=true") == {waiting["id"]}
    assert ids("overdue=false") == {suspended["id"]}
    listed = officer_api.ok(officer_api.get("/incidents"))["items"]
    assert [i["overdue"] for i in listed] == [True, False]  # overdue first
    bad = officer_api.get("/incidents?state=lost&overdue=maybe&page=0")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"state", "overdue", "page"}


def test_deadlines_name_rule_due_state_and_legal_basis(officer_api: Api, assessed: dict[str, Any]) -> None:
    deadlines = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/deadlines"))
    by_rule = {d["rule"]: d for d in deadlines}
    assert by_rule["assess"]["state"] == "met"
    assert by_rule["suspend"]["state"] == "open"
    assert by_rule["suspend"]["legal_basis"].startswith("AI-verordening")
    assert all({"rule", "due_at", "state", "legal_basis"} <= set(d) for d in deadlines)
    assert deadlines == sorted(deadlines, key=lambda d: d["due_at"])
