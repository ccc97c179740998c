"""Closing and reopening from the incident page (coordinators): refused while steps are open."""

from __future__ import annotations

from typing import Any

from installation import Herstel
from protocol.services import approve, complete_step, get_incident, waive_step
from tests.integration.web.pages.conftest import ASSESSMENT, Browser
from tests.integration.web.pages.dom import parse


def test_closing_with_open_steps_is_refused_with_the_rule(
    coordinator_browser: Browser, assessed: dict[str, Any]
) -> None:
    page = coordinator_browser.page(f"/incidents/{assessed['id']}")
    assert page.by_id("close").one("button").text == "Incident sluiten"

    response = coordinator_browser.submit(
        f"/incidents/{assessed['id']}/close", {"version": assessed["version"]}, status=409
    )

    refusal = parse(response.get_data(as_text=True)).by_id("close").with_class("refusal")[0]
    assert refusal.one("code").text == "close-requires-steps"
    assert "Elke stap die van toepassing is, moet afgerond of overgeslagen zijn" in refusal.text


def test_close_and_reopen(
    coordinator_browser: Browser, officer_browser: Browser, report: Any, herstel: Herstel
) -> None:
    incident = report(officer_browser.principal)
    incident = complete_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={**ASSESSMENT, "outcome": "unfounded"},
    )
    incident = waive_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=incident["id"],
        step="inform",
        version=incident["version"],
        justification="De melder is mondeling geïnformeerd.",
    )
    incident = approve(
        uow=herstel.uow(),
        principal=coordinator_browser.principal,
        incident_id=incident["id"],
        approval_id=incident["approval_id"],
        version=incident["version"],
    )
    assert not officer_browser.page(f"/incidents/{incident['id']}").select(id="close")  # officers do not close

    coordinator_browser.submit(f"/incidents/{incident['id']}/close", {"version": incident["version"]})

    page = coordinator_browser.page(f"/incidents/{incident['id']}")
    assert page.one("dl", class_="summary").terms()["Status"] == "Gesloten"
    assert not page.select("form", class_="action-form", id="complete-assess")
    reopen = page.by_id("reopen").one("form")
    closed = get_incident(uow=herstel.uow(), principal=coordinator_browser.principal, incident_id=incident["id"])

    coordinator_browser.submit(
        reopen["action"].split("#")[0], {"version": closed["version"], "justification": "Nieuwe aanwijzingen."}
    )

    assert (
        get_incident(uow=herstel.uow(), principal=coordinator_browser.principal, incident_id=incident["id"])["state"]
        == "open"
    )
