"""An answer the citizen can read: reference numbers, sealed messages and files, the receipt and the
notice of an answer by e-mail (a real SMTP server) or by post (the print house's zip), each once."""

from __future__ import annotations

import re
import subprocess
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from installation import Herstel
from notifications.services import (
    Attachment,
    answer_citizen_response,
    deliver_response_notices,
    get_case_status,
    get_response_attachment,
    list_citizen_responses,
    list_response_notices,
    open_citizen_session,
    record_citizen_response,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import InvalidEvidence, NotFound, Principal
from tests.integration.notifications.conftest import CODE, people, run_letters, start_notification

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
REFERENCE = re.compile(r"^R-20\d\d-\d{6}$")


def _outbox_pdfs(data_dir: str) -> list[str]:
    """The text of every PDF the print house would collect, oldest zip first."""
    texts = []
    for path in sorted((Path(data_dir) / "print" / "outbox").glob("*.zip"), key=lambda p: p.stat().st_mtime_ns):
        with zipfile.ZipFile(path) as archive:
            pdf = archive.read("letters.pdf")
        texts.append(
            subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        )
    return texts


@pytest.fixture
def readers(
    mailing: Herstel, officer: Principal, incident: Any, smtp_server: Any, dispatched: Any, clock: Any
) -> dict[str, str]:
    """Two readers: one with e-mail and consent (nl), one without consent (en, by post); {who: code}."""
    readers = people(2, language=lambda i: ["nl", "en"][i], consent=lambda i: i == 0)
    start_notification(mailing, officer, incident["id"], readers)
    run_letters(mailing, dispatched, clock)
    (mail,) = smtp_server.messages()
    (printed,) = _outbox_pdfs(mailing.settings.data_dir)
    return {
        "email": CODE.search(mail.get_body(("plain",)).get_content()).group(1),
        "post": CODE.search(printed).group(1),
    }


def _session(herstel: Herstel, code: str) -> str:
    return open_citizen_session(uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, access_code=code).token


def _send(herstel: Herstel, token: str, text: str, files: tuple[Attachment, ...] = (), kind: str = "question") -> Any:
    return record_citizen_response(
        uow_factory=unit_of_work_factory(herstel),
        vault=herstel.vault,
        token=token,
        kind=kind,
        text=text,
        attachments=files,
    )


def _answer(
    herstel: Herstel, officer: Principal, incident_id: uuid.UUID, response_id: uuid.UUID, text: str
) -> dict[str, object]:
    """The officer answers the response `response_id` of the incident with `text`."""
    return answer_citizen_response(
        uow=unit_of_work(herstel),
        vault=herstel.vault,
        principal=officer,
        incident_id=incident_id,
        response_id=response_id,
        answer=text,
    )


def _deliver(herstel: Herstel) -> Any:
    return deliver_response_notices(
        uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, settings=herstel.settings
    )


def _notices(smtp_server: Any, subject: str) -> list[Any]:
    return [m for m in smtp_server.messages() if subject in str(m["Subject"])]


def test_each_response_gets_a_reference_at_once_and_the_next_one_follows(
    mailing: Herstel, readers: dict[str, str]
) -> None:
    token = _session(mailing, readers["email"])
    first = _send(mailing, token, "Wanneer hoor ik meer?")
    second = _send(mailing, _session(mailing, readers["post"]), "When will I hear more?", kind="complaint")
    assert REFERENCE.match(first["reference"])
    assert REFERENCE.match(second["reference"])
    year, number = first["reference"].rsplit("-", 1)
    assert second["reference"] == f"{year}-{int(number) + 1:06d}"  # one counter for the installation
    assert first["receipt"] == "email"
    assert second["receipt"] is None
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=token)
    assert [(r["reference"], r["text"], r["answer"]) for r in status["responses"]] == [
        (first["reference"], "Wanneer hoor ik meer?", None)
    ]


