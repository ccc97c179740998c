"""What an attempt's outcome means for its letter: delivered, retried later, by post, or failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from notifications.channels import Outcome
from notifications.decision_letters import Decision
from notifications.letters import IncidentFacts
from notifications.model import AttemptOutcome, LetterEvent, after_failure

MAX_BACKOFF = timedelta(hours=1)


@dataclass
class Job:
    """A claimed letter with what it takes to render it."""

    letter_id: uuid.UUID
    attempt: int  # the letter's attempt number (its fence)
    incident_id: uuid.UUID
    kind: str
    language: str
    channel: str
    has_address: bool
    recipient: Any
    facts: IncidentFacts
    sent_on: date | None = None
    attempt_row_id: int | None = None
    channel_attempt: int = 1  # the how-many-th attempt on its present channel (each channel has its own cap)
    letter_sha256: str | None = None  # of the letter as rendered for this attempt (notifications.copies)
    copy_sealed: bytes | None = None  # that letter, sealed, until it is stored with the attempt
    decision: Decision | None = None  # a decision letter's decision (opened for as long as it renders)


@dataclass
class DeliveryReport:
    """What one call of `deliver_letters` did (counts only)."""

    claimed: int = 0
    delivered: int = 0
    failed: int = 0
    retrying: int = 0
    to_post: int = 0
    lost_race: int = 0
    incidents: set[uuid.UUID] = field(default_factory=set)
    leased_at: datetime | None = None  # when the lease of what is still held was last set


def backoff(settings: Any, attempt: int) -> timedelta:
    """How long to wait after the `attempt`-th temporary failure: doubling from the setting, capped."""
    seconds = settings.letter_retry_seconds * (2 ** max(0, attempt - 1))
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def transition(job: Job, outcome: Outcome, now: datetime, settings: Any) -> tuple[LetterEvent, dict[str, Any]]:
    """The event an outcome is for the letter (by the channel policy), and the columns it sets besides the status."""
    done: dict[str, Any] = {"lease_until": None}
    if outcome.status in (AttemptOutcome.DELIVERED, AttemptOutcome.SENT):
        values = {
            **done,
            "sent_at": now,
            "sent_on": job.sent_on,
            "print_batch_id": outcome.print_batch_id,
            "failure": None,
        }
        if outcome.status == AttemptOutcome.DELIVERED:
            return LetterEvent.DELIVER, {**values, "delivered_at": now}
        return LetterEvent.HAND_OVER, values
    event, fallback = after_failure(
        job.channel,
        job.channel_attempt,
        permanent=outcome.status == AttemptOutcome.PERMANENT,
        facts={"has_address": job.has_address},
    )
    if event is LetterEvent.REROUTE:
        assert fallback is not None
        return event, {**done, "channel": fallback.value, "next_attempt_at": now}
    if event is LetterEvent.FAIL:
        return event, {**done, "failed_at": now, "failure": f"{job.channel}: {outcome.detail}"}
    again = now + backoff(settings, job.channel_attempt)
    # dispatched_at: the delayed message is due then, so the recovery sweep leaves it alone until later
    return event, {**done, "next_attempt_at": again, "dispatched_at": again}
