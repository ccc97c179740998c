"""Dutch by default, English on request; the compiled catalogues match their sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

import web

TRANSLATIONS = Path(web.__file__).parent / "translations"


def test_dutch_is_the_default(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Inloggen" in html
    assert "Wachtwoord" in html


def test_english_when_asked_and_remembered(client: FlaskClient) -> None:
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert ">Password<" in html
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)  # kept in the session


def test_the_browser_language_is_followed(client: FlaskClient) -> None:
    html = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    html = client.get("/login", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="nl">' in html  # neither offered: Dutch


def plain(text: Any) -> Any:
    """A plural message is a tuple in a .po file and a list in a .mo file: compare them as tuples."""
    return tuple(text) if isinstance(text, (list, tuple)) else text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    """Uncompiled .po files silently do nothing: the committed .mo must say what the .po says."""
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po_file:
        po = {plain(m.id): plain(m.string) for m in read_po(po_file) if m.id and m.string and not m.fuzzy}
    with (folder / "messages.mo").open("rb") as mo_file:
        mo = {plain(m.id): plain(m.string) for m in read_mo(mo_file) if m.id}
    assert mo == po, "run `make install` (it compiles web/translations) and commit the .mo files"


def test_every_dutch_message_is_translated() -> None:
    with (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        missing = [m.id for m in read_po(po_file) if m.id and not m.string]
    assert missing == []


def test_no_dutch_message_is_fuzzy() -> None:
    """pybabel update guesses ("fuzzy") and compile leaves guesses out: they would show in English."""
    with (TRANSLATIONS / "nl" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        assert [m.id for m in read_po(po_file) if m.id and m.fuzzy] == []


def test_error_pages_speak_dutch(client: FlaskClient) -> None:
    html = client.get("/nothing-here").get_data(as_text=True)
    assert "Niet gevonden" in html
    expired = client.post("/login", data={"email": "a@b.nl", "password": "x"}).get_data(as_text=True)
    assert "Het formulier is verlopen of kwam niet van deze site." in expired
