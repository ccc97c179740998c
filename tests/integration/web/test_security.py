"""Security headers on every response, cookie flags, CSRF on forms, and rate limits (memory and Redis)."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import Principal
from tests.integration.web.conftest import Api
from tests.services import REDIS_URL, reachable, unavailable
from web import create_app
from web.settings import flask_config

PASSWORD = "correct horse battery staple"


def csrf_token(client: FlaskClient, path: str = "/login", **kwargs: Any) -> str:
    page = client.get(path, **kwargs).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/openapi.json", "/login", "/static/herstel.css", "/nope"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production (HTTPS)


def test_api_responses_are_not_cached(officer_api: Api) -> None:
    assert officer_api.get("/me").headers["Cache-Control"] == "no-store"


def test_pages_contain_no_inline_script(client: FlaskClient) -> None:
    for path in ("/login", "/api/v1/docs"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers
        assert "https://" not in html, "no CDN or other origin"
        assert "http://" not in html, "no CDN or other origin"


def test_production_cookies_are_secure_httponly_lax(herstel: Herstel, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    herstel.settings = dataclasses.replace(herstel.settings, env="production")
    app = create_app({"TESTING": True}, herstel=herstel)
    client = app.test_client()
    https = {"base_url": "https://herstel.example"}  # Secure cookies travel over HTTPS only
    token = csrf_token(client, **https)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers={"Referer": "https://herstel.example/login"},  # CSRF checks the Referer over HTTPS
        **https,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_development_cookies_are_httponly_lax_but_not_secure(client: FlaskClient) -> None:
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_forms_need_the_csrf_token(client: FlaskClient, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert refused.mimetype == "text/html"
    assert "Het formulier is verlopen" in refused.get_data(as_text=True)
    accepted = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert accepted.status_code == 302


def test_the_api_needs_no_csrf_token(officer_api: Api) -> None:
    assert officer_api.post("/tokens", {"name": "ci"}).status_code == 201


def _login_until_limited(client: FlaskClient, email: str, attempts: int) -> list[int]:
    token = csrf_token(client)
    return [
        client.post("/login", data={"email": email, "password": "wrong-password!", "csrf_token": token}).status_code
        for _ in range(attempts)
    ]


def test_login_is_rate_limited(herstel: Herstel, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    app = create_app({"TESTING": True, "HERSTEL_LOGIN_LIMIT": "3 per minute"}, herstel=herstel)
    client = app.test_client()
    assert _login_until_limited(client, user.email, 4) == [200, 200, 200, 429]
    limited = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert limited.status_code == 429
    assert limited.mimetype == "text/html"
    assert "Retry-After" in limited.headers
    # another account from the same address is not locked out by it
    other = make_user("officer", password=PASSWORD)
    token = csrf_token(client)
    assert (
        client.post("/login", data={"email": other.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    )


def test_api_rate_limit_is_problem_json(herstel: Herstel, officer_api: Api) -> None:
    app = create_app({"TESTING": True, "HERSTEL_TOKEN_LIMIT": "2 per minute"}, herstel=herstel)
    api = Api(app.test_client(), officer_api.token)
    statuses = [api.post("/tokens", {"name": f"t{i}"}).status_code for i in range(3)]
    assert statuses == [201, 201, 429]
    response = api.post("/tokens", {"name": "again"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 429
    assert "Retry-After" in response.headers


def test_rate_limits_live_in_redis_when_the_installation_has_it(herstel: Herstel, make_user: Any) -> None:
    import redis

    if not reachable("127.0.0.1", 6379):
        unavailable("Redis", "127.0.0.1:6379")
    herstel.settings = dataclasses.replace(herstel.settings, redis_url=REDIS_URL)
    assert flask_config(herstel.settings)["RATELIMIT_STORAGE_URI"] == REDIS_URL
    prefix = f"herstel-test-{secrets.token_hex(6)}"  # our own keys only: the Redis is shared
    app = create_app(
        {"TESTING": True, "HERSTEL_LOGIN_LIMIT": "2 per minute", "RATELIMIT_KEY_PREFIX": prefix}, herstel=herstel
    )
    user = make_user("officer", password=PASSWORD)
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        assert _login_until_limited(app.test_client(), user.email, 3) == [200, 200, 429]
        keys = connection.keys(f"*{prefix}*")
        assert keys, "the limiter's counters are in Redis"
        # a second process (a second app on the same Redis) sees the same counters
        second = create_app(
            {"TESTING": True, "HERSTEL_LOGIN_LIMIT": "2 per minute", "RATELIMIT_KEY_PREFIX": prefix}, herstel=herstel
        )
        assert _login_until_limited(second.test_client(), user.email, 1) == [429]
    finally:
        for key in connection.keys(f"*{prefix}*"):
            connection.delete(key)
        connection.close()


def _code_guesses(app: Any, forwarded_for: str, count: int) -> list[int]:
    client = app.test_client()
    return [
        client.post(
            "/api/v1/citizen/session",
            json={"access_code": "AAAA-BBBB-CCCC-DDDD"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
        ).status_code
        for _ in range(count)
    ]


@pytest.mark.parametrize(("hops", "second_client"), [(0, [429]), (1, [401])])
def test_clients_behind_a_trusted_proxy_are_told_apart_and_only_then(
    herstel: Herstel, hops: int, second_client: list[int]
) -> None:
    herstel.settings = dataclasses.replace(herstel.settings, proxy_hops=hops)
    app = create_app({"TESTING": True, "HERSTEL_CITIZEN_CODE_LIMIT": "2 per minute"}, herstel=herstel)
    assert _code_guesses(app, "192.0.2.7", 3) == [401, 401, 429]
    # without a declared proxy the header is the client's word and is ignored: all share the proxy's address
    assert _code_guesses(app, "198.51.100.9", 1) == second_client


# ---------------------------------------------------------------------- bodies: size and shape


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it the app read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.taken += len(chunk)
        return chunk


def incident_body(algorithm: dict[str, Any], title: str) -> bytes:
    return json.dumps(
        {
            "algorithm_id": str(algorithm["id"]),
            "title": title,
            "description": "Signaal van een medewerker.",
            "source": "employee",
            "detected_at": "2026-11-27T10:00:00+01:00",
            "protected_grounds": ["nationality"],
        }
    ).encode()


def test_a_json_body_over_1_mb_is_413_before_any_of_it_is_read(officer_api: Api, algorithm: dict[str, Any]) -> None:
    body = CountingStream(incident_body(algorithm, "x" * (2 * 1024 * 1024)))
    response = officer_api.post(
        "/incidents",
        input_stream=body,
        content_length=len(body.getvalue()),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    assert body.taken == 0  # refused on its Content-Length: never parsed (before: 422 on the title's length)


def test_a_chunked_json_body_is_cut_off_at_1_mb(officer_api: Api, algorithm: dict[str, Any]) -> None:
    body = CountingStream(incident_body(algorithm, "x" * (2 * 1024 * 1024)))
    response = officer_api.post(
        "/incidents",
        input_stream=body,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as waitress and gunicorn say of a chunked body
    )
    assert response.status_code == 413, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    assert body.taken <= 1024 * 1024 + 64 * 1024


def test_a_json_body_under_1_mb_is_still_taken(officer_api: Api, algorithm: dict[str, Any]) -> None:
    body = {**json.loads(incident_body(algorithm, "Titel")), "description": "x" * 5000}
    response = officer_api.post("/incidents", body)
    assert response.status_code == 201, response.get_data(as_text=True)[:500]


def test_a_persons_csv_of_a_few_mb_keeps_the_larger_limit(officer_api: Api, algorithm: dict[str, Any]) -> None:
    from tests.integration.notifications.conftest import people, persons_file

    incident = officer_api.report(str(algorithm["id"]))
    readers = persons_file(people(2))
    padded = readers + b";;;;;;;;\r\n" * 320_000  # blank rows the importer skips: 3 MB in all
    assert len(padded) > 3 * 1024 * 1024
    response = officer_api.post(
        f"/incidents/{incident['id']}/affected-persons", data=padded, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    assert response.get_json()["imported"] == 2


def test_a_page_form_over_1_mb_is_413(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "x" * (2 * 1024 * 1024), "password": "p"})
    assert response.status_code == 413


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_deeply_nested_json_is_400_naming_the_reason_never_500(officer_api: Api, levels: int) -> None:
    for nested in ("[" * levels + "]" * levels, '{"a":' * levels + "1" + "}" * levels):
        response = officer_api.post("/incidents", data=nested, headers={"Content-Type": "application/json"})
        assert response.status_code == 400, response.get_data(as_text=True)[:500]
        body = response.get_json()
        assert body["rule"] == "json-depth"
        assert "nested deeper than" in body["detail"]


def test_json_as_deep_as_the_limit_is_no_error_of_depth(officer_api: Api) -> None:
    nested = {"title": [[[["x"]]]]}
    response = officer_api.post("/incidents", nested)
    assert response.status_code == 422  # the fields are wrong, the shape is allowed
    assert response.get_json().get("rule") != "json-depth"
