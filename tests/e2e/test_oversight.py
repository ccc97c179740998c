"""The oversight body in a real browser: from the start page to the dashboard, then an incident's
chart (server-rendered SVG) and timeline; every page checked with axe-core."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from protocol.services import (
    Principal,
    authenticate_password,
    complete_step,
    create_user,
    ensure_default_organisation,
    list_algorithms,
    report_incident,
    start_step,
)
from tests.e2e.conftest import PASSWORD, Audit, Site, sign_in

SCREENSHOTS = Path(os.environ.get("HERSTEL_SCREENSHOTS", tempfile.gettempdir()))
pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 2,
    "estimated_affected": 300,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanwijzingen voor onderscheid naar leeftijd.",
}
SUSPENSION = {
    "scope": "full",
    "fallback_procedure": "Handmatig beoordelen.",
    "not_working_since": "2026-11-30T10:00:00Z",
    "confirmed_by_owner": True,
}
BODY = "toezicht@rekenkamer.example"


def test_oversight_dashboard_chart_and_timeline(chromium: Any, site: Site, audit: Audit) -> None:
    herstel = site.herstel
    officer = authenticate_password(uow=herstel.uow(), email=site.users["officer"], password=PASSWORD)
    assert officer is not None
    (algorithm, *_) = list_algorithms(uow=herstel.uow(), principal=officer)
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Leeftijd weegt mee in de selectie",
        description="Signaal van een onderzoeker.",
        source="researcher",
        detected_at=herstel.clock() - timedelta(days=1),
        protected_grounds=["age"],
    )
    incident = complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=ASSESSMENT,
    )
    incident = start_step(
        uow=herstel.uow(), principal=officer, incident_id=incident["id"], step="suspend", version=incident["version"]
    )
    complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="suspend",
        version=incident["version"],
        evidence=SUSPENSION,
    )
    create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email=BODY,
        roles=["oversight"],
        organisation_id=ensure_default_organisation(uow=herstel.uow()),
        password=PASSWORD,
        display_name="Rekenkamer",
    )

    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = sign_in(context, site, BODY)
    audit.check(page, "start")

    page.locator("main").get_by_role("link", name="Naar het toezichtsoverzicht").click()
    page.wait_for_url(site.url + "/oversight")
    assert incident["reference"] in page.locator("table.oversight-list").inner_text()
    assert "Leeftijd weegt mee" not in page.content()  # the title is free text: not shown
    # the compliance figures: four charts, each an image with a name, each with its table
    assert page.get_by_role("heading", name="Nalevingscijfers").is_visible()
    assert page.get_by_role("img", name="Tijd van melding tot stopzetten").is_visible()
    drawn, empty = (
        page.locator("svg.figure-chart").count(),
        page.locator(".figure > p").count(),
    )
    assert drawn >= 1
    assert drawn + empty == 4  # no letters or objections yet: those say so instead of an empty chart
    assert page.locator("table.figure-table").count() == 4
    assert "Standaardorganisatie" in page.locator("table.figure-table").first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "oversight-dashboard.png"), full_page=True)
    audit.check(page, "dashboard")

    page.get_by_label("Kenmerk").fill(incident["reference"])
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url(re.compile(r"/oversight\?"))
    page.get_by_role("link", name=incident["reference"]).click()
    page.wait_for_url(re.compile(r"/oversight/incidents/[0-9a-f-]{36}$"))
    chart = page.get_by_role("img", name=re.compile(f"Het verloop van zaak {incident['reference']}"))
    assert chart.is_visible()
    assert page.locator("#chart-data tbody tr").count() >= 7  # a row per step, and one per deadline
    assert "Signaal gemeld" in page.locator("table.timeline").inner_text()
    audit.check(page, "incident")
    context.close()

    assert audit.blocking() == []
