"""A refusal on a Dutch page is Dutch to the end: no engine English beside the Dutch explanation."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Audit, Site, sign_in
from tests.e2e.test_incident_journey import report_signal


def test_closing_too_early_is_refused_in_dutch(chromium: Any, site: Site, audit: Audit) -> None:
    context = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    coordinator = sign_in(context, site, "coordinator", audit)
    report_signal(coordinator, site, audit, "Risicomodel weigert aanvragen op postcode")
    coordinator.locator("#close").get_by_role("button").click()
    coordinator.wait_for_load_state()
    refusal = coordinator.locator("#close .refusal").inner_text()
    audit.check(coordinator, "close-refused-dutch")
    assert "Sluiten kan nog niet: deze stappen zijn niet afgerond of overgeslagen:" in refusal
    assert "Beoordelen, Algoritme stoppen" in refusal  # the steps by their Dutch titles, not their keys
    assert "assess" not in refusal
    assert "cannot close" not in refusal
    assert "steps not completed" not in refusal
