"""The staff inbox: reminders, escalations and what waits for someone reach them, in the app and by mail.

Event handlers (run from the outbox, each at most once per event) turn timeline events into one
notification per (event, recipient) — a unique constraint, so a rerun or a racing worker adds
nothing — and queue a mail for each recipient who wants one mail per notification. Those who chose
the daily digest get one mail a day (`queue_daily_digests`, enqueued by the scheduler). Mails go
out from `staff_mail_outbox` under a lease (`deliver_staff_mail`), through the sender the
composition root passes in (the letters' SMTP channel); the protocol itself sends nothing.

Exactly once, and where not: a notification and its mail row are written in the transaction that
records the handler as done, so each exists once. A mail is marked sent after the SMTP server took
it; a worker that dies between the server's 250 and that mark leaves the row `sending` until its
lease runs out, and it is then sent again — with the same Message-ID, which a mail client can use
to hide the repeat, but which SMTP itself cannot act on. That window is the only double sending.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from protocol import messages
from protocol.calendar import local_date
from protocol.errors import InvalidEvidence, NotFound
from protocol.events import StoredEvent
from protocol.identity import SYSTEM, Principal
from protocol.incident import Incident
from protocol.services.inbox_text import LANGUAGES, NotificationLine, describe, digest_mail, language_of, single_mail
from protocol.storage.inbox import (
    FAILED,
    MAIL_DAILY,
    MAIL_PREFERENCES,
    QUEUED,
    SENT,
    StaffNotificationRow,
)
from protocol.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

DEADLINE_APPROACHING = "deadline_approaching"
DEADLINE_MISSED = "deadline_missed"
APPROVAL_WAITING = "approval_waiting"
CITIZEN_RESPONDED = "citizen_responded"
INVESTIGATION_REPORTED = "investigation_reported"
MAX_OFFSET = 10_000_000
KINDS = (DEADLINE_APPROACHING, DEADLINE_MISSED, APPROVAL_WAITING, CITIZEN_RESPONDED, INVESTIGATION_REPORTED)


# ---------------------------------------------------------------------- who hears of what


def incident_people(uow: UnitOfWork, incident: Incident) -> list[uuid.UUID]:
    """The people an incident belongs to: its owner, else the staff member who reported it (when a member still).

    The one place to extend when citizen responses' assignees are to be told as well."""
    if incident.owner_id is not None:
        candidate: uuid.UUID | None = incident.owner_id
    else:
        first = uow.timeline.page(incident.id, after_seq=0, limit=1)
        actor = first[0].actor if first else ""
        kind, _, ref = actor.partition(":")
        candidate = uuid.UUID(ref) if kind == "user" else None
    if candidate is None:
        return []
    return [candidate] if uow.inbox.is_member(candidate, incident.organisation_id) else []


def recipients(uow: UnitOfWork, incident: Incident, kind: str, event: StoredEvent) -> list[uuid.UUID]:
    """Who is told of `event`: one function for every kind, so the rules are read in one place.

    - a deadline approaching: the incident's people; the coordinators when it has none;
    - a deadline missed: the incident's people and everyone holding a role its rule escalates to
      (the coordinators when the rule names none);
    - an approval waiting: every coordinator but the one who asked (four eyes);
    - a citizen response, an investigation report: the incident's people and the coordinators.
    Never the one whose action it was.
    """
    payload = json.loads(event.payload_json)
    people = incident_people(uow, incident)
    coordinators = uow.inbox.members(incident.organisation_id, ["coordinator"])
    if kind == DEADLINE_APPROACHING:
        chosen = people or coordinators
    elif kind == DEADLINE_MISSED:
        roles = payload.get("escalate_to") or ["coordinator"]
        chosen = people + uow.inbox.members(incident.organisation_id, roles)
    elif kind == APPROVAL_WAITING:
        chosen = coordinators
    else:
        chosen = people + coordinators
    actor_kind, _, actor_ref = event.actor.partition(":")
    unique = list(dict.fromkeys(chosen))
    return [u for u in unique if not (actor_kind == "user" and str(u) == actor_ref)]


# ---------------------------------------------------------------------- the handlers


