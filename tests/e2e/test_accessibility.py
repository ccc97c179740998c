"""Accessibility beyond the happy path, in a real browser: the keyboard, visible focus, pages with
errors and refusals, the investigator's pages, the tokens page and the error page, each checked
with axe-core (no serious or critical violations)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from protocol.services import authenticate_password, complete_step, list_algorithms, report_incident
from tests.e2e.conftest import PASSWORD, Audit, Site, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]
PDF = b"%PDF-1.4\n% Onderzoeksrapport\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 2,
    "estimated_affected": 300,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanwijzingen voor onderscheid naar leeftijd.",
}


def focused(page: Any) -> dict[str, Any]:
    """The focused element: its id, tag, and whether its focus can be seen (outline or ring)."""
    return dict(
        page.evaluate(
            """() => {
              const e = document.activeElement, s = getComputedStyle(e), box = e.getBoundingClientRect();
              return {id: e.id, tag: e.tagName.toLowerCase(), cls: e.className,
                      outline: parseFloat(s.outlineWidth) || 0, ring: s.boxShadow !== 'none',
                      onscreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.top >= 0};
            }"""
        )
    )


def test_keyboard_and_focus(chromium: Any, site: Site, audit: Audit) -> None:
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site.url + "/login")

    page.keyboard.press("Tab")
    skip = focused(page)
    assert "skip-link" in skip["cls"]
    assert skip["onscreen"]  # the skip link appears when it has focus
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    order = []
    for _ in range(3):
        page.keyboard.press("Tab")
        state = focused(page)
        assert state["outline"] >= 2 or state["ring"], state  # focus is visible (2.4.7)
        order.append(state["id"])
    assert order == ["email", "password", ""]  # then the button
    assert page.evaluate("document.activeElement.textContent.trim()") == "Inloggen"
    page.locator("#email").focus()
    audit.check(page, "login-focus")

    page.get_by_label("E-mailadres").fill(site.users["officer"])
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.keyboard.press("Enter")  # the form submits from the keyboard
    page.wait_for_url(site.url + "/")

    # the report form: tab order follows the order of the fields on the screen
    page.goto(site.url + "/incidents/new")
    page.locator("#report-algorithm_id").focus()
    seen = [focused(page)["id"]]
    for _ in range(6):
        page.keyboard.press("Tab")
        seen.append(focused(page)["id"])
    assert seen == [
        "report-algorithm_id",
        "report-title",
        "report-description",
        "report-source",
        "report-detected_at",
        *seen[5:],
    ]
    assert all(i.startswith(("report-detected_at", "report-protected_grounds")) for i in seen[5:])
    context.close()
    assert audit.blocking() == []


def test_pages_with_errors_and_refusals(chromium: Any, site: Site, audit: Audit) -> None:
    officer_principal = authenticate_password(uow=site.herstel.uow(), email=site.users["officer"], password=PASSWORD)
    assert officer_principal is not None
    algorithm = list_algorithms(uow=site.herstel.uow(), principal=officer_principal)[0]
    incident = report_incident(
        uow=site.herstel.uow(),
        principal=officer_principal,
        algorithm_id=algorithm["id"],
        title="Oudere aanvragers vaker afgewezen",
        description="",
        source="citizen",
        detected_at=(datetime.now(ZoneInfo("Europe/Amsterdam")) - timedelta(days=2)).isoformat(),
        protected_grounds=["age"],
    )
    incident = complete_step(
        uow=site.herstel.uow(),
        principal=officer_principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(context, site, "officer", audit)

    # a report with every field missing: errors at the fields and in a summary
    officer.goto(site.url + "/incidents/new")
    officer.get_by_role("button", name="Signaal melden").click()
    officer.wait_for_load_state()
    assert officer.locator(".error-summary").count() == 1
    assert officer.locator("#report-title").get_attribute("aria-invalid") == "true"
    assert officer.locator("#report-source").get_attribute("aria-invalid") == "true"
    audit.check(officer, "report-errors")

    # a waiver without a justification: the refusal and the field error, the form left open
    officer.goto(f"{site.url}/incidents/{incident['id']}")
    report_step = officer.locator("#step-report")
    report_step.get_by_text("Deze stap overslaan…").click()
    report_step.get_by_role("button", name="Vragen om deze stap over te slaan").click()
    officer.wait_for_load_state()
    waive = officer.locator("#waive-report")
    assert waive.get_attribute("open") is not None
    assert "Dit is niet gebeurd" in waive.locator(".refusal").inner_text()
    audit.check(officer, "waiver-refused")

    # the evidence form with errors in a list row
    report_step = officer.locator("#step-report")
    report_step.get_by_role("button", name=re.compile("^Starten")).click()
    officer.wait_for_load_state()
    officer.locator("#complete-report-bodies-0-body").select_option("ombudsman")
    officer.locator("#complete-report-bodies-0-informed_at").fill("2026-11-01T10:00")
    officer.locator("#complete-report").get_by_role("button", name=re.compile("Nog een regel toevoegen")).click()
    officer.wait_for_load_state()
    officer.locator("#complete-report-bodies-1-reference").fill("alleen een kenmerk")
    officer.locator("#complete-report").get_by_role("button", name=re.compile("Stap afronden")).click()
    officer.wait_for_load_state()
    assert officer.locator("#complete-report-bodies-1-body").get_attribute("aria-invalid") == "true"
    audit.check(officer, "list-row-errors")

    # commission the investigation, choosing the investigator by name
    investigate = officer.locator("#start-investigate")
    investigate.get_by_label("Externe onderzoeker").select_option(label="Ivo Bakker")
    investigate.get_by_role("button", name=re.compile("^Starten")).click()
    officer.wait_for_load_state()
    assert "Bezig" in officer.locator("#step-investigate h3").inner_text()

    # the token page, with a new secret on it
    officer.get_by_role("link", name="API-tokens").click()
    officer.get_by_label("Naam").fill("rapportagescript")
    officer.get_by_role("button", name="Token maken").click()
    officer.wait_for_load_state()
    assert officer.locator("#new-secret").input_value().startswith("hst_")
    audit.check(officer, "token-created")

    # an unknown page
    officer.goto(site.url + "/incidents/00000000-0000-4000-8000-000000000000")
    assert "Niet gevonden" in officer.locator("h1").inner_text()
    audit.check(officer, "not-found")
    context.close()

    # --- the investigator: assignments, the report upload and the conclusion
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    investigator = sign_in(context, site, "investigator", audit)
    assert investigator.locator("h1").inner_text() == "Mijn opdrachten"
    assert investigator.locator("tbody tr").count() == 1
    investigator.locator("tbody a").click()
    investigator.wait_for_load_state()
    assert investigator.locator("form.action-form").count() == 2  # the upload and the conclusion, nothing else
    audit.check(investigator, "investigator-incident")
    investigator.locator("#upload-investigate-file").set_input_files(
        files=[{"name": "Onderzoeksrapport.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    investigator.locator("#upload-investigate").get_by_role("button", name="Uploaden").click()
    investigator.wait_for_load_state()
    form = investigator.locator("#complete-investigate")
    form.get_by_label("Onderzoeksrapport").select_option(index=1)
    form.get_by_role("group", name="Conclusie").get_by_label("Vastgesteld", exact=True).check()
    form.get_by_label("Samenvatting").fill("Leeftijd weegt onevenredig zwaar.")
    form.get_by_role("button", name=re.compile("Stap afronden")).click()
    investigator.wait_for_load_state()
    assert "Afgerond" in investigator.locator("#step-investigate h3").inner_text()
    audit.check(investigator, "investigation-done")
    investigator.get_by_role("link", name="Tijdlijn van dit incident").click()
    assert investigator.locator("tr[data-type=DocumentAdded]").count() == 1
    assert investigator.locator(".verify").count() == 0
    audit.check(investigator, "investigator-timeline")
    context.close()
    assert audit.blocking() == []
