"""Sending the notices of citizens' responses: the receipt, and "there is an answer".

Each notice is a row queued once per (response, purpose) in the transaction that recorded the
response or the answer (`notifications.answers.queue_notice`). Delivery goes the letters' way:
claim under a lease (queued → sending, attempts + 1), write, hand to the channel, record fenced by
the attempt. E-mail goes through the letters' SMTP channel; post through the letters' post channel,
whose zip moves to the print house's outbox only after its notices are recorded, so a crash in
between never prints one twice. An e-mail the server refuses for good falls back to post for the
notice of an answer (a receipt has no post path: the page showed it, to print).

What a notice says is only what the citizen needs to find the rest: the reference, the kind of
message, the date, and where to read it with the code from their letter. Never the message or the
answer: mail is no place for them, and they are personal data.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from notifications.channels import Outgoing, PostChannel
from notifications.crypto import Vault
from notifications.delivery import ChannelFactory, default_channels
from notifications.errors import ChannelUnavailable
from notifications.identity import open_recipient
from notifications.letters import CITIZEN_PATH, incident_facts
from notifications.model import AttemptOutcome
from notifications.rendering import Block, RenderedLetter, blocks_to_html, blocks_to_text, long_date
from notifications.settings import NotificationsSettings
from notifications.storage import NotificationsUnitOfWork, UnitOfWorkFactory
from notifications.tables import ResponseNoticeRow
from protocol.calendar import local_date

log = logging.getLogger(__name__)

NOTICE_KIND = "response-notice"  # the RenderedLetter kind of a notice (the print manifest's column)
MAX_ATTEMPTS = 12

# What a kind of response is called in a notice. A kind not named here (a new one) is "your message".
KIND_WORDS = {
    "nl": {"question": "vraag", "objection": "bezwaar", "complaint": "klacht", "harm": "melding van schade"},
    "en": {"question": "question", "objection": "objection", "complaint": "complaint", "harm": "report of harm"},
}
GENERIC = {"nl": "bericht", "en": "message"}

TEXTS = {
    "nl": {
        "receipt_subject": "Ontvangstbevestiging {reference}",
        "receipt": [
            "Wij hebben uw {kind} ontvangen op {day}.",
            "Uw referentienummer is {reference}. Noem dit nummer als u ons belt of schrijft.",
            "U leest uw bericht en later ons antwoord op {url} met de persoonlijke code uit onze brief.",
        ],
        "answer_subject": "Er is een antwoord op uw bericht {reference}",
        "answer": [
            "Wij hebben geantwoord op uw {kind} van {day} (referentienummer {reference}).",
            "U leest ons antwoord op {url} met de persoonlijke code uit onze eerdere brief.",
            "Hebt u geen code meer? Bel of schrijf ons en noem uw referentienummer.",
        ],
        "closing": "Met vriendelijke groet,",
    },
    "en": {
        "receipt_subject": "Receipt {reference}",
        "receipt": [
            "We received your {kind} on {day}.",
            "Your reference number is {reference}. Please quote it when you call or write to us.",
            "You can read your message, and later our answer, at {url} with the personal code from our letter.",
        ],
        "answer_subject": "There is an answer to your message {reference}",
        "answer": [
            "We have answered your {kind} of {day} (reference number {reference}).",
            "You can read our answer at {url} with the personal code from our earlier letter.",
            "No longer have the code? Call or write to us and quote your reference number.",
        ],
        "closing": "Kind regards,",
    },
}


@dataclass
class NoticeReport:
    """What one delivery run did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    to_post: int = 0
    print_batches: list[uuid.UUID] = field(default_factory=list)


def notice_letter(
    *,
    purpose: str,
    language: str,
    kind: str,
    reference: str,
    received_on: datetime,
    today: datetime,
    base_url: str,
    sender_lines: Sequence[str],
    sender_name: str,
    recipient_lines: Sequence[str] = (),
) -> RenderedLetter:
    """The notice as a mail and as a letter for the post: no text of the message or the answer."""
    words = TEXTS[language if language in TEXTS else "nl"]
    lang = language if language in TEXTS else "nl"
    values = {
        "kind": KIND_WORDS[lang].get(kind, GENERIC[lang]),
        "day": long_date(local_date(received_on), lang),
        "reference": reference,
        "url": base_url.rstrip("/") + CITIZEN_PATH,
    }
    subject = str(words[f"{purpose}_subject"]).format(**values)
    lines = [str(line).format(**values) for line in words[purpose]]
    blocks = [Block("title", ((False, subject),))]
    blocks += [Block("paragraph", ((False, line),)) for line in lines]
    blocks += [Block("paragraph", ((False, str(words["closing"])),)), Block("paragraph", ((False, sender_name),))]
    body = blocks_to_html(blocks)
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{subject}</title></head>'
        f"<body>{body}</body></html>"
    )
    return RenderedLetter(
        kind=NOTICE_KIND,
        language=lang,
        subject=subject,
        blocks=tuple(blocks),
        text=blocks_to_text(blocks),
        html=page,
        recipient_lines=tuple(recipient_lines),
        sender_lines=tuple(sender_lines),
        reference=reference,
        date_line=long_date(local_date(today), lang),
    )


@dataclass(frozen=True)
class _Claimed:
    notice_id: uuid.UUID
    attempt: int
    purpose: str
    channel: str
    outgoing: Outgoing | None  # None: nothing to send it to any more (no address, no e-mail)


