"""The letters actor and the recovery job. Thin: ids in, `notifications.services` does the work."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import dramatiq
from apscheduler.schedulers.base import BaseScheduler

from installation import Herstel
from notifications.services import deliver_letters, deliver_response_notices, recover_letters, unit_of_work_factory
from workers import runtime

log = logging.getLogger(__name__)
ONE_MINUTE_MS = 60_000


@dramatiq.actor(
    queue_name="letters",
    max_retries=20,
    min_backoff=5_000,
    max_backoff=10 * ONE_MINUTE_MS,
    time_limit=15 * ONE_MINUTE_MS,  # a batch of 500; a dead SMTP server fails fast (socket timeouts)
    max_age=7 * 24 * 60 * ONE_MINUTE_MS,
)
def send_letters(letter_ids: list[str]) -> None:
    """Render and send a batch of letters (each claimed by compare-and-set, so running twice is harmless)."""
    herstel = runtime.herstel()
    report = deliver_letters(
        uow_factory=unit_of_work_factory(herstel),
        vault=runtime.vault(),
        settings=herstel.settings,
        letter_ids=letter_ids,
    )
    if report.claimed:
        log.info(
            "letters: %d claimed, %d delivered, %d to post, %d retrying, %d failed",
            report.claimed,
            report.delivered,
            report.to_post,
            report.retrying,
            report.failed,
        )


def dispatch(letter_ids: Sequence[uuid.UUID], delay: float) -> None:
    """How notifications enqueues letters (`runtime.connect_letters` wires it into the installation):
    one message per batch, optionally delayed (retries)."""
    options: dict[str, Any] = {"delay": int(delay * 1000)} if delay > 0 else {}
    send_letters.send_with_options(args=([str(i) for i in letter_ids],), **options)


def recover(herstel: Herstel) -> None:
    result = recover_letters(
        uow_factory=unit_of_work_factory(herstel),
        lease=timedelta(seconds=herstel.settings.letter_lease_seconds),
        data_dir=herstel.settings.data_dir,
    )
    if any(result.values()):
        log.info("letters recovery: %s", result)


@dramatiq.actor(queue_name="scheduled", max_retries=0, time_limit=5 * ONE_MINUTE_MS, max_age=ONE_MINUTE_MS)
def recover_letters_job() -> None:
    """Stuck letters, lost messages, print hand-over, inform completion (each step safe to run twice)."""
    recover(runtime.herstel())


def enqueue_recovery() -> None:
    recover_letters_job.send()


def send_notices(herstel: Herstel) -> None:
    report = deliver_response_notices(
        uow_factory=unit_of_work_factory(herstel), vault=herstel.vault, settings=herstel.settings
    )
    if report.claimed:
        log.info(
            "response notices: %d sent, %d to post, %d retrying, %d failed",
            report.sent,
            report.to_post,
            report.retrying,
            report.failed,
        )


@dramatiq.actor(queue_name="scheduled", max_retries=0, time_limit=5 * ONE_MINUTE_MS, max_age=ONE_MINUTE_MS)
def response_notices_job() -> None:
    """Send the due receipts and answer notices of citizens' responses (claimed under a lease: safe twice)."""
    send_notices(runtime.herstel())


def enqueue_notices() -> None:
    response_notices_job.send()


def add_jobs(scheduler: BaseScheduler, herstel: Herstel) -> None:
    """The scheduler's letters jobs (only the lease holder runs them): enqueue the recovery every 30
    seconds, and the sending of citizens' response notices every sweep interval."""
    scheduler.add_job(
        enqueue_recovery,
        "interval",
        seconds=30,
        id="letters-recovery",
        next_run_time=datetime.now(UTC),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        replace_existing=True,
    )
    scheduler.add_job(
        enqueue_notices,
        "interval",
        seconds=herstel.settings.scheduler_sweep_seconds,
        id="response-notices",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        replace_existing=True,
    )
