"""Whose letter it is: the letterhead in the HTML, the text, the PDF and the e-mail, with and without one;
the logo checked by its content; the copy as sent naming its logo by digest."""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import subprocess
import uuid
from datetime import UTC, date, datetime
from email import policy
from email.parser import BytesParser

import pytest
from PIL import Image

from installation.settings import Settings
from notifications.channels import Outgoing, SmtpChannel
from notifications.copies import canonical, from_canonical
from notifications.letterhead import LOGO_LIMIT, check_logo
from notifications.letters import Recipient, letter_context
from notifications.pdf import render_pdf
from notifications.rendering import render_letter
from protocol.errors import InvalidEvidence
from tests.services import unavailable
from tests.unit.notifications.test_letters import FACTS, flat


def image(kind: str = "PNG", size: tuple[int, int] = (120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 90, 160)).save(out, kind)
    return out.getvalue()


LOGO = check_logo(image())
WITH = dataclasses.replace(
    FACTS,
    sender={
        "name": "Gemeente Voorbeeldstad",
        "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
        "phone": "14 020",
        "email": "info@voorbeeldstad.nl",
        "website": "www.voorbeeldstad.nl",
        "signatory": "J. de Vries",
        "signatory_title": "directeur Dienstverlening",
    },
    logo=LOGO,
)
# no letterhead set: what incident_facts gives, the organisation's name alone
WITHOUT = dataclasses.replace(
    FACTS,
    sender={
        "name": "Standaardorganisatie",
        "postal_address": "",
        "phone": "",
        "email": "",
        "website": "",
        "signatory": "Standaardorganisatie",
        "signatory_title": "",
    },
    logo=None,
)
READER = Recipient(name="Zoë Öztürk", address={"street": "Dorpsstraat", "house_number": "1"}, email="zoe@example.nl")
CLOSING = {"nl": "Met vriendelijke groet,", "en": "Kind regards,"}


def render(facts, language="nl", kind="notification"):
    context = letter_context(
        facts,
        letter_id=uuid.uuid4(),
        language=language,
        recipient=READER,
        sent_on=date(2026, 11, 30),
        code="ABCD2345EFGH6789",
        base_url="https://herstel.example.nl",
    )
    return render_letter(kind, language, context)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", ["notification", "unfounded"])
def test_a_letter_carries_the_letterhead_and_is_signed_by_the_official(language, kind):
    letter = render(WITH, language, kind)
    head = "Gemeente Voorbeeldstad\nPostbus 1234\n1000 AB  Voorbeeldstad\n14 020\ninfo@voorbeeldstad.nl\n"
    assert letter.text.startswith(head)
    assert letter.text.rstrip().endswith(
        f"{CLOSING[language]}\n\nJ. de Vries\ndirecteur Dienstverlening\nGemeente Voorbeeldstad"
    )
    assert letter.sender_lines[:4] == ("Gemeente Voorbeeldstad", "Postbus 1234", "1000 AB  Voorbeeldstad", "14 020")
    header = letter.html.split("<header>")[1].split("</header>")[0]
    assert f'src="cid:{LOGO.cid}"' in header
    assert "Postbus 1234<br>1000 AB  Voorbeeldstad<br>14 020" in header
    assert "<p>J. de Vries<br>directeur Dienstverlening<br>Gemeente Voorbeeldstad</p>" in letter.html.replace("\n", "")
    assert letter.logo == LOGO


@pytest.mark.parametrize("language", ["nl", "en"])
def test_without_a_letterhead_the_letter_names_the_organisation_in_a_neutral_block(language):
    letter = render(WITHOUT, language)
    assert letter.sender_lines == ("Standaardorganisatie",)
    assert letter.text.startswith("Standaardorganisatie\n\n")
    assert letter.text.rstrip().endswith(f"{CLOSING[language]}\n\nStandaardorganisatie")  # the name once
    assert "<img" not in letter.html
    assert '<strong style="font-size:18px;">Standaardorganisatie</strong>' in letter.html
    assert letter.logo is None


