"""A review request decided, in Debian's Chromium: on a phone, the citizen opens the letter with the
code from the real e-mail and asks for a new review with a PDF, sees the reference number at once and
gets a receipt by e-mail (the reference, not the message); an officer, on a desktop, downloads the PDF
and decides with reasons on the responses page; the decision letter arrives by e-mail with a new code,
and on the phone the citizen reads the reasons and the last day to object, and may now object.
Every page is photographed and checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from notifications.services import deliver_response_notices, unit_of_work_factory
from tests.e2e.conftest import Audit, Site, deliver, mail_code, notify_one_reader, open_letter, sign_in
from tests.e2e.test_citizen_journey import assessed_incident
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
# A one-page PDF that opens in a reader (header, catalog, pages, one empty page, trailer).
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
REQUEST = "De gemeente stopte mijn bijstand door dit programma.\nKijk de beslissing over mij opnieuw na."
REASONS = "Wij hebben uw dossier opnieuw bekeken.\n\nHet programma speelde geen rol bij de beslissing over u."


def fits(page: Any) -> bool:
    """Nothing on the page is wider than the phone: no sideways scrolling."""
    return bool(page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"])


def test_a_citizen_on_a_phone_asks_for_a_review_and_reads_the_decision(
    chromium: Any, mailed: tuple[Site, SmtpServer], audit: Audit
) -> None:
    site, smtp = mailed
    herstel = site.herstel
    incident_id = assessed_incident(site)
    notification = notify_one_reader(site, smtp, incident_id)

    # 1. the citizen opens the letter on a phone, with the code from the e-mail
    phone = chromium.new_context(locale="nl-NL", viewport=PHONE, is_mobile=True)
    citizen = phone.new_page()
    citizen.goto(site.url + "/citizen")
    audit.check(citizen, "citizen-code")
    open_letter(citizen, site, notification)
    assert citizen.locator("#letter article.letter").inner_text().strip()
    assert citizen.locator("#kind-objection").count() == 0  # nothing decided yet: nothing to object to
    assert fits(citizen)
    audit.check(citizen, "citizen-letter")

    # 2. a review request with a PDF: the reference number at once, a receipt by e-mail
    citizen.get_by_label("Vragen om een nieuwe beoordeling van een beslissing over u").check()
    citizen.get_by_label("Uw bericht").fill(REQUEST)
    citizen.set_input_files(
        "#attachments", files=[{"name": "besluit-bijstand.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    citizen.get_by_role("button", name="Versturen").click()
    recorded = citizen.locator("#recorded")
    recorded.wait_for()
    reference = citizen.locator("[data-reference]").inner_text().strip()
    assert re.fullmatch(r"R-20\d\d-\d{6}", reference)
    assert "Verzoek om nieuwe beoordeling" in recorded.inner_text()
    assert "ontvangstbevestiging" in recorded.inner_text()
    assert "besluit-bijstand.pdf" in citizen.locator("#sent").inner_text()
    assert "Wij antwoorden uiterlijk op" in citizen.locator(f"#message-{reference}").inner_text()
    assert fits(citizen)
    audit.check(citizen, "citizen-review-sent")

    report = deliver_response_notices(
        uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, settings=herstel.settings
    )
    assert report.sent == 1
    (receipt,) = smtp.messages()[1:]
    receipt_text = receipt.get_body(("plain",)).get_content()
    assert reference in str(receipt["Subject"])
    assert reference in receipt_text
    assert "bijstand door dit programma" not in receipt_text
    assert "bijstand door dit programma" not in str(receipt["Subject"])

    # 3. the officer downloads the PDF and decides, on a desktop
    office = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(office, site, "officer", audit)
    officer.goto(f"{site.url}/incidents/{incident_id}/responses")
    card = officer.locator("li.card", has_text=reference)
    assert "Verzoek om nieuwe beoordeling" in card.locator("h2").inner_text()
    assert "Kijk de beslissing over mij opnieuw na." in card.locator("blockquote").inner_text()
    # only a decision meets a review request's deadline: no plain answer form beside the decision form
    assert card.locator("textarea[name=answer]").count() == 0
    assert card.locator("form[id^=decide-]").count() == 1
    with officer.expect_download() as download:
        card.get_by_role("link", name="besluit-bijstand.pdf").click()
    assert download.value.suggested_filename == "besluit-bijstand.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    audit.check(officer, "responses-review")

    card.get_by_label("Afgewezen").check()
    card.get_by_label("Motivering").fill(REASONS)
    card.get_by_role("button", name="Besluit vastleggen en brief versturen").click()
    officer.wait_for_url(re.compile(r".*/responses#response-.*"))
    decided = officer.locator("li.card", has_text=reference)
    assert "Uw besluit is vastgelegd. De burger krijgt de besluitbrief." in officer.locator("main").inner_text()
    assert "Afgewezen" in decided.inner_text()
    assert "Het programma speelde geen rol" in decided.inner_text()
    assert decided.locator("form[id^=decide-]").count() == 0  # decided once; no second form
    assert "nog niemand" not in decided.inner_text()  # the card names who decided
    assert re.search(r"Besloten door: \S", decided.inner_text())
    audit.check(officer, "responses-decided")

    # the decision letter goes out through the letters' own pipeline, with a new code
    before = len(smtp.messages())
    deliver(site)
    (decision,) = smtp.messages()[before:]
    assert decision["Subject"] == "Ons besluit over uw vraag om een nieuwe beoordeling"
    decision_text = " ".join(decision.get_body(("plain",)).get_content().split())
    assert mail_code(decision) != mail_code(notification)

    # 4. the citizen reads the decision on the phone, and may now object
    citizen.get_by_role("button", name="Afmelden").click()
    open_letter(citizen, site, decision)
    letter = " ".join(citizen.locator("#letter article.letter").inner_text().split())
    assert "Wij geven u geen gelijk." in letter
    assert "Wij hebben uw dossier opnieuw bekeken." in letter
    assert "Het programma speelde geen rol bij de beslissing over u." in letter
    last_day = re.search(r"Uw bezwaar moet uiterlijk (\d{1,2} \w+ 20\d\d) bij ons zijn\.", letter)
    assert last_day, letter
    assert f"Uw bezwaar moet uiterlijk {last_day.group(1)} bij ons zijn." in decision_text  # as e-mailed
    assert fits(citizen), citizen.evaluate("() => document.documentElement.scrollWidth")
    audit.check(citizen, "citizen-decision")

    # the request is shown decided, no longer awaiting an answer
    sent = citizen.locator(f"#message-{reference}").inner_text()
    assert "Wij hebben hierover besloten op" in sent
    assert "Ons besluit hebben wij u als brief gestuurd." in sent
    assert "Wij antwoorden uiterlijk" not in sent

    respond = citizen.locator("#respond")
    assert respond.get_by_label("Bezwaar maken tegen het besluit").count() == 1
    assert respond.locator("#kind-review").count() == 0  # the decision is answered by objection now
    respond.scroll_into_view_if_needed()
    assert fits(citizen)
    audit.check(citizen, "citizen-may-object")
    phone.close()
    office.close()
    assert audit.blocking() == []
