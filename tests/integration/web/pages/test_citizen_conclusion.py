"""Status in words to the end: when the case is closed the citizen reads what each step came to
(the investigation's conclusion, why no sanction was imposed), in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from installation import Herstel
from protocol.services import close_incident, get_incident
from tests.integration.flows import REPORTING, SAFEGUARD, SANCTION, SUSPENSION, People, do_step, investigate
from tests.integration.web.pages.conftest import Browser, app_for
from tests.integration.web.pages.dom import parse
from tests.integration.web.pages.letters import deliver
from tests.integration.web.pages.test_citizen import DUTCH, Citizen

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]


def finish(herstel: Herstel, people: People, incident_id: Any) -> dict[str, Any]:
    """Every remaining step of the default protocol, and the coordinator closes the case."""
    incident = get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident_id)
    incident = do_step(herstel, people.officer, incident, "suspend", SUSPENSION)
    incident = do_step(herstel, people.officer, incident, "report", REPORTING)
    incident = investigate(herstel, people, incident)
    incident = do_step(herstel, people.officer, incident, "sanction", SANCTION)
    incident = do_step(herstel, people.officer, incident, "safeguard", SAFEGUARD)
    return close_incident(
        uow=herstel.uow(), principal=people.coordinator, incident_id=incident_id, version=incident["version"]
    )


@pytest.fixture
def closed(mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any,
           smtp_server: Any, make_user: Any) -> dict[str, str]:  # fmt: skip
    codes = deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)
    people = People(
        officer=officer_browser.principal,
        coordinator=make_user("coordinator"),
        second_coordinator=make_user("coordinator"),
        investigator=make_user("investigator"),
    )
    assert finish(mailing, people, assessed["id"])["state"] == "closed"
    return codes


def steps_of(citizen: Citizen, path: str = "/citizen/letter") -> dict[str, str]:
    page = parse(citizen.get(path).get_data(as_text=True))
    items = page.one("ol", class_="citizen-steps").select("li")
    return {li.one("h3").text: li.text for li in items}


def test_the_closed_case_says_what_each_step_came_to_in_words(mailing: Herstel, closed: dict[str, str]) -> None:
    app: Flask = app_for(mailing)
    citizen = Citizen(app, language="nl")
    assert citizen.enter(closed[DUTCH]).status_code == 302

    page = parse(citizen.get("/citizen/letter").get_data(as_text=True))
    assert "Wij zijn klaar met deze zaak." in page.one("section", id="status").text
    steps = steps_of(citizen)
    investigation = steps["Onafhankelijk onderzoek"]
    assert "De onderzoeker heeft vastgesteld dat het programma mensen ongelijk behandelde." in investigation
    sanction = steps["Maatregelen tegen wie verantwoordelijk is"]
    assert "Wij hebben niemand een sanctie gegeven. De reden: Geen individuele verwijtbaarheid vastgesteld." in sanction
    assert "Dit hebben wij afgesproken: Jaarlijkse bias-toets." in steps["Afspraken zodat het niet opnieuw gebeurt"]
    # the investigation's conclusion is said in the reader's words, never as its raw key
    assert "established" not in page.one("section", id="status").text

    english = steps_of(citizen, "/citizen/letter?lang=en")
    assert "The investigator found that the program treated people unequally." in english["Independent investigation"]
    assert "We did not impose a sanction on anyone." in english["Measures against those responsible"]