def test_messages_answers_and_files_are_sealed_at_rest(
    mailing: Herstel, officer: Principal, incident: Any, readers: dict[str, str]
) -> None:
    token = _session(mailing, readers["email"])
    sent = _send(
        mailing, token, "Mijn geheime klacht Zwartewaal", (Attachment("scan-Zwartewaal.pdf", "application/pdf", PDF),)
    )
    _answer(mailing, officer, incident["id"], sent["response_id"], "Ons antwoord aan Zwartewaal")
    engine = sa.create_engine(mailing.settings.resolved_database_url())
    try:
        with engine.connect() as connection:
            dump = b""
            for table in ("citizen_responses", "response_attachments", "response_notices"):
                for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                    dump += repr(tuple(row)).encode()
    finally:
        engine.dispose()
    assert sent["reference"].encode() in dump  # the reference is no secret: it is there in the clear
    assert b"Zwartewaal" not in dump
    assert PDF[:8] not in dump


def test_the_receipt_and_the_answer_notice_arrive_once_by_mail(
    mailing: Herstel, officer: Principal, incident: Any, readers: dict[str, str], smtp_server: Any
) -> None:
    token = _session(mailing, readers["email"])
    sent = _send(mailing, token, "Mag ik mijn dossier inzien? Geheim-tekst-123")
    assert _deliver(mailing).sent == 1
    assert _deliver(mailing).claimed == 0  # sent once, however often the job runs
    (receipt,) = _notices(smtp_server, "Ontvangstbevestiging")
    body = receipt.get_body(("plain",)).get_content()
    assert sent["reference"] in str(receipt["Subject"])
    assert sent["reference"] in body
    assert "vraag" in body
    assert "Geheim-tekst-123" not in body
    assert "/citizen" in body
    assert str(receipt["To"]) == "lezer00000@example.nl"

    answer = _answer(mailing, officer, incident["id"], sent["response_id"], "Ja, dat mag. Antwoord-tekst-456")
    assert answer["notice"] == "email"
    assert _deliver(mailing).sent == 1
    _deliver(mailing)
    (notice,) = _notices(smtp_server, "Er is een antwoord")
    text = notice.get_body(("plain",)).get_content()
    assert sent["reference"] in text
    assert "Antwoord-tekst-456" not in text
    assert "Geheim-tekst-123" not in text
    notices = list_response_notices(uow=unit_of_work(mailing), response_id=sent["response_id"])
    assert sorted((n["purpose"], n["channel"], n["status"], n["attempts"]) for n in notices) == [
        ("answer", "email", "sent", 1),
        ("receipt", "email", "sent", 1),
    ]
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=token)
    (mine,) = status["responses"]
    assert mine["answer"]["text"] == "Ja, dat mag. Antwoord-tekst-456"
    assert mine["answer"]["role"] == "officer"  # a role, never the officer's name
    assert mine["answer"]["organisation"]


def test_a_notice_the_server_defers_is_sent_later_and_once(
    mailing: Herstel, officer: Principal, incident: Any, readers: dict[str, str], smtp_server: Any, clock: Any
) -> None:
    token = _session(mailing, readers["email"])
    _send(mailing, token, "Vraag")
    offline = replace(mailing, settings=replace(mailing.settings, smtp_port=1))  # nothing listens there
    report = _deliver(offline)
    assert (report.claimed, report.retrying, report.sent) == (1, 1, 0)
    assert _deliver(mailing).claimed == 0  # not yet due
    clock.advance(seconds=mailing.settings.letter_retry_seconds + 1)
    assert _deliver(mailing).sent == 1
    assert len(_notices(smtp_server, "Ontvangstbevestiging")) == 1


def test_without_consent_the_answer_notice_goes_by_post_once(
    mailing: Herstel, officer: Principal, incident: Any, readers: dict[str, str], smtp_server: Any
) -> None:
    token = _session(mailing, readers["post"])
    sent = _send(mailing, token, "Please explain. Secret-words-789", kind="complaint")
    assert sent["receipt"] is None
    before = len(smtp_server.messages())
    assert _deliver(mailing).claimed == 0  # no receipt by post: the page showed it, to print
    answer = _answer(mailing, officer, incident["id"], sent["response_id"], "Our answer. Answer-words-012")
    assert answer["notice"] == "post"
    report = _deliver(mailing)
    assert report.sent == 1
    assert len(report.print_batches) == 1
    assert _deliver(mailing).claimed == 0
    assert len(smtp_server.messages()) == before  # nothing by e-mail
    printed = _outbox_pdfs(mailing.settings.data_dir)[-1]
    flat = " ".join(printed.split())
    assert sent["reference"] in flat
    assert "There is an answer" in flat
    assert "complaint" in flat
    assert "Kerkstraat00001" in flat  # addressed to the reader
    assert "Answer-words-012" not in flat
    assert "Secret-words-789" not in flat
    (notice,) = list_response_notices(uow=unit_of_work(mailing), response_id=sent["response_id"])
    assert (notice["channel"], notice["status"], notice["print_batch_id"]) == ("post", "sent", report.print_batches[0])


