"""The officers' overview in a real browser: the incident list by urgency with the days left in words,
the search, handing an incident to a colleague, and "Wat op u wacht"; on a desktop and a phone,
each page photographed and checked with axe-core (test-artifacts/screenshots/officer-overview-*)."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.services import authenticate_password, complete_step, list_algorithms, report_incident
from tests.e2e.conftest import PASSWORD, Audit, Site, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 800,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanwijzingen voor onderscheid naar nationaliteit.",
}


def two_incidents(site: Site) -> tuple[dict[str, Any], dict[str, Any]]:
    """One assessed (its suspension is due in one working day), one just reported (two working days)."""
    officer = authenticate_password(uow=site.herstel.uow(), email=site.users["officer"], password=PASSWORD)
    algorithm = list_algorithms(uow=site.herstel.uow(), principal=officer)[0]

    def report(title: str) -> dict[str, Any]:
        return report_incident(
            uow=site.herstel.uow(),
            principal=officer,
            algorithm_id=algorithm["id"],
            title=title,
            description="Signaal van een medewerker.",
            source="employee",
            detected_at=site.herstel.clock(),
            protected_grounds=["nationality"],
        )

    waiting = report("Nieuw signaal over de toeslagen")
    urgent = report("Risicoscore weegt nationaliteit mee")
    urgent = complete_step(
        uow=site.herstel.uow(),
        principal=officer,
        incident_id=urgent["id"],
        step="assess",
        version=urgent["version"],
        evidence=ASSESSMENT,
    )
    return urgent, waiting


def test_officer_overview(chromium: Any, site: Site, audit: Audit) -> None:
    urgent, waiting = two_incidents(site)
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(context, site, "officer", audit)

    # the list: soonest due first, each with its step, severity, owner and the days left in words
    rows = officer.locator("table.incident-list tbody tr")
    assert rows.count() == 2
    assert urgent["reference"] in rows.nth(0).inner_text()
    assert waiting["reference"] in rows.nth(1).inner_text()
    assert "Olga de Vries" in rows.nth(0).inner_text()
    assert rows.nth(1).locator(".due").inner_text().startswith("nog ")
    assert "Beoordelen" in rows.nth(1).inner_text()

    # the search by title
    officer.get_by_label("Zoeken op kenmerk of titel").fill("toeslagen")
    officer.get_by_role("button", name="Filteren").click()
    officer.wait_for_load_state()
    assert rows.count() == 1
    assert waiting["reference"] in rows.nth(0).inner_text()
    audit.check(officer, "list-searched")

    # what waits on the officer: the assessment of the incident they own, linked to its step
    officer.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Wat op u wacht").click()
    officer.wait_for_url(site.url + "/waiting")
    item = officer.get_by_role("link", name="Stap “Beoordelen” loopt")
    assert item.count() == 1
    audit.check(officer, "officer-waiting")

    # a coordinator hands the new incident to themselves; its assessment then waits on them
    coordinator_context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    coordinator = sign_in(coordinator_context, site, "coordinator", audit)
    coordinator.goto(f"{site.url}/incidents/{waiting['id']}")
    assert coordinator.locator("#owner-name").inner_text() == "Olga de Vries"
    coordinator.get_by_label("Incident overdragen aan").select_option(label="Cor Jansen")
    coordinator.get_by_role("button", name="Eigenaar wijzigen").click()
    coordinator.wait_for_load_state()
    assert "Cor Jansen is nu eigenaar van dit incident." in coordinator.locator(".messages").inner_text()
    assert coordinator.locator("#owner-name").inner_text() == "Cor Jansen"
    audit.check(coordinator, "owner-changed")
    coordinator.goto(site.url + "/waiting")
    assert coordinator.get_by_role("link", name="Stap “Beoordelen” loopt").count() == 1
    audit.check(coordinator, "coordinator-waiting")
    officer.reload()
    assert officer.get_by_role("link", name="Stap “Beoordelen” loopt").count() == 0

    # the list on a phone: one block per incident, each value named by its column
    phone_context = chromium.new_context(locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = sign_in(phone_context, site, "officer", audit)
    assert phone.locator("table.incident-list tbody tr").count() == 2
    audit.check(phone, "list-phone")

    for browser_context in (context, coordinator_context, phone_context):
        browser_context.close()
    assert audit.blocking() == []
