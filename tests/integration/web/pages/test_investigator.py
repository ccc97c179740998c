"""The external investigator's pages: only assigned incidents; the report upload and the conclusion."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from installation import Herstel
from protocol.services import get_incident, get_timeline, start_step
from tests.integration.web.pages.conftest import Browser, field_errors
from tests.integration.web.pages.dom import parse

PDF = b"%PDF-1.4\n% Onderzoeksrapport\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def investigator(browser: Callable[..., Browser]) -> Browser:
    return browser("investigator", name="Ivo")


@pytest.fixture
def commissioned(
    herstel: Herstel, assessed: dict[str, Any], officer_browser: Browser, investigator: Browser
) -> dict[str, Any]:
    """The assessed incident with its investigation commissioned to `investigator`."""
    return start_step(
        uow=herstel.uow(),
        principal=officer_browser.principal,
        incident_id=assessed["id"],
        step="investigate",
        version=assessed["version"],
        evidence={"investigator": str(investigator.principal.user_id), "due_date": "2027-02-26"},
    )


def upload(
    browser: Browser, incident: dict[str, Any], content: bytes, name: str, mimetype: str, status: int = 302
) -> Any:
    return browser.submit(
        f"/incidents/{incident['id']}/documents",
        {"step": "investigate", "file": (io.BytesIO(content), name, mimetype)},
        status=status,
    )


def test_the_officer_commissions_the_investigation_by_choosing_an_investigator(
    officer_browser: Browser, assessed: dict[str, Any], investigator: Browser, herstel: Herstel
) -> None:
    form = officer_browser.page(f"/incidents/{assessed['id']}").by_id("start-investigate")
    choices = {o.text: o["value"] for o in form.by_id("start-investigate-investigator").select("option") if o["value"]}
    assert choices == {"ivo": str(investigator.principal.user_id)}  # only colleagues with the investigator role

    officer_browser.submit(
        f"/incidents/{assessed['id']}/steps/investigate/start",
        {"version": assessed["version"], "investigator": choices["ivo"], "due_date": "2027-02-26"},
    )

    step = officer_browser.page(f"/incidents/{assessed['id']}").by_id("step-investigate")
    assert step.with_class("facts")[1].terms()["Externe onderzoeker"] == "ivo"
    assert "tot en met 26 februari 2027" in step.one("tbody").text  # the agreed date sets the deadline


def test_an_investigator_sees_only_the_incidents_assigned_to_them(
    investigator: Browser, commissioned: dict[str, Any], report: Callable[..., dict[str, Any]], officer_browser: Browser
) -> None:
    other = report(officer_browser.principal, title="Ander incident")

    page = investigator.page("/")

    assert page.one("h1").text == "Mijn opdrachten"
    listed = [row.one("a")["href"] for row in page.one("tbody").select("tr")]
    assert listed == [f"/incidents/{commissioned['id']}"]
    assert investigator.get(f"/incidents/{other['id']}").status_code == 404
    assert investigator.get(f"/incidents/{other['id']}/timeline").status_code == 404
    assert investigator.get(f"/incidents/{commissioned['id']}").status_code == 200


def test_the_investigator_is_offered_only_the_investigation(
    investigator: Browser, commissioned: dict[str, Any]
) -> None:
    page = investigator.page(f"/incidents/{commissioned['id']}")

    forms = [f["action"].split("#")[0] for f in page.select("form") if "/incidents/" in f["action"]]
    base = f"/incidents/{commissioned['id']}"
    assert forms == [f"{base}/documents", f"{base}/steps/investigate/complete"]
    complete = page.by_id("complete-investigate")
    assert [r["value"] for r in complete.by_id("complete-investigate-conclusion").select("input")] == [
        "established",
        "not_established",
        "inconclusive",
    ]
    report_select = complete.by_id("complete-investigate-report_document")
    assert [o["value"] for o in report_select.select("option")] == [""]  # nothing uploaded yet
    assert not page.select(id="approvals")  # four-eyes requests are not the investigator's business


def test_upload_the_report_and_record_the_conclusion(
    investigator: Browser, commissioned: dict[str, Any], herstel: Herstel
) -> None:
    response = upload(investigator, commissioned, PDF, "Onderzoeksrapport Risicomodel.pdf", "application/pdf")

    assert response.headers["Location"] == f"/incidents/{commissioned['id']}#step-investigate"
    page = investigator.page(f"/incidents/{commissioned['id']}")
    assert "Document “Onderzoeksrapport Risicomodel.pdf” toegevoegd." in page.text
    option = page.by_id("complete-investigate-report_document").select("option")[1]
    assert option.text.startswith("Onderzoeksrapport Risicomodel.pdf")
    download = page.by_id("step-investigate").one(
        "a", href=f"/incidents/{commissioned['id']}/documents/{option['value']}"
    )
    file = investigator.get(download["href"])
    assert file.data == PDF
    assert file.headers["Content-Disposition"].startswith("attachment;")
    assert file.mimetype == "application/pdf"

    investigator.submit(
        f"/incidents/{commissioned['id']}/steps/investigate/complete",
        {
            "version": get_incident(
                uow=herstel.uow(), principal=investigator.principal, incident_id=commissioned["id"]
            )["version"],
            "report_document": option["value"],
            "conclusion": "established",
            "summary": "Nationaliteit weegt zwaar in het model.",
        },
    )

    step = investigator.page(f"/incidents/{commissioned['id']}").by_id("step-investigate")
    assert "Afgerond" in step.one("h3").text
    recorded = step.with_class("facts")[1].terms()
    assert recorded["Conclusie"] == "Vastgesteld"
    assert recorded["Onderzoeksrapport"] == "Onderzoeksrapport Risicomodel.pdf"
    events = get_timeline(uow=herstel.uow(), principal=investigator.principal, incident_id=commissioned["id"])["events"]
    added = [e for e in events if e["type"] == "DocumentAdded"]
    assert len(added) == 1
    assert "Onderzoeksrapport" not in str(added[0]["payload"])  # by digest, never by name


def test_an_upload_that_is_not_what_it_says_is_an_error_at_the_file_field(
    investigator: Browser, commissioned: dict[str, Any]
) -> None:
    response = upload(investigator, commissioned, b"MZ\x90\x00 not a pdf", "rapport.pdf", "application/pdf", 422)

    page = parse(response.get_data(as_text=True))
    assert field_errors(page) == {
        "upload-investigate-file": "De inhoud van het bestand past niet bij het soort bestand."
    }
    response = upload(investigator, commissioned, b"", "leeg.txt", "text/plain", 422)
    assert "Het bestand is leeg." in response.get_data(as_text=True)


def test_the_conclusion_without_a_report_is_refused_at_the_fields(
    investigator: Browser, commissioned: dict[str, Any]
) -> None:
    response = investigator.submit(
        f"/incidents/{commissioned['id']}/steps/investigate/complete",
        {"version": commissioned["version"]},
        status=422,
    )
    errors = field_errors(parse(response.get_data(as_text=True)))
    assert errors == {
        "complete-investigate-report_document": "Fout: Vul dit veld in.",
        "complete-investigate-conclusion": "Fout: Vul dit veld in.",
    }


def test_an_investigator_cannot_act_on_other_steps(investigator: Browser, commissioned: dict[str, Any]) -> None:
    response = investigator.post(
        f"/incidents/{commissioned['id']}/steps/report/start", {"version": commissioned["version"]}
    )
    assert response.status_code == 403
