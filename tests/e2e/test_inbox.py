"""The staff inbox in a real browser: the header's unread count, the list, mark read, the mail
preference; each page checked with axe-core and photographed (test-artifacts/screenshots/inbox-*)."""

from __future__ import annotations

from typing import Any

import pytest

from protocol.services import (
    authenticate_password,
    complete_step,
    list_algorithms,
    notification_preferences,
    report_incident,
    waive_step,
)
from tests.e2e.conftest import PASSWORD, Audit, Site, sign_in
from tests.integration.protocol.services.test_deadline_sweep import handle_everything

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 2,
    "estimated_affected": 300,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanwijzingen voor onderscheid naar leeftijd.",
}


def a_waiver_waiting(site: Site) -> dict[str, Any]:
    """The officer asks to keep the algorithm in use: the coordinator's second signature is asked."""
    officer = authenticate_password(uow=site.herstel.uow(), email=site.users["officer"], password=PASSWORD)
    algorithm = list_algorithms(uow=site.herstel.uow(), principal=officer)[0]
    incident = report_incident(
        uow=site.herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Leeftijd weegt mee in het risicoprofiel",
        description="Signaal van een medewerker.",
        source="employee",
        detected_at=site.herstel.clock(),
        protected_grounds=["age"],
    )
    incident = complete_step(
        uow=site.herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    incident = waive_step(
        uow=site.herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="suspend",
        version=incident["version"],
        justification="Voortgezet gebruik: elke selectie wordt met de hand gecontroleerd.",
    )
    handle_everything(site.herstel)
    return incident


def test_inbox(chromium: Any, site: Site, audit: Audit) -> None:
    incident = a_waiver_waiting(site)
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = sign_in(context, site, "coordinator", audit)

    link = page.get_by_role("banner").get_by_role("link", name="Meldingen 1 ongelezen")
    assert link.is_visible()
    link.click()
    page.wait_for_url(site.url + "/inbox")
    assert page.get_by_role("heading", level=1).inner_text() == "Meldingen"
    card = page.locator(".inbox__item").first
    assert "Uw goedkeuring wordt gevraagd" in card.inner_text()
    assert incident["reference"] in card.inner_text()
    assert audit.check(page, "unread") == []

    card.get_by_role("button", name="Als gelezen markeren").click()
    page.wait_for_url(f"{site.url}/inbox#n-*")
    assert "Alles is gelezen." in page.locator("main").inner_text()
    assert page.get_by_role("banner").get_by_role("link", name="Meldingen", exact=True).is_visible()
    assert audit.check(page, "read") == []

    page.get_by_label("Eén overzicht per dag, 's ochtends").check()
    page.get_by_label("English").check()
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(f"{site.url}/inbox#preferences")
    assert "Uw keuze is opgeslagen." in page.locator("main").inner_text()
    coordinator = authenticate_password(uow=site.herstel.uow(), email=site.users["coordinator"], password=PASSWORD)
    assert notification_preferences(uow=site.herstel.uow(), principal=coordinator) == {
        "mail": "daily",
        "language": "en",
    }
    assert audit.check(page, "preferences") == []

    # the same page in English, with nothing left in Dutch but the language names
    page.goto(site.url + "/inbox?lang=en")
    assert page.get_by_role("heading", level=1).inner_text() == "Notifications"
    assert "Your approval is waiting" in page.locator(".inbox__item").first.inner_text()
    assert audit.check(page, "english") == []
    assert audit.blocking() == []
    context.close()
