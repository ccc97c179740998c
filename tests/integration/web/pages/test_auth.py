"""Signing in and out of the pages: the session login, safe redirects, Dutch by default."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from installation import Herstel
from protocol.services import Principal, set_user_active
from tests.integration.web.test_security import PASSWORD, csrf_token


def login(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str = "") -> object:
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token, "next": next_url})


def test_pages_send_strangers_to_the_login(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/"


def test_login_and_logout(client: FlaskClient, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    response = login(client, user.email, next_url="/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert user.display_name in home
    logout = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert logout.status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_says_so_without_telling_which(
    client: FlaskClient, make_user: Callable[..., Principal]
) -> None:
    user = make_user("officer", password=PASSWORD)
    wrong = login(client, user.email, "not the password!")
    unknown = login(client, "nobody@example.nl", "not the password!")
    for response in (wrong, unknown):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Het e-mailadres of het wachtwoord klopt niet." in html
        assert 'aria-invalid="true"' in html
        assert 'aria-describedby="login-error"' in html
    assert client.get("/").status_code == 302


def test_login_redirects_only_within_the_site(client: FlaskClient, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    for target, expected in [
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/api/v1/docs", "/api/v1/docs"),
    ]:
        response = login(client, user.email, next_url=target)
        assert response.headers["Location"] == expected


def test_a_deactivated_user_is_signed_out(
    client: FlaskClient, herstel: Herstel, make_user: Callable[..., Principal]
) -> None:
    user = make_user("officer", password=PASSWORD)
    login(client, user.email)
    assert client.get("/").status_code == 200
    set_user_active(uow=herstel.uow(), by=Principal.installation(), email=user.email, active=False)
    assert client.get("/").status_code == 302


def test_the_session_cookie_does_not_work_for_the_api(client: FlaskClient, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    login(client, user.email)
    assert client.get("/api/v1/me").status_code == 401


# Each of these is a way to smuggle another host past a check for a leading "/": browsers drop tab,
# CR and LF from a URL and read "\" as "/", so "/\t/evil.example" is "//evil.example" to them.
DISGUISED_NEXT = [
    "/\t/evil.example/phish",
    "/\n/evil.example/phish",
    "/\r\n/evil.example/phish",
    "\t//evil.example/phish",
    " //evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example/phish",
    "/%2F/evil.example/phish",
    "/%2f%2fevil.example/phish",
    "/%5Cevil.example/phish",
    "https:evil.example",
    "https://evil.example/phish",
    "javascript:alert(1)",
    "///evil.example/phish",
    "/\u3000/evil.example/phish",  # an ideographic space
    "/\u200b/evil.example/phish",  # a zero-width space
    "/\uff0f/evil.example/phish",  # a fullwidth solidus
    "evil.example/phish",
]


@pytest.mark.parametrize("target", DISGUISED_NEXT)
def test_login_never_redirects_off_site_however_next_is_disguised(
    client: FlaskClient, make_user: Callable[..., Principal], target: str
) -> None:
    user = make_user("officer", password=PASSWORD)
    response = login(client, user.email, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_the_disguised_next_of_the_report_arrives_through_the_query_and_goes_nowhere(
    client: FlaskClient, make_user: Callable[..., Principal]
) -> None:
    # the reproduction: the login page carries ?next= into its form, the form posts it back
    user = make_user("officer", password=PASSWORD)
    page = client.get("/login?next=%2F%09%2Fevil.example%2Fphish").get_data(as_text=True)
    carried = re.search(r'name="next" value="([^"]*)"', page)
    assert carried is not None
    response = login(client, user.email, next_url=html.unescape(carried.group(1)))
    assert response.headers["Location"] == "/"


def test_a_local_next_with_a_query_survives_the_login(client: FlaskClient, make_user: Callable[..., Principal]) -> None:
    user = make_user("officer", password=PASSWORD)
    response = login(client, user.email, next_url="/approvals?page=2&lang=en")
    assert response.headers["Location"] == "/approvals?page=2&lang=en"
