"""Campaigns: one letter per (incident, person, kind), queued in one transaction and fanned out by the workers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from notifications import messages
from notifications.ledger import letter_counts, settle_incident, verify_ledger
from notifications.letterhead import letterhead_refusal
from notifications.letters import citizen_definition
from notifications.model import AttemptOutcome, Campaign, LetterEvent
from notifications.storage import NotificationsUnitOfWork, UnitOfWorkFactory
from notifications.tables import CAMPAIGN_KINDS
from protocol.errors import InvalidEvidence, ProtocolError, StateConflict
from protocol.identity import Principal
from protocol.incident import Incident
from protocol.messages import NOT_A_CHOICE, joined
from protocol.services import append_to_timeline, start_step_as_system
from protocol.services.access import incident_for

RECIPIENTS = {"notification": "affected", "unfounded": "reporter"}
LETTER_FOR = {recipients: kind for kind, recipients in RECIPIENTS.items()}  # a person's kind → their letter


def check_kind(kind: str) -> None:
    if kind not in CAMPAIGN_KINDS:
        raise InvalidEvidence(
            messages.LETTER_KIND_UNKNOWN(), errors={"kind": [NOT_A_CHOICE(choices=joined(CAMPAIGN_KINDS))]}
        )


def campaign_refusal(uow: NotificationsUnitOfWork, incident: Incident, kind: str) -> ProtocolError | None:
    """Why a campaign of `kind` may not start on `incident` now, or None: the one check behind both
    starting it and offering to (the page shows the button only when this says nothing)."""
    letters_step = citizen_definition(uow, incident.definition).citizen_step("letters")
    if letters_step is None:
        return StateConflict(messages.NO_LETTERS_STEP(protocol=incident.definition.ref), rule="no-letters-step")
    refused = incident.work_refusal(letters_step.key)  # the incident's own guard, as for the step's actions
    if refused is not None:
        return refused
    outcome = incident.facts.get("outcome")
    if kind == "notification" and outcome == "unfounded":
        return StateConflict(messages.LETTER_NOT_FOR_UNFOUNDED(), rule="letter-kind")
    if kind == "unfounded" and outcome != "unfounded":
        return StateConflict(messages.LETTER_ONLY_FOR_UNFOUNDED(), rule="letter-kind")
    if not uow.persons.count(incident.id, RECIPIENTS[kind]):
        nobody = messages.NO_AFFECTED_PERSONS if kind == "notification" else messages.NO_REPORTER_CONTACT
        return StateConflict(nobody(), rule="no-recipients")
    # the letters must tell their readers where to write and whom to call: refused, not sent without
    return letterhead_refusal(uow, incident.organisation_id)


def start_campaign(
    *,
    uow: NotificationsUnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    kind: str,
    expected_letters: int | None = None,
) -> dict[str, Any]:
    """Queue a letter of `kind` for every person of the incident who has none yet, and start `inform`.

    `notification` goes to the affected persons (outcome established or suspected), `unfounded` to
    the reporter (outcome unfounded). A second call creates no letter twice: `created` is False
    when everyone already has one. With `expected_letters` (the number the officer was shown and
    confirmed) the campaign starts only if it would write exactly that many letters now; otherwise
    it is refused (rule `campaign-count-changed`) with the number it would write. Refused while the
    organisation's letterhead lacks a postal address or a phone number (`letterhead-incomplete`).
    The workers fan the letters out after the commit.
    """
    check_kind(kind)
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, "letters.send")
        refused = campaign_refusal(uow, incident, kind)
        if refused is not None:
            raise refused
        # under the incident's row lock, which an import takes too: this is the number queued below
        letters = sum(
            uow.letters.campaign_channels(incident_id=incident_id, kind=kind, recipients=RECIPIENTS[kind]).values()
        )
        if expected_letters is not None and expected_letters != letters:
            raise StateConflict(
                messages.CAMPAIGN_COUNT_CHANGED(expected=expected_letters, letters=letters),
                rule="campaign-count-changed",
                expected=expected_letters,
                actual=letters,
            )
        if not letters:
            campaigns = [c for c in uow.letters.campaigns(incident_id) if c.kind == kind]
            return {
                "campaign_id": campaigns[-1].id if campaigns else None,
                "kind": kind,
                "letters": 0,
                "created": False,
            }
        now = uow.now()
        campaign_id = uuid.uuid4()
        uow.letters.add_campaign(
            Campaign(
                id=campaign_id,
                incident_id=incident_id,
                kind=kind,
                letters=letters,
                started_at=now,
                started_by=actor.ref(),
            )
        )
        channels = uow.letters.queue_campaign(
            incident_id=incident_id, campaign_id=campaign_id, kind=kind, recipients=RECIPIENTS[kind], now=now
        )
        added = sum(channels.values())
        append_to_timeline(
            uow,
            incident_id=incident_id,
            event_type="LetterCampaignStarted",
            payload={"campaign_id": str(campaign_id), "kind": kind, "letters": added, "channels": dict(channels)},
            actor=actor,
        )
        letters_step = citizen_definition(uow, incident.definition).citizen_step("letters")
        assert letters_step is not None  # campaign_refusal refuses a definition without one
        start_step_as_system(uow, incident_id=incident_id, step=letters_step.key)
        uow.commit()
    return {"campaign_id": campaign_id, "kind": kind, "letters": added, "created": True, "channels": dict(channels)}


def letters_summary(*, uow: NotificationsUnitOfWork, principal: Principal, incident_id: uuid.UUID) -> dict[str, Any]:
    """Counts of the incident's letters per status and channel, and its campaigns (for a progress bar)."""
    with uow.read_only():
        incident_for(uow, principal, incident_id, "letters.read", lock=False)
        counts = letter_counts(uow, incident_id)
        counts["campaigns"] = [
            {
                "id": c.id,
                "kind": c.kind,
                "letters": c.letters,
                "started_at": c.started_at,
                "completed_at": c.completed_at,
            }
            for c in uow.letters.campaigns(incident_id)
        ]
        counts["unrecorded_attempts"] = uow.letters.count_unrecorded(incident_id)
        return counts


