"""The coordinator's approvals queue: four-eyes decisions across incidents, from the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from installation import Herstel
from protocol.services import get_incident, start_step, waive_step
from tests.integration.web.pages.conftest import Browser
from tests.integration.web.pages.dom import parse


def test_the_queue_lists_waiting_requests_and_a_coordinator_approves(
    coordinator_browser: Browser, officer_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    page = coordinator_browser.page("/approvals")
    card = page.by_id(f"approval-{waiver_requested['approval_id']}")
    assert waiver_requested["reference"] in card.one("h2").text
    assert "“Algoritme stoppen” overslaan" in card.text
    assert "Gevraagd door olga" in card.text
    assert "Voortgezet gebruik: elke selectie wordt met de hand gecontroleerd." in card.one("blockquote").text
    approve = card.one(
        "form", action=f"/incidents/{waiver_requested['id']}/approvals/{waiver_requested['approval_id']}/approve"
    )
    assert approve.one("input", name="version")["value"] == str(waiver_requested["version"])

    response = coordinator_browser.submit(approve["action"], {"version": waiver_requested["version"], "back": "queue"})

    assert response.headers["Location"] == "/approvals"
    page = coordinator_browser.page("/approvals")
    assert "Goedgekeurd: de tweede handtekening is vastgelegd." in page.text
    assert "Er wachten geen verzoeken op een besluit." in page.text
    incident = get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=waiver_requested["id"])
    assert incident["steps"]["suspend"]["state"] == "waived"
    assert incident["steps"]["suspend"]["approved_by"] == f"user:{coordinator_browser.principal.user_id}"
    decided = coordinator_browser.page("/approvals?show=all").by_id(f"approval-{waiver_requested['approval_id']}")
    assert "Goedgekeurd" in decided.text
    assert "Besloten door cor" in decided.text


def test_a_coordinator_rejects_with_a_note_from_the_incident_page(
    coordinator_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    base = f"/incidents/{waiver_requested['id']}/approvals/{waiver_requested['approval_id']}"

    response = coordinator_browser.submit(
        f"{base}/reject", {"version": waiver_requested["version"], "note": "Eerst stoppen, dan praten."}
    )

    assert response.headers["Location"] == f"/incidents/{waiver_requested['id']}#approvals"
    page = coordinator_browser.page(f"/incidents/{waiver_requested['id']}")
    card = page.by_id(f"approval-{waiver_requested['approval_id']}")
    assert "Afgewezen" in card.text
    assert "Toelichting: Eerst stoppen, dan praten." in card.text
    assert page.select(id="waive-suspend")  # the officer may ask again


def test_the_requester_cannot_approve_their_own_request(
    browser: Callable[..., Browser], assessed: dict[str, Any], herstel: Herstel
) -> None:
    asking = browser("coordinator", name="Anna")
    request = waive_step(
        uow=herstel.uow(),
        principal=asking.principal,
        incident_id=assessed["id"],
        step="suspend",
        version=assessed["version"],
        justification="Handmatige controle volstaat.",
    )
    card = asking.page("/approvals").by_id(f"approval-{request['approval_id']}")
    assert "U heeft dit zelf gevraagd, dus u kunt het niet goedkeuren" in card.text
    assert not card.select("form")  # no approve button on one's own request

    response = asking.submit(  # sent anyway: the engine refuses, the page says which rule
        f"/incidents/{assessed['id']}/approvals/{request['approval_id']}/approve",
        {"version": request["version"], "back": "queue"},
        status=409,
    )

    card = parse(response.get_data(as_text=True)).by_id(f"approval-{request['approval_id']}")
    refusal = card.with_class("refusal")[0]
    assert refusal.one("code").text == "four-eyes"
    assert "Vier ogen: de tweede handtekening moet komen van iemand anders dan degene die het vroeg." in refusal.text
    assert (
        get_incident(uow=herstel.uow(), principal=asking.principal, incident_id=assessed["id"])["steps"]["suspend"][
            "state"
        ]
        == "pending"
    )


def test_an_officer_may_see_the_queue_but_not_decide(
    officer_browser: Browser, waiver_requested: dict[str, Any], browser: Callable[..., Browser]
) -> None:
    other = browser("officer", name="Piet")
    card = other.page("/approvals").by_id(f"approval-{waiver_requested['approval_id']}")
    assert "Wacht op een coördinator." in card.text
    assert not card.select("form")
    response = other.post(
        f"/incidents/{waiver_requested['id']}/approvals/{waiver_requested['approval_id']}/approve",
        {"version": waiver_requested["version"]},
    )
    assert response.status_code == 403
    assert "approval.decide" in response.get_data(as_text=True)


def test_the_requester_withdraws_their_own_request(
    officer_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel
) -> None:
    page = officer_browser.page(f"/incidents/{waiver_requested['id']}")
    withdraw = page.by_id(f"approval-{waiver_requested['approval_id']}").one("form")
    assert withdraw.one("button").text == "Mijn verzoek intrekken"

    officer_browser.submit(withdraw["action"].split("#")[0], {"version": waiver_requested["version"]})

    approvals = get_incident(
        uow=herstel.uow(), principal=officer_browser.principal, incident_id=waiver_requested["id"]
    )["approvals"]
    assert approvals[0]["state"] == "withdrawn"


def test_a_decision_on_a_stale_page_is_refused_in_the_queue(
    coordinator_browser: Browser, waiver_requested: dict[str, Any], herstel: Herstel, officer_browser: Browser
) -> None:

    start_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=waiver_requested["id"],
        step="report",
        version=waiver_requested["version"],
    )

    response = coordinator_browser.submit(
        f"/incidents/{waiver_requested['id']}/approvals/{waiver_requested['approval_id']}/approve",
        {"version": waiver_requested["version"], "back": "queue"},
        status=409,
    )

    card = parse(response.get_data(as_text=True)).by_id(f"approval-{waiver_requested['approval_id']}")
    assert "Iemand anders heeft dit incident gewijzigd" in card.with_class("refusal")[0].text
    fresh = card.one(
        "form", action=f"/incidents/{waiver_requested['id']}/approvals/{waiver_requested['approval_id']}/approve"
    )
    assert fresh.one("input", name="version")["value"] == str(waiver_requested["version"] + 1)


def test_queue_in_english(browser: Callable[..., Browser], waiver_requested: dict[str, Any]) -> None:
    page = browser("coordinator", language="en").page("/approvals")
    card = page.by_id(f"approval-{waiver_requested['approval_id']}")
    assert "Waive “Suspend the algorithm”" in card.text
    assert card.select("button")[0].text.startswith("Approve")
