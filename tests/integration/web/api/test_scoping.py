"""Scoping: an investigator reaches only the incidents assigned to them; nobody reaches another
organisation's incidents. Out of reach is 404 (its existence does not leak), never 403."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import Principal, create_organisation, create_token, create_user, get_principal
from tests.integration.web.api.test_documents import PDF, upload_multipart
from tests.integration.web.conftest import Api


@pytest.fixture
def investigator_api(as_user: Callable[..., Api]) -> Api:
    return as_user("investigator")


@pytest.fixture
def two_incidents(officer_api: Api, algorithm: dict[str, Any], investigator_api: Api) -> tuple[dict, dict]:
    """Two assessed incidents; the investigation of the first is commissioned to the investigator."""
    from tests.integration.web.conftest import ASSESSMENT

    mine, theirs = (
        officer_api.act(officer_api.report(str(algorithm["id"]), title=t), "steps/assess/complete", **ASSESSMENT)
        for t in ("Toegewezen", "Niet toegewezen")
    )
    assert investigator_api.principal is not None
    investigators = officer_api.ok(officer_api.get("/investigators"))
    assert str(investigator_api.principal.user_id) in [i["id"] for i in investigators]
    mine = officer_api.act(
        mine,
        "steps/investigate/start",
        investigator=str(investigator_api.principal.user_id),
        due_date="2027-02-26",
    )
    assert mine["assignments"] == [str(investigator_api.principal.user_id)]
    return mine, theirs


def test_an_investigator_sees_only_assigned_incidents(investigator_api: Api, two_incidents: tuple[dict, dict]) -> None:
    mine, theirs = two_incidents
    listed = investigator_api.ok(investigator_api.get("/incidents"))
    assert [i["id"] for i in listed["items"]] == [mine["id"]]
    assert listed["total"] == 1
    assert investigator_api.ok(investigator_api.get(f"/incidents/{mine['id']}"))["reference"] == mine["reference"]
    assert investigator_api.get(f"/incidents/{mine['id']}/timeline").status_code == 200
    for path in ("", "/timeline", "/deadlines", "/documents"):
        response = investigator_api.get(f"/incidents/{theirs['id']}{path}")
        assert (response.status_code, response.get_json()["rule"]) == (404, "unknown-incident"), path
    response = investigator_api.post(
        f"/incidents/{theirs['id']}/steps/investigate/complete", {"version": theirs["version"]}
    )
    assert response.status_code == 404
    # an action their role never has is refused before any incident is looked at: nothing leaks either way
    assert investigator_api.post(f"/incidents/{theirs['id']}/steps/report/start", {"version": 2}).status_code == 403
    assert upload_multipart(investigator_api, theirs["id"]).status_code == 404


def test_an_investigator_uploads_the_report_and_completes_the_investigation(
    investigator_api: Api, officer_api: Api, two_incidents: tuple[dict, dict]
) -> None:
    mine, _ = two_incidents
    assert mine["steps"]["investigate"]["state"] == "active"
    as_they_see_it = investigator_api.ok(investigator_api.get(f"/incidents/{mine['id']}"))
    assert as_they_see_it["steps"]["investigate"]["actions"] == ["complete"]
    assert as_they_see_it["steps"]["report"]["actions"] == []
    # only the investigate step is theirs
    other_step = investigator_api.post(f"/incidents/{mine['id']}/steps/report/start", {"version": mine["version"]})
    assert other_step.status_code == 403
    document = investigator_api.ok(upload_multipart(investigator_api, mine["id"], name="eindrapport.pdf"), 201)
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest()
    done = investigator_api.act(
        mine, "steps/investigate/complete", report_document=document["id"], conclusion="established"
    )
    assert done["steps"]["investigate"]["state"] == "completed"
    assert done["facts"]["conclusion"] == "established"
    assert officer_api.get(f"/incidents/{mine['id']}/documents/{document['id']}/content").data == PDF


def test_evidence_must_name_a_document_of_this_incident(
    investigator_api: Api, officer_api: Api, two_incidents: tuple[dict, dict]
) -> None:
    mine, theirs = two_incidents
    elsewhere = officer_api.ok(upload_multipart(officer_api, theirs["id"]), 201)
    response = investigator_api.post(
        f"/incidents/{mine['id']}/steps/investigate/complete",
        {"version": mine["version"], "report_document": elsewhere["id"], "conclusion": "inconclusive"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"report_document": ["no such document on this incident"]}


def test_another_organisation_sees_nothing_of_ours(
    herstel: Herstel, client: Any, incident: dict[str, Any], algorithm: dict[str, Any]
) -> None:
    other_org = create_organisation(
        uow=herstel.uow(), slug="gemeente-elders", name="Gemeente Elders", reference_prefix="GEL"
    )
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="officer@elders.nl",
        roles=["officer", "coordinator"],
        organisation_id=other_org,
    )
    stranger = Api(
        client, create_token(uow=herstel.uow(), by=Principal.installation(), email="officer@elders.nl").secret
    )
    stranger.principal = get_principal(uow=herstel.uow(), user_id=user_id)
    for path in (
        f"/incidents/{incident['id']}",
        f"/incidents/{incident['id']}/timeline",
        f"/algorithms/{algorithm['id']}",
    ):
        assert stranger.get(path).status_code == 404, path
    assert stranger.ok(stranger.get("/incidents"))["total"] == 0
    assert stranger.ok(stranger.get("/algorithms")) == []
    response = stranger.post(f"/incidents/{incident['id']}/close", {"version": incident["version"]})
    assert response.status_code == 404
    report = stranger.post(
        "/incidents",
        {
            "algorithm_id": str(algorithm["id"]),
            "title": "x",
            "source": "employee",
            "detected_at": "2026-11-01T00:00:00Z",
        },
    )
    assert report.status_code == 422  # someone else's algorithm is not one of yours
    assert "algorithm_id" in report.get_json()["errors"]