def _notify(
    uow: UnitOfWork, incident: Incident, event: StoredEvent, user_id: uuid.UUID, kind: str, details: dict[str, Any]
) -> bool:
    """One notification for one person (once per event), and its mail unless they chose the digest."""
    assert event.id is not None
    row = StaffNotificationRow(
        id=uuid.uuid4(),
        user_id=user_id,
        organisation_id=incident.organisation_id,
        incident_id=incident.id,
        event_id=event.id,
        kind=kind,
        details=details,
        created_at=event.at,
        read_at=None,
        mail_id=None,
    )
    if not uow.inbox.add(row):
        return False
    person = uow.inbox.recipient(user_id)
    if person is not None and person.mail != MAIL_DAILY:
        uow.inbox.add_single(row.id, user_id, uow.now())
    return True


def _deadline_details(incident: Incident, payload: dict[str, Any]) -> dict[str, Any]:
    rule = incident.definition.deadline_rule(str(payload.get("rule")))
    deadline = incident.deadlines.get(uuid.UUID(payload["deadline_id"]))
    step = deadline.step if deadline else None
    return {
        "deadline_id": payload["deadline_id"],
        "due_at": payload.get("due_at"),
        "rule_title": dict(rule.title) if rule else {},
        "step": step,
        "step_title": dict(incident.definition.step(step).title) if step and step in incident.definition.steps else {},
    }


Details = Callable[[Incident, dict[str, Any]], dict[str, Any]]


def _tell(uow: UnitOfWork, event: StoredEvent, kind: str, details: Details) -> tuple[Incident, list[uuid.UUID]]:
    """Notify everyone `recipients` names of `event`; returns the (locked) incident and who was told."""
    incident = uow.incidents.get(event.incident_id)  # locked: one handler at a time per incident
    payload = json.loads(event.payload_json)
    facts = details(incident, payload)
    told = recipients(uow, incident, kind, event)
    for user_id in told:
        _notify(uow, incident, event, user_id, kind, facts)
    return incident, told


def on_deadline_approaching(uow: UnitOfWork, event: StoredEvent) -> None:
    """A reminder the sweep recorded reaches the incident's people."""
    _tell(uow, event, DEADLINE_APPROACHING, _deadline_details)


def on_deadline_missed(uow: UnitOfWork, event: StoredEvent) -> None:
    """A missed deadline reaches the people who must act, and `DeadlineEscalated` goes on the timeline once."""
    incident, told = _tell(uow, event, DEADLINE_MISSED, _deadline_details)
    payload = json.loads(event.payload_json)
    roles = list(payload.get("escalate_to") or ["coordinator"])
    if incident.escalate(
        uuid.UUID(payload["deadline_id"]), to=[str(u) for u in told], roles=roles, actor=SYSTEM, now=uow.now()
    ):
        uow.incidents.save(incident)


def on_approval_requested(uow: UnitOfWork, event: StoredEvent) -> None:
    """A second signature is asked: the other coordinators hear of it."""

    def details(incident: Incident, payload: dict[str, Any]) -> dict[str, Any]:
        step = str(payload.get("step"))
        title = dict(incident.definition.step(step).title) if step in incident.definition.steps else {}
        return {"approval_id": payload.get("approval_id"), "step": step, "step_title": title}

    _tell(uow, event, APPROVAL_WAITING, details)


def on_citizen_responded(uow: UnitOfWork, event: StoredEvent) -> None:
    """A question, objection, complaint or report of harm arrived from an affected person."""
    _tell(
        uow,
        event,
        CITIZEN_RESPONDED,
        lambda _incident, payload: {"response_id": payload.get("response_id"), "what": payload.get("kind")},
    )


def on_step_completed(uow: UnitOfWork, event: StoredEvent) -> None:
    """The investigation step completed: its report is in."""
    payload = json.loads(event.payload_json)
    if payload.get("step") != "investigate":
        return
    evidence = payload.get("evidence") or {}
    _tell(
        uow,
        event,
        INVESTIGATION_REPORTED,
        lambda _incident, _payload: {"step": "investigate", "what": evidence.get("conclusion")},
    )


# (event type, ledger name, handler): wired by the composition root
HANDLERS: tuple[tuple[str, str, Callable[[Any, StoredEvent], None]], ...] = (
    ("DeadlineApproaching", "inbox.deadline_approaching", on_deadline_approaching),
    ("DeadlineMissed", "inbox.deadline_missed", on_deadline_missed),
    ("ApprovalRequested", "inbox.approval_requested", on_approval_requested),
    ("CitizenResponded", "inbox.citizen_responded", on_citizen_responded),
    ("StepCompleted", "inbox.investigation_reported", on_step_completed),
)


