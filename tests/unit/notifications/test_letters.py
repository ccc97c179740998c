"""What a letter says: both languages, every required part, and the PDF (the law in it: test_letter_law.py)."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import uuid
from datetime import date

import pytest

from notifications.codes import format_access_code, new_access_code
from notifications.letters import IncidentFacts, Recipient, letter_context
from notifications.pdf import render_pdf
from notifications.rendering import render_letter
from tests.services import unavailable

FACTS = IncidentFacts(
    incident_id=uuid.uuid4(),
    reference="HST-2026-00001",
    outcome="established",
    algorithm="Risicoscoringsmodel bijstand",
    grounds=("nationality", "ethnicity"),
    suspended=True,
    suspension_scope="full",
    not_working_since=date(2024, 5, 1),
    investigation="active",
    investigation_due=date(2027, 2, 22),
    sender={
        "name": "Gemeente Voorbeeldstad",
        "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
        "phone": "14 020",
        "email": "",
        "website": "",
        "signatory": "Het college",
    },
)
READER = Recipient(
    name="Zoë <b>Öztürk</b>",
    address={
        "street": "€-plein",
        "house_number": "12",
        "addition": "A",
        "postal_code": "1234 AB",
        "city": "Ĳsselstein",
    },
    email="zoe@example.nl",
)
EXPECTED = {
    "nl": ["Het spijt ons", "Wat is er gebeurd?", "Wat betekent dit voor u?", "Wat doen wij?", "Wat kunt u doen?",
           "Vraag om een nieuwe beoordeling", "Nationale ombudsman", "Autoriteit Persoonsgegevens",
           "Hoe doet u dit?", "een vraag stellen", "nationaliteit en afkomst", "Wij zijn gestopt met het programma",
           "22 februari 2027", "Postbus 1234"],
    "en": ["We are sorry", "What happened?", "What does this mean for you?", "What are we doing?",
           "What can you do?", "Ask for a new review", "National Ombudsman",
           "Data Protection Authority", "How do you do this?", "ask a question", "nationality and ethnic origin",
           "We have stopped using the program", "22 February 2027", "Postbus 1234"],
}  # fmt: skip


def flat(text: str) -> str:
    """The text with its line wrapping undone."""
    return " ".join(text.split())


def _render(kind: str, language: str, code: str | None):
    context = letter_context(
        FACTS,
        letter_id=uuid.uuid4(),
        language=language,
        recipient=READER,
        sent_on=date(2026, 11, 30),
        code=code,
        base_url="https://herstel.example.nl",
    )
    return render_letter(kind, language, context)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_notification_says_what_the_protocol_asks_with_the_code(language):
    code = new_access_code()
    letter = _render("notification", language, code)
    for part in EXPECTED[language]:
        assert part in flat(letter.text), part
    assert format_access_code(code) in letter.text
    assert format_access_code(code) in letter.html
    assert "https://herstel.example.nl/citizen" in letter.text
    assert letter.text.count(format_access_code(code)) == 1


@pytest.mark.parametrize(("language", "phrase"), [("nl", "ongegrond"), ("en", "unfounded")])
def test_unfounded_letter_to_the_reporter(language, phrase):
    code = new_access_code()
    letter = _render("unfounded", language, code)
    assert phrase in letter.text
    assert format_access_code(code) in letter.text
    assert "www.nationaleombudsman.nl" in letter.text


def test_html_escapes_what_readers_and_officers_typed():
    letter = _render("notification", "nl", new_access_code())
    assert "<b>Öztürk</b>" not in letter.html
    assert "&lt;b&gt;Öztürk&lt;/b&gt;" in letter.html
    assert letter.html.startswith("<!DOCTYPE html>")
    assert 'lang="nl"' in letter.html


def test_suspected_outcome_apologises_for_what_may_have_happened():
    from dataclasses import replace

    context = letter_context(
        replace(FACTS, outcome="suspected", suspended=False, investigation="none"),
        letter_id=uuid.uuid4(),
        language="nl",
        recipient=READER,
        sent_on=date(2026, 11, 30),
        code=None,
        base_url="https://x",
    )
    text = flat(render_letter("notification", "nl", context).text)
    assert "Het spijt ons dat dit kan zijn gebeurd" in text
    assert "Wij kijken elke keuze van het programma eerst zelf na" in text
    assert "Uw persoonlijke code" not in text  # the citizen's copy repeats no code


def test_pdf_batch_keeps_diacritics_euro_and_the_ij_and_places_each_letter():
    if shutil.which("pdftotext") is None:
        unavailable("pdftotext", "poppler-utils is in the Makefile's SYSTEM_PACKAGES")
    code = new_access_code()
    letters = [_render("notification", "nl", code), _render("unfounded", "en", new_access_code())]
    data, placed = render_pdf(letters)
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
    assert placed[0].first_page == 1
    assert placed[1].first_page == placed[0].pages + 1
    text = flat(subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode())
    for expected in ("Zoë <b>Öztürk</b>", "€-plein 12 A", "Ĳsselstein", format_access_code(code), "22 februari 2027"):
        assert expected in text, expected
    assert "Your report about" in text


def test_values_cannot_write_markup_even_where_the_template_starts_a_line_with_one():
    """The signatory starts a template line; a name with line breaks, `**` or a prefix stays text."""
    spoof = "# Title\n!code FAKE-CODE-1234\n- **bold**"
    facts = dataclasses.replace(FACTS, algorithm=spoof, sender={**FACTS.sender, "signatory": spoof})
    context = letter_context(
        facts,
        letter_id=uuid.uuid4(),
        language="nl",
        recipient=Recipient(name="**Zoë**\n## Kop", address=None, email=None),
        sent_on=date(2026, 11, 30),
        code="ABCD2345EFGH6789",
        base_url="https://x",
    )
    letter = render_letter("notification", "nl", context)
    assert [b.plain for b in letter.blocks if b.kind == "code"] == ["ABCD-2345-EFGH-6789"]
    assert [b.plain for b in letter.blocks if b.kind == "title"] == [
        "Ons computerprogramma heeft mensen ongelijk behandeld"
    ]
    assert "Kop" not in [b.plain for b in letter.blocks if b.kind == "heading"]
    assert not [b for b in letter.blocks if b.kind == "bullet" and "bold" in b.plain]
    assert not [text for block in letter.blocks for bold, text in block.runs if bold and "Zoë" in text]
    assert "Beste **Zoë** ## Kop," in flat(letter.text)
    assert "# Title !code FAKE-CODE-1234 - **bold**" in flat(letter.text)
    assert "\ue000" not in letter.text + letter.html
