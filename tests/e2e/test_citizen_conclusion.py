"""The end of a case on a phone: the citizen reads what each step came to, in words, and the page
passes axe-core. The screenshot is in test-artifacts/screenshots/a-closed-case-*.png."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from protocol.services import close_incident
from tests.e2e.conftest import Audit, Site, notify_one_reader, open_letter, staff
from tests.e2e.test_citizen_journey import assessed_incident
from tests.integration.flows import REPORTING, SAFEGUARD, SANCTION, SUSPENSION, People, do_step, investigate
from tests.smtp import SmtpServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]


def test_a_closed_case_on_a_phone(chromium: Browser, mailed: tuple[Site, SmtpServer], audit: Audit) -> None:
    site, smtp = mailed
    herstel = site.herstel
    officer = staff(site, "officer")
    incident_id = assessed_incident(site)
    message = notify_one_reader(site, smtp, incident_id)

    team = People(officer, staff(site, "coordinator"), staff(site, "coordinator"), staff(site, "investigator"))
    from protocol.services import get_incident

    incident = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident_id)
    incident = do_step(herstel, officer, incident, "suspend", SUSPENSION)
    incident = do_step(herstel, officer, incident, "report", REPORTING)
    incident = investigate(herstel, team, incident)
    incident = do_step(herstel, officer, incident, "sanction", SANCTION)
    incident = do_step(herstel, officer, incident, "safeguard", SAFEGUARD)
    close_incident(uow=herstel.uow(), principal=team.coordinator, incident_id=incident_id, version=incident["version"])

    phone = chromium.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})
    citizen = phone.new_page()
    open_letter(citizen, site, message)
    status = citizen.locator("#status")
    status.scroll_into_view_if_needed()
    text = status.inner_text()
    assert "Wij zijn klaar met deze zaak." in text
    assert "De onderzoeker heeft vastgesteld dat het programma mensen ongelijk behandelde." in text
    assert "Wij hebben niemand een sanctie gegeven. De reden: Geen individuele verwijtbaarheid vastgesteld." in text
    assert "Dit hebben wij afgesproken: Jaarlijkse bias-toets." in text
    audit.check(citizen, "citizen-closed")
    status.screenshot(path=str(audit.folder / "a-closed-case-status.png"))
    phone.close()
    assert audit.blocking() == []