def test_attachments_are_checked_by_content_and_size_and_opened_only_by_staff(
    mailing: Herstel, officer: Principal, incident: Any, readers: dict[str, str], herstel: Herstel
) -> None:
    token = _session(mailing, readers["email"])
    files = (
        Attachment("brief.pdf", "application/pdf", PDF),
        Attachment("foto.png", "image/png", PNG),
        Attachment("foto.jpg", "image/jpeg", JPEG),
    )
    sent = _send(mailing, token, "Zie de bijlagen.", files)
    assert sent["attachments"] == 3
    (listed,) = list_citizen_responses(
        uow=unit_of_work(mailing), vault=mailing.vault, principal=officer, incident_id=incident["id"]
    )
    assert [(f["filename"], f["content_type"], f["size"]) for f in listed["attachments"]] == [
        ("brief.pdf", "application/pdf", len(PDF)),
        ("foto.png", "image/png", len(PNG)),
        ("foto.jpg", "image/jpeg", len(JPEG)),
    ]
    opened = get_response_attachment(
        uow=unit_of_work(mailing),
        vault=mailing.vault,
        principal=officer,
        incident_id=incident["id"],
        response_id=sent["response_id"],
        attachment_id=listed["attachments"][1]["id"],
    )
    assert opened["content"] == PNG
    status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=token)
    assert [f["filename"] for f in status["responses"][0]["attachments"]] == ["brief.pdf", "foto.png", "foto.jpg"]

    refusals = [
        (Attachment("x.pdf", "application/pdf", b"#!/bin/sh\n"), "file x.pdf: the content is not application/pdf"),
        (Attachment("y.png", "image/png", PDF), "file y.png: the content is not image/png"),
        (Attachment("z.doc", "text/rtf", b"PK"), "file z.doc: one of: application/pdf, image/jpeg, image/png"),
        (Attachment("big.pdf", "application/pdf", PDF + bytes(10**7)), "file big.pdf: the file is larger than 10 MB"),
        (Attachment("leeg.png", "image/png", b""), "file leeg.png: the file is empty"),
    ]
    for file, message in refusals:
        with pytest.raises(InvalidEvidence) as caught:
            _send(mailing, token, "Met een bestand.", (file,))
        assert caught.value.errors == {"attachments": [message]}, file.filename
    with pytest.raises(InvalidEvidence) as caught:
        _send(mailing, token, "Vier.", (*files, files[0]))
    assert caught.value.errors == {"attachments": ["at most 3 files"]}
    responses = list_citizen_responses(
        uow=unit_of_work(mailing), vault=mailing.vault, principal=officer, incident_id=incident["id"]
    )
    assert len(responses) == 1  # nothing refused was kept

    # staff of another organisation, and an attachment asked for under another response, find nothing
    from protocol.services import create_organisation, create_user, get_principal

    other_org = create_organisation(uow=herstel.uow(), slug="elders", name="Elders", reference_prefix="ELD")
    stranger = get_principal(
        uow=herstel.uow(),
        user_id=create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email="o@elders.nl",
            roles=["officer"],
            organisation_id=other_org,
        ),
    )
    for who, response_id in ((stranger, sent["response_id"]), (officer, incident["id"])):
        with pytest.raises(NotFound):
            get_response_attachment(
                uow=unit_of_work(mailing),
                vault=mailing.vault,
                principal=who,
                incident_id=incident["id"],
                response_id=response_id,
                attachment_id=listed["attachments"][0]["id"],
            )


def test_a_citizen_session_reads_only_its_own_messages(mailing: Herstel, readers: dict[str, str]) -> None:
    mine, theirs = _session(mailing, readers["email"]), _session(mailing, readers["post"])
    _send(mailing, mine, "Van de eerste lezer")
    _send(mailing, theirs, "From the second reader")
    for token, text in ((mine, "Van de eerste lezer"), (theirs, "From the second reader")):
        status = get_case_status(uow_factory=unit_of_work_factory(mailing), vault=mailing.vault, token=token)
        assert [r["text"] for r in status["responses"]] == [text]
