"""Every error is RFC 9457 problem+json under /api/, an HTML page elsewhere; never a 500 for bad input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient

import web.api.accounts
from installation import Herstel
from tests.integration.web.conftest import Api
from web import create_app

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int, **fields: Any) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    for key, value in fields.items():
        assert body[key] == value, body
    return body


def test_malformed_json_is_400(officer_api: Api) -> None:
    response = officer_api.post("/tokens", data="{not json", headers={"Content-Type": "application/json"})
    body = assert_problem(response, 400, detail="the request body is not valid JSON")
    assert body["errors"] == {"_body": ["Invalid JSON body."]}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer hst_" + "a" * 43])
def test_missing_or_invalid_token_is_401(client: FlaskClient, header: str | None) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert_problem(response, 401, rule="authentication")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_route_and_unknown_incident_are_404(officer_api: Api) -> None:
    assert_problem(officer_api.get("/nothing-here"), 404)
    body = assert_problem(officer_api.get(f"/incidents/{uuid.uuid4()}"), 404, rule="unknown-incident")
    assert body["type"] == "urn:herstel:rule:unknown-incident"


def test_wrong_method_is_405_with_allow(officer_api: Api) -> None:
    response = officer_api.delete("/incidents")
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_body_over_the_limit_is_413(herstel: Herstel, officer_api: Api) -> None:
    app = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 1024}, herstel=herstel)
    api = Api(app.test_client(), officer_api.token)
    response = api.post("/tokens", {"name": "x" * 5000})
    assert_problem(response, 413)


def test_body_of_another_media_type_is_415(officer_api: Api) -> None:
    response = officer_api.post(
        "/algorithms", data="name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_problem(response, 415, rule="media-type")


def test_invalid_fields_are_422_naming_each_field(officer_api: Api) -> None:
    response = officer_api.post(
        "/incidents", {"algorithm_id": "not-a-uuid", "title": 7, "detected_at": "yesterday", "colour": "red"}
    )
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"algorithm_id", "title", "detected_at", "colour", "source"}
    assert body["errors"]["colour"] == ["Unknown field."]
    assert body["errors"]["source"] == ["Missing data for required field."]


def test_floats_strings_booleans_and_huge_numbers_are_not_versions(officer_api: Api, incident: dict[str, Any]) -> None:
    for version in (1.0, 1.5, "1", True, None, 2**40, [1]):
        response = officer_api.post(f"/incidents/{incident['id']}/steps/suspend/start", {"version": version})
        assert list(assert_problem(response, 422)["errors"]) == ["version"], version


def test_unknown_query_parameters_are_422(officer_api: Api) -> None:
    body = assert_problem(officer_api.get("/incidents?colour=red&per_page=1000"), 422)
    assert set(body["errors"]) == {"colour", "per_page"}


def test_protocol_refusals_carry_their_rule(officer_api: Api, incident: dict[str, Any]) -> None:
    stale = officer_api.post(f"/incidents/{incident['id']}/steps/suspend/start", {"version": 99})
    assert_problem(stale, 409, rule="version", expected=99, actual=incident["version"])


def test_an_unexpected_error_is_a_500_problem_without_internals(
    herstel: Herstel, officer_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(principal: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web.api.accounts, "describe_principal", broken)
    app = create_app(herstel=herstel)  # not TESTING: exceptions become responses, as in production
    response = Api(app.test_client(), officer_api.token).get("/me")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"] == "an unexpected error occurred; it has been logged"


def test_pages_get_html_error_pages(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<main" in response.get_data(as_text=True)


def test_text_no_database_can_store_is_422_not_500(officer_api: Api) -> None:
    for name in ("Model\x00", "Model\ud800"):
        response = officer_api.post("/algorithms", {"name": name})
        assert_problem(response, 422, rule="text")
        assert response.get_json()["errors"] == {"name": ["contains a NUL character or an unpaired surrogate"]}
    assert_problem(officer_api.get("/incidents?step=%00"), 422, rule="text")
    assert_problem(officer_api.get("/protocols/nl%00/1"), 422, rule="text")
    assert_problem(officer_api.get("/protocols/nl-discrimination/2147483648"), 404, rule="unknown-protocol")


def test_a_refusal_has_a_code_and_dutch_words_when_asked(officer_api: Api) -> None:
    """The API words a refusal in English by default and in Dutch on request, always with its code."""
    missing = f"/incidents/{uuid.uuid4()}"
    english = assert_problem(officer_api.get(missing), 404, rule="unknown-incident", code="incident.unknown")
    assert english["detail"].startswith("no incident ")
    assert set(english["params"]) == {"incident_id"}
    dutch = assert_problem(officer_api.get(missing, headers={"Accept-Language": "nl"}), 404, code="incident.unknown")
    assert dutch["detail"] == "Dit incident bestaat niet of u kunt het niet zien."


def test_field_errors_carry_their_codes_and_follow_the_language(officer_api: Api) -> None:
    body = {"algorithm_id": str(uuid.uuid4()), "title": "x", "source": "citizen", "detected_at": "2026-01-05T10:00:00Z"}
    english = assert_problem(officer_api.post("/incidents", body), 422)
    dutch = assert_problem(officer_api.post("/incidents", body, headers={"Accept-Language": "nl"}), 422)
    assert english["error_codes"]["algorithm_id"] == [{"code": "incident.algorithm-not-yours", "params": {}}]
    assert english["errors"]["algorithm_id"] == ["no such algorithm in your organisation"]
    assert dutch["errors"]["algorithm_id"] == ["Kies een algoritme uit de lijst."]
