"""Signing in and out of the pages: the session login, safe redirects, Dutch by default."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from protocol.services import Herstel, Principal, set_user_active
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
