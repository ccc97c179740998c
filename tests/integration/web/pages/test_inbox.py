"""The inbox page: the unread count in every page's header, the list newest first, mark read, preferences."""

from __future__ import annotations

from typing import Any

from installation import Herstel
from protocol.services import notification_preferences
from tests.integration.protocol.services.test_deadline_sweep import handle_everything
from tests.integration.web.pages.conftest import Browser


def test_the_header_counts_unread_and_the_inbox_lists_and_marks_them(
    coordinator_browser: Browser, officer_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    handle_everything(herstel)

    header = coordinator_browser.page("/approvals").one("a", **{"class": "inbox-link"})
    assert header["href"] == "/inbox"
    assert header.text.split() == ["Meldingen", "1", "ongelezen"]
    assert "1" not in officer_browser.page("/").one("a", **{"class": "inbox-link"}).text

    page = coordinator_browser.page("/inbox")
    assert page.one("h1").text == "Meldingen"
    assert "1 ongelezen melding" in page.text
    [card] = page.with_class("inbox__item")
    assert card.has_class("inbox__item--unread")
    assert card.one("h2").text.split() == ["Nieuw", "Uw", "goedkeuring", "wordt", "gevraagd"]
    assert "om de stap ‘Algoritme stoppen’ van " + waiver_requested["reference"] + " over te slaan" in card.text
    assert card.one("a")["href"] == "/approvals"

    form = card.one("form")
    response = coordinator_browser.submit(
        form["action"], {"notification_id": form.one("input", name="notification_id")["value"]}
    )
    assert response.headers["Location"].startswith("/inbox#n-")

    page = coordinator_browser.page("/inbox")
    assert "Alles is gelezen." in page.text
    assert not page.with_class("inbox__item")[0].has_class("inbox__item--unread")
    assert page.one("a", **{"class": "inbox-link"}).text.split() == ["Meldingen"]


def test_mark_all_and_the_mail_preference(
    coordinator_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    handle_everything(herstel)

    response = coordinator_browser.submit("/inbox/read", {"all": "1"})
    assert response.headers["Location"] == "/inbox"
    page = coordinator_browser.page("/inbox")
    assert "Alle meldingen zijn als gelezen gemarkeerd." in page.text
    assert page.by_id("mail-each").get("checked") is not None

    coordinator_browser.submit("/inbox/preferences", {"mail": "daily", "language": "en"})
    page = coordinator_browser.page("/inbox")
    assert "Uw keuze is opgeslagen." in page.text
    assert page.by_id("mail-daily").get("checked") is not None
    assert page.by_id("language-en").get("checked") is not None
    assert notification_preferences(uow=herstel.uow(), principal=coordinator_browser.principal) == {
        "mail": "daily",
        "language": "en",
    }

    coordinator_browser.submit("/inbox/preferences", {"mail": "hourly"})
    assert "Kies een van de aangeboden mogelijkheden." in coordinator_browser.page("/inbox").text
    assert notification_preferences(uow=herstel.uow(), principal=coordinator_browser.principal)["mail"] == "daily"


def test_the_inbox_speaks_english_to_an_english_reader(
    browser: Any, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    reader = browser("coordinator", language="en")  # a coordinator when the request is handled
    handle_everything(herstel)
    page = reader.page("/inbox")
    assert page.one("h1").text == "Notifications"
    assert "1 unread notification" in page.text
    [card] = page.with_class("inbox__item")
    assert card.one("h2").text.split() == ["New", "Your", "approval", "is", "waiting"]
    assert "to waive the step ‘Suspend the algorithm’ of " + waiver_requested["reference"] in card.text
    assert "Notifications by e-mail" in page.text
    assert page.one("html")["lang"] == "en"
