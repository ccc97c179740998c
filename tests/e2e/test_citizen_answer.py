"""An answer the citizen can read, in Debian's Chromium: on a phone, the citizen sends a question with
a photo, sees its reference number at once (and gets a receipt by e-mail from a real SMTP server);
an officer opens the photo and answers on the responses page; the citizen reads the answer with the
code from their letter. Every page is photographed and checked with axe-core."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from notifications.services import deliver_response_notices, unit_of_work_factory
from tests.e2e.conftest import Audit, Site, notify_one_reader, open_letter, sign_in
from tests.e2e.test_citizen_journey import assessed_incident
from tests.smtp import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.smtp, pytest.mark.slow]


def small_png() -> bytes:
    """A real 8×8 PNG (a grey square), made here: no file needs to ship with the test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_a_citizen_on_a_phone_asks_with_a_photo_and_reads_the_answer(
    chromium: Any, mailed: tuple[Site, SmtpServer], audit: Audit
) -> None:
    site, smtp = mailed
    herstel = site.herstel
    incident_id = assessed_incident(site)
    letter = notify_one_reader(site, smtp, incident_id)

    phone = chromium.new_context(locale="nl-NL", viewport={"width": 390, "height": 844}, is_mobile=True)
    citizen = phone.new_page()
    open_letter(citizen, site, letter)

    # a file that is not what it says is refused, named, at its field; the message stays
    citizen.get_by_label("Een vraag stellen").check()
    citizen.get_by_label("Uw bericht").fill(
        "Welke gegevens over mij zijn gebruikt?\nIk stuur een foto van mijn brief mee."
    )
    fake = {"name": "brief.png", "mimeType": "image/png", "buffer": b"%PDF-1.7\n%%EOF\n"}
    citizen.set_input_files("#attachments", files=[fake])
    citizen.get_by_role("button", name="Versturen").click()
    assert citizen.locator("#attachments").get_attribute("aria-invalid") == "true"
    assert citizen.locator("#attachments-error").inner_text().startswith("Bestand brief.png:")
    assert "Welke gegevens" in citizen.locator("#text").input_value()
    audit.check(citizen, "citizen-file-refused")

    photo = {"name": "brief.png", "mimeType": "image/png", "buffer": small_png()}
    citizen.set_input_files("#attachments", files=[photo])
    citizen.get_by_role("button", name="Versturen").click()
    recorded = citizen.locator("#recorded")
    recorded.wait_for()
    reference = citizen.locator("[data-reference]").inner_text().strip()
    assert re.fullmatch(r"R-20\d\d-\d{6}", reference)
    assert "ontvangstbevestiging" in recorded.inner_text()
    assert "brief.png" in citizen.locator("#sent").inner_text()
    audit.check(citizen, "citizen-sent")

    # the receipt reaches the SMTP server: the reference, not the message
    report = deliver_response_notices(
        uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, settings=herstel.settings
    )
    assert report.sent == 1
    (receipt,) = [m for m in smtp.messages() if reference in str(m["Subject"])]
    assert "Welke gegevens" not in receipt.get_body(("plain",)).get_content()

    # the officer opens the photo and answers
    office = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(office, site, "officer", audit)
    officer.goto(f"{site.url}/incidents/{incident_id}/responses")
    card = officer.locator("li.card", has_text=reference)
    with officer.expect_download() as download:
        card.get_by_role("link", name="brief.png").click()
    assert download.value.suggested_filename == "brief.png"
    assert Path(download.value.path()).read_bytes() == small_png()
    audit.check(officer, "responses-with-file")
    card.get_by_label("Uw antwoord").fill(
        "Wij gebruikten uw inkomen en uw nationaliteit.\nDat laatste had niet gemogen."
    )
    card.get_by_role("button", name="Antwoord vastleggen").click()
    officer.wait_for_url(re.compile(r".*/responses#response-.*"))
    audit.check(officer, "responses-answered")

    # the citizen reads the answer, on the phone
    citizen.goto(site.url + "/citizen/letter")  # a new load: the hash alone would not reload
    thread = citizen.locator("#sent").inner_text()
    assert "Ons antwoord" in thread
    assert "Dat laatste had niet gemogen." in thread
    assert "een behandelaar namens" in thread
    assert "Olga" not in thread
    citizen.locator("#sent").scroll_into_view_if_needed()
    audit.check(citizen, "citizen-answer")
    phone.close()
    office.close()
    assert audit.blocking() == []
