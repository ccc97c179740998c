"""A letter from import to review request, in Debian's Chromium: the officer imports the persons and
sends the letters from the pages, a real SMTP server receives them, the officer finds one in the demo
mailbox, and the citizen opens it with the code from that email and asks for the decision about them
to be reviewed (a notification is not a decision: no objection lies against it). Every page
is photographed and checked with axe-core (no serious or critical violations)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from protocol.services import authenticate_password, complete_step, list_algorithms, report_incident
from tests.e2e.conftest import PASSWORD, Audit, NoClock, Site, serve_site, sign_in
from tests.integration.notifications.conftest import CODE, Dispatched, people, persons_file, run_letters
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]


@pytest.fixture(scope="module")
def mail_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The site mailing a real SMTP server whose mail lands where the demo mailbox reads it."""
    data = tmp_path_factory.mktemp("e2e-mail")
    smtp = SmtpServer(data / "mail")
    smtp.start()
    try:
        with serve_site(data, config={"HERSTEL_MAILBOX": True}, smtp_host=smtp.host, smtp_port=smtp.port) as site:
            yield site
    finally:
        smtp.stop()


@pytest.fixture
def broker(mail_site: Site) -> Iterator[Dispatched]:
    found = Dispatched()
    mail_site.herstel.dispatch.connect(found)
    yield found
    mail_site.herstel.dispatch.connect(None)


def assessed_incident(site: Site) -> str:
    officer = authenticate_password(uow=site.herstel.uow(), email=site.users["officer"], password=PASSWORD)
    assert officer is not None
    algorithm = list_algorithms(uow=site.herstel.uow(), principal=officer)[0]
    incident = report_incident(
        uow=site.herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Risicoscore weegt nationaliteit mee",
        description="Een journalist meldt een patroon in de selecties.",
        source="journalist",
        detected_at=site.herstel.clock(),
        protected_grounds=["nationality"],
    )
    complete_step(
        uow=site.herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={
            "outcome": "established",
            "severity": 3,
            "estimated_affected": 2,
            "high_risk_ai": False,
            "personal_data_breach": False,
            "widespread": False,
            "summary": "Nationaliteit werkt door in de score.",
        },
    )
    return str(incident["id"])


