"""The incident's owner on its page: shown to everyone who reads the incident, handed to a colleague
by those the service permits (coordinators), refused in the page's language otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import get_incident, get_timeline
from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse

pytestmark = [pytest.mark.postgres]


def test_a_coordinator_hands_the_incident_to_an_officer(
    coordinator_browser: Browser,
    officer_browser: Browser,
    report: Callable[..., dict[str, Any]],
    herstel: Herstel,
) -> None:
    incident = report(coordinator_browser.principal, title="Overdracht")
    path = f"/incidents/{incident['id']}"
    page = coordinator_browser.page(path)
    assert page.by_id("owner-name").text == "cor"  # the reporter carries it until someone else does
    form = page.one("form", id="owner")
    assert form["action"] == f"{path}/owner#owner"
    officer_id = str(officer_browser.principal.user_id)
    choices = {o["value"]: o.text for o in form.one("select", name="user_id").select("option")}
    assert choices[officer_id] == "olga"

    response = coordinator_browser.submit(f"{path}/owner", {"version": incident["version"], "user_id": officer_id})
    assert response.headers["Location"].endswith(f"{path}#owner")
    after = coordinator_browser.page(path)
    assert "olga is nu eigenaar van dit incident." in after.one("div", class_="messages").text
    assert after.by_id("owner-name").text == "olga"
    assert (
        get_incident(uow=herstel.uow(), principal=coordinator_browser.principal, incident_id=incident["id"])["owner_id"]
        == officer_browser.principal.user_id
    )
    timeline = get_timeline(
        uow=herstel.uow(), principal=coordinator_browser.principal, incident_id=incident["id"], limit=1000
    )
    assert "OwnerAssigned" in [e["type"] for e in timeline["events"]]

    # the officer sees who carries it, without the form, and the route refuses them
    seen = officer_browser.page(path)
    assert seen.by_id("owner-name").text == "olga"
    assert not seen.select("form", id="owner")
    forbidden = officer_browser.post(f"{path}/owner", {"version": incident["version"] + 1, "user_id": officer_id})
    assert forbidden.status_code == 403


def test_refusals_come_back_on_the_form(
    coordinator_browser: Browser,
    browser: Callable[..., Browser],
    report: Callable[..., dict[str, Any]],
) -> None:
    incident = report(coordinator_browser.principal, title="Weigeringen")
    path = f"/incidents/{incident['id']}"
    version = incident["version"]

    nothing = parse(
        coordinator_browser.submit(f"{path}/owner", {"version": version, "user_id": ""}, status=422).get_data(
            as_text=True
        )
    )
    assert field_errors(nothing) == {"owner-user": "Fout: Kies de collega die eigenaar wordt van dit incident."}

    investigator = browser("investigator").principal  # not an officer or coordinator: the service refuses them
    wrong = coordinator_browser.submit(
        f"{path}/owner", {"version": version, "user_id": str(investigator.user_id)}, status=422
    )
    wrong_page = parse(wrong.get_data(as_text=True))
    expected = "Fout: Kies een actieve medewerker of coördinator van de organisatie van dit incident."
    assert field_errors(wrong_page) == {"owner-user": expected}
    assert str(investigator.user_id) not in [o["value"] for o in wrong_page.select("option")]  # never offered

    same = coordinator_browser.submit(
        f"{path}/owner", {"version": version, "user_id": str(coordinator_browser.principal.user_id)}, status=409
    )
    refusal = parse(same.get_data(as_text=True)).by_id("owner").one("div", class_="refusal")
    assert "Deze medewerker is al eigenaar van het incident." in refusal.text


def test_a_stale_version_is_refused_and_in_english_too(
    browser: Callable[..., Browser],
    officer_browser: Browser,
    report: Callable[..., dict[str, Any]],
) -> None:
    coordinator = browser("coordinator", language="en")
    incident = report(coordinator.principal, title="Stale")
    path = f"/incidents/{incident['id']}"
    stale = coordinator.submit(
        f"{path}/owner",
        {"version": incident["version"] - 1, "user_id": str(officer_browser.principal.user_id)},
        status=409,
    )
    page = parse(stale.get_data(as_text=True))
    assert "Someone else changed this incident" in page.by_id("owner").one("div", class_="refusal").text
    assert page.one("label", for_="owner-user").text == "Hand the incident to"
