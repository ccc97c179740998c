"""The OpenAPI document (generated from the schemas) and the browsable docs page from local assets."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from web.access import routes_of


def spec(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_every_api_route_is_documented(app: Flask, client: FlaskClient) -> None:
    document = spec(client)
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    served = {
        (m, re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", r.rule))
        for m, r in routes_of(app)
        if r.rule.startswith("/api/v1/") and not r.rule.startswith(("/api/v1/docs", "/api/v1/openapi"))
    }
    assert served - documented == set()


def test_bearer_security_and_problem_errors(client: FlaskClient) -> None:
    document = spec(client)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "`herstel token create --user EMAIL`",
    }
    assert document["security"] == [{"bearerAuth": []}]
    conflict = document["components"]["responses"]["CONFLICT"]
    assert list(conflict["content"]) == ["application/problem+json"]
    report = document["paths"]["/api/v1/incidents"]["post"]
    assert {"201", "409", "422"} <= set(report["responses"])
    body = document["components"]["schemas"]["IncidentCreate"]
    assert body["additionalProperties"] is False
    assert "detected_at" in body["required"]


def test_the_step_bodies_point_to_the_definition(client: FlaskClient) -> None:
    document = spec(client)
    complete = document["paths"]["/api/v1/incidents/{incident_id}/steps/{step}/complete"]["post"]
    schema_ref = complete["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is True
    assert schema["required"] == ["version"]
    waive = document["paths"]["/api/v1/incidents/{incident_id}/steps/{step}/waive"]["post"]
    assert {"200", "202"} <= set(waive["responses"])


def test_the_docs_page_uses_only_local_assets(client: FlaskClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
