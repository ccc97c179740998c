"""POST/GET /algorithms."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from tests.integration.web.conftest import SUSPENSION, Api


def test_register_list_and_read(officer_api: Api, as_user: Callable[..., Api]) -> None:
    response = officer_api.post(
        "/algorithms",
        {"name": "Fraudescore", "organisation": "default", "lars": "12345670", "register_status": "In gebruik"},
    )
    created = officer_api.ok(response, 201)
    assert response.headers["Location"] == f"/api/v1/algorithms/{created['id']}"
    assert created["suspended"] is False
    assert created["lars"] == "12345670"
    assert officer_api.ok(officer_api.get(f"/algorithms/{created['id']}")) == created
    listed = officer_api.ok(officer_api.get("/algorithms"))
    assert [a["name"] for a in listed] == ["Fraudescore"]
    oversight = as_user("oversight")
    assert oversight.ok(oversight.get("/algorithms")) == listed  # oversight reads, but may not register
    assert oversight.post("/algorithms", {"name": "X"}).status_code == 403


def test_register_refuses_bad_fields_by_name(officer_api: Api) -> None:
    response = officer_api.post("/algorithms", {"name": " ", "lars": "12345678", "publication_category": "Z"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "lars", "publication_category"}
    response = officer_api.post("/algorithms", {"name": "X", "organisation": "no-such-org"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"organisation": ["no such organisation of yours"]}


def test_the_domain_is_taken_from_the_list_and_refused_by_field_otherwise(officer_api: Api) -> None:
    created = officer_api.ok(officer_api.post("/algorithms", {"name": "Parkeerscan", "domain": "parking_traffic"}), 201)
    assert created["domain"] == "parking_traffic"
    assert officer_api.ok(officer_api.get(f"/algorithms/{created['id']}"))["domain"] == "parking_traffic"
    without = officer_api.ok(officer_api.post("/algorithms", {"name": "Oud"}), 201)
    assert without["domain"] is None  # the letters keep the neutral wording
    refused = officer_api.post("/algorithms", {"name": "Fout", "domain": "parking"})
    assert refused.status_code == 422
    (reason,) = refused.get_json()["errors"]["domain"]
    assert set(refused.get_json()["errors"]) == {"domain"}
    assert "parking_traffic" in reason


def test_a_duplicate_name_is_a_conflict(officer_api: Api) -> None:
    officer_api.ok(officer_api.post("/algorithms", {"name": "Twee"}), 201)
    response = officer_api.post("/algorithms", {"name": "Twee"})
    assert response.status_code == 409
    assert response.get_json()["rule"] == "duplicate"


def test_unknown_algorithm_is_404(officer_api: Api) -> None:
    response = officer_api.get(f"/algorithms/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.get_json()["rule"] == "unknown-algorithm"


def test_suspension_shows_on_the_algorithm(officer_api: Api, assessed: dict, algorithm: dict) -> None:
    started = officer_api.act(assessed, "steps/suspend/start")
    officer_api.act(started, "steps/suspend/complete", **SUSPENSION)
    shown = officer_api.ok(officer_api.get(f"/algorithms/{algorithm['id']}"))
    assert shown["suspended"] is True
    assert shown["suspended_by_incident_id"] == assessed["id"]
