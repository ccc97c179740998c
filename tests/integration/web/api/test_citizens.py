"""The citizen API over HTTP: the code from a real email opens a session; with it the letter (JSON and
PDF), the case status and responses; officers read and answer them. One answer for every wrong code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient

from installation import Herstel
from notifications.services import unit_of_work_factory
from protocol.services import complete_step, get_incident, start_step, upload_document
from tests.integration.notifications.conftest import CODE, Dispatched, persons_file, run_letters
from tests.integration.notifications.conftest import people as make_people
from tests.integration.objections import store_objection
from tests.integration.web.conftest import Api
from web import create_app


@pytest.fixture(params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def dispatched(herstel: Herstel) -> Iterator[Dispatched]:
    broker = Dispatched()
    herstel.dispatch.connect(broker)
    yield broker
    herstel.dispatch.connect(None)


@pytest.fixture
def delivered(
    herstel: Herstel, officer_api: Api, assessed: dict[str, Any], smtp_server: Any, dispatched: Dispatched, clock: Any
) -> dict[str, str]:
    """Two readers (nl, en), imported and written to over the API, their emails delivered; {email: code}."""
    readers = persons_file(make_people(2, language=lambda i: ["nl", "en"][i]))
    path = f"/incidents/{assessed['id']}"
    officer_api.ok(
        officer_api.post(f"{path}/affected-persons", data=readers, headers={"Content-Type": "text/csv"}), 201
    )
    officer_api.ok(officer_api.post(f"{path}/letters", {"kind": "notification"}), 202)
    settings = replace(herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    run_letters(replace(herstel, settings=settings), dispatched, clock)
    codes = {}
    for message in smtp_server.messages():
        codes[str(message["To"])] = CODE.search(message.get_body(("plain",)).get_content()).group(1)
    assert len(codes) == 2
    return codes


def citizen(client: FlaskClient, code: str) -> Api:
    response = client.post("/api/v1/citizen/session", json={"access_code": code})
    assert response.status_code == 201, response.get_data(as_text=True)
    return Api(client, response.get_json()["token"])


def test_a_code_opens_the_letter_the_pdf_and_the_status(
    client: FlaskClient, officer_api: Api, assessed: dict[str, Any], delivered: dict[str, str]
) -> None:
    code = delivered["lezer00001@example.nl"]
    opened = client.post("/api/v1/citizen/session", json={"access_code": code.lower().replace("-", " ")})
    assert opened.status_code == 201
    session = opened.get_json()
    assert set(session) == {"token", "expires_at", "language"}
    assert session["language"] == "en"
    reader = Api(client, session["token"])
    letter = reader.ok(reader.get("/citizen/letter"))
    assert letter["language"] == "en"
    assert "Dear Zoë Öztürk-00001" in letter["html"]
    assert "Zoë Öztürk-00001" in letter["text"]
    assert letter["as_sent"] is True  # the stored copy: the letter as sent, its code included
    assert code in letter["text"]
    pdf = reader.get("/citizen/letter.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    status = reader.ok(reader.get("/citizen/status"))
    steps = {s["key"]: s for s in status["steps"]}
    assert steps["assess"]["text"] == "Done on 30 November 2026."
    assert steps["inform"]["title"] == "Informing everyone affected"
    assert steps["inform"]["titles"]["nl"] == "Iedereen informeren die het raakt"
    assert steps["inform"]["conclusion"] is None  # the definition gives inform nothing to tell
    assert status["reference"] == assessed["reference"]
    summary = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/letters/summary"))
    assert summary["total"] == 2
    assert summary["open"] == 0


def test_the_letter_and_its_pdf_stay_as_sent_when_the_case_goes_on(
    client: FlaskClient,
    herstel: Herstel,
    officer: Any,
    make_user: Any,
    assessed: dict[str, Any],
    delivered: dict[str, str],
) -> None:
    reader = citizen(client, delivered["lezer00000@example.nl"])
    sent = reader.ok(reader.get("/citizen/letter"))
    sent_pdf = reader.get("/citizen/letter.pdf").data
    assert sent["as_sent"] is True
    # the case goes on: the investigation is commissioned and completed
    investigator = make_user("investigator")
    incident = get_incident(uow=herstel.uow(), principal=officer, incident_id=assessed["id"])
    incident = start_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=assessed["id"],
        step="investigate",
        version=incident["version"],
        evidence={"investigator": str(investigator.user_id), "due_date": "2027-03-01"},
    )
    document = upload_document(
        uow=herstel.uow(),
        principal=investigator,
        incident_id=assessed["id"],
        filename="onderzoeksrapport.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7\n% onderzoeksrapport\n",
    )
    incident = get_incident(uow=herstel.uow(), principal=investigator, incident_id=assessed["id"])
    complete_step(
        uow=herstel.uow(),
        principal=investigator,
        incident_id=assessed["id"],
        step="investigate",
        version=incident["version"],
        evidence={"report_document": str(document["id"]), "conclusion": "established"},
    )
    again = citizen(client, delivered["lezer00000@example.nl"])
    later = again.ok(again.get("/citizen/letter"))
    assert later == sent  # subject, HTML and text byte for byte
    assert again.get("/citizen/letter.pdf").data == sent_pdf
    steps = {s["key"]: s for s in again.ok(again.get("/citizen/status"))["steps"]}
    assert steps["investigate"]["state"] == "completed"  # the news is in the status part, not in the letter


def test_a_reader_asks_for_review_and_cannot_object_to_a_notification(
    client: FlaskClient, officer_api: Api, assessed: dict[str, Any], delivered: dict[str, str]
) -> None:
    reader = citizen(client, delivered["lezer00000@example.nl"])
    assert reader.ok(reader.get("/citizen/status"))["replies"] == ["question", "review", "complaint", "harm"]
    # a notification is not a decision (Awb 1:3): an objection against it is refused, the field named
    refused = reader.post("/citizen/responses", {"kind": "objection", "text": "Bezwaar tegen de brief."})
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"kind"}
    review = reader.ok(reader.post("/citizen/responses", {"kind": "review", "text": "Kijk mijn beslissing na."}), 201)
    assert review["kind"] == "review"
    assert review["answer_due"] == "2027-01-25"  # 8 weeks: a review request asks for a decision (Awb 4:13)
    assert "4:13" in review["legal_basis"]
    path = f"/incidents/{assessed['id']}/responses"
    listed = officer_api.ok(officer_api.get(path))
    assert [(r["kind"], r["text"], r["deadline_state"]) for r in listed] == [
        ("review", "Kijk mijn beslissing na.", "open")
    ]
    # only a decision meets a review request's deadline: a plain answer is refused, and changes nothing
    plain = officer_api.post(f"{path}/{review['response_id']}/answer", {"answer": "Nieuw besluit volgt."})
    assert plain.status_code == 409
    assert plain.get_json()["rule"] == "review-needs-decision"
    assert officer_api.ok(officer_api.get(path))[0]["deadline_state"] == "open"
    decided = {"outcome": "granted", "reasons": "Wij bekeken uw dossier opnieuw, zonder het programma."}
    officer_api.ok(officer_api.post(f"{path}/{review['response_id']}/decision", decided))
    assert officer_api.ok(officer_api.get(path))[0]["deadline_state"] == "met"
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline?limit=1000"))
    assert [e["payload"]["kind"] for e in timeline["events"] if e["type"] == "CitizenResponded"] == ["review"]


def test_a_response_goes_on_the_timeline_without_personal_data_and_officers_answer_it(
    client: FlaskClient,
    herstel: Herstel,
    officer_api: Api,
    as_user: Any,
    assessed: dict[str, Any],
    delivered: dict[str, str],
) -> None:
    reader = citizen(client, delivered["lezer00000@example.nl"])
    # an objection as databases hold them (from before review requests), decided as before
    objection = store_objection(
        uow_factory=unit_of_work_factory(herstel),
        vault=herstel.vault,
        token=str(reader.token),
        text="Ik ben het niet eens met de controle.",
    )
    objection = {**objection, "response_id": str(objection["response_id"])}
    assert objection["answer_due"].isoformat() == "2027-01-11"
    assert "7:10" in objection["legal_basis"]
    question = reader.ok(reader.post("/citizen/responses", {"kind": "question", "text": "Wanneer?"}), 201)
    assert question["answer_due"] is None
    invalid = reader.post("/citizen/responses", {"kind": "praise", "text": "Goed zo"})
    assert invalid.status_code == 422
    assert "kind" in invalid.get_json()["errors"]

    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline?limit=1000"))
    responded = [e for e in timeline["events"] if e["type"] == "CitizenResponded"]
    assert [e["payload"]["kind"] for e in responded] == ["objection", "question"]
    assert set(responded[0]["payload"]) == {"response_id", "kind", "person_id", "letter_id"}
    assert responded[0]["actor"].startswith("citizen:")
    everything = json.dumps(timeline)
    for personal in ("niet eens", "Öztürk", "lezer00000", "Kerkstraat", "1234 AB"):
        assert personal not in everything

    path = f"/incidents/{assessed['id']}/responses"
    listed = officer_api.ok(officer_api.get(path))
    assert [(r["kind"], r["text"], r["deadline_state"]) for r in listed] == [
        ("objection", "Ik ben het niet eens met de controle.", "open"),
        ("question", "Wanneer?", None),
    ]
    assert as_user("oversight").get(path).status_code == 403
    answer = f"{path}/{objection['response_id']}/answer"
    answered = officer_api.ok(officer_api.post(answer, {"answer": "Wij nemen een nieuw besluit."}))
    assert answered["response_id"] == objection["response_id"]
    assert officer_api.post(answer, {"answer": "Nog eens."}).status_code == 409
    listed = officer_api.ok(officer_api.get(path))
    assert listed[0]["answer"] == "Wij nemen een nieuw besluit."
    # an answer (an acknowledgement) is no decision: the objection's deadline is still open
    assert listed[0]["deadline_state"] == "open"
    assert listed[0]["decision"] is None
    own = reader.ok(reader.get("/citizen/status"))["responses"]
    assert [(r["kind"], r["answered"]) for r in own] == [("objection", True), ("question", False)]

    decision = f"{path}/{objection['response_id']}/decision"
    incomplete = officer_api.post(decision, {"outcome": "granted", "reasons": ""})
    assert incomplete.status_code == 422
    assert "outcome" in incomplete.get_json()["errors"]
    unreasoned = officer_api.post(decision, {"outcome": "dismissed", "reasons": "  "})
    assert unreasoned.status_code == 422
    assert "reasons" in unreasoned.get_json()["errors"]
    not_an_objection = officer_api.post(
        f"{path}/{question['response_id']}/decision", {"outcome": "dismissed", "reasons": "Geen bezwaar."}
    )
    assert not_an_objection.status_code == 409
    assert not_an_objection.get_json()["rule"] == "decision-objection-only"
    assert as_user("oversight").post(decision, {"outcome": "dismissed", "reasons": "x"}).status_code == 403
    decided = officer_api.ok(
        officer_api.post(decision, {"outcome": "partly_upheld", "reasons": "De controle was deels onterecht."})
    )
    assert decided["outcome"] == "partly_upheld"
    again = officer_api.post(decision, {"outcome": "dismissed", "reasons": "Toch niet."})
    assert (again.status_code, again.get_json()["rule"]) == (409, "objection-decided")
    listed = officer_api.ok(officer_api.get(path))
    assert listed[0]["deadline_state"] == "met"
    assert listed[0]["decision"]["outcome"] == "partly_upheld"
    assert listed[0]["decision"]["reasons"] == "De controle was deels onterecht."
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline?limit=1000"))
    types = [e["type"] for e in timeline["events"]]
    assert types.index("CitizenObjectionDecided") < len(types) - 1
    decided_event = next(e for e in timeline["events"] if e["type"] == "CitizenObjectionDecided")
    assert decided_event["payload"] == {
        "response_id": objection["response_id"],
        "kind": "objection",
        "outcome": "partly_upheld",
    }
    met = [e for e in timeline["events"] if e["type"] == "DeadlineMet" and e["payload"]["rule"] == "objection-decision"]
    assert len(met) == 1
    assert met[0]["seq"] > decided_event["seq"]
    assert "deels onterecht" not in json.dumps(timeline)


def test_a_response_is_assigned_to_staff_and_waits_on_them_until_answered(
    client: FlaskClient,
    herstel: Herstel,
    officer_api: Api,
    as_user: Any,
    assessed: dict[str, Any],
    delivered: dict[str, str],
) -> None:
    reader = citizen(client, delivered["lezer00000@example.nl"])
    stored = store_objection(
        uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, token=str(reader.token), text="Niet eens."
    )
    objection = {"response_id": str(stored["response_id"])}
    colleague = as_user("officer")
    path = f"/incidents/{assessed['id']}/responses/{objection['response_id']}"
    # unassigned, it waits on the incident's owner (the reporting officer)
    waiting = officer_api.ok(officer_api.get("/me/waiting"))
    responses = [i for i in waiting["items"] if i["kind"] == "response"]
    assert [(i["response_id"], i["unassigned"]) for i in responses] == [(objection["response_id"], True)]
    assert responses[0]["deadline"]["rule"] == "objection-decision"
    investigator = as_user("investigator")
    refused = officer_api.put(f"{path}/assignee", {"user_id": str(investigator.principal.user_id)})
    assert refused.status_code == 422
    assert "user_id" in refused.get_json()["errors"]
    assigned = officer_api.ok(officer_api.put(f"{path}/assignee", {"user_id": str(colleague.principal.user_id)}))
    assert assigned["assignee"]["id"] == str(colleague.principal.user_id)
    mine = colleague.ok(colleague.get("/me/waiting"))
    assert [i["response_id"] for i in mine["items"] if i["kind"] == "response"] == [objection["response_id"]]
    owner_view = officer_api.ok(officer_api.get("/me/waiting"))
    assert not [i for i in owner_view["items"] if i["kind"] == "response"]
    colleague.ok(colleague.post(f"{path}/answer", {"answer": "Ontvangen."}))
    still = colleague.ok(colleague.get("/me/waiting"))
    assert [i["kind"] for i in still["items"]] == ["response"]  # an objection waits until decided
    colleague.ok(colleague.post(f"{path}/decision", {"outcome": "dismissed", "reasons": "Geen grond."}))
    assert colleague.ok(colleague.get("/me/waiting"))["items"] == []
    timeline = officer_api.ok(officer_api.get(f"/incidents/{assessed['id']}/timeline?limit=1000"))
    event = next(e for e in timeline["events"] if e["type"] == "CitizenResponseAssigned")
    assert event["payload"]["user_id"] == str(colleague.principal.user_id)


def test_wrong_and_malformed_codes_and_tokens_get_one_answer(client: FlaskClient, delivered: dict[str, str]) -> None:
    code = delivered["lezer00000@example.nl"]
    wrong = "0000-0000-0000-0000" if code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
    answers = []
    for attempt in (wrong, "not a code", "", code[:-1]):
        response = client.post("/api/v1/citizen/session", json={"access_code": attempt})
        answers.append((response.status_code, response.mimetype, response.get_data(as_text=True)))
    for token in ("garbage", "x.y", None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = client.get("/api/v1/citizen/letter", headers=headers)
        answers.append((response.status_code, response.mimetype, response.get_data(as_text=True)))
    assert len(set(answers)) == 1, answers
    status, mimetype, body = answers[0]
    assert (status, mimetype) == (401, "application/problem+json")
    assert json.loads(body)["rule"] == "access-denied"


def test_a_citizen_token_is_no_staff_token_and_a_staff_token_no_citizen_session(
    client: FlaskClient, officer_api: Api, assessed: dict[str, Any], delivered: dict[str, str]
) -> None:
    reader = citizen(client, delivered["lezer00000@example.nl"])
    staff_route = reader.get(f"/incidents/{assessed['id']}")
    assert staff_route.status_code == 401
    assert staff_route.get_json()["rule"] == "authentication"
    assert reader.get(f"/incidents/{assessed['id']}/affected-persons").status_code == 401
    as_citizen = officer_api.get("/citizen/letter")
    assert as_citizen.status_code == 401
    assert as_citizen.get_json()["rule"] == "access-denied"


def test_an_expired_session_is_refused_like_a_wrong_code(
    client: FlaskClient, clock: Any, delivered: dict[str, str]
) -> None:
    reader = citizen(client, delivered["lezer00001@example.nl"])
    assert reader.get("/citizen/status").status_code == 200
    clock.advance(minutes=31)
    expired = reader.get("/citizen/status")
    assert expired.status_code == 401
    assert expired.get_json()["rule"] == "access-denied"


def test_guessing_codes_is_rate_limited_per_client(herstel: Herstel) -> None:
    app = create_app({"TESTING": True, "HERSTEL_CITIZEN_CODE_LIMIT": "3 per minute"}, herstel=herstel)
    client = app.test_client()
    statuses = [
        client.post("/api/v1/citizen/session", json={"access_code": f"AAAA-BBBB-CCCC-{i:04d}"}).status_code
        for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    limited = client.post("/api/v1/citizen/session", json={"access_code": "AAAA-BBBB-CCCC-DDDD"})
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert "Retry-After" in limited.headers
    other = client.post(
        "/api/v1/citizen/session", json={"access_code": "AAAA-BBBB-CCCC-DDDD"}, environ_base={"REMOTE_ADDR": "10.0.0.2"}
    )
    assert other.status_code == 401  # another client is not locked out by it
