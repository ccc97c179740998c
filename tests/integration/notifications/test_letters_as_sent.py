"""A letter is a legal fact: the citizen reads exactly the letter that was sent, however the case
went on, and the copy is the one whose SHA-256 the letters ledger on the incident's chain vouches for."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import sqlalchemy as sa

from installation import Herstel
from notifications.copies import canonical, from_canonical, open_canonical
from notifications.ledger import ledger_digest
from notifications.services import (
    get_citizen_letter,
    get_citizen_letter_pdf,
    open_citizen_session,
    open_vault,
    unit_of_work,
    unit_of_work_factory,
    verify_letters_ledger,
)
from protocol.services import complete_step, get_incident, get_timeline, start_step, upload_document
from tests.integration.flows import People
from tests.integration.notifications import conftest as letters


def _read(herstel: Herstel, token: str) -> tuple[dict[str, Any], bytes]:
    factory, vault, base_url = unit_of_work_factory(herstel), open_vault(herstel.settings), herstel.settings.base_url
    letter = get_citizen_letter(uow_factory=factory, vault=vault, base_url=base_url, token=token)
    pdf = get_citizen_letter_pdf(uow_factory=factory, vault=vault, base_url=base_url, token=token)
    return letter, pdf


def test_a_letter_opened_after_the_investigation_ended_is_the_letter_sent(
    mailing: Herstel, officer: Any, people: People, incident: Any, smtp_server: Any, dispatched: Any, clock: Any
) -> None:
    # the investigation runs while the letters go out: the letter says it is under way, and until when
    incident = start_step(
        uow=mailing.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="investigate",
        version=incident["version"],
        evidence={"investigator": str(people.investigator.user_id), "due_date": "2027-03-01"},
    )
    reader = letters.people(1, language=lambda i: "nl")
    letters.start_notification(mailing, officer, incident["id"], reader)
    letters.run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()
    mailed = mail.get_body(("plain",)).get_content()
    code = letters.CODE.search(mailed).group(1)
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code
    )

    sent_letter, sent_pdf = _read(mailing, session.token)
    assert sent_letter["as_sent"] is True
    assert "zoekt uit hoe dit kon gebeuren" in sent_letter["text"]
    assert "uiterlijk 1 maart 2027 klaar" in sent_letter["text"]
    assert code in sent_letter["text"]  # the letter keeps its code and the sentence about it
    assert "en vul de code in" in sent_letter["text"]
    assert sent_letter["text"].strip() == mailed.strip()  # what the page shows is what the mail said
    assert sent_pdf.startswith(b"%PDF")

    # the investigation ends; a fresh rendering would now say "heeft uitgezocht"
    document = upload_document(
        uow=mailing.uow(),
        principal=people.investigator,
        incident_id=incident["id"],
        filename="onderzoeksrapport.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.7\n% onderzoeksrapport\n",
    )
    current = get_incident(uow=mailing.uow(), principal=people.investigator, incident_id=incident["id"])
    complete_step(
        uow=mailing.uow(),
        principal=people.investigator,
        incident_id=incident["id"],
        step="investigate",
        version=current["version"],
        evidence={"report_document": str(document["id"]), "conclusion": "established"},
    )
    clock.advance(days=20)
    later = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code
    )
    later_letter, later_pdf = _read(mailing, later.token)
    assert later_letter == sent_letter  # byte for byte: subject, HTML, text
    assert later_pdf == sent_pdf
    assert "heeft uitgezocht" not in later_letter["text"]

    # the stored copy hashes to the digest on its attempt's ledger line, and the chain vouches for that line
    vault = open_vault(mailing.settings)
    with unit_of_work(mailing).read_only() as uow:
        found = uow.letters.copy_as_sent(session.letter_id)
        assert found is not None
        copy, attempt = found
        data = open_canonical(vault, copy.letter_id, copy.number, key_id=copy.key_id, sealed=copy.letter_sealed)
        covered = uow.letters.attempts_of_batch(attempt.batch_ref)
        assert copy.pdf_sha256 == hashlib.sha256(later_pdf).hexdigest()
    assert hashlib.sha256(data).hexdigest() == attempt.letter_sha256
    assert from_canonical(data).text == later_letter["text"]
    assert canonical(from_canonical(data)) == data
    assert attempt.letter_sha256 in [line.split("|")[-1] for line in _lines(covered)]
    timeline = get_timeline(uow=mailing.uow(), principal=officer, incident_id=incident["id"], limit=1000)
    (batch,) = [
        e["payload"]
        for e in timeline["events"]
        if e["type"] == "LettersBatchRecorded" and e["payload"]["batch_ref"] == str(attempt.batch_ref)
    ]
    assert batch["digest"] == ledger_digest(covered)
    assert batch["letters_as_sent"] == 1
    assert verify_letters_ledger(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])["valid"]

    # a changed letter digest breaks the batch digest the chain holds
    with mailing.db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE letter_attempts SET letter_sha256 = :forged WHERE id = :id"),
            {"forged": "0" * 64, "id": attempt.id},
        )
    report = verify_letters_ledger(uow=unit_of_work(mailing), principal=officer, incident_id=incident["id"])
    assert not report["valid"]
    assert report["failures"][0]["batch_ref"] == str(attempt.batch_ref)


def _lines(rows: Any) -> list[str]:
    from notifications.ledger import ledger_line

    return [ledger_line(row) for row in rows]


def test_a_letter_sent_before_letters_were_kept_is_rendered_anew_and_says_so(
    mailing: Herstel, officer: Any, incident: Any, smtp_server: Any, dispatched: Any, clock: Any
) -> None:
    reader = letters.people(1, language=lambda i: "nl")
    letters.start_notification(mailing, officer, incident["id"], reader)
    letters.run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()
    code = letters.CODE.search(mail.get_body(("plain",)).get_content()).group(1)
    with mailing.db.engine.begin() as connection:  # as a letter sent by an older version: no copy
        connection.execute(sa.text("DELETE FROM letter_copies"))
    session = open_citizen_session(
        uow_factory=unit_of_work_factory(mailing), vault=open_vault(mailing.settings), access_code=code
    )
    letter, pdf = _read(mailing, session.token)
    assert letter["as_sent"] is False
    assert "Zoë Öztürk-00000" in letter["text"]
    assert code not in letter["text"]  # no copy holds it: the rendering leaves the code and its sentence out
    assert "en vul de code in" not in letter["text"]
    assert pdf.startswith(b"%PDF")
    with unit_of_work(mailing).read_only() as uow:
        assert uow.letters.copy_as_sent(uuid.UUID(str(session.letter_id))) is None  # nothing was stored on reading
