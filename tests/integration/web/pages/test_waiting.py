""" "Wat op u wacht": what waits on the signed-in user, from the service, each item linking to where
it is done; in the menu of those who work on incidents."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import assign_owner
from tests.conftest import Clock
from tests.integration.web.pages.conftest import Browser

pytestmark = [pytest.mark.postgres]


def test_the_owner_sees_their_steps_most_urgent_first(
    officer_browser: Browser, report: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    assert "Er wacht niets op u." in officer_browser.page("/waiting").text
    late = report(officer_browser.principal, title="Oud signaal")
    clock.advance(days=4)
    fresh = report(officer_browser.principal, title="Vers signaal")
    officer_browser.sign_in()

    page = officer_browser.page("/waiting")
    assert page.one("h1").text == "Wat op u wacht"
    cards = page.with_class("card")
    assert [c.one("span", class_="reference").text for c in cards] == [late["reference"], fresh["reference"]]
    first = cards[0]
    assert first.one("h2").text == "Stap “Beoordelen” loopt"
    assert first.one("h2").one("a")["href"] == f"/incidents/{late['id']}#step-assess"
    assert first.one("span", class_="due").text == "2 dagen te laat"
    assert "waarvan 1 te laat" in page.text
    nav = page.one("nav", class_="main-nav")
    assert nav.one("a", href="/waiting")["aria-current"] == "page"
    home = officer_browser.page("/")
    assert home.select("a", href="/waiting")  # the start page leads there too


def test_approvals_wait_on_a_coordinator_and_handed_incidents_move(
    coordinator_browser: Browser,
    officer_browser: Browser,
    waiver_requested: dict[str, Any],
    herstel: Herstel,
    browser: Callable[..., Browser],
    report: Callable[..., dict[str, Any]],
) -> None:
    page = coordinator_browser.page("/waiting")
    approval = next(c for c in page.with_class("card") if c.has_class("card--approval"))
    assert approval.one("h2").text == "Tweede handtekening: “Algoritme stoppen” overslaan"
    assert approval.one("a")["href"] == (
        f"/incidents/{waiver_requested['id']}#approval-{waiver_requested['approval_id']}"
    )
    # an incident's steps wait on its owner; handed over, they wait on the new one
    handed = report(officer_browser.principal, title="Overgedragen")
    assert [
        c.one("span", class_="reference").text for c in officer_browser.page("/waiting").with_class("card--step")
    ] == [handed["reference"]]
    assign_owner(
        uow=herstel.uow(),
        principal=coordinator_browser.principal,
        incident_id=handed["id"],
        user_id=coordinator_browser.principal.user_id,
        version=handed["version"],
    )
    assert not officer_browser.page("/waiting").with_class("card--step")
    assert coordinator_browser.page("/waiting").with_class("card--step")

    english = browser("officer", language="en").page("/waiting")
    assert english.one("h1").text == "What waits on you"
    assert "Nothing waits on you." in english.text


def test_who_gets_the_page(browser: Callable[..., Browser]) -> None:
    oversight = browser("oversight")
    assert not oversight.page("/").select("a", href="/waiting")  # no incidents of their own to work on
    assert "Er wacht niets op u." in oversight.page("/waiting").text  # their own list, empty: nothing leaks
