"""Fixtures for the page tests: signed-in browsers (Flask test clients) per role, on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from installation import Herstel
from protocol.services import Principal, complete_step, report_incident, waive_step
from tests.integration.notifications.conftest import Dispatched
from tests.integration.web.pages.dom import Element, parse
from web import create_app

PASSWORD = "correct horse battery staple"
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 1200,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanwijzingen voor indirecte discriminatie op nationaliteit.",
}


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The pages are tested on PostgreSQL, as production runs."""
    return str(request.param)


class Browser:
    """One signed-in user's session with the app, speaking HTML forms like a browser without JavaScript."""

    def __init__(self, app: Flask, principal: Principal, language: str = "nl") -> None:
        self.client = app.test_client()
        self.principal = principal
        self.language = language
        self._csrf: str | None = None
        self.signed_in = False

    def sign_in(self) -> Browser:
        self._csrf, self.signed_in = None, False  # also after a session has ended: the token from the login page
        token = self.csrf()
        response = self.client.post(
            "/login", data={"email": self.principal.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self._csrf, self.signed_in = None, True  # a new session after login: a new token
        return self

    def csrf(self) -> str:
        """The session's CSRF token, as a page's forms carry it."""
        if self._csrf is None:
            page = self.client.get("/tokens" if self.signed_in else "/login").get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found, page
            self._csrf = found.group(1)
        return self._csrf

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers={"Accept-Language": self.language}, **kwargs)

    def page(self, path: str, status: int = 200) -> Element:
        response = self.get(path)
        assert response.status_code == status, response.get_data(as_text=True)[:2000]
        return parse(response.get_data(as_text=True))

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form["csrf_token"] = self.csrf()
        return self.client.post(path, data=form, headers={"Accept-Language": self.language}, **kwargs)

    def submit(self, path: str, data: dict[str, Any] | None = None, status: int = 302, **kwargs: Any) -> TestResponse:
        """Post a form and check the status (a redirect after success, by default)."""
        response = self.post(path, data, **kwargs)
        assert response.status_code == status, response.get_data(as_text=True)[:4000]
        return response


@pytest.fixture
def browser(app: Flask, make_user: Callable[..., Principal]) -> Callable[..., Browser]:
    """`browser("officer")`: a new user with those roles, signed in to the pages."""

    def make(*roles: str, principal: Principal | None = None, language: str = "nl", name: str | None = None) -> Browser:
        if principal is None:
            email = f"{name.lower()}@example.nl" if name else None
            principal = make_user(*roles, password=PASSWORD, email=email)
        return Browser(app, principal, language).sign_in()

    return make


@pytest.fixture
def mailing(herstel: Herstel, smtp_server: Any) -> Herstel:
    """The installation, sending its letters to the test's SMTP server."""
    return replace(herstel, settings=replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port))


@pytest.fixture
def dispatched(herstel: Herstel) -> Iterator[Dispatched]:
    """The broker's part, played by the test (see tests/integration/web/pages/letters.py)."""
    broker = Dispatched()
    herstel.dispatch.connect(broker)
    yield broker
    herstel.dispatch.connect(None)


def app_for(installation: Herstel, **config: Any) -> Flask:
    return create_app({"TESTING": True, **config}, herstel=installation)


@pytest.fixture
def officer_browser(browser: Callable[..., Browser], make_user: Callable[..., Principal]) -> Browser:
    return browser(principal=make_user("officer", password=PASSWORD, email="olga@example.nl"))


@pytest.fixture
def coordinator_browser(browser: Callable[..., Browser], make_user: Callable[..., Principal]) -> Browser:
    return browser(principal=make_user("coordinator", password=PASSWORD, email="cor@example.nl"))


@pytest.fixture
def report(herstel: Herstel, algorithm: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    """Report an incident through the services (the page under test is elsewhere)."""

    def make(principal: Principal, **overrides: Any) -> dict[str, Any]:
        fields = {
            "algorithm_id": algorithm["id"],
            "title": "Risicomodel selecteert op nationaliteit",
            "description": "Signaal van een medewerker.",
            "source": "employee",
            "detected_at": "2026-11-27T10:00:00+01:00",
            "protected_grounds": ["nationality"],
            **overrides,
        }
        return report_incident(uow=herstel.uow(), principal=principal, **fields)

    return make


@pytest.fixture
def assessed(herstel: Herstel, report: Callable[..., dict[str, Any]], officer_browser: Browser) -> dict[str, Any]:
    """An incident reported and assessed (suspected) by the officer of `officer_browser`."""
    incident = report(officer_browser.principal)
    return complete_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )


@pytest.fixture
def waiver_requested(herstel: Herstel, assessed: dict[str, Any], officer_browser: Browser) -> dict[str, Any]:
    """The assessed incident with a four-eyes request to waive `suspend` (continued use)."""
    return waive_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        step="suspend",
        version=assessed["version"],
        justification="Voortgezet gebruik: elke selectie wordt met de hand gecontroleerd.",
    )


def field_errors(page: Element) -> dict[str, str]:
    """Each invalid input's id → the text of the error message it is tied to with aria-describedby."""
    found = {}
    for element in page.iter():
        if element.get("aria-invalid") == "true" or (element.tag == "fieldset" and element.has_class("field--invalid")):
            for ident in (element.get("aria-describedby") or "").split():
                if ident.endswith("-error"):
                    found[element["id"]] = page.by_id(ident).text
    return found
