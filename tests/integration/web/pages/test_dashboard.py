"""The start page: open incidents overdue first, next deadlines, what waits for the user, filters,
paging; and the menu each role gets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import approve, close_incident, complete_step, sweep_deadlines, waive_step
from tests.conftest import Clock
from tests.integration.web.pages.conftest import ASSESSMENT, Browser
from tests.integration.web.pages.dom import Element
from tests.workers_inline import run_workers


def rows(page: Element) -> list[str]:
    return [row.select("td")[0].text for row in page.one("tbody").select("tr")]


def test_overdue_incidents_come_first_with_their_next_deadline(
    officer_browser: Browser, report: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    late = report(officer_browser.principal, title="Oud signaal")
    clock.advance(days=5)  # the first one's assessment (2 working days) is now overdue
    report(officer_browser.principal, title="Nieuw signaal")
    officer_browser.sign_in()  # five days later: the session has ended (8 hours at most), a new login

    page = officer_browser.page("/")

    assert rows(page) == [f"{late['reference']} Oud signaal", f"{late['reference'][:-1]}2 Nieuw signaal"]
    first, second = page.one("tbody").select("tr")
    assert first.has_class("row--warn")
    assert "Te laat" in first.text
    assert "Te laat" not in second.text
    assert "eind 2 dec 2026" in first.select("td")[2].text  # the last day of the assessment
    assert page.one("caption").text == "2 incidenten, te late eerst"
    assert page.one("a", class_="button", href="/incidents/new").text == "Signaal melden"


def close_unfounded(herstel: Herstel, incident: dict[str, Any], officer: Any, coordinator: Any) -> dict[str, Any]:
    """Assess as unfounded, waive inform (four eyes), close: the shortest way to a closed incident."""
    incident = complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={**ASSESSMENT, "outcome": "unfounded"},
    )
    incident = waive_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="inform",
        version=incident["version"],
        justification="De melder is mondeling geïnformeerd.",
    )
    incident = approve(
        uow=herstel.uow(),
        principal=coordinator,
        incident_id=incident["id"],
        approval_id=incident["approval_id"],
        version=incident["version"],
    )
    return close_incident(
        uow=herstel.uow(), principal=coordinator, incident_id=incident["id"], version=incident["version"]
    )


def titles(page: Element) -> list[str]:
    return [text.split(" ", 1)[1] for text in rows(page)]


def test_filters_on_state_step_and_overdue(
    officer_browser: Browser,
    report: Callable[..., dict[str, Any]],
    assessed: dict[str, Any],
    clock: Clock,
    herstel: Herstel,
    make_user: Callable[..., Any],
) -> None:
    closed = close_unfounded(
        herstel,
        report(officer_browser.principal, title="Ongegrond"),
        officer_browser.principal,
        make_user("coordinator"),
    )
    assert closed["state"] == "closed"
    clock.advance(days=10)  # every open deadline of the assessed incident has passed now
    report(officer_browser.principal, title="Vandaag gemeld")
    officer_browser.sign_in()  # ten days later: the session has ended (8 hours at most), a new login

    assert titles(officer_browser.page("/")) == [assessed["title"], "Vandaag gemeld"]  # open, overdue first
    assert titles(officer_browser.page("/?state=closed")) == ["Ongegrond"]
    assert sorted(titles(officer_browser.page("/?state=all"))) == sorted(
        [assessed["title"], "Vandaag gemeld", "Ongegrond"]
    )
    assert titles(officer_browser.page("/?overdue=yes")) == [assessed["title"]]
    assert titles(officer_browser.page("/?overdue=no")) == ["Vandaag gemeld"]
    by_step = officer_browser.page("/?step=assess")
    assert titles(by_step) == ["Vandaag gemeld"]
    assert by_step.one("option", value="assess").get("selected") is not None
    nonsense = officer_browser.page("/?state=weird&step=teleport&overdue=maybe&page=x")
    assert nonsense.one("select", id="filter-state").one("option", value="open").get("selected") is not None
    assert len(titles(nonsense)) == 2  # the defaults: open incidents, any step


def test_paging(officer_browser: Browser, report: Callable[..., dict[str, Any]]) -> None:
    for number in range(21):
        report(officer_browser.principal, title=f"Signaal {number:02d}")

    first = officer_browser.page("/")
    assert len(first.one("tbody").select("tr")) == 20
    pager = first.one("nav", class_="pager")
    assert pager.one("p").text == "Pagina 1 van 2"
    assert pager.one("a", rel="next")["href"] == "/?state=open&page=2"
    second = officer_browser.page(pager.one("a", rel="next")["href"])
    assert len(rows(second)) == 1
    assert sorted(titles(first) + titles(second)) == [f"Signaal {n:02d}" for n in range(21)]
    assert second.one("a", rel="prev")["href"] == "/?state=open&page=1"


def test_what_waits_for_a_coordinator(
    coordinator_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel, clock: Clock
) -> None:
    assert "Er wacht niets op u." in coordinator_browser.page("/").by_id("waiting-title").parent.text  # type: ignore[union-attr]

    run_workers(herstel)  # the worker turns ApprovalRequested into a notice for coordinators
    clock.advance(days=10)
    sweep_deadlines(uow_factory=herstel.uow)  # the report deadline passes: DeadlineMissed
    run_workers(herstel)
    coordinator_browser.sign_in()  # ten days later: the session has ended (8 hours at most), a new login

    waiting = coordinator_browser.page("/").by_id("waiting-title").parent
    assert waiting is not None
    cards = waiting.with_class("card")
    kinds = sorted(card.one("strong").text for card in cards)
    assert "Een tweede handtekening is nodig" in kinds
    assert "Een termijn is verlopen" in kinds
    approval = next(c for c in cards if c.has_class("card--approval"))
    assert "Algoritme stoppen" in approval.text
    assert approval.one("a")["href"].endswith(
        f"/incidents/{waiver_requested['id']}#approval-{waiver_requested['approval_id']}"
    )


@pytest.mark.parametrize(
    ("roles", "menu"),
    [
        (("officer",), ["Overzicht", "Wat op u wacht", "Signaal melden", "Goedkeuringen", "API-tokens"]),
        (
            ("coordinator",),
            ["Overzicht", "Wat op u wacht", "Signaal melden", "Goedkeuringen", "Gebruikers", "API-tokens"],
        ),
        (("investigator",), ["Mijn opdrachten", "Wat op u wacht", "API-tokens"]),
        (("oversight",), ["Overzicht", "Toezicht", "API-tokens"]),
        (("admin",), ["Overzicht", "Gebruikers", "API-tokens"]),
    ],
)
def test_the_menu_offers_what_the_role_may_do(
    browser: Callable[..., Browser], roles: tuple[str, ...], menu: list[str]
) -> None:
    page = browser(*roles).page("/")
    nav = page.one("nav", class_="main-nav")
    assert [a.text for a in nav.select("a")] == menu
    assert nav.select("a")[0]["aria-current"] == "page"


def test_pages_a_role_may_not_use_are_forbidden(browser: Callable[..., Browser]) -> None:
    investigator = browser("investigator")
    assert investigator.get("/incidents/new").status_code == 403
    assert investigator.get("/approvals").status_code == 403
    admin = browser("admin")
    page = admin.page("/")
    assert "Uw rol heeft hier geen pagina's met incidenten." in page.text
    # an oversight body has pages of its own now (issue 9): the start page leads there
    oversight = browser("oversight").page("/")
    assert "Uw rol heeft hier geen pagina's met incidenten." not in oversight.text
    assert any(a["href"] == "/oversight" for a in oversight.select("a"))


def test_strangers_are_sent_to_the_login(app: Any) -> None:
    client = app.test_client()
    for path in ("/", "/incidents/new", "/approvals", "/tokens"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(("language", "heading"), [("nl", "Overzicht"), ("en", "Overview")])
def test_both_languages(browser: Callable[..., Browser], language: str, heading: str) -> None:
    page = browser("officer", language=language).page("/")
    assert page.one("html")["lang"] == language
    assert page.one("h1").text == heading
