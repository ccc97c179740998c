"""The end of a case on a phone: the citizen reads what each step came to, in words, and the page
passes axe-core. The screenshot is in test-artifacts/screenshots/a-closed-case-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from notifications.services import (
    deliver_letters,
    import_persons,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import authenticate_password, close_incident
from tests.e2e.conftest import PASSWORD, Audit, Site, serve_site
from tests.e2e.test_citizen_journey import assessed_incident
from tests.integration.flows import REPORTING, SAFEGUARD, SANCTION, SUSPENSION, People, do_step, investigate
from tests.integration.notifications.conftest import CODE, Dispatched, people, persons_file, publish_events
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, SmtpServer]]:
    data = tmp_path_factory.mktemp("e2e-conclusion")
    smtp = SmtpServer(data / "mail")
    smtp.start()
    try:
        with serve_site(data, smtp_host=smtp.host, smtp_port=smtp.port) as site:
            yield site, smtp
    finally:
        smtp.stop()


@pytest.fixture
def broker(mailed: tuple[Site, SmtpServer]) -> Iterator[Dispatched]:
    """The letters this installation dispatches, taken by the test instead of a worker."""
    found = Dispatched()
    mailed[0].herstel.dispatch.connect(found)
    yield found
    mailed[0].herstel.dispatch.connect(None)


def staff(site: Site, role: str) -> Any:
    found = authenticate_password(uow=site.herstel.uow(), email=site.users[role], password=PASSWORD)
    assert found is not None
    return found


def test_a_closed_case_on_a_phone(chromium: Any, mailed: tuple[Site, SmtpServer], broker: Dispatched,
                                  audit: Audit) -> None:  # fmt: skip
    site, smtp = mailed
    herstel = site.herstel
    officer = staff(site, "officer")
    incident_id = assessed_incident(site)
    import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident_id,
        data=persons_file(people(1, language=lambda i: "nl")),
    )
    start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id, kind="notification")
    publish_events(herstel)
    for letter_ids, _ in broker.take():
        deliver_letters(
            uow_factory=unit_of_work_factory(herstel),
            vault=herstel.vault,
            settings=herstel.settings,
            letter_ids=letter_ids,
        )
    publish_events(herstel)
    (message,) = smtp.messages()
    found = CODE.search(message.get_body(("plain",)).get_content())
    assert found

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
    citizen.goto(site.url + "/citizen")
    citizen.get_by_label("Uw persoonlijke code").fill(found.group(1))
    citizen.get_by_role("button", name="Mijn brief openen").click()
    citizen.wait_for_url(site.url + "/citizen/letter")
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
