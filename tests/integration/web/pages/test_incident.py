"""The incident page: steps with their state, deadlines and who did what; forms generated from the
definition; field errors tied to their fields; refusals shown with the rule that refused them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from installation import Herstel
from protocol.services import complete_step, get_incident, start_step
from tests.conftest import Clock
from tests.integration.web.pages.conftest import ASSESSMENT, Browser, field_errors
from tests.integration.web.pages.dom import parse


def url(incident: dict[str, Any], tail: str = "") -> str:
    return f"/incidents/{incident['id']}{tail}"


def test_a_new_incident_shows_every_step_its_deadline_and_the_generated_assess_form(
    officer_browser: Browser, report: Callable[..., dict[str, Any]]
) -> None:
    incident = report(officer_browser.principal)

    page = officer_browser.page(url(incident))

    assert page.one("h1").text == "Risicomodel selecteert op nationaliteit"
    titles = [h.text for h in page.select("h3")]
    assert titles == [
        "Beoordelen Bezig",
        "Algoritme stoppen Niet gestart",
        "Melden Niet gestart",
        "Onafhankelijk onderzoek Niet gestart",
        "Betrokkenen informeren Niet gestart",
        "Sancties Niet gestart",
        "Waarborgen Niet gestart",
    ]
    assess = page.by_id("step-assess")
    deadline = assess.one("tbody").text
    assert "Beoordeling binnen 2 werkdagen" in deadline
    assert "Servicenorm Discriminatieprotocol" in deadline
    assert "tot en met 2 december 2026" in deadline
    assert "Herstel (automatisch)" in assess.text  # the step started itself at the report
    form = page.by_id("complete-assess")
    assert form["action"] == url(incident, "/steps/assess/complete#step-assess")
    assert form.one("input", name="version")["value"] == str(incident["version"])
    assert form.one("input", name="csrf_token")["value"]
    # every field of the definition's assess evidence, with its Dutch label and the right control
    outcome = form.by_id("complete-assess-outcome")
    assert outcome.tag == "fieldset"
    assert outcome.one("legend").text == "Uitkomst"
    assert [r["value"] for r in outcome.select("input", type="radio")] == ["established", "suspected", "unfounded"]
    assert [label.text for label in outcome.select("label")] == ["Vastgesteld", "Vermoed", "Ongegrond"]
    assert form.one("label", for_="complete-assess-severity").text == "Ernst (1–4)"
    assert form.by_id("complete-assess-severity-hint").text == "Een heel getal van 1 tot en met 4."
    assert form.by_id("complete-assess-high_risk_ai").one("legend").text == "Hoog-risico AI-systeem (AI-verordening)"
    assert form.by_id("complete-assess-summary").tag == "textarea"
    # the waiver of assess is not allowed by the definition: no waive form
    assert not page.select(id="waive-assess")


def test_invalid_evidence_is_shown_next_to_each_field_and_the_input_is_kept(
    officer_browser: Browser, report: Callable[..., dict[str, Any]]
) -> None:
    incident = report(officer_browser.principal)

    response = officer_browser.submit(
        url(incident, "/steps/assess/complete"),
        {"version": incident["version"], "outcome": "suspected", "severity": "9", "summary": "Eerste indruk."},
        status=422,
    )

    page = parse(response.get_data(as_text=True))
    errors = field_errors(page)
    assert errors["complete-assess-severity"] == "Fout: Vul hoogstens 4 in."
    assert errors["complete-assess-estimated_affected"] == "Fout: Vul dit veld in."
    assert errors["complete-assess-high_risk_ai"] == "Fout: Vul dit veld in."
    assert "complete-assess-outcome" not in errors
    severity = page.by_id("complete-assess-severity")
    assert severity["aria-describedby"] == "complete-assess-severity-hint complete-assess-severity-error"
    assert severity["value"] == "9"
    assert page.by_id("complete-assess-summary").text == "Eerste indruk."
    assert page.one("input", id="complete-assess-outcome-2").get("checked") is not None
    summary = page.by_id("complete-assess").with_class("error-summary")[0]
    assert summary["role"] == "alert"
    assert summary.one("a", href="#complete-assess-severity").text.startswith("Ernst (1–4)")
    refusal = page.with_class("refusal")[0]
    assert "evidence" in refusal.text


def test_completing_a_step_records_it_with_who_and_when(
    officer_browser: Browser, report: Callable[..., dict[str, Any]], herstel: Herstel
) -> None:
    incident = report(officer_browser.principal)
    form = {**ASSESSMENT, "version": incident["version"], "high_risk_ai": "false"}
    form.update({k: str(v).lower() for k, v in ASSESSMENT.items() if isinstance(v, bool)})

    response = officer_browser.submit(url(incident, "/steps/assess/complete"), form)

    assert response.headers["Location"] == url(incident, "#step-assess")
    page = officer_browser.page(url(incident))
    assert "Stap “Beoordelen” is afgerond." in page.with_class("messages")[0].text
    assess = page.by_id("step-assess")
    assert "Afgerond" in assess.one("h3").text
    assert "olga" in assess.text  # the officer, by name
    recorded = assess.with_class("facts")[1].terms()
    assert recorded["Uitkomst"] == "Vermoed"
    assert recorded["Geschat aantal getroffenen"] == "1200"
    assert recorded["Hoog-risico AI-systeem (AI-verordening)"] == "Nee"
    # the steps that now apply can start; the suspend deadline (1 working day) is set
    assert page.by_id("step-suspend").select("form", action=url(incident, "/steps/suspend/start#step-suspend"))
    assert "Algoritme stoppen binnen 1 werkdag" in page.by_id("step-suspend").text
    assert (
        get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=incident["id"])["facts"][
            "outcome"
        ]
        == "suspected"
    )


def test_a_stale_version_is_explained_and_the_input_kept(
    officer_browser: Browser, assessed: dict[str, Any], herstel: Herstel, make_user: Callable[..., Any]
) -> None:
    colleague = make_user("officer")
    start_step(  # someone else moves the incident on while the page is open
        uow=herstel.uow(), principal=colleague, incident_id=assessed["id"], step="report", version=assessed["version"]
    )

    response = officer_browser.submit(
        url(assessed, "/steps/suspend/waive"),
        {"version": assessed["version"], "justification": "Handmatige controle."},
        status=409,
    )

    page = parse(response.get_data(as_text=True))
    assert "Iemand anders heeft dit incident gewijzigd" in page.with_class("notice--warning")[0].text
    refusal = page.by_id("waive-suspend").with_class("refusal")[0]
    assert "Rule: version" in refusal.text.replace("Regel", "Rule")
    assert page.by_id("waive-suspend").get("open") is not None
    assert page.by_id("waive-suspend-justification").text == "Handmatige controle."
    current = get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=assessed["id"])
    assert page.by_id("waive-suspend").one("input", name="version")["value"] == str(current["version"])
    assert "Bezig" in page.by_id("step-report").one("h3").text  # the current state is shown


def test_waiving_suspend_on_suspicion_asks_a_coordinator_and_the_requester_cannot_approve(
    officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    page = officer_browser.page(url(assessed))
    waive = page.by_id("waive-suspend")
    assert "Vier ogen" in waive.text
    assert waive.one("button").text == "Vragen om deze stap over te slaan"

    officer_browser.submit(
        url(assessed, "/steps/suspend/waive"), {"version": assessed["version"], "justification": "Voortgezet gebruik."}
    )

    page = officer_browser.page(url(assessed))
    assert "wacht nu op een tweede handtekening" in page.with_class("messages")[0].text
    request = page.by_id("approvals").with_class("card")[0]
    assert "“Algoritme stoppen” overslaan" in request.text
    assert "Wacht op een besluit" in request.text
    assert "U heeft dit zelf gevraagd, dus u kunt het niet goedkeuren" in request.text
    assert not request.select("button", type="submit") or request.one("button").text == "Mijn verzoek intrekken"
    assert not page.select(id="waive-suspend")  # one request at a time


def test_a_forbidden_waiver_is_refused_with_the_rule_beside_the_form(
    officer_browser: Browser, report: Callable[..., dict[str, Any]], herstel: Herstel
) -> None:
    incident = report(officer_browser.principal)
    incident = complete_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={**ASSESSMENT, "outcome": "established"},
    )
    assert not officer_browser.page(url(incident)).select(id="waive-suspend")  # not offered

    response = officer_browser.submit(
        url(incident, "/steps/suspend/waive"),
        {"version": incident["version"], "justification": "We willen doorgaan."},
        status=409,
    )

    page = parse(response.get_data(as_text=True))
    refusal = page.with_class("refusal")[0]
    assert refusal["role"] == "alert"
    assert "Deze stap mag in deze situatie niet worden overgeslagen." in refusal.text
    assert "waiver-forbidden" in refusal.one("code").text
    assert "motion Koekoek" in refusal.text  # the engine's own reason, from the definition
    assert page.by_id("step-suspend").with_class("refusal") == [refusal]  # on the step it is about


def test_add_another_row_rerenders_the_list_without_submitting(
    officer_browser: Browser, assessed: dict[str, Any], herstel: Herstel
) -> None:
    incident = start_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        step="report",
        version=assessed["version"],
    )
    page = officer_browser.page(url(incident))
    bodies = page.by_id("complete-report-bodies")
    assert len(bodies.with_class("list-row")) == 1
    assert bodies.one("button", name="_add_row")["value"] == "bodies"
    first = {
        "version": incident["version"],
        "bodies[0].body": "autoriteit_persoonsgegevens",
        "bodies[0].informed_at": "2026-11-30T09:30",
        "bodies[0].reference": "AP-2026-1",
    }

    response = officer_browser.submit(
        url(incident, "/steps/report/complete"), {**first, "_add_row": "bodies"}, status=200
    )

    page = parse(response.get_data(as_text=True))
    rows = page.by_id("complete-report-bodies").with_class("list-row")
    assert len(rows) == 2
    assert rows[1].one("legend").text == "Geïnformeerde instanties, regel 2"
    assert page.by_id("complete-report-bodies-0-reference")["value"] == "AP-2026-1"
    assert page.by_id("complete-report-bodies-0-informed_at")["value"] == "2026-11-30T09:30"
    assert not page.with_class("refusal")
    assert page.one("a", hreflang="en")["href"] == url(incident, "?lang=en")  # not the POST-only address
    assert (
        get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=incident["id"])["steps"][
            "report"
        ]["state"]
        == "active"
    )

    officer_browser.submit(
        url(incident, "/steps/report/complete"),
        {**first, "bodies[1].body": "internal_supervisor", "bodies[1].informed_at": "2026-11-30T10:00"},
    )

    done = get_incident(uow=herstel.uow(), principal=officer_browser.principal, incident_id=incident["id"])
    bodies_given = done["steps"]["report"]["evidence"]["bodies"]
    assert [b["body"] for b in bodies_given] == ["autoriteit_persoonsgegevens", "internal_supervisor"]
    assert bodies_given[0]["informed_at"] == "2026-11-30T08:30:00.000000Z"  # Dutch time, stored in UTC
    recorded = officer_browser.page(url(incident)).by_id("step-report").text
    assert "Instantie: Autoriteit Persoonsgegevens (AP)" in recorded


def test_errors_in_a_list_row_are_tied_to_that_row(
    officer_browser: Browser, assessed: dict[str, Any], herstel: Herstel
) -> None:
    incident = start_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        step="report",
        version=assessed["version"],
    )

    response = officer_browser.submit(
        url(incident, "/steps/report/complete"),
        {"version": incident["version"], "bodies[0].body": "council", "bodies[0].informed_at": "gisteren"},
        status=422,
    )

    page = parse(response.get_data(as_text=True))
    assert field_errors(page) == {"complete-report-bodies-0-informed_at": "Fout: Vul een datum en een tijd in."}
    link = page.by_id("complete-report").with_class("error-summary")[0].one("a")
    assert link["href"] == "#complete-report-bodies-0-informed_at"
    assert link.text == "Geïnformeerde instanties, regel 1: Geïnformeerd op: Vul een datum en een tijd in."


def test_the_page_renders_in_english(
    browser: Callable[..., Browser], report: Callable[..., dict[str, Any]], make_user: Callable[..., Any]
) -> None:
    english = browser("officer", language="en")
    incident = report(english.principal)

    page = english.page(url(incident))

    assert page.one("html")["lang"] == "en"
    assert page.by_id("step-assess").one("h3").text == "Assess In progress"
    assert page.by_id("complete-assess-outcome").one("legend").text == "Outcome"
    assert "Assessment within 2 working days" in page.by_id("step-assess").text


def test_unknown_incidents_and_steps_are_not_found(officer_browser: Browser, assessed: dict[str, Any]) -> None:
    assert officer_browser.get("/incidents/00000000-0000-4000-8000-00000000dead").status_code == 404
    response = officer_browser.post(url(assessed, "/steps/teleport/start"), {"version": assessed["version"]})
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_form_without_its_csrf_token_is_refused(officer_browser: Browser, assessed: dict[str, Any]) -> None:
    response = officer_browser.post(url(assessed, "/steps/report/start"), {"version": assessed["version"]}, csrf=False)
    assert response.status_code == 400
    assert "Het formulier is verlopen of kwam niet van deze site." in response.get_data(as_text=True)


def test_a_form_without_a_version_is_a_clear_400(officer_browser: Browser, assessed: dict[str, Any]) -> None:
    response = officer_browser.post(url(assessed, "/steps/report/start"), {})
    assert response.status_code == 400
    assert "versie van het incident ontbreekt" in response.get_data(as_text=True)


def test_a_step_completed_late_shows_its_deadline_met_late(
    officer_browser: Browser, report: Callable[..., dict[str, Any]], clock: Clock
) -> None:
    incident = report(officer_browser.principal)
    clock.advance(days=6)  # past the 2 working days to assess (and past the session's idle time)
    officer_browser.signed_in, officer_browser._csrf = False, None  # the old session has expired: sign in again
    officer_browser.sign_in()
    form = {**ASSESSMENT, "version": incident["version"], "high_risk_ai": "false"}
    form.update({k: str(v).lower() for k, v in ASSESSMENT.items() if isinstance(v, bool)})
    officer_browser.submit(url(incident, "/steps/assess/complete"), form)

    page = officer_browser.page(url(incident))

    badges = page.by_id("step-assess").one("tbody").select("span", class_="badge--met_late")
    assert [b.text for b in badges] == ["Te laat gehaald"]