def test_a_citizen_opens_their_letter_with_the_emailed_code_and_asks_for_review(
    chromium: Any, mail_site: Site, broker: Dispatched, audit: Audit
) -> None:
    site = mail_site
    incident_id = assessed_incident(site)
    staff = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(staff, site, "officer", audit)

    # the officer imports two persons (one refused file first) and sends the letters
    officer.goto(f"{site.url}/incidents/{incident_id}")
    officer.get_by_role("link", name="Betrokkenen: importeren en bekijken").click()
    readers = people(2, language=lambda i: ["nl", "en"][i])
    bad = persons_file([dict(readers[0], bsn="123456789")])
    officer.set_input_files("#persons-file", files=[{"name": "fout.csv", "mimeType": "text/csv", "buffer": bad}])
    officer.get_by_role("button", name="Importeren").click()
    assert officer.locator("#import-problems tbody tr").count() == 1
    audit.check(officer, "persons-refused")
    good = persons_file(readers)
    officer.set_input_files("#persons-file", files=[{"name": "personen.csv", "mimeType": "text/csv", "buffer": good}])
    officer.get_by_role("button", name="Importeren").click()
    assert "2 nieuwe personen" in officer.locator(".messages").inner_text()
    audit.check(officer, "persons-imported")
    assert readers[1]["bsn"] not in officer.locator("#list").inner_text()  # masked: ******123
    officer.fill("#search-bsn", readers[1]["bsn"])
    officer.get_by_role("button", name="Zoeken").click()
    assert officer.locator("#search-result").inner_text() == "1 persoon met dit BSN"
    assert readers[1]["bsn"] not in officer.url
    audit.check(officer, "persons-searched")
    officer.locator("#list tbody tr").first.get_by_role("button").click()
    assert officer.locator("#person-bsn").inner_text() == readers[1]["bsn"]
    audit.check(officer, "person-opened")

    officer.goto(f"{site.url}/incidents/{incident_id}")
    officer.get_by_role("button", name="Brieven versturen").click()
    # a look first: the counts per channel, one reader's letter with a placeholder code, then the start
    officer.wait_for_url(re.compile(r".*/letters/preview\?kind=notification$"))
    assert officer.locator("#count-table tfoot td").inner_text() == "2"
    # the first reader the campaign writes to (either of the two): its placeholder in its language
    preview = officer.locator("#preview-text").inner_text()
    assert ("VOORBEELD-GEEN-ECHTE-CODE" in preview) != ("SAMPLE-NOT-A-REAL-CODE" in preview)
    audit.check(officer, "letters-preview")
    officer.get_by_role("button", name="Verstuur 2 brieven").click()
    officer.wait_for_url(re.compile(r".*/incidents/.*#letters$"))
    assert officer.locator("#letters-progress-bar").get_attribute("value") == "0"
    audit.check(officer, "letters-queued")

    run_letters(site.herstel, broker, NoClock())  # the workers' part
    # the page's script notices without a reload
    deadline = time.monotonic() + 20  # (wait_for_function would need eval, which the CSP forbids)
    while officer.evaluate("() => document.querySelector('#letters-progress-bar').value") != 2:
        assert time.monotonic() < deadline, "the progress was not refreshed"
        officer.wait_for_timeout(250)
    assert "2 van 2 brieven" in officer.locator(".letters-progress__text").inner_text()
    audit.check(officer, "letters-delivered")

    # the demo mailbox: the Dutch reader's email, and the code in it
    officer.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Demo-postvak").click()
    audit.check(officer, "mailbox")
    officer.locator("tbody tr", has_text="lezer00000@example.nl").get_by_role("link").click()
    found = CODE.search(officer.locator("pre.mail-text").inner_text())
    assert found
    code = found.group(1)
    audit.check(officer, "mail")

    # the citizen: no account, only the code
    home = chromium.new_context(locale="nl-NL", viewport={"width": 390, "height": 844})  # a phone
    citizen = home.new_page()
    citizen.goto(site.url + "/citizen")
    assert citizen.locator("html").get_attribute("lang") == "nl"
    audit.check(citizen, "citizen-code")
    citizen.get_by_label("Uw persoonlijke code").fill("ABCD-EFGH-JKMN-PQRS")
    citizen.get_by_role("button", name="Mijn brief openen").click()
    assert citizen.locator("#code").get_attribute("aria-invalid") == "true"
    assert "Deze code opent geen brief" in citizen.locator("#code-error").inner_text()
    audit.check(citizen, "citizen-code-wrong")
    citizen.get_by_label("Uw persoonlijke code").fill(code.lower())
    citizen.get_by_role("button", name="Mijn brief openen").click()
    citizen.wait_for_url(site.url + "/citizen/letter")
    assert citizen.locator("h1").inner_text() == "Uw brief"
    assert "Beste Zoë Öztürk-00000" in citizen.locator("article.letter").inner_text()
    # the letter exactly as sent, its code included; the status part says the code was used
    assert code in citizen.locator("article.letter").inner_text()
    assert "U hebt uw brief geopend met de persoonlijke code die erin staat." in citizen.locator("#status").inner_text()
    audit.check(citizen, "citizen-letter")

    assert citizen.get_by_label("Bezwaar maken tegen het besluit").count() == 0
    citizen.get_by_label("Vragen om een nieuwe beoordeling van een beslissing over u").check()
    citizen.get_by_label("Uw bericht").fill("Ik ben het niet eens met mijn selectie voor controle.")
    citizen.get_by_role("button", name="Versturen").click()
    recorded = citizen.locator("#recorded")
    recorded.wait_for()
    assert "Wij hebben uw bericht ontvangen." in recorded.inner_text()
    assert re.search(r"Wij antwoorden uiterlijk op\s+\d{1,2} \w+ 20\d\d", recorded.inner_text())
    audit.check(citizen, "citizen-review")

    citizen.get_by_role("link", name="English").click()
    assert citizen.locator("h1").inner_text() == "Your letter"
    audit.check(citizen, "citizen-letter-en")
    citizen.get_by_role("button", name="Sign out").click()
    assert citizen.locator("h1").inner_text() == "You have signed out"
    audit.check(citizen, "citizen-signed-out")
    citizen.goto(site.url + "/citizen/letter")
    assert citizen.url == site.url + "/citizen"

    # back at the office: the review request, named as such, with its legal deadline
    officer.goto(f"{site.url}/incidents/{incident_id}/responses")
    assert "Ik ben het niet eens met mijn selectie" in officer.locator("main").inner_text()
    assert "Wettelijke termijn voor het antwoord" in officer.locator("main").inner_text()
    assert "Verzoek om nieuwe beoordeling" in officer.locator("main").inner_text()
    audit.check(officer, "responses")
    home.close()
    staff.close()
    assert audit.blocking() == []