# ---------------------------------------------------------------------- the inbox, for its owner


def _user(principal: Principal) -> uuid.UUID:
    if principal.is_installation:
        raise NotFound(messages.NO_INBOX(), rule="no-inbox")
    return principal.user_id


def _link(base_url: str, kind: str, incident_id: uuid.UUID) -> str:
    path = "/approvals" if kind == APPROVAL_WAITING else f"/incidents/{incident_id}"
    return base_url.rstrip("/") + path


def list_notifications(
    *,
    uow: UnitOfWork,
    principal: Principal,
    language: str,
    limit: int = 50,
    offset: int = 0,
    unread_only: bool = False,
) -> dict[str, Any]:
    """The principal's notifications, newest first, each said in `language`; with the unread count."""
    user_id = _user(principal)
    limit = max(1, min(limit, 200))
    with uow.read_only():
        offset = max(0, min(offset, MAX_OFFSET))  # beyond any real inbox; keeps OFFSET inside a bigint
        rows = uow.inbox.for_user(user_id, limit=limit, offset=offset, unread_only=unread_only)
        items = []
        for row, reference, title in rows:
            headline, sentence = describe(row.kind, row.details, reference=reference, language=language)
            items.append(
                {
                    "id": row.id,
                    "kind": row.kind,
                    "incident_id": row.incident_id,
                    "reference": reference,
                    "title": title,
                    "headline": headline,
                    "text": sentence,
                    "link": _link("", row.kind, row.incident_id),
                    "created_at": row.created_at,
                    "read": row.read_at is not None,
                    "read_at": row.read_at,
                }
            )
        return {
            "items": items,
            "unread": uow.inbox.count(user_id, unread_only=True),
            "total": uow.inbox.count(user_id),
            "limit": limit,
            "offset": offset,
        }


def unread_notifications(*, uow: UnitOfWork, principal: Principal) -> int:
    """How many of the principal's notifications are unread (for the page header)."""
    if principal.is_installation:
        return 0
    with uow.read_only():
        return uow.inbox.count(principal.user_id, unread_only=True)


def mark_notifications_read(
    *, uow: UnitOfWork, principal: Principal, notification_ids: Sequence[uuid.UUID] | None
) -> int:
    """Mark some (or, with None, all) of the principal's own notifications read; returns how many changed."""
    user_id = _user(principal)
    with uow:
        changed = uow.inbox.mark_read(user_id, notification_ids, uow.now())
        uow.commit()
        return changed


def notification_preferences(*, uow: UnitOfWork, principal: Principal) -> dict[str, str]:
    """How the principal receives notifications: `mail` (`each` or `daily`) and the mail's `language`."""
    user_id = _user(principal)
    with uow.read_only():
        person = uow.inbox.recipient(user_id)
        if person is None:
            raise NotFound(messages.NO_SUCH_USER(), rule="unknown-user")
        return {"mail": person.mail, "language": language_of(person.language)}


def set_notification_preferences(
    *, uow: UnitOfWork, principal: Principal, mail: str | None = None, language: str | None = None
) -> dict[str, str]:
    """Choose a mail per notification or a daily digest, and the mails' language (for oneself only)."""
    user_id = _user(principal)
    errors: dict[str, list[str]] = {}
    if mail is not None and mail not in MAIL_PREFERENCES:
        errors["mail"] = [messages.NOT_A_CHOICE(choices=messages.joined(MAIL_PREFERENCES))]
    if language is not None and language not in LANGUAGES:
        errors["language"] = [messages.NOT_A_CHOICE(choices=messages.joined(LANGUAGES))]
    if errors:
        raise InvalidEvidence(messages.PREFERENCES_INVALID(), errors=errors)
    with uow:
        uow.inbox.set_preferences(user_id, mail=mail, language=language)
        person = uow.inbox.recipient(user_id)
        if person is None:
            raise NotFound(messages.NO_SUCH_USER(), rule="unknown-user")
        chosen = {"mail": person.mail, "language": language_of(person.language)}
        uow.commit()
    return chosen


# ---------------------------------------------------------------------- the mail


@dataclass(frozen=True)
class StaffMail:
    """One mail to one staff member, rendered and addressed: what a sender needs, nothing stored."""

    id: uuid.UUID
    attempt: int
    to: str
    language: str
    subject: str
    text: str
    html: str
    at: datetime


