"""What an attempt's outcome means for its letter: delivered, retried later, by post, or failed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from notifications.channels import Outcome
from notifications.letters import IncidentFacts

MAX_EMAIL_ATTEMPTS = 8  # then the letter goes by post
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class Job:
    """A claimed letter with what it takes to render it."""

    letter_id: uuid.UUID
    attempt: int
    incident_id: uuid.UUID
    kind: str
    language: str
    channel: str
    has_address: bool
    recipient: Any
    facts: IncidentFacts
    sent_on: date | None = None
    last_day: date | None = None
    attempt_row_id: int | None = None


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


def transition(job: Job, outcome: Outcome, now: datetime, settings: Any) -> tuple[dict[str, Any], str]:
    """The letter's next state for an outcome, and what follows (delivered, failed, post, retry)."""
    done = {"lease_until": None}
    if outcome.status in ("delivered", "sent"):
        values = {
            **done,
            "status": outcome.status,
            "sent_at": now,
            "sent_on": job.sent_on,
            "objection_last_day": job.last_day,
            "print_batch_id": outcome.print_batch_id,
            "failure": None,
        }
        if outcome.status == "delivered":
            values["delivered_at"] = now
        return values, "delivered"
    give_up_on_email = outcome.status == "permanent" or job.attempt >= MAX_EMAIL_ATTEMPTS
    if job.channel == "email" and give_up_on_email:
        if job.has_address:
            return {**done, "status": "queued", "channel": "post", "next_attempt_at": now}, "post"
        return {**done, "status": "failed", "failed_at": now, "failure": f"email: {outcome.detail}"}, "failed"
    if outcome.status == "permanent" or job.attempt >= MAX_EMAIL_ATTEMPTS:
        return {**done, "status": "failed", "failed_at": now, "failure": f"{job.channel}: {outcome.detail}"}, "failed"
    again = now + backoff(settings, job.attempt)
    # dispatched_at: the delayed message is due then, so the recovery sweep leaves it alone until later
    return {**done, "status": "queued", "next_attempt_at": again, "dispatched_at": again}, "retry"
