"""An incident from signal to timeline, in a real browser, in Dutch, as the people who do it would.

The officer reports a signal, assesses it as suspected and asks to keep the algorithm in use
(waive suspend); a coordinator, in a second browser context, approves from the approvals queue;
the officer reports to the supervisors (two bodies, the second row added without JavaScript). A
second signal is assessed as established, so the algorithm must be suspended, and is. The
timelines show every step, and their chains verify. Every page is photographed and checked with axe.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import Audit, Site, sign_in
from tests.workers_inline import run_workers

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def yesterday() -> str:
    return (datetime.now(AMSTERDAM) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


def report_signal(page: Any, site: Site, audit: Audit, title: str) -> str:
    """Report a signal through the form; returns the incident page's URL."""
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signaal melden").click()
    page.get_by_label("Algoritme", exact=True).select_option(label="Risicomodel bijzondere bijstand")
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Omschrijving").fill(
        "Een medewerker zag dat aanvragers met een tweede nationaliteit vaker worden geselecteerd."
    )
    page.get_by_label("Wie meldde het").select_option(label="Medewerker")
    page.get_by_label("Opgemerkt op").fill(yesterday())
    page.get_by_label("Nationaliteit").check()
    page.get_by_label("Etniciteit").check()
    audit.check(page, "report-form")
    page.get_by_role("button", name="Signaal melden").click()
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}$"))
    assert "Het signaal is gemeld als incident" in page.locator(".messages").inner_text()
    return str(page.url)


def assess(page: Any, outcome: str) -> None:
    form = page.locator("#complete-assess")
    form.get_by_role("group", name="Uitkomst").get_by_label(outcome).check()
    form.get_by_label("Ernst (1–4)").fill("3")
    form.get_by_label("Geschat aantal getroffenen").fill("1200")
    for question in ("Hoog-risico AI-systeem", "Inbreuk in verband met persoonsgegevens", "Wijdverbreide inbreuk"):
        form.get_by_role("group", name=re.compile(question)).get_by_label("Nee").check()
    form.get_by_label("Onderbouwing").fill("De nationaliteit weegt zwaar in de risicoscore.")
    form.get_by_role("button", name=re.compile("Stap afronden")).click()
    page.wait_for_load_state()
    assert "Stap “Beoordelen” is afgerond." in page.locator(".messages").inner_text()
    assert "Afgerond" in page.locator("#step-assess h3").inner_text()


