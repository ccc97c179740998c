"""The demo mailbox: captured mail listed and shown (the HTML only through an allow-list), offered
in the menu only where the demo's SMTP sink runs, and saying so where none does."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from tests.integration.web.pages.conftest import Browser, app_for
from tests.integration.web.pages.letters import deliver

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


def test_the_mailbox_lists_and_shows_captured_letters(
    mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any, smtp_server: Any
) -> None:
    codes = deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)
    inbox = Path(mailing.settings.data_dir) / "mail"
    shutil.copytree(smtp_server.folder, inbox)  # what the sink would have kept
    officer = Browser(app_for(mailing, HERSTEL_MAILBOX=True), officer_browser.principal).sign_in()

    home = officer.page("/")
    assert "Demo-postvak" in [a.text for a in home.one("nav", class_="main-nav").select("a")]
    page = officer.page("/mailbox")
    assert page.one("caption").text == "2 berichten"
    links = page.one("tbody").select("a")
    assert len(links) == 2
    message = officer.get(links[0]["href"])
    assert message.status_code == 200
    html = message.get_data(as_text=True)
    shown = officer.page(links[0]["href"])
    text = shown.one("pre", class_="mail-text").text
    assert any(code in text for code in codes.values())
    body = shown.one("div", class_="mail-html")
    assert body.select("h2"), "the email's HTML keeps its headings"
    assert not [e for e in body.iter() if e.get("style") is not None or e.tag in ("style", "script")]
    assert "style=" not in html.split('class="letter mail-html"')[1]
    assert officer.get("/mailbox/../../etc/passwd").status_code == 404
    assert officer.get("/mailbox/1-deadbeef").status_code == 404


def test_without_a_sink_the_mailbox_says_so_and_is_not_in_the_menu(officer_browser: Browser) -> None:
    home = officer_browser.page("/")
    assert "Demo-postvak" not in home.one("nav", class_="main-nav").text
    page = officer_browser.page("/mailbox")
    assert "Er draait geen demo-mailserver" in page.one(class_="notice").text


def test_only_staff_who_may_see_identities_open_the_mailbox(browser: Callable[..., Browser]) -> None:
    assert browser("investigator").get("/mailbox").status_code == 403
