"""The citizen's page after sending: the reference number, their own message and files, the answer;
the staff page opens the files; the API says the same. Files refused are named in the form's error."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask

from installation import Herstel
from tests.integration.web.pages.conftest import Browser, app_for, field_errors
from tests.integration.web.pages.dom import parse
from tests.integration.web.pages.letters import deliver
from tests.integration.web.pages.test_citizen import DUTCH, Citizen

pytestmark = [pytest.mark.postgres, pytest.mark.smtp]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
PDF = b"%PDF-1.7\n%%EOF\n"


@pytest.fixture
def codes(mailing: Herstel, officer_browser: Browser, assessed: dict[str, Any], dispatched: Any, clock: Any,
          smtp_server: Any) -> dict[str, str]:  # fmt: skip
    return deliver(mailing, officer_browser.principal, assessed["id"], dispatched, clock, smtp_server)


@pytest.fixture
def citizen_app(mailing: Herstel) -> Flask:
    return app_for(mailing)


def _send(citizen: Citizen, text: str, files: list[tuple[bytes, str]], kind: str = "question") -> Any:
    data: dict[str, Any] = {"kind": kind, "text": text, "csrf_token": citizen.csrf()}
    data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return citizen.client.post(
        "/citizen/responses",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept-Language": citizen.language},
    )


def test_a_question_with_a_file_gets_its_reference_and_the_answer_is_read_on_the_page(
    citizen_app: Flask, codes: dict[str, str], officer_browser: Browser, assessed: dict[str, Any]
) -> None:
    citizen = Citizen(citizen_app)
    assert citizen.enter(codes[DUTCH]).status_code == 302
    sent = _send(citizen, "Mag ik mijn dossier zien?\nMet vriendelijke groet.", [(PNG, "brief-foto.png")])
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    page = citizen.page("/citizen/letter")
    recorded = page.by_id("recorded")
    reference = recorded.terms()["Uw referentienummer"]
    assert re.fullmatch(r"R-20\d\d-\d{6}", reference)
    assert "ontvangstbevestiging" in recorded.text  # consent to e-mail: the receipt is mailed
    thread = page.by_id("sent")
    assert reference in thread.text
    assert "Mag ik mijn dossier zien?" in thread.text
    assert "brief-foto.png" in thread.text
    assert "Wij antwoorden zo snel als wij kunnen." in thread.text

    staff = officer_browser.page(f"/incidents/{assessed['id']}/responses")
    link = next(a for a in staff.select("a") if a.text == "brief-foto.png")
    assert reference in staff.text
    download = officer_browser.get(link["href"])
    assert download.status_code == 200
    assert download.data == PNG
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "image/png"
    assert citizen.get(link["href"]).status_code in (302, 401, 403)  # not for the citizen's browser

    response_id = link["href"].split("/responses/")[1].split("/")[0]
    officer_browser.submit(
        f"/incidents/{assessed['id']}/responses/{response_id}/answer", {"answer": "Ja.\nU krijgt een kopie per post."}
    )
    after = citizen.page("/citizen/letter").by_id("sent")
    assert "Ons antwoord" in after.text
    assert "U krijgt een kopie per post." in after.text
    assert "een behandelaar namens" in after.text  # a role, never a name
    assert officer_browser.principal.display_name not in after.text


def test_a_refused_file_is_named_in_the_error_of_its_field_and_the_text_is_kept(
    citizen_app: Flask, codes: dict[str, str]
) -> None:
    citizen = Citizen(citizen_app)
    citizen.enter(codes[DUTCH])
    refused = _send(citizen, "Zie bijlage.", [(PDF, "vermomd.png")])
    assert refused.status_code == 422
    page = parse(refused.get_data(as_text=True))
    errors = field_errors(page)
    assert set(errors) == {"attachments"}
    assert errors["attachments"].startswith("Bestand vermomd.png: ")
    assert page.by_id("text").text == "Zie bijlage."
    assert page.one("div", class_="error-summary").one("a", href="#attachments")
    too_many = _send(citizen, "Vier.", [(PNG, f"{i}.png") for i in range(4)])
    assert field_errors(parse(too_many.get_data(as_text=True)))["attachments"] == "Stuur hoogstens 3 bestanden."
    assert "R-" not in citizen.page("/citizen/letter").text  # nothing was recorded


def test_the_api_gives_the_citizen_their_thread_and_staff_the_file(
    citizen_app: Flask, codes: dict[str, str], officer_browser: Browser, assessed: dict[str, Any], mailing: Herstel
) -> None:
    from protocol.services import Principal, create_token

    api = citizen_app.test_client()
    token = api.post("/api/v1/citizen/session", json={"access_code": codes[DUTCH]}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    recorded = api.post("/api/v1/citizen/responses", json={"kind": "complaint", "text": "Te laat."}, headers=bearer)
    assert recorded.status_code == 201
    body = recorded.get_json()
    assert re.fullmatch(r"R-20\d\d-\d{6}", body["reference"])
    assert body["receipt"] == "email"
    (mine,) = api.get("/api/v1/citizen/status", headers=bearer).get_json()["responses"]
    assert (mine["reference"], mine["text"], mine["answer"], mine["attachments"]) == (
        body["reference"],
        "Te laat.",
        None,
        [],
    )
    staff = create_token(uow=mailing.uow(), by=Principal.installation(), email=officer_browser.principal.email)
    headers = {"Authorization": f"Bearer {staff.secret}"}
    listed = api.get(f"/api/v1/incidents/{assessed['id']}/responses", headers=headers).get_json()
    assert listed[0]["reference"] == body["reference"]
    assert listed[0]["attachments"] == []
    answered = api.post(
        f"/api/v1/incidents/{assessed['id']}/responses/{body['response_id']}/answer",
        json={"answer": "Excuses."},
        headers=headers,
    )
    assert answered.get_json()["notice"] == "email"
    (mine,) = api.get("/api/v1/citizen/status", headers=bearer).get_json()["responses"]
    assert mine["answer"]["text"] == "Excuses."
    assert mine["answer"]["role"] == "officer"
    unknown = api.get(
        f"/api/v1/incidents/{assessed['id']}/responses/{body['response_id']}/attachments/{body['response_id']}",
        headers=headers,
    )
    assert unknown.status_code == 404
