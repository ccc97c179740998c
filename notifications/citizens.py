"""The citizen's side: a session from the code in their letter, the letter itself, the case status
in plain words, and what they send back: questions, review requests, complaints and harm reports.

What a reader may send depends on the letter they answer (`REPLIES`). A notification is not a
decision (Awb 1:3), so it opens no objection: an objection lies against the decision the
organisation takes on a review request, and is offered to the reader of that decision letter
(`decision-review`). The decision on the objection (`decision-objection`) points to the court.

A wrong code and a malformed code take the same path and the same error (`AccessDenied`), so the
answer never tells whether a code exists. Limiting attempts is the web's job: it rate-limits
`open_citizen_session` per client before calling it.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from notifications import messages
from notifications.answers import (
    FIELD,
    Attachment,
    answer_role,
    attachment_problems,
    attachments_by_response,
    citizen_thread,
    keep_attachments,
    next_reference,
    queue_notice,
)
from notifications.codes import normalize_access_code
from notifications.copies import CopyMismatch, open_copy, pdf_place, sha256
from notifications.crypto import Vault
from notifications.errors import AccessDenied
from notifications.identity import open_recipient
from notifications.letterhead import contact_of
from notifications.letters import citizen_definition, incident_facts, letter_context
from notifications.pdf import render_pdf
from notifications.rendering import RenderedLetter, long_date, render_letter
from notifications.response_handling import decision_reasons
from notifications.status import step_status
from notifications.storage import NotificationsUnitOfWork, UnitOfWorkFactory
from notifications.tables import CitizenResponseRow
from protocol.definition import ProtocolDefinition
from protocol.errors import InvalidEvidence, StateConflict
from protocol.identity import Actor, Principal
from protocol.messages import joined
from protocol.services import SessionKind, append_to_timeline, check_session, end_session, open_session
from protocol.services.access import incident_for

TEXT_LIMIT = 10_000
# What a reader may send in answer to each kind of letter (docs/letters.md). After a notification:
# a question, a request to review the decisions taken about them with the algorithm (the answer is a
# decision, open to objection), a complaint (Awb 9:1) and a claim for harm. After the `unfounded`
# letter, its reporter: a question (new facts included) and a complaint. A complaint is always possible.
# A decision on a review request is open to objection (Awb 7:1); a decision on an objection is open
# to appeal at the court, not to a second objection, so its reader may ask or complain only.
REPLIES: Mapping[str, tuple[str, ...]] = {
    "notification": ("question", "review", "complaint", "harm"),
    "unfounded": ("question", "complaint"),
    "decision-review": ("question", "objection", "complaint"),
    "decision-objection": ("question", "complaint"),
}
_NO_CODE = "0" * 16  # hashed in place of a malformed code, so both paths do the same work


@dataclass(frozen=True)
class CitizenSession:
    """Who the session is for; `token` is what the web keeps (a random secret, carries no personal data)."""

    token: str
    letter_id: uuid.UUID
    person_id: uuid.UUID
    incident_id: uuid.UUID
    language: str
    expires_at: datetime
    letter_kind: str = "notification"


def reply_kinds(letter_kind: str) -> tuple[str, ...]:
    """The kinds of response a reader of a `letter_kind` letter may send, in the order a form offers them."""
    return REPLIES.get(letter_kind, ("question", "complaint"))


def open_citizen_session(*, uow_factory: UnitOfWorkFactory, vault: Vault, access_code: str) -> CitizenSession:
    """Exchange the code printed in a letter for a short session (protocol.services.sessions: 30 minutes
    at most, 15 untouched); AccessDenied for anything else. Two transactions: the lookup, the session."""
    code = normalize_access_code(access_code)
    digest = vault.code_hash(code or _NO_CODE)
    found: tuple[str, uuid.UUID, uuid.UUID, uuid.UUID, str, str] | None = None
    with uow_factory().read_only() as uow:  # rows expire when a read-only unit of work ends: copy out
        attempt = uow.letters.attempt_by_code(digest)
        letter = uow.letters.get(attempt.letter_id) if attempt is not None else None
        if attempt is not None and letter is not None:
            found = (
                attempt.code_hash or "",
                letter.id,
                letter.person_id,
                letter.incident_id,
                letter.language,
                letter.kind,
            )
    if code is None or found is None or not hmac.compare_digest(found[0], digest):
        raise AccessDenied()
    _, letter_id, person_id, incident_id, language, letter_kind = found
    issued = open_session(uow=uow_factory(), kind=SessionKind.CITIZEN, subject_id=letter_id)
    return CitizenSession(issued.secret, letter_id, person_id, incident_id, language, issued.expires_at, letter_kind)


def citizen_session(*, uow_factory: UnitOfWorkFactory, token: str) -> CitizenSession:
    """The session a token stands for, if it was opened by a code and has not ended (idle, lifetime, logout)."""
    opened = check_session(uow=uow_factory(), secret=token or "", kind=SessionKind.CITIZEN)
    if opened is None or opened.subject_id is None:
        raise AccessDenied()
    with uow_factory().read_only() as uow:
        letter = uow.letters.get(opened.subject_id)
        if letter is None:
            raise AccessDenied()
        return CitizenSession(
            token, letter.id, letter.person_id, letter.incident_id, letter.language, opened.expires_at, letter.kind
        )


def end_citizen_session(*, uow: NotificationsUnitOfWork, token: str) -> None:
    """The citizen signs out: the token opens nothing any more, wherever it was kept."""
    end_session(uow=uow, secret=token or "")


@dataclass(frozen=True)
class _Shown:
    """The letter the reader is shown: the stored copy as sent, or (sent before letters were kept) a new rendering."""

    letter: RenderedLetter
    as_sent: bool
    number: int | None = None  # the attempt whose copy it is
    pdf: bytes | None = None  # the copy's PDF, once rendered


def _shown(uow: NotificationsUnitOfWork, vault: Vault, base_url: str, session: CitizenSession) -> _Shown:
    with uow.read_only():
        found = uow.letters.copy_as_sent(session.letter_id)
        if found is not None:
            copy, attempt = found
            stored = open_copy(
                vault,
                copy.letter_id,
                copy.number,
                key_id=copy.key_id,
                sealed=copy.letter_sealed,
                digest=attempt.letter_sha256,
                logos=uow.senders.logo,
            )
            pdf = None
            if copy.pdf_sealed is not None and copy.pdf_key_id is not None:
                pdf = vault.open_bytes(
                    copy.pdf_sealed, key_id=copy.pdf_key_id, place=pdf_place(copy.letter_id, copy.number)
                )
                if sha256(pdf) != copy.pdf_sha256:
                    raise CopyMismatch(f"the stored PDF of letter {copy.letter_id} does not match its digest")
            return _Shown(stored, True, copy.number, pdf)
        letter = uow.letters.get(session.letter_id)
        person = uow.persons.get(session.person_id)
        if letter is None or person is None or letter.response_id is not None:
            raise AccessDenied()  # a decision letter is always kept as sent: it has no re-rendering
        facts = incident_facts(uow, session.incident_id)
        sent_on = letter.sent_on or uow.now().date()
        context = letter_context(
            facts,
            letter_id=letter.id,
            language=letter.language,
            recipient=open_recipient(vault, person),
            sent_on=sent_on,
            code=None,  # no copy holds the code of a letter sent before letters were kept: it is left out
            base_url=base_url,
        )
        return _Shown(render_letter(letter.kind, letter.language, context), False)


def get_citizen_letter(*, uow_factory: UnitOfWorkFactory, vault: Vault, base_url: str, token: str) -> dict[str, Any]:
    """The reader's letter exactly as it was sent (the stored copy, its code included), as a whole
    HTML page and plain text. `as_sent` is False for a letter sent before letters were kept: that
    one is rendered anew from the case as it stands, without the code, and the page says so."""
    session = citizen_session(uow_factory=uow_factory, token=token)
    shown = _shown(uow_factory(), vault, base_url, session)
    letter = shown.letter
    return {
        "subject": letter.subject,
        "html": letter.html,
        "text": letter.text,
        "language": letter.language,
        "as_sent": shown.as_sent,
        # the letterhead as the letter carried it: who wrote, how to reach them, their logo
        "sender_lines": list(letter.sender_lines),
        "logo": letter.logo.data_uri() if letter.logo is not None and letter.logo.content else None,
        "date_line": letter.date_line,
        "reference": letter.reference,
    }


def get_citizen_letter_pdf(*, uow_factory: UnitOfWorkFactory, vault: Vault, base_url: str, token: str) -> bytes:
    """The reader's letter as a PDF: rendered from the stored copy the first time, then kept (sealed,
    with its SHA-256), so every download gives the same bytes. A letter sent before letters were
    kept is rendered anew each time, as its page is."""
    session = citizen_session(uow_factory=uow_factory, token=token)
    shown = _shown(uow_factory(), vault, base_url, session)
    if shown.pdf is not None:
        return shown.pdf
    data, _ = render_pdf([shown.letter])
    if not shown.as_sent or shown.number is None:
        return data
    with uow_factory() as uow:
        kept = uow.letters.keep_copy_pdf(
            session.letter_id,
            shown.number,
            key_id=vault.key_id,
            sealed=vault.seal_bytes(data, place=pdf_place(session.letter_id, shown.number)),
            digest=sha256(data),
        )
        uow.commit()
    if kept:
        return data
    # another request stored its rendering first: that one is the letter's PDF from now on
    again = _shown(uow_factory(), vault, base_url, session)
    return again.pdf if again.pdf is not None else data


def get_case_status(*, uow_factory: UnitOfWorkFactory, vault: Vault, token: str) -> dict[str, Any]:
    """How the case stands, step by step in plain words, what the reader may send, and their own
    responses: each with its reference, their own words, the names of their files, and the answer."""
    session = citizen_session(uow_factory=uow_factory, token=token)
    language = session.language
    with uow_factory().read_only() as uow:
        incident = uow.incidents.get(session.incident_id, lock=False)
        letter = uow.letters.get(session.letter_id)
        responses = uow.responses.of_person(session.person_id)
        definition = citizen_definition(uow, incident.definition)
        view = _status_view(incident, letter, responses, language, definition)
        view["contact"] = contact_of(uow, incident.organisation_id)  # how to reach them today
        thread = {item["id"]: item for item in citizen_thread(uow, vault, responses, session.incident_id)}
        for response in view["responses"]:
            response.update(thread[response["id"]])
        return view


def _status_view(
    incident: Any, letter: Any, responses: list[CitizenResponseRow], language: str, definition: ProtocolDefinition
) -> dict[str, Any]:
    dues = {d.subject: d.last_day for d in incident.deadlines.values() if d.subject}
    return {
        "reference": incident.reference,
        "language": language,
        "closed": incident.state.value == "closed",
        "steps": step_status(incident, language, definition=definition),
        "letter": {
            "kind": letter.kind if letter else None,
            "sent_on": letter.sent_on if letter else None,
        },
        "replies": list(reply_kinds(letter.kind if letter else "")),
        "responses": [
            {
                "id": r.id,
                "kind": r.kind,
                "received_at": r.received_at,
                "answered": r.answered_at is not None,
                "decided_at": r.decided_at,  # a review request or objection decided: its letter says how
                "answer_due": dues.get(str(r.id)),
                "answer_due_text": long_date(dues[str(r.id)], language) if dues.get(str(r.id)) else None,
            }
            for r in responses
        ],
    }


def record_citizen_response(
    *,
    uow_factory: UnitOfWorkFactory,
    vault: Vault,
    token: str,
    kind: str,
    text: str,
    attachments: Sequence[Attachment] = (),
) -> dict[str, Any]:
    """Record a question, review request, complaint or harm report, as far as the reader's letter offers
    it (`REPLIES`), with up to three files; it goes on the timeline as `CitizenResponded` (the person by
    id only) and starts its legal deadline where one applies. It gets its reference number at once,
    and a receipt is queued for the person's e-mail when they consented to electronic contact
    (`receipt`: "email", else None: shown on the page only)."""
    session = citizen_session(uow_factory=uow_factory, token=token)
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    offered = reply_kinds(session.letter_kind)
    if kind not in offered:
        errors["kind"] = [messages.RESPONSE_KIND(choices=joined(offered))]
    if not text:
        errors["text"] = [messages.RESPONSE_TEXT_REQUIRED()]
    elif len(text) > TEXT_LIMIT:
        errors["text"] = [messages.RESPONSE_TEXT_TOO_LONG(limit=TEXT_LIMIT)]
    if problems := attachment_problems(attachments):
        errors[FIELD] = list(problems)
    if errors:
        raise InvalidEvidence(messages.RESPONSE_INCOMPLETE(), errors=errors)
    response_id = uuid.uuid4()
    with uow_factory() as uow:
        now = uow.now()
        row = CitizenResponseRow(
            id=response_id,
            incident_id=session.incident_id,
            person_id=session.person_id,
            letter_id=session.letter_id,
            kind=kind,
            key_id=vault.key_id,
            text_sealed=vault.seal(text, place=f"citizen_responses/{response_id}/text"),
            received_at=now,
            reference=next_reference(uow, now),
        )
        uow.responses.add(row)
        keep_attachments(uow, vault, row, attachments, now)
        receipt = queue_notice(uow, row, "receipt", now)
        reference = row.reference
        append_to_timeline(
            uow,
            incident_id=session.incident_id,
            event_type="CitizenResponded",
            payload={
                "response_id": str(response_id),
                "kind": kind,
                "person_id": str(session.person_id),
                "letter_id": str(session.letter_id),
            },
            actor=Actor.citizen(session.person_id),
        )
        incident = uow.incidents.get(session.incident_id, lock=False)
        due = next((d for d in incident.deadlines.values() if d.subject == str(response_id)), None)
        uow.commit()
    return {
        "response_id": response_id,
        "reference": reference,
        "receipt": receipt,
        "attachments": len(attachments),
        "kind": kind,
        "received_at": now,
        "answer_due": due.last_day if due else None,
        "legal_basis": due.legal_basis if due else None,
    }


def answer_citizen_response(
    *,
    uow: NotificationsUnitOfWork,
    vault: Vault,
    principal: Principal,
    incident_id: uuid.UUID,
    response_id: uuid.UUID,
    answer: str,
) -> dict[str, Any]:
    """An officer's answer to a response; `CitizenResponseAnswered` meets the response's deadline.

    Not for a review request: only the decision on it (`decide_response`) meets its deadline.
    """
    answer = (answer or "").strip()
    if not answer or len(answer) > TEXT_LIMIT:
        raise InvalidEvidence(messages.ANSWER_INVALID(), errors={"answer": [messages.ANSWER_LENGTH(limit=TEXT_LIMIT)]})
    with uow:
        _incident, actor = incident_for(uow, principal, incident_id, "responses.answer")
        row = uow.responses.get(response_id, incident_id=incident_id)
        if row is None:
            raise InvalidEvidence(messages.RESPONSE_UNKNOWN(), errors={"response_id": [messages.RESPONSE_NOT_HERE()]})
        if row.answered_at is not None:
            raise StateConflict(messages.RESPONSE_ANSWERED(), rule="response-answered")
        if row.kind == "review":
            # the answer to a review request is a decision (Awb 4:13, with the 3:45 clause), and the
            # CitizenResponseAnswered a plain answer records would meet its deadline: decide instead
            raise StateConflict(messages.RESPONSE_NEEDS_DECISION(), rule="review-needs-decision")
        now = uow.now()
        text = _open_text(vault, row)  # the texts of a row are sealed with one key: re-seal with the current
        reasons = decision_reasons(vault, row)
        row.key_id = vault.key_id
        row.text_sealed = vault.seal(text, place=f"citizen_responses/{response_id}/text")
        row.answer_sealed = vault.seal(answer, place=f"citizen_responses/{response_id}/answer")
        if reasons is not None:
            row.decision_reasons_sealed = vault.seal(reasons, place=f"citizen_responses/{response_id}/reasons")
        row.answered_at, row.answered_by, row.answered_role = now, actor.ref(), answer_role(actor)
        notice = queue_notice(uow, row, "answer", now)  # once: the row is answered only once
        append_to_timeline(
            uow,
            incident_id=incident_id,
            event_type="CitizenResponseAnswered",
            payload={"response_id": str(response_id), "kind": row.kind},
            actor=actor,
        )
        uow.commit()
    return {"response_id": response_id, "answered_at": now, "notice": notice}


def _open_text(vault: Vault, row: CitizenResponseRow) -> str:
    return vault.open(row.text_sealed, key_id=row.key_id, place=f"citizen_responses/{row.id}/text")


def list_citizen_responses(
    *, uow: NotificationsUnitOfWork, vault: Vault, principal: Principal, incident_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The incident's responses with their texts, due dates and answers (officers)."""
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "responses.read", lock=False)
        rows = uow.responses.of_incident(incident_id)
        files = attachments_by_response(uow, vault, [row.id for row in rows])
        return [{**_response_view(vault, row, incident), "attachments": files.get(row.id, [])} for row in rows]


def _response_view(vault: Vault, row: CitizenResponseRow, incident: Any) -> dict[str, Any]:
    due = next((d for d in incident.deadlines.values() if d.subject == str(row.id)), None)
    answer = None
    if row.answer_sealed is not None:
        answer = vault.open(row.answer_sealed, key_id=row.key_id, place=f"citizen_responses/{row.id}/answer")
    return {
        "id": row.id,
        "reference": row.reference,
        "kind": row.kind,
        "person_id": row.person_id,
        "received_at": row.received_at,
        "text": _open_text(vault, row),
        "answer_due": due.last_day if due else None,
        "deadline_state": due.state.value if due else None,
        "answered_at": row.answered_at,
        "answer": answer,
        "answered_by": row.answered_by,
        "assigned_to": row.assigned_to,
        "decision": {
            "outcome": row.decision_outcome,
            "reasons": decision_reasons(vault, row),
            "decided_at": row.decided_at,
            "decided_by": row.decided_by,
        }
        if row.decided_at is not None
        else None,
    }
