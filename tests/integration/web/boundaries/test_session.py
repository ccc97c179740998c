"""The session boundary: a staff login ends for real — at logout, after an idle hour, after eight hours
however busy, and when the user is switched off — and a cookie copied before then opens no page after.

The citizen's side of the same boundary (sign-out, 15 idle minutes, 30 in all, a cookie of its own)
is in tests/integration/web/pages/test_citizen.py, where the letters with codes are made.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import Principal, report_incident, set_user_active
from tests.conftest import Clock
from web.access import PUBLIC, access_for, routes_of

PASSWORD = "correct horse battery staple"
COOKIE = "herstel_session"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def sign_in(app: Flask, user: Principal) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def replay(app: Flask, cookie: str) -> FlaskClient:
    """Another browser holding a copy of the cookie (an attacker's, or the same one's back button)."""
    client = app.test_client()
    client.set_cookie(COOKIE, cookie)
    return client


def saved_cookie(client: FlaskClient) -> str:
    found = client.get_cookie(COOKIE)
    assert found is not None
    return found.value


def signed_in(client: FlaskClient, path: str = "/") -> bool:
    response = client.get(path)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), response.headers["Location"]
        return False
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return True


@pytest.fixture
def staff(make_user: Callable[..., Principal]) -> Principal:
    return make_user("officer", password=PASSWORD)


@pytest.fixture
def persons_page(herstel: Herstel, staff: Principal, algorithm: dict[str, Any]) -> str:
    incident = report_incident(
        uow=herstel.uow(),
        principal=staff,
        algorithm_id=algorithm["id"],
        title="Risicomodel selecteert op nationaliteit",
        description="Signaal van een medewerker.",
        source="employee",
        detected_at="2026-11-27T10:00:00+01:00",
        protected_grounds=["nationality"],
    )
    return f"/incidents/{incident['id']}/persons"


def test_a_cookie_saved_before_logout_opens_no_page_afterwards(app: Flask, staff: Principal, persons_page: str) -> None:
    browser = sign_in(app, staff)
    cookie = saved_cookie(browser)
    assert signed_in(replay(app, cookie), persons_page)  # a copy works while the session lives
    logout = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/")})
    assert logout.status_code == 302
    assert not signed_in(replay(app, cookie), persons_page)
    assert not signed_in(replay(app, cookie), "/")
    assert not signed_in(browser, persons_page)


def test_after_logout_no_page_route_takes_the_saved_cookie(app: Flask, staff: Principal, persons_page: str) -> None:
    browser = sign_in(app, staff)
    token = csrf_token(browser, "/")
    cookie = saved_cookie(browser)  # with the form token in it, so the posts below pass CSRF and meet the guard
    browser.post("/logout", data={"csrf_token": token})
    incident_id = persons_page.split("/")[2]
    walked = 0
    for method, rule in routes_of(app):
        if rule.rule.startswith("/api/") or access_for(method, rule.rule) == PUBLIC:
            continue
        path = re.sub(r"<uuid:incident_id>", incident_id, rule.rule)
        path = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), path)
        path = re.sub(r"<(?:\w+:)?\w+>", "assess", path)
        client = replay(app, cookie)
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert response.status_code == 302, (method, path, response.status_code)
        assert response.headers["Location"].startswith("/login"), (method, path)
        walked += 1
    assert walked > 20


def test_an_idle_hour_ends_the_session(app: Flask, staff: Principal, clock: Clock) -> None:
    browser = sign_in(app, staff)
    clock.advance(minutes=59)
    assert signed_in(browser)
    clock.advance(minutes=59)
    assert signed_in(browser)  # each use restarts the idle clock
    clock.advance(minutes=61)
    assert not signed_in(browser)


def test_eight_hours_end_the_session_however_busy_and_renewal_does_not_extend_it(
    app: Flask, staff: Principal, clock: Clock
) -> None:
    browser = sign_in(app, staff)
    cookie = saved_cookie(browser)
    for _ in range(9):  # 7.5 hours of work, never idle for an hour
        clock.advance(minutes=50)
        assert signed_in(browser)
    clock.advance(minutes=31)  # 8 h 1 min after the login, 31 minutes after the last page
    assert not signed_in(browser)
    assert not signed_in(replay(app, cookie))
    assert signed_in(sign_in(app, staff))  # signing in again starts a new day


def test_switching_a_user_off_ends_their_sessions_for_good(herstel: Herstel, app: Flask, staff: Principal) -> None:
    browser = sign_in(app, staff)
    cookie = saved_cookie(browser)
    set_user_active(uow=herstel.uow(), by=Principal.installation(), email=staff.email, active=False)
    assert not signed_in(replay(app, cookie))
    set_user_active(uow=herstel.uow(), by=Principal.installation(), email=staff.email, active=True)
    assert not signed_in(replay(app, cookie))  # switched on again: the old session stays ended
    assert signed_in(sign_in(app, staff))


def test_the_cookie_holds_no_user_id_only_a_session_the_server_knows(app: Flask, staff: Principal) -> None:
    browser = sign_in(app, staff)
    with browser.session_transaction() as session:
        assert "user_id" not in session
        session["sid"] = "a-secret-nobody-issued"
    assert not signed_in(browser)
