"""The user's API tokens from the page: the secret shown once, listed by prefix, revoked."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.integration.web.pages.conftest import Browser
from tests.integration.web.pages.dom import parse


def test_create_list_and_revoke_a_token(officer_browser: Browser, app: Flask) -> None:
    response = officer_browser.submit("/tokens", {"name": "rapportagescript"}, status=200)

    page = parse(response.get_data(as_text=True))
    secret = page.by_id("new-secret")["value"]
    assert secret.startswith("hst_")
    assert response.headers["Cache-Control"] == "no-store"
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    listed = officer_browser.page("/tokens")
    assert secret not in listed.text  # shown once, never again
    row = listed.one("tbody").select("tr")[0]
    assert row.select("td")[0].text == "rapportagescript"
    assert row.select("td")[1].text == secret[:12] + "…"

    officer_browser.submit(row.one("form")["action"], {})

    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "Ingetrokken" in officer_browser.page("/tokens").one("tbody").text


def test_a_token_needs_a_name(officer_browser: Browser) -> None:
    response = officer_browser.submit("/tokens", {"name": "  "}, status=422)
    page = parse(response.get_data(as_text=True))
    assert page.by_id("token-name")["aria-describedby"] == "token-name-hint token-name-error"
    assert "Geef de token een naam" in page.by_id("token-name-error").text


def test_someone_elses_token_cannot_be_revoked(officer_browser: Browser, browser: Callable[..., Browser]) -> None:
    other = browser("officer", name="Piet")
    page = parse(other.submit("/tokens", {"name": "van piet"}, status=200).get_data(as_text=True))
    assert page.by_id("new-secret")
    action = other.page("/tokens").one("tbody").one("form")["action"]

    assert officer_browser.post(action, {}).status_code == 404
    assert "Ingetrokken" not in other.page("/tokens").one("tbody").text
