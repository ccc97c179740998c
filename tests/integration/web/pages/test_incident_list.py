"""The incident list on the start page: current step, severity, owner and the next deadline with the
days left in words, by urgency (missed first, then soonest due); a search on reference and title."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import assign_owner, complete_step
from tests.conftest import Clock
from tests.integration.web.pages.conftest import ASSESSMENT, Browser
from tests.integration.web.pages.dom import Element

pytestmark = [pytest.mark.postgres]


def table(page: Element) -> list[dict[str, str]]:
    """Each row as {column header: cell text}."""
    headers = [th.text for th in page.one("thead").select("th")]
    return [
        dict(zip(headers, (td.text for td in row.select("td")), strict=True)) for row in page.one("tbody").select("tr")
    ]


def test_columns_days_left_in_words_and_urgency(
    officer_browser: Browser,
    coordinator_browser: Browser,
    report: Callable[..., dict[str, Any]],
    herstel: Herstel,
    clock: Clock,
) -> None:
    # 2 December 2026 (a Wednesday) is the last day of the first assessment (2 working days from Monday 30 Nov)
    late = report(officer_browser.principal, title="Oud signaal")
    clock.advance(days=4)  # Friday 4 December: two days after its last day
    fresh = report(officer_browser.principal, title="Vers signaal")
    assessed = report(officer_browser.principal, title="Beoordeeld signaal")
    assessed = complete_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        step="assess",
        version=assessed["version"],
        evidence=ASSESSMENT,
    )
    assign_owner(
        uow=herstel.uow(),
        principal=coordinator_browser.principal,
        incident_id=assessed["id"],
        user_id=coordinator_browser.principal.user_id,
        version=assessed["version"],
    )
    officer_browser.sign_in()

    page = officer_browser.page("/")
    rows = table(page)
    assert [r["Incident"].split(" ", 1)[1] for r in rows] == ["Oud signaal", "Beoordeeld signaal", "Vers signaal"]
    assert list(rows[0]) == ["Incident", "Status", "Eerstvolgende termijn", "Huidige stap", "Ernst", "Eigenaar"]
    first, second, third = rows
    assert first["Eerstvolgende termijn"].startswith("2 dagen te laat")
    assert "eind 2 dec 2026" in first["Eerstvolgende termijn"]
    assert first["Huidige stap"] == "Beoordelen"
    assert first["Ernst"] == "nog niet beoordeeld"
    assert first["Eigenaar"] == "olga"
    assert second["Ernst"] == "3"
    assert second["Eigenaar"] == "cor"
    # assessed: the steps that may start now, said to be waiting (not a bare dash)
    assert second["Huidige stap"] == (
        "Algoritme stoppen, Melden, Onafhankelijk onderzoek, Betrokkenen informeren (nog niet gestart)"
    )
    assert second["Eerstvolgende termijn"] == "nog 3 dagen eind 7 dec 2026"  # suspend: 1 working day after Friday
    assert third["Eerstvolgende termijn"] == "nog 4 dagen eind 8 dec 2026"  # soonest due before later due
    # the colour repeats the words: a tone per urgency, never the only sign
    tones = [row.one("span", class_="due")["class"] for row in page.one("tbody").select("tr")]
    assert tones[0] == "due due--late"
    assert page.one("tbody").select("tr")[0].has_class("row--warn")
    assert fresh["reference"] in third["Incident"]
    assert late["reference"] in first["Incident"]


def test_search_by_reference_and_title(officer_browser: Browser, report: Callable[..., dict[str, Any]]) -> None:
    first = report(officer_browser.principal, title="Toeslagen selectie")
    report(officer_browser.principal, title="Parkeervergunning")
    for _ in range(2):
        report(officer_browser.principal, title="Bijstand risicoscore")

    by_title = officer_browser.page("/?q=toeslag")
    assert [r["Incident"] for r in table(by_title)] == [f"{first['reference']} Toeslagen selectie"]
    assert by_title.one("input", id="filter-q")["value"] == "toeslag"
    by_reference = officer_browser.page(f"/?q={first['reference']}")
    assert [r["Incident"] for r in table(by_reference)] == [f"{first['reference']} Toeslagen selectie"]
    none = officer_browser.page("/?q=onbekend")
    assert "Geen incident past bij “onbekend”." in none.text
    # the search stays in the pager's links
    many = officer_browser.page("/?q=bijstand")
    assert len(table(many)) == 2


def test_days_left_in_english(
    browser: Callable[..., Browser], report: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    officer = browser("officer", language="en")
    report(officer.principal, title="Today")
    clock.advance(days=2)  # Wednesday 2 December: the assessment's last day
    officer.sign_in()
    row = table(officer.page("/"))[0]
    assert row["Next deadline"].startswith("today")
    assert row["Current step"] == "Assess"
