"""A new protocol definition needs no new page code: its evidence fields become form fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import protocol
from installation import Herstel
from protocol.services import get_incident, register_definition, report_incident
from tests.integration.web.pages.conftest import ASSESSMENT, Browser, field_errors
from tests.integration.web.pages.dom import parse

EXTRA_FIELDS = """
[steps.assess.evidence.channel]
type = "enum"
choices = ["web_form", "phone", "letter", "desk", "email"]
label = { nl = "Kanaal van het signaal", en = "Channel of the signal" }

[steps.assess.evidence.review_on]
type = "date"
required = false
label = { nl = "Opnieuw beoordelen op", en = "Review again on" }
"""


def own_definition() -> str:
    """The default definition as an organisation's own version, with two more assessment fields."""
    text = (Path(protocol.__file__).parent / "definitions" / "nl-discrimination-1.toml").read_text("utf-8")
    text = text.replace('key = "nl-discrimination"', 'key = "gemeente-voorbeeld"', 1)
    marker = "[steps.suspend]"
    return text.replace(marker, EXTRA_FIELDS + "\n" + marker, 1)


def test_fields_of_a_new_definition_are_rendered_and_accepted(
    officer_browser: Browser, herstel: Herstel, algorithm: dict[str, Any]
) -> None:
    register_definition(uow=herstel.uow(), text=own_definition(), source="test")
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        algorithm_id=algorithm["id"],
        title="Signaal onder het eigen protocol",
        description="",
        source="citizen",
        detected_at="2026-11-27T10:00:00+01:00",
        protected_grounds=["age"],
        protocol=("gemeente-voorbeeld", 1),
    )

    form = officer_browser.page(f"/incidents/{incident['id']}").by_id("complete-assess")
    channel = form.by_id("complete-assess-channel")
    assert channel.tag == "select"  # five choices: a select rather than radio buttons
    assert form.one("label", for_="complete-assess-channel").text == "Kanaal van het signaal"
    assert [o.text for o in channel.select("option")][1:] == ["Web form", "Phone", "Letter", "Desk", "Email"]
    review = form.by_id("complete-assess-review_on")
    assert review["type"] == "date"
    assert "(niet verplicht)" in form.one("label", for_="complete-assess-review_on").text

    answers = {k: str(v).lower() if isinstance(v, bool) else v for k, v in ASSESSMENT.items()}
    response = officer_browser.submit(
        f"/incidents/{incident['id']}/steps/assess/complete",
        {**answers, "version": incident["version"], "review_on": "volgende week"},
        status=422,
    )
    assert field_errors(parse(response.get_data(as_text=True))) == {
        "complete-assess-channel": "Fout: Vul dit veld in.",
        "complete-assess-review_on": "Fout: Vul een datum in, bijvoorbeeld 2026-12-01.",
    }

    officer_browser.submit(
        f"/incidents/{incident['id']}/steps/assess/complete",
        {**answers, "version": incident["version"], "channel": "phone", "review_on": "2027-01-15"},
    )

    evidence = get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=incident["id"])[
        "steps"
    ]["assess"]["evidence"]
    assert evidence["channel"] == "phone"
    assert evidence["review_on"] == "2027-01-15"
    recorded = officer_browser.page(f"/incidents/{incident['id']}").by_id("step-assess").with_class("facts")[1]
    assert recorded.terms()["Opnieuw beoordelen op"] == "15 januari 2027"