def deliver_response_notices(
    *,
    uow_factory: UnitOfWorkFactory,
    vault: Vault,
    settings: NotificationsSettings,
    channels: ChannelFactory | None = None,
    limit: int = 200,
) -> NoticeReport:
    """Send the notices that are due (claimed under a lease: running twice sends nothing twice)."""
    report = NoticeReport()
    lease = timedelta(seconds=settings.letter_lease_seconds)
    with uow_factory() as uow:
        now = uow.now()
        rows = uow.response_extras.claim_notices(now=now, lease_until=now + lease, limit=limit)
        uow.commit()
    report.claimed = len(rows)
    if not rows:
        return report
    claimed = _write(uow_factory, vault, settings, rows, now)
    make = channels or default_channels(settings)
    for name in ("email", "post"):
        batch = [c for c in claimed if c.channel == name]
        if batch:
            _send(uow_factory, make, name, batch, settings, report)
    return report


def _write(
    uow_factory: UnitOfWorkFactory,
    vault: Vault,
    settings: NotificationsSettings,
    rows: list[ResponseNoticeRow],
    now: datetime,
) -> list[_Claimed]:
    claimed = []
    with uow_factory().read_only() as uow:
        for notice in rows:
            response = uow.responses.get(notice.response_id)
            person = uow.persons.get(response.person_id) if response is not None else None
            if response is None or person is None:
                claimed.append(_Claimed(notice.id, notice.attempts, notice.purpose, notice.channel, None))
                continue
            facts = incident_facts(uow, response.incident_id)
            recipient = open_recipient(vault, person)
            sender = facts.sender
            postal = [line.strip() for line in str(sender.get("postal_address", "")).splitlines() if line.strip()]
            letter = notice_letter(
                purpose=notice.purpose,
                language=person.language,
                kind=response.kind,
                reference=response.reference or "",
                received_on=response.received_at,
                today=now,
                base_url=settings.base_url,
                sender_lines=[str(sender["name"]), *postal],
                sender_name=str(sender["name"]),
                recipient_lines=recipient.lines(),
            )
            address = recipient.address or {}
            reachable = recipient.email if notice.channel == "email" else (address or None)
            outgoing = Outgoing(
                letter_id=notice.id,
                attempt=notice.attempts,
                letter=letter,
                code_hash="",
                started_at=now,
                email=recipient.email,
                postal_code=address.get("postal_code", ""),
            )
            claimed.append(
                _Claimed(notice.id, notice.attempts, notice.purpose, notice.channel, outgoing if reachable else None)
            )
    return claimed


def _send(
    uow_factory: UnitOfWorkFactory,
    make: ChannelFactory,
    name: str,
    batch: list[_Claimed],
    settings: NotificationsSettings,
    report: NoticeReport,
) -> None:
    sendable = [c for c in batch if c.outgoing is not None]
    try:
        channel = make(name)
    except ChannelUnavailable as error:
        log.warning("notices: channel %s unavailable: %s", name, type(error).__name__)
        unavailable: dict[uuid.UUID, tuple[AttemptOutcome, str | None]] = {
            c.notice_id: (AttemptOutcome.TEMPORARY, f"{name} channel unavailable") for c in sendable
        }
        _record(uow_factory, batch, unavailable, None, settings, report)
        return
    try:
        sent = channel.send([c.outgoing for c in sendable if c.outgoing is not None]) if sendable else []
        outcomes = {o.letter_id: (o.status, o.detail) for o in sent}
        print_batch = channel.batch if isinstance(channel, PostChannel) else None
        recorded = _record(uow_factory, batch, outcomes, print_batch.id if print_batch else None, settings, report)
        if isinstance(channel, PostChannel) and print_batch is not None:
            if recorded:
                channel.publish(print_batch.id)
                report.print_batches.append(print_batch.id)
            else:
                channel.discard(print_batch.id)
    finally:
        channel.close()


def _record(
    uow_factory: UnitOfWorkFactory,
    batch: list[_Claimed],
    outcomes: Mapping[uuid.UUID, tuple[AttemptOutcome, str | None]],
    print_batch_id: uuid.UUID | None,
    settings: NotificationsSettings,
    report: NoticeReport,
) -> bool:
    """One transaction: each notice sent, queued again, moved to post, or failed; True if any was sent."""
    any_sent = False
    with uow_factory() as uow:
        now = uow.now()
        extras = uow.response_extras
        for item in batch:
            status, detail = outcomes.get(item.notice_id, (AttemptOutcome.PERMANENT, "no address"))
            if status in (AttemptOutcome.DELIVERED, AttemptOutcome.SENT):
                batch_id = print_batch_id if item.channel == "post" else None
                if extras.finish_notice(
                    item.notice_id, item.attempt, status="sent", now=now, error=None, print_batch_id=batch_id
                ):
                    report.sent += 1
                    any_sent = True
            elif status == AttemptOutcome.TEMPORARY and item.attempt < MAX_ATTEMPTS:
                wait = timedelta(seconds=settings.letter_retry_seconds * 2 ** (item.attempt - 1))
                if extras.finish_notice(item.notice_id, item.attempt, status="queued", now=now + wait, error=detail):
                    report.retrying += 1
            elif item.channel == "email" and item.purpose == "answer" and _has_address(uow, item.notice_id):
                if extras.to_post(item.notice_id, item.attempt, now=now, error=detail):
                    report.to_post += 1
            elif extras.finish_notice(item.notice_id, item.attempt, status="failed", now=now, error=detail):
                report.failed += 1
        uow.commit()
    return any_sent


def _has_address(uow: NotificationsUnitOfWork, notice_id: uuid.UUID) -> bool:
    return uow.response_extras.notice_has_address(notice_id)