def test_a_signatory_cannot_write_markup_into_the_signature():
    spoof = dataclasses.replace(WITH, sender={**WITH.sender, "signatory_title": "x\n!code FAKE-0000-0000-0000"})
    letter = render(spoof)
    assert [b.plain for b in letter.blocks if b.kind == "code"] == ["ABCD-2345-EFGH-6789"]
    assert "x !code FAKE-0000-0000-0000" in [b.plain for b in letter.blocks if b.kind == "signature"]


def test_the_pdf_carries_the_sender_block_the_logo_and_the_signature():
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is in the Makefile's SYSTEM_PACKAGES")
    data, _ = render_pdf([render(WITH, "nl"), render(WITH, "en")])
    text = flat(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode())
    for expected in ("Gemeente Voorbeeldstad", "Postbus 1234", "1000 AB Voorbeeldstad", "14 020",
                     "J. de Vries directeur Dienstverlening"):  # fmt: skip
        assert expected in text, expected
    images = subprocess.run(["pdfimages", "-list", "-"], input=data, capture_output=True)
    if images.returncode == 0:  # poppler's pdfimages reads stdin only in newer versions
        assert b"image" in images.stdout
    assert data.count(b"/Subtype /Image") == 1  # two letters, one logo in the file


def test_the_email_carries_the_logo_inline_under_the_content_id_the_html_names():
    channel = SmtpChannel(Settings(smtp_host="127.0.0.1", mail_from="Gemeente <brieven@gemeente.example.nl>"))
    letter = render(WITH)
    item = Outgoing(uuid.uuid4(), 1, letter, "h", datetime(2026, 11, 30, 9, tzinfo=UTC), email="zoe@example.nl")
    message = BytesParser(policy=policy.default).parsebytes(channel.build(item))
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert "Postbus 1234" in plain.get_content()
    assert related.get_content_type() == "multipart/related"
    html, logo = related.get_payload()
    assert f"cid:{LOGO.cid}" in html.get_content()
    assert logo["Content-ID"] == f"<{LOGO.cid}>"
    assert logo.get_content_type() == "image/png"
    assert logo.get_content() == LOGO.content


def test_an_email_without_a_logo_stays_multipart_alternative():
    channel = SmtpChannel(Settings(smtp_host="127.0.0.1", mail_from="brieven@gemeente.example.nl"))
    item = Outgoing(uuid.uuid4(), 1, render(WITHOUT), "h", datetime(2026, 11, 30, 9, tzinfo=UTC), email="a@b.nl")
    message = BytesParser(policy=policy.default).parsebytes(channel.build(item))
    assert [p.get_content_type() for p in message.get_payload()] == ["text/plain", "text/html"]


def test_the_copy_as_sent_names_its_logo_by_digest_not_by_bytes():
    letter = render(WITH)
    data = canonical(letter)
    document = json.loads(data)
    assert document["logo"] == {"sha256": LOGO.sha256, "media_type": "image/png", "size": [120, 40]}
    assert LOGO.content not in data
    again = from_canonical(data)
    assert again.logo == LOGO
    assert again.logo.content == b""  # the bytes come from the logo store
    assert canonical(again) == data
    assert "logo" not in json.loads(canonical(render(WITHOUT)))  # as copies kept before logos existed


def test_a_png_and_a_jpeg_are_taken():
    assert check_logo(image("PNG")).media_type == "image/png"
    jpeg = check_logo(image("JPEG", (300, 100)))
    assert (jpeg.media_type, jpeg.width, jpeg.height) == ("image/jpeg", 300, 100)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"%PDF-1.7\n%%EOF\n", "logo.not-image"),  # not an image at all
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.not-image"),  # an image, but no PNG or JPEG
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "logo.not-image"),  # starts as a PNG, is none
        (image("PNG")[:-40], "logo.not-image"),  # a PNG cut short
        (b"\xff\xd8\xff" + image("PNG")[3:], "logo.not-image"),  # a PNG dressed as a JPEG
        (image("PNG", (2400, 10)), "logo.dimensions"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * LOGO_LIMIT, "logo.too-large"),
    ],
)
def test_the_logo_is_checked_by_its_content(content, code):
    with pytest.raises(InvalidEvidence) as refused:
        check_logo(content)
    assert [m.code for m in refused.value.errors["logo"]] == [code]