def test_signal_to_timeline(chromium: Any, site: Site, audit: Audit) -> None:
    officer_context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    coordinator_context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    officer = sign_in(officer_context, site, "officer", audit)

    # --- the officer reports a signal and assesses it: suspected
    incident_url = report_signal(officer, site, audit, "Risicomodel selecteert op nationaliteit")
    audit.check(officer, "incident-reported")
    assess(officer, "Vermoed")
    audit.check(officer, "assessed-suspected")

    # --- continued use: the officer asks to waive suspend; four eyes
    suspend = officer.locator("#step-suspend")
    suspend.get_by_text("Deze stap overslaan…").click()
    suspend.get_by_label("Onderbouwing").fill(
        "Voortgezet gebruik: elke selectie wordt tot het onderzoek met de hand gecontroleerd."
    )
    suspend.get_by_role("button", name="Vragen om deze stap over te slaan").click()
    officer.wait_for_load_state()
    assert "wacht nu op een tweede handtekening" in officer.locator(".messages").inner_text()
    request = officer.locator("#approvals .card")
    assert "U heeft dit zelf gevraagd, dus u kunt het niet goedkeuren" in request.inner_text()
    assert request.get_by_role("button", name="Goedkeuren").count() == 0
    audit.check(officer, "waiver-requested")

    # --- a coordinator, in another browser, sees it waiting and approves it from the queue
    run_workers(site.herstel)  # the worker turns the request into a notice for coordinators
    coordinator = sign_in(coordinator_context, site, "coordinator", audit)
    waiting = coordinator.locator(".waiting")
    assert "Een tweede handtekening is nodig" in waiting.inner_text()
    coordinator.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Goedkeuringen").click()
    assert "Voortgezet gebruik" in coordinator.locator(".card").inner_text()
    audit.check(coordinator, "approvals-queue")
    coordinator.locator(".card").get_by_role("button", name=re.compile("^Goedkeuren")).click()
    coordinator.wait_for_load_state()
    assert "Goedgekeurd: de tweede handtekening is vastgelegd." in coordinator.locator(".messages").inner_text()
    audit.check(coordinator, "approved")

    # --- the officer sees the step waived, and reports to two bodies (a row added without JavaScript)
    officer.goto(incident_url)
    assert "Overgeslagen" in officer.locator("#step-suspend h3").inner_text()
    assert "Cor Jansen" in officer.locator("#step-suspend").inner_text()
    report_step = officer.locator("#step-report")
    report_step.get_by_role("button", name=re.compile("^Starten")).click()
    officer.wait_for_load_state()
    form = officer.locator("#complete-report")
    form.get_by_label("Instantie").select_option(label="Autoriteit Persoonsgegevens (AP)")
    form.get_by_label("Geïnformeerd op").fill(yesterday())
    form.get_by_label("Kenmerk").fill("AP-2026-0042")
    form.get_by_role("button", name=re.compile("Nog een regel toevoegen")).click()
    officer.wait_for_load_state()
    rows = officer.locator("#complete-report .list-row")
    assert rows.count() == 2
    assert officer.locator("#complete-report-bodies-0-reference").input_value() == "AP-2026-0042"
    audit.check(officer, "report-two-rows")
    officer.locator("#complete-report-bodies-1-body").select_option(label="Interne toezichthouder")
    officer.locator("#complete-report-bodies-1-informed_at").fill(yesterday())
    officer.locator("#complete-report").get_by_role("button", name=re.compile("Stap afronden")).click()
    officer.wait_for_load_state()
    assert "Afgerond" in officer.locator("#step-report h3").inner_text()
    assert "Interne toezichthouder" in officer.locator("#step-report").inner_text()
    audit.check(officer, "reported-to-supervisors")

    # --- the timeline shows it all, and its chain verifies
    officer.get_by_role("link", name="Tijdlijn van dit incident").click()
    types = officer.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.type)")
    for expected in (
        "IncidentReported",
        "StepStarted",
        "DeadlineSet",
        "StepCompleted",
        "DeadlineMet",
        "ApprovalRequested",
        "ApprovalGranted",
        "StepWaived",
    ):
        assert expected in types, (expected, types)
    assert types[0] == "IncidentReported"
    assert types.count("StepCompleted") == 2  # assess and report
    assert "De keten is intact." in officer.locator(".verify").inner_text()
    assert "Tweede handtekening gegeven" in officer.locator("tr[data-type=ApprovalGranted]").inner_text()
    assert "Cor Jansen" in officer.locator("tr[data-type=ApprovalGranted]").inner_text()
    audit.check(officer, "timeline")

    # --- a second signal, established: the algorithm must be stopped, and the officer stops it
    second_url = report_signal(officer, site, audit, "Vaker afwijzing bij oudere aanvragers")
    assess(officer, "Vastgesteld")
    suspend = officer.locator("#step-suspend")
    assert suspend.get_by_text("Deze stap overslaan…").count() == 0  # motion Koekoek: no waiver
    suspend.get_by_role("button", name=re.compile("^Starten")).click()
    officer.wait_for_load_state()
    form = officer.locator("#complete-suspend")
    form.get_by_role("group", name="Omvang").get_by_label("Volledig").check()
    form.get_by_label("Terugvalprocedure").fill("Aanvragen worden met de hand beoordeeld door twee medewerkers.")
    form.get_by_label("Werkt niet zoals bedoeld sinds").fill(yesterday())
    form.get_by_role("group", name="Bevestigd door de eigenaar van het algoritme").get_by_label("Ja").check()
    form.get_by_role("button", name=re.compile("Stap afronden")).click()
    officer.wait_for_load_state()
    assert officer.url.startswith(second_url)
    assert "Afgerond" in officer.locator("#step-suspend h3").inner_text()
    assert "gestopt" in officer.locator(".summary").inner_text()  # the algorithm is marked suspended
    audit.check(officer, "algorithm-suspended")
    officer.get_by_role("link", name="Tijdlijn van dit incident").click()
    types = officer.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.type)")
    assert "AlgorithmSuspended" in types
    assert "De keten is intact." in officer.locator(".verify").inner_text()
    audit.check(officer, "timeline-suspended")

    # --- the dashboard lists both; the English version renders too
    officer.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Overzicht").click()
    assert officer.locator("tbody tr").count() == 2
    officer.get_by_role("link", name="English").click()
    assert officer.locator("html").get_attribute("lang") == "en"
    assert officer.locator("h1").inner_text() == "Overview"
    audit.check(officer, "dashboard-english")

    officer_context.close()
    coordinator_context.close()
    assert audit.blocking() == []