# A sender takes a batch and says, per mail, "delivered", "temporary" or "permanent" (and a detail
# without the address); it must not raise for one mail's failure.
SendMail = Callable[[Sequence[StaffMail]], list[tuple[str, str | None]]]


@dataclass
class MailReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _lines(base_url: str, rows: Sequence[tuple[StaffNotificationRow, str, str]]) -> list[NotificationLine]:
    return [
        NotificationLine(
            row.kind, row.details, reference, title, _link(base_url, row.kind, row.incident_id), row.created_at
        )
        for row, reference, title in rows
    ]


def deliver_staff_mail(
    *,
    uow_factory: Callable[[], UnitOfWork],
    send: SendMail,
    base_url: str,
    limit: int = 200,
    lease: timedelta = timedelta(minutes=5),
    retry_after: timedelta = timedelta(minutes=5),
    max_attempts: int = 12,
) -> MailReport:
    """Send the staff mails that are due: claim under a lease, render, send, record (see the module doc)."""
    report = MailReport()
    with uow_factory() as uow:
        now = uow.now()
        claimed = uow.inbox.claim(now=now, lease_until=now + lease, limit=limit)
        uow.commit()
    report.claimed = len(claimed)
    if not claimed:
        return report
    outgoing: list[StaffMail] = []
    dropped: list[tuple[uuid.UUID, int, str]] = []
    with uow_factory().read_only() as uow:
        for mail in claimed:
            person = uow.inbox.recipient(mail.user_id)
            rows = uow.inbox.carried_by(mail.id)
            if person is None or not person.active or not person.email:
                dropped.append((mail.id, mail.attempt, "recipient inactive"))
                continue
            if not rows:
                dropped.append((mail.id, mail.attempt, "nothing to say"))
                continue
            lines = _lines(base_url, rows)
            if mail.kind == "digest":
                text = digest_mail(lines, language=person.language, day=now, inbox_link=base_url.rstrip("/") + "/inbox")
            else:
                text = single_mail(lines[0], language=person.language)
            outgoing.append(
                StaffMail(mail.id, mail.attempt, person.email, person.language, text.subject, text.text, text.html, now)
            )
    outcomes = send(outgoing) if outgoing else []
    with uow_factory() as uow:
        now = uow.now()
        for mail_id, attempt, reason in dropped:
            uow.inbox.finish(mail_id, attempt, status=FAILED, now=now, error=reason)
            report.failed += 1
        for item, (status, detail) in zip(outgoing, outcomes, strict=True):
            if status in ("delivered", "sent"):
                uow.inbox.finish(item.id, item.attempt, status=SENT, now=now, error=None)
                report.sent += 1
            elif status == "temporary" and item.attempt < max_attempts:
                uow.inbox.finish(item.id, item.attempt, status=QUEUED, now=now + retry_after, error=detail)
                report.retrying += 1
            else:
                uow.inbox.finish(item.id, item.attempt, status=FAILED, now=now, error=detail)
                report.failed += 1
        uow.commit()
    if report.failed or report.retrying:
        log.warning("staff mail: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
    return report


def queue_daily_digests(*, uow_factory: Callable[[], UnitOfWork], limit: int = 10_000) -> int:
    """Queue today's digest for everyone who chose one and has notifications no mail carried; returns how many.

    One mail per person per day (unique on person and day): running the job twice queues nothing more."""
    with uow_factory().read_only() as uow:
        now = uow.now()
        waiting = uow.inbox.awaiting_digest(before=now, limit=limit)
    queued = 0
    day = local_date(now)
    for user_id in waiting:
        with uow_factory() as uow:
            if uow.inbox.add_digest(user_id, day, before=now, now=uow.now()) is not None:
                queued += 1
            uow.commit()
    return queued


def staff_mails(*, uow: UnitOfWork, user_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
    """The staff mail outbox (one user's), oldest first: for the operator and the tests."""
    with uow.read_only():
        return [
            {
                "id": m.id,
                "user_id": m.user_id,
                "kind": m.kind,
                "status": m.status,
                "attempts": m.attempts,
                "digest_day": m.digest_day,
                "sent_at": m.sent_at,
                "last_error": m.last_error,
            }
            for m in uow.inbox.mails(user_id)
        ]
