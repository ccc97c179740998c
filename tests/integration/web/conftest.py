"""Fixtures for the web tests: an app on the installation under test, and API clients per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from installation import Herstel
from protocol.services import Principal, create_token
from web import create_app

ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 1200,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Signs of indirect discrimination on nationality in the risk model.",
}
SUSPENSION = {
    "scope": "full",
    "fallback_procedure": "Manual assessment of every application by two case workers.",
    "not_working_since": "2026-11-20T00:00:00+01:00",
    "confirmed_by_owner": True,
}


class Api:
    """A test client speaking to /api/v1 with one user's bearer token."""

    def __init__(self, client: FlaskClient, token: str | None, principal: Principal | None = None) -> None:
        self.client = client
        self.token = token
        self.principal = principal

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.post(
            "/api/v1" + path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def put(self, path: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.client.put("/api/v1" + path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.delete("/api/v1" + path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    # the protocol's moves, each asserting success, returning the incident
    def ok(self, response: TestResponse, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body

    def report(self, algorithm_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "algorithm_id": algorithm_id,
            "title": "Risicomodel selecteert op nationaliteit",
            "description": "Signaal van een medewerker.",
            "source": "employee",
            "detected_at": "2026-11-27T10:00:00+01:00",
            "protected_grounds": ["nationality"],
            **overrides,
        }
        return self.ok(self.post("/incidents", body), 201)

    def act(self, incident: dict[str, Any], path: str, status: int = 200, **body: Any) -> dict[str, Any]:
        return self.ok(
            self.post(f"/incidents/{incident['id']}/{path}", {"version": incident["version"], **body}), status
        )


@pytest.fixture
def app(herstel: Herstel) -> Flask:
    return create_app({"TESTING": True}, herstel=herstel)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def token_for(herstel: Herstel) -> Callable[[Principal], str]:
    def issue(principal: Principal) -> str:
        return create_token(uow=herstel.uow(), by=Principal.installation(), email=principal.email, name="test").secret

    return issue


@pytest.fixture
def as_user(
    client: FlaskClient, make_user: Callable[..., Principal], token_for: Callable[[Principal], str]
) -> Callable[..., Api]:
    """`as_user("officer")`: a new user with those roles and an API client with their token."""

    def make(*roles: str, principal: Principal | None = None) -> Api:
        principal = principal or make_user(*roles)
        return Api(client, token_for(principal), principal)

    return make


@pytest.fixture
def anonymous(client: FlaskClient) -> Api:
    return Api(client, None)


@pytest.fixture
def officer_api(as_user: Callable[..., Api], officer: Principal) -> Api:
    return as_user(principal=officer)


@pytest.fixture
def coordinator_api(as_user: Callable[..., Api], coordinator: Principal) -> Api:
    return as_user(principal=coordinator)


@pytest.fixture
def incident(officer_api: Api, algorithm: dict[str, Any]) -> dict[str, Any]:
    """A freshly reported incident (assess active), reported by `officer`."""
    return officer_api.report(str(algorithm["id"]))


@pytest.fixture
def assessed(officer_api: Api, incident: dict[str, Any]) -> dict[str, Any]:
    """The incident after assess completed with outcome `suspected`."""
    return officer_api.act(incident, "steps/assess/complete", **ASSESSMENT)
