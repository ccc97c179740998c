"""The citizen's side: the code from a real email opens a session, the letter, the status, responses."""

from __future__ import annotations

import json

import pytest

from notifications.services import (
    AccessDenied,
    answer_citizen_response,
    citizen_session,
    get_case_status,
    get_citizen_letter,
    get_citizen_letter_pdf,
    list_citizen_responses,
    open_citizen_session,
    open_vault,
    record_citizen_response,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import InvalidEvidence, StateConflict, get_incident, get_timeline
from tests.integration.notifications.conftest import CODE, people, run_letters, start_notification


@pytest.fixture
def delivered(mailing, officer, incident, smtp_server, dispatched, clock):
    """Two readers (nl, en) whose letters arrived; returns {email: code}."""
    readers = people(2, language=lambda i: ["nl", "en"][i])
    start_notification(mailing, officer, incident["id"], readers)
    run_letters(mailing, dispatched, clock)
    codes = {}
    for message in smtp_server.messages():
        codes[str(message["To"])] = CODE.search(message.get_body(("plain",)).get_content()).group(1)
    assert len(codes) == 2
    return codes


def test_wrong_malformed_expired_and_forged_all_look_the_same(mailing, delivered, clock):
    code = delivered["lezer00000@example.nl"]
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        access_code=code.lower().replace("-", " "),
    )
    assert (
        citizen_session(uow_factory=unit_of_work_factory(mailing), token=session.token).letter_id == session.letter_id
    )
    messages = set()
    wrong = "0000-0000-0000-0000" if code != "0000-0000-0000-0000" else "1111-1111-1111-1111"
    for attempt in (wrong, "not a code", "", code[:-1]):
        with pytest.raises(AccessDenied) as caught:
            open_citizen_session(
                uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=attempt
            )
        messages.add(str(caught.value))
    forged = session.token[:-2] + ("AA" if not session.token.endswith("AA") else "BB")
    for token in (forged, "garbage", "x.y"):
        with pytest.raises(AccessDenied) as caught:
            citizen_session(uow_factory=unit_of_work_factory(mailing), token=token)
        messages.add(str(caught.value))
    clock.advance(minutes=31)
    with pytest.raises(AccessDenied) as caught:
        citizen_session(uow_factory=unit_of_work_factory(mailing), token=session.token)
    messages.add(str(caught.value))
    assert messages == {"this code or session does not give access"}


def test_the_reader_sees_their_letter_and_the_case_in_plain_words(mailing, delivered):
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        access_code=delivered["lezer00001@example.nl"],
    )
    letter = get_citizen_letter(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        base_url=mailing.settings.base_url,
        token=session.token,
    )
    assert letter["language"] == "en"
    assert "Dear Zoë Öztürk-00001" in letter["html"]
    assert letter["as_sent"] is True
    assert delivered["lezer00001@example.nl"] in letter["text"]  # the letter as sent, its code included
    assert get_citizen_letter_pdf(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        base_url=mailing.settings.base_url,
        token=session.token,
    ).startswith(b"%PDF")
    status = get_case_status(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), token=session.token
    )
    steps = {s["key"]: s for s in status["steps"]}
    assert steps["assess"]["state"] == "completed"
    assert steps["assess"]["text"] == "Done on 30 November 2026."
    assert steps["inform"]["title"] == "Informing everyone affected"
    assert steps["inform"]["state"] == "completed"
    assert "objection_last_day" not in status["letter"]  # a notification is not a decision: no objection period
    assert status["replies"] == ["question", "review", "complaint", "harm"]


def test_responses_start_their_legal_deadline_and_an_answer_meets_it(mailing, officer, incident, delivered):
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        access_code=delivered["lezer00000@example.nl"],
    )
    review = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        token=session.token,
        kind="review",
        text="Ik ben het niet eens met de controle.",
    )
    assert review["answer_due"].isoformat() == "2027-01-25"  # 8 weeks after 30 November 2026, a Monday
    assert "4:13" in review["legal_basis"]  # a review request asks for a decision
    complaint = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        token=session.token,
        kind="complaint",
        text="Slecht.",
    )
    assert "9:11" in complaint["legal_basis"]
    question = record_citizen_response(
        uow_factory=unit_of_work_factory(mailing),
        vault=open_vault(mailing.settings),
        token=session.token,
        kind="question",
        text="Wanneer?",
    )
    assert question["answer_due"] is None
    with pytest.raises(InvalidEvidence) as caught:
        record_citizen_response(
            uow_factory=unit_of_work_factory(mailing),
            vault=open_vault(mailing.settings),
            token=session.token,
            kind="praise",
            text="",
        )
    assert set(caught.value.errors) == {"kind", "text"}
    with pytest.raises(InvalidEvidence) as caught:  # a notification is not a decision: nothing to object to
        record_citizen_response(
            uow_factory=unit_of_work_factory(mailing),
            vault=open_vault(mailing.settings),
            token=session.token,
            kind="objection",
            text="Bezwaar tegen de brief.",
        )
    assert set(caught.value.errors) == {"kind"}
    assert "review" in str(caught.value.errors["kind"][0])

    events = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    responded = [e for e in events if e["type"] == "CitizenResponded"]
    assert [e["payload"]["kind"] for e in responded] == ["review", "complaint", "question"]
    assert set(responded[0]["payload"]) == {"response_id", "kind", "person_id", "letter_id"}
    assert responded[0]["actor"] == f"citizen:{session.person_id}"
    assert "niet eens" not in json.dumps([e["payload"] for e in events])

    listed = list_citizen_responses(
        uow=unit_of_work(mailing), vault=open_vault(mailing.settings), principal=officer, incident_id=incident["id"]
    )
    assert listed[0]["text"] == "Ik ben het niet eens met de controle."
    assert listed[0]["deadline_state"] == "open"
    # a review request is met by a decision only: a plain answer is refused and records nothing
    with pytest.raises(StateConflict) as refused:
        answer_citizen_response(
            uow=unit_of_work(mailing),
            vault=open_vault(mailing.settings),
            principal=officer,
            incident_id=incident["id"],
            response_id=review["response_id"],
            answer="Wij nemen een nieuw besluit.",
        )
    assert refused.value.rule == "review-needs-decision"
    answer_citizen_response(
        uow=unit_of_work(mailing),
        vault=open_vault(mailing.settings),
        principal=officer,
        incident_id=incident["id"],
        response_id=complaint["response_id"],
        answer="Excuses, wij bellen u terug.",
    )
    with pytest.raises(StateConflict):
        answer_citizen_response(
            uow=unit_of_work(mailing),
            vault=open_vault(mailing.settings),
            principal=officer,
            incident_id=incident["id"],
            response_id=complaint["response_id"],
            answer="x",
        )
    deadlines = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])["deadlines"]
    by_subject = {d["subject"]: d for d in deadlines if d["subject"]}
    assert by_subject[str(review["response_id"])]["state"] == "open"
    assert by_subject[str(complaint["response_id"])]["state"] == "met"
    listed = list_citizen_responses(
        uow=unit_of_work(mailing), vault=open_vault(mailing.settings), principal=officer, incident_id=incident["id"]
    )
    assert listed[0]["answer"] is None
    assert listed[1]["answer"] == "Excuses, wij bellen u terug."
    status = get_case_status(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), token=session.token
    )
    assert [(r["kind"], r["answered"]) for r in status["responses"]] == [
        ("review", False),
        ("complaint", True),
        ("question", False),
    ]
