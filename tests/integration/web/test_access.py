"""The permission matrix, exhaustively: every API route × every role (and no, bad, revoked token,
deactivated user) → allowed or denied as web.access.ROUTES and protocol MATRIX declare."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import MATRIX, Principal, Role, create_token, revoke_token, set_user_active
from web import access, create_app
from web.access import PUBLIC, ROUTES, SIGNED_IN, routes_of

PARAMS = {
    "uuid": lambda: str(uuid.uuid4()),
    "int": lambda: "1",
    "path": lambda: "swagger-ui.css",
}
NAMED = {"step": "assess", "key": "nl-discrimination"}
CITIZEN = "/api/v1/citizen/"
CALLERS = [*(r.value for r in Role), "no token", "bad token", "revoked token", "deactivated user"]


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The matrix runs on PostgreSQL, as production does."""
    return str(request.param)


def concrete(rule: str) -> str:
    """A URL for a rule, with made-up ids (nothing exists: an allowed call ends in 404/422, never 401/403)."""

    def fill(match: re.Match[str]) -> str:
        converter, _, name = match.group(1).rpartition(":")
        return NAMED.get(name) or PARAMS.get(converter or "default", lambda: name)()

    return re.sub(r"<([^>]+)>", fill, rule)


def expected_allowed(access_needed: Any, role: str | None) -> bool:
    """Derived from the table and the matrix, independently of the guard's own code."""
    if access_needed == PUBLIC:
        return True
    if role is None:
        return False
    if access_needed == SIGNED_IN:
        return True
    actions = (access_needed,) if isinstance(access_needed, str) else access_needed
    return any(Role(role) in MATRIX[action] for action in actions)


def api_routes(app: Flask) -> list[tuple[str, str]]:
    return sorted((m, r.rule) for m, r in routes_of(app) if r.rule.startswith("/api/v1"))


@pytest.fixture
def tokens(herstel: Herstel, make_user: Callable[..., Principal]) -> dict[str, str | None]:
    found: dict[str, str | None] = {"no token": None, "bad token": "hst_" + "x" * 43}
    for role in Role:
        user = make_user(role.value)
        found[role.value] = create_token(uow=herstel.uow(), by=Principal.installation(), email=user.email).secret
    revoked = make_user("officer", "coordinator", "admin")
    issued = create_token(uow=herstel.uow(), by=Principal.installation(), email=revoked.email)
    revoke_token(uow=herstel.uow(), principal=Principal.installation(), token_id=issued.id)
    found["revoked token"] = issued.secret
    gone = make_user("officer", "coordinator", "admin")
    found["deactivated user"] = create_token(uow=herstel.uow(), by=Principal.installation(), email=gone.email).secret
    set_user_active(uow=herstel.uow(), by=Principal.installation(), email=gone.email, active=False)
    return found


def test_every_route_is_declared(app: Flask) -> None:
    assert access.undeclared_routes(app) == []
    served = {access.route_key(m, r.rule) for m, r in routes_of(app)}
    assert sorted(set(ROUTES) - served) == [], "ROUTES names routes the app does not have"


def test_a_route_missing_from_the_table_stops_the_app(herstel: Herstel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(ROUTES, "GET /api/v1/incidents/<uuid:incident_id>/verify")
    with pytest.raises(RuntimeError, match=r"routes missing from web\.access\.ROUTES: GET /api/v1/incidents"):
        create_app(herstel=herstel)


def test_an_action_unknown_to_the_matrix_stops_the_app(herstel: Herstel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ROUTES, "GET /api/v1/me", "incident.teleport")
    with pytest.raises(RuntimeError, match=r"incident\.teleport"):
        create_app(herstel=herstel)


def test_every_api_route_for_every_caller(app: Flask, client: FlaskClient, tokens: dict[str, str | None]) -> None:
    routes = api_routes(app)
    assert len(routes) >= 30
    checked = 0
    failures = []
    for method, rule in routes:
        needed = ROUTES[access.route_key(method, rule)]
        for caller in CALLERS:
            token = tokens[caller]
            role = caller if caller in {r.value for r in Role} else None
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            url = concrete(rule)
            response = client.open(url, method=method, headers=headers, json={} if method == "POST" else None)
            body = response.get_json(silent=True) or {}
            if expected_allowed(needed, role):
                ok = response.status_code not in (401, 403)
                # the guard let it through; a citizen route's service then refuses what is not a citizen session
                ok = ok or (rule.startswith(CITIZEN) and body.get("rule") == "access-denied")
            elif role is None:
                ok = response.status_code == 401 and body.get("rule") == "authentication"
                ok = ok and response.headers.get("WWW-Authenticate", "").startswith("Bearer")
            else:
                ok = response.status_code == 403 and body.get("rule") == "permission"
            if not ok:
                failures.append(f"{method} {url} as {caller}: {response.status_code} {body}")
            checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len(routes) * len(CALLERS)


def test_denial_is_problem_json_naming_the_action(as_user: Callable[..., Any]) -> None:
    oversight = as_user("oversight")
    response = oversight.get("/incidents")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["action"] == "incident.read"


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite shares no connection (protocol.storage.database)
def test_a_request_takes_one_connection_for_its_token_check_and_its_service(
    herstel: Herstel, client: FlaskClient, token_for: Callable[[Principal], str], officer: Principal
) -> None:
    token = token_for(officer)
    client.get("/api/v1/algorithms", headers={"Authorization": f"Bearer {token}"})  # the token's first use is written
    checkouts: list[object] = []
    sa.event.listen(herstel.db.engine, "checkout", lambda *_: checkouts.append(1))
    answer = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert len(checkouts) == 1
    assert herstel.db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