def verify_letters_ledger(
    *, uow: NotificationsUnitOfWork, principal: Principal, incident_id: uuid.UUID
) -> dict[str, Any]:
    """Check every LettersBatchRecorded digest against the ledger rows it covers."""
    with uow.read_only():
        incident_for(uow, principal, incident_id, "incident.verify", lock=False)
        return verify_ledger(uow, incident_id)


def recover_letters(
    *, uow_factory: UnitOfWorkFactory, lease: timedelta, data_dir: str | Path, limit: int = 2000
) -> dict[str, int]:
    """The scheduler's sweep: take back letters whose worker went silent, re-enqueue letters whose
    message may be lost, hand recorded print batches over, and settle incidents with open campaigns.

    Several transactions, each from `uow_factory`; `lease` is how long a worker holds a letter,
    `data_dir` where the post channel keeps its print batches."""
    uow = uow_factory()
    now = uow.now()
    with uow:
        expired = uow.letters.expired_leases(now, limit)
        fenced = [(row.id, row.attempts) for row in expired]
        pending = {(a.letter_id, a.number): a for a in uow.letters.pending_attempts(fenced)}
        uow.letters.update_attempts(
            [
                {"id": a.id, "outcome": AttemptOutcome.ABANDONED.value, "finished_at": now, "detail": "lease expired"}
                for a in pending.values()
            ]
        )
        recovered = uow.letters.settle(fenced, LetterEvent.RECOVER, {"lease_until": None, "next_attempt_at": now})
        uow.commit()
    with uow_factory() as uow:
        stale = uow.letters.stale_queued(due_before=now, dispatched_before=now - lease, limit=limit)
        uow.letters.mark_dispatched(stale, now)
        if stale:
            uow.dispatch(stale)
        uow.commit()
    published = _hand_over_print_batches(uow_factory, data_dir, now - lease)
    with uow_factory().read_only() as uow:
        incidents = uow.letters.open_campaign_incidents()
    completed = sum(bool(settle_incident(uow=uow_factory(), incident_id=i)["inform_completed"]) for i in incidents)
    return {"recovered": len(recovered), "redispatched": len(stale), "print_batches": published, "completed": completed}


def _hand_over_print_batches(uow_factory: UnitOfWorkFactory, data_dir: str | Path, orphan_before: datetime) -> int:
    """Move recorded batches left in `pending` (a crash after recording) to the outbox; drop old orphans."""
    from notifications.channels import PostChannel

    post = PostChannel(str(data_dir))
    if not post.pending.exists():
        return 0
    moved = 0
    for path in post.pending.glob("*.zip"):
        try:
            batch_id = uuid.UUID(path.stem)
        except ValueError:
            continue
        with uow_factory().read_only() as uow:
            recorded = uow.letters.print_batch(batch_id) is not None
        if recorded:
            moved += post.publish(batch_id)
        elif datetime.fromtimestamp(path.stat().st_mtime, tz=orphan_before.tzinfo) < orphan_before:
            post.discard(batch_id)  # its letters were never recorded: they are sent again in a new batch
    return moved
