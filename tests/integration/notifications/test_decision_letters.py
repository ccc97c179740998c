"""A decision on a review request or an objection reaches the citizen as one decision letter: through
the letters' own pipeline (claimed, rendered, sent over real SMTP, kept as sent, its SHA-256 on the
ledger the chain vouches for), once, however often the decision is retried or the message redelivered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from notifications.services import (
    decide_response,
    deliver_letters,
    get_case_status,
    get_citizen_letter,
    list_citizen_responses,
    open_citizen_session,
    open_vault,
    record_citizen_response,
    reply_kinds,
    unit_of_work,
    unit_of_work_factory,
    verify_letters_ledger,
)
from notifications.tables import LetterAttemptRow, LetterRow
from protocol.services import InvalidEvidence, StateConflict, get_incident, get_timeline
from tests.integration.notifications import conftest as letters

# Monday 15 February 2027, 10:00 in the Netherlands. Six weeks from the day after end on Monday
# 29 March 2027, Easter Monday (Atw art. 3): the last day is Tuesday 30 March 2027 (Atw art. 1).
DECIDED_AT = datetime(2027, 2, 15, 9, 0, tzinfo=UTC)
LAST_DAY = "30 maart 2027"
REASONS = "Wij hebben uw dossier opnieuw bekeken. Het programma speelde geen rol bij de beslissing over u."


def _session(herstel: Herstel, mail: Any) -> Any:
    code = letters.CODE.search(mail.get_body(("plain",)).get_content()).group(1)
    return open_citizen_session(
        uow_factory=unit_of_work_factory(herstel), vault=open_vault(herstel.settings), access_code=code
    )


def _letters_of(herstel: Herstel, response_id: uuid.UUID) -> list[Any]:
    with herstel.db.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(LetterRow.id, LetterRow.kind, LetterRow.status, LetterRow.campaign_id).where(
                    LetterRow.response_id == response_id
                )
            )
        )


@pytest.fixture
def reader(mailing: Herstel, officer: Any, incident: Any, smtp_server: Any, dispatched: Any, clock: Any) -> Any:
    """One Dutch reader with consent to email, sent the notification, signed in with its code."""
    letters.start_notification(mailing, officer, incident["id"], letters.people(1, language=lambda i: "nl"))
    letters.run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()
    return _session(mailing, mail)


def test_a_review_decision_sends_one_letter_kept_as_sent_on_the_ledger_and_opens_an_objection(
    mailing: Herstel, officer: Any, incident: Any, reader: Any, smtp_server: Any, dispatched: Any, clock: Any
) -> None:
    factory, vault = unit_of_work_factory(mailing), open_vault(mailing.settings)
    review = record_citizen_response(
        uow_factory=factory, vault=vault, token=reader.token, kind="review", text="Kijk mijn beslissing na."
    )
    clock.now = DECIDED_AT
    decided = decide_response(
        uow=unit_of_work(mailing),
        vault=vault,
        principal=officer,
        incident_id=incident["id"],
        response_id=review["response_id"],
        outcome="refused",
        reasons=REASONS,
    )
    ((letter_id, kind, status, campaign_id),) = _letters_of(mailing, review["response_id"])
    assert (letter_id, kind, status, campaign_id) == (decided["letter_id"], "decision-review", "queued", None)

    letters.run_letters(mailing, dispatched, clock)
    _notification, decision_mail = smtp_server.messages()
    text = decision_mail.get_body(("plain",)).get_content()
    assert decision_mail["Subject"] == "Ons besluit over uw vraag om een nieuwe beoordeling"
    assert "Wij geven u geen gelijk." in text
    assert "Het programma speelde geen rol" in " ".join(text.split())
    assert f"Uw bezwaar moet uiterlijk {LAST_DAY} bij ons zijn." in " ".join(text.split())
    assert "15 februari 2027" in text  # the letter's date: the day it was sent

    # a retry of every kind sends nothing twice: the decision again, the event again, the letter again
    with pytest.raises(StateConflict) as refused:
        decide_response(
            uow=unit_of_work(mailing),
            vault=vault,
            principal=officer,
            incident_id=incident["id"],
            response_id=review["response_id"],
            outcome="granted",
            reasons="Toch anders.",
        )
    assert refused.value.rule == "objection-decided"
    assert letters.publish_events(mailing) == 0
    report = deliver_letters(
        uow_factory=factory, vault=mailing.vault, settings=mailing.settings, letter_ids=[letter_id]
    )
    assert report.claimed == 0
    assert len(smtp_server.messages()) == 2
    assert len(_letters_of(mailing, review["response_id"])) == 1

    # kept as sent, and vouched for by the ledger on the chain
    decision = _session(mailing, decision_mail)
    assert decision.letter_kind == "decision-review"
    shown = get_citizen_letter(
        uow_factory=factory, vault=vault, base_url=mailing.settings.base_url, token=decision.token
    )
    assert shown["as_sent"] is True
    assert shown["text"].strip() == text.strip()
    with mailing.db.engine.connect() as connection:
        ((digest, batch_ref),) = connection.execute(
            sa.select(LetterAttemptRow.letter_sha256, LetterAttemptRow.batch_ref).where(
                LetterAttemptRow.letter_id == letter_id
            )
        )
    assert digest
    assert batch_ref
    assert verify_letters_ledger(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])["valid"]
    events = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)["events"]
    timeline = [e["type"] for e in events]
    assert timeline.count("LetterQueued") == 1

    # the review's deadline is met by the decision; the reader of the decision may now object
    deadlines = get_incident(uow=mailing.uow(), principal=officer, incident_id=incident["id"])["deadlines"]
    (review_deadline,) = [d for d in deadlines if d["rule"] == "review-decision"]
    assert review_deadline["met_at"] is not None
    assert reply_kinds(decision.letter_kind) == ("question", "objection", "complaint")
    (own,) = get_case_status(uow_factory=factory, vault=vault, token=decision.token)["responses"]
    assert (own["kind"], own["answered"], own["decided_at"] is not None) == ("review", False, True)
    assert get_case_status(uow_factory=factory, vault=open_vault(mailing.settings), token=decision.token)[
        "replies"
    ] == [
        "question",
        "objection",
        "complaint",
    ]
    objection = record_citizen_response(
        uow_factory=factory, vault=vault, token=decision.token, kind="objection", text="Ik ben het er niet mee eens."
    )
    assert objection["answer_due"] is not None  # Awb 7:10: the objection-decision deadline runs

    # the decision on the objection points to court; its reader cannot object again
    decide_response(
        uow=unit_of_work(mailing),
        vault=vault,
        principal=officer,
        incident_id=incident["id"],
        response_id=objection["response_id"],
        outcome="dismissed",
        reasons="Het besluit blijft staan: het programma speelde geen rol.",
    )
    letters.run_letters(mailing, dispatched, clock)
    assert len(smtp_server.messages()) == 3
    final = _session(mailing, smtp_server.messages()[2])
    assert final.letter_kind == "decision-objection"
    body = " ".join(smtp_server.messages()[2].get_body(("plain",)).get_content().split())
    assert "Uw bezwaar is ongegrond." in body
    assert "griffierecht" in body
    assert "rechtbank" in body
    with pytest.raises(InvalidEvidence) as no_objection:
        record_citizen_response(uow_factory=factory, vault=vault, token=final.token, kind="objection", text="Nog eens.")
    assert "kind" in no_objection.value.errors
    views = list_citizen_responses(
        uow=unit_of_work(mailing), vault=vault, principal=officer, incident_id=incident["id"]
    )
    assert {v["kind"]: v["decision"]["outcome"] for v in views if v["decision"]} == {
        "review": "refused",
        "objection": "dismissed",
    }


def test_a_decision_is_refused_whole_when_its_outcome_does_not_fit_the_kind(
    mailing: Herstel, officer: Any, incident: Any, reader: Any, smtp_server: Any
) -> None:
    factory, vault = unit_of_work_factory(mailing), open_vault(mailing.settings)
    review = record_citizen_response(uow_factory=factory, vault=vault, token=reader.token, kind="review", text="Na.")
    question = record_citizen_response(uow_factory=factory, vault=vault, token=reader.token, kind="question", text="?")
    with pytest.raises(InvalidEvidence) as wrong:
        decide_response(uow=unit_of_work(mailing), vault=vault, principal=officer, incident_id=incident["id"],
                      response_id=review["response_id"], outcome="dismissed", reasons=REASONS)  # fmt: skip
    assert set(wrong.value.errors) == {"outcome"}
    with pytest.raises(StateConflict) as not_decidable:
        decide_response(uow=unit_of_work(mailing), vault=vault, principal=officer, incident_id=incident["id"],
                      response_id=question["response_id"], outcome="granted", reasons=REASONS)  # fmt: skip
    assert not_decidable.value.rule == "decision-objection-only"
    assert _letters_of(mailing, review["response_id"]) == []
    assert _letters_of(mailing, question["response_id"]) == []
    assert len(smtp_server.messages()) == 1  # the notification only
