"""Reporting a signal from the page: the algorithm to pick (or register), field-level errors, CSRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from installation import Herstel
from protocol.services import list_algorithms, list_incidents
from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse

SIGNAL = {
    "title": "Risicomodel selecteert op nationaliteit",
    "description": "Een medewerker zag dat vooral mensen met een tweede nationaliteit worden geselecteerd.",
    "source": "employee",
    "detected_at": "2026-11-27T10:00",
    "protected_grounds": ["nationality", "ethnicity"],
}


def test_without_an_algorithm_the_page_offers_to_register_one(officer_browser: Browser, herstel: Herstel) -> None:
    page = officer_browser.page("/incidents/new")
    assert "Er is nog geen algoritme geregistreerd." in page.text
    assert not page.select("form", action="/incidents/new")
    register = page.one("details", class_="register")
    assert register.get("open") is not None

    response = officer_browser.submit("/algorithms", {"name": "Risicomodel toeslagen", "lars": "12345671"}, status=422)
    errors = field_errors(parse(response.get_data(as_text=True)))
    assert errors == {"algorithm-lars": "Fout: Een LARS-code heeft 8 cijfers; het laatste is een controlecijfer."}

    response = officer_browser.submit("/algorithms", {"name": "Risicomodel toeslagen", "lars": "12345670"})
    algorithm = list_algorithms(uow=herstel.uow(), principal=officer_browser.principal)[0]
    assert response.headers["Location"] == f"/incidents/new?algorithm={algorithm['id']}"
    page = officer_browser.page(response.headers["Location"])
    chosen = page.by_id("report-algorithm_id").one("option", value=str(algorithm["id"]))
    assert chosen.get("selected") is not None
    assert chosen.text == "Risicomodel toeslagen"


def test_missing_and_invalid_fields_are_named_next_to_each_field(
    officer_browser: Browser, algorithm: dict[str, Any]
) -> None:
    response = officer_browser.submit(
        "/incidents/new",
        {**SIGNAL, "algorithm_id": str(algorithm["id"]), "title": "", "detected_at": "2099-01-01T10:00"},
        status=422,
    )

    page = parse(response.get_data(as_text=True))
    assert field_errors(page) == {
        "report-title": "Fout: Vul dit veld in.",
        "report-detected_at": "Fout: Dit moment ligt in de toekomst.",
    }
    assert page.by_id("report-description").text == SIGNAL["description"]
    grounds = page.by_id("report-protected_grounds")
    assert [box["value"] for box in grounds.select("input", checked=True)] == ["ethnicity", "nationality"]
    assert page.one("div", class_="error-summary").one("a", href="#report-title")


def test_every_required_field_left_empty(officer_browser: Browser, algorithm: dict[str, Any]) -> None:
    response = officer_browser.submit("/incidents/new", {}, status=422)
    errors = field_errors(parse(response.get_data(as_text=True)))
    assert set(errors) == {"report-algorithm_id", "report-title", "report-source", "report-detected_at"}


def test_a_signal_is_reported_and_the_incident_opens_at_its_assessment(
    officer_browser: Browser, algorithm: dict[str, Any], herstel: Herstel
) -> None:
    response = officer_browser.submit("/incidents/new", {**SIGNAL, "algorithm_id": str(algorithm["id"])})

    incidents = list_incidents(uow=herstel.uow(), principal=officer_browser.principal)["items"]
    assert len(incidents) == 1
    assert response.headers["Location"] == f"/incidents/{incidents[0]['id']}"
    page = officer_browser.page(response.headers["Location"])
    assert f"Het signaal is gemeld als incident {incidents[0]['reference']}." in page.text
    summary = page.one("dl", class_="summary").terms()
    assert summary["Signaal van"] == "Medewerker"
    assert summary["Beschermde gronden"] == "Nationaliteit, Etniciteit"
    assert summary["Opgemerkt op"] == "27 nov 2026, 10:00"  # entered as Dutch time, shown as Dutch time


def test_the_report_form_needs_its_csrf_token(officer_browser: Browser, algorithm: dict[str, Any]) -> None:
    response = officer_browser.post("/incidents/new", {**SIGNAL, "algorithm_id": str(algorithm["id"])}, csrf=False)
    assert response.status_code == 400


def test_an_unknown_algorithm_is_a_field_error(officer_browser: Browser, algorithm: dict[str, Any]) -> None:
    response = officer_browser.submit(
        "/incidents/new", {**SIGNAL, "algorithm_id": "00000000-0000-4000-8000-000000000000"}, status=422
    )
    errors = field_errors(parse(response.get_data(as_text=True)))
    assert errors == {"report-algorithm_id": "Fout: Kies een algoritme uit de lijst."}


def test_the_form_in_english(browser: Callable[..., Browser], algorithm: dict[str, Any]) -> None:
    page = browser("officer", language="en").page("/incidents/new")
    assert page.one("h1").text == "Report a signal"
    assert page.by_id("report-protected_grounds").one("legend").text.startswith("Protected grounds")
    assert page.one("label", for_="report-detected_at").text == "Noticed on"


def test_an_algorithm_is_registered_with_its_domain_and_the_incident_page_names_it(
    officer_browser: Browser, herstel: Herstel
) -> None:
    page = officer_browser.page("/incidents/new")
    options = page.by_id("algorithm-domain").select("option")
    assert [o["value"] for o in options][:3] == ["", "benefits", "allowances"]  # none chosen: the neutral letter
    assert "Parkeren en verkeer" in [o.text for o in options]

    refused = officer_browser.submit("/algorithms", {"name": "Parkeerscan", "domain": "parkeren"}, status=422)
    errors = field_errors(parse(refused.get_data(as_text=True)))
    assert list(errors) == ["algorithm-domain"]
    assert errors["algorithm-domain"].startswith("Fout: Kies een van: benefits, allowances")
    assert not list_algorithms(uow=herstel.uow(), principal=officer_browser.principal)  # nothing registered

    officer_browser.submit("/algorithms", {"name": "Parkeerscan", "lars": "", "domain": "parking_traffic"})
    (algorithm,) = list_algorithms(uow=herstel.uow(), principal=officer_browser.principal)
    assert algorithm["domain"] == "parking_traffic"
    response = officer_browser.submit("/incidents/new", {**SIGNAL, "algorithm_id": str(algorithm["id"])})
    incident_page = officer_browser.page(response.headers["Location"])
    assert incident_page.by_id("algorithm-domain").text == "Parkeren en verkeer"


def test_an_algorithm_without_a_domain_says_so_on_the_incident_page(
    officer_browser: Browser, algorithm: dict[str, Any]
) -> None:
    response = officer_browser.submit("/incidents/new", {**SIGNAL, "algorithm_id": str(algorithm["id"])})
    assert officer_browser.page(response.headers["Location"]).by_id("algorithm-domain").text == "niet opgegeven"
