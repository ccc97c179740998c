"""The timeline page: events in order, in plain words, with who and when, hashes, paging, and the
verification of the chain (also when someone rewrote an event behind the application's back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from protocol.services import approve, get_timeline, start_step
from tests.integration.web.pages.conftest import Browser
from web.pages import timeline


@pytest.fixture
def approved(herstel: Herstel, waiver_requested: dict[str, Any], coordinator_browser: Browser) -> dict[str, Any]:
    return approve(
        uow=herstel.uow(),
        principal=coordinator_browser.principal,
        incident_id=waiver_requested["id"],
        approval_id=waiver_requested["approval_id"],
        version=waiver_requested["version"],
    )


def test_every_event_in_order_in_plain_words_with_its_hash(
    officer_browser: Browser, approved: dict[str, Any], herstel: Herstel
) -> None:
    events = get_timeline(uow=herstel.uow(), principal=officer_browser.principal, incident_id=approved["id"])["events"]

    page = officer_browser.page(f"/incidents/{approved['id']}/timeline")

    rows = page.one("tbody").select("tr")
    assert [int(r.select("td")[0].text) for r in rows] == [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert [r["data-type"] for r in rows] == [e["type"] for e in events]
    by_type = {r["data-type"]: r for r in reversed(rows)}  # the first of each type
    assert by_type["IncidentReported"].select("td")[3].one("strong").text == "Signaal gemeld"
    assert "signaal van: Medewerker; gronden: Nationaliteit" in by_type["IncidentReported"].text
    assert by_type["StepCompleted"].select("td")[2].text == "olga"
    assert "Uitkomst: Vermoed" in by_type["StepCompleted"].text
    assert "Hoog-risico AI-systeem (AI-verordening): Nee" in by_type["StepCompleted"].text
    assert by_type["DeadlineSet"].select("td")[2].text == "Herstel (automatisch)"
    assert by_type["ApprovalRequested"].one("strong").text == "Tweede handtekening gevraagd"
    assert by_type["ApprovalGranted"].select("td")[2].text == "cor"
    assert by_type["StepWaived"].one("strong").text == "Stap overgeslagen"
    last = rows[-1]
    short = last.select("td")[4].one("code")
    assert short["title"] == events[-1]["hash"]
    assert short.text == events[-1]["hash"][:12] + "…"
    details = last.one("details")
    assert events[-1]["hash"] in details.text
    assert events[-1]["prev_hash"] in details.text
    # the justification is on the chain only as a digest: the page shows what the chain holds
    assert "Voortgezet gebruik" not in page.one("tbody").text


def test_the_chain_is_verified_on_the_page(
    officer_browser: Browser, approved: dict[str, Any], herstel: Herstel
) -> None:
    total = get_timeline(uow=herstel.uow(), principal=officer_browser.principal, incident_id=approved["id"])["total"]

    verify = officer_browser.page(f"/incidents/{approved['id']}/timeline").one("div", class_="verify")

    assert verify.has_class("verify--ok")
    assert "De keten is intact." in verify.text
    assert f"{total} gebeurtenissen nagerekend; elke hash klopt." in verify.text


def test_a_rewritten_event_is_named(officer_browser: Browser, approved: dict[str, Any], herstel: Herstel) -> None:
    with herstel.db.engine.begin() as connection:  # an attacker with database access, not the application
        connection.execute(sa.text("ALTER TABLE events DISABLE TRIGGER USER"))
        connection.execute(
            sa.text(
                "UPDATE events SET payload = replace(payload, 'nationality', 'age') WHERE incident_id = :i AND seq = 1"
            ),
            {"i": approved["id"]},
        )
        connection.execute(sa.text("ALTER TABLE events ENABLE TRIGGER USER"))

    verify = officer_browser.page(f"/incidents/{approved['id']}/timeline").one("div", class_="verify")

    assert verify.has_class("verify--broken")
    assert "De keten is verbroken." in verify.text
    assert "De eerste gebeurtenis die niet klopt, is nummer 1." in verify.text


def test_paging_after_seq(
    officer_browser: Browser, approved: dict[str, Any], monkeypatch: pytest.MonkeyPatch, herstel: Herstel
) -> None:
    monkeypatch.setattr(timeline, "PER_PAGE", 5)
    base = f"/incidents/{approved['id']}/timeline"

    first = officer_browser.page(base)
    assert [r.select("td")[0].text for r in first.one("tbody").select("tr")] == ["1", "2", "3", "4", "5"]
    later = first.one("a", rel="next")
    assert later["href"] == f"{base}?after_seq=5"
    assert not first.select("a", rel="prev")

    second = officer_browser.page(later["href"])
    assert [r.select("td")[0].text for r in second.one("tbody").select("tr")] == ["6", "7", "8", "9", "10"]
    assert second.one("a", rel="prev")["href"] == f"{base}?after_seq=0"
    assert second.one("caption").text.startswith("Gebeurtenissen 6 tot en met 10 van")
    assert officer_browser.page(f"{base}?after_seq=nonsense").one("tbody").select("tr")[0].select("td")[0].text == "1"


def test_an_investigator_reads_the_timeline_of_an_assigned_incident_without_verification(
    browser: Callable[..., Browser], approved: dict[str, Any], herstel: Herstel, officer_browser: Browser
) -> None:

    investigator = browser("investigator", name="Ivo")
    start_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=approved["id"],
        step="investigate",
        version=approved["version"],
        evidence={"investigator": str(investigator.principal.user_id)},
    )

    page = investigator.page(f"/incidents/{approved['id']}/timeline")

    assert page.select("tr", data_type="InvestigatorAssigned")
    assert "ivo, voor Onafhankelijk onderzoek" in page.one("tr", data_type="InvestigatorAssigned").text
    assert not page.select("div", class_="verify")  # verifying is not in the investigator's grants


def test_timeline_in_english(browser: Callable[..., Browser], approved: dict[str, Any]) -> None:
    page = browser("officer", language="en").page(f"/incidents/{approved['id']}/timeline")
    assert page.one("tr", data_type="IncidentReported").one("strong").text == "Signal reported"
    assert "The chain is intact." in page.one("div", class_="verify").text
