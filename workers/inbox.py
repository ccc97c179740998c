"""The staff mail actors and their scheduler jobs. Thin: the inbox services decide, the letters'
SMTP channel sends (one way to send mail, whoever it is for).

Every sweep interval the scheduler enqueues one delivery of the staff mail outbox; every morning at
07:00 (Amsterdam) it enqueues the daily digests, which queues one mail per person and delivers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import dramatiq

from installation import Herstel
from notifications.services import Outgoing, RenderedLetter, SmtpChannel
from protocol.services import MailReport, SendMail, StaffMail, deliver_staff_mail, queue_daily_digests
from workers import runtime

log = logging.getLogger(__name__)
ONE_MINUTE_MS = 60_000
STAFF_MAIL_KIND = "staff"  # notifications.channels.STAFF_MAIL: the channel's Message-ID and headers for staff


def smtp_sender(herstel: Herstel) -> SendMail:
    """Send staff mail through the letters' SMTP channel (one connection per batch, socket timeouts)."""

    def send(batch: Sequence[StaffMail]) -> list[tuple[str, str | None]]:
        if not herstel.settings.smtp_host:
            return [("temporary", "no SMTP server is configured") for _ in batch]
        channel = SmtpChannel(herstel.settings)
        try:
            outgoing = [
                Outgoing(
                    letter_id=mail.id,
                    attempt=mail.attempt,
                    letter=RenderedLetter(
                        kind=STAFF_MAIL_KIND,
                        language=mail.language,
                        subject=mail.subject,
                        blocks=(),
                        text=mail.text,
                        html=mail.html,
                        recipient_lines=(),
                        sender_lines=(),
                        reference="",
                        date_line="",
                    ),
                    code_hash="",
                    started_at=mail.at,
                    email=mail.to,
                )
                for mail in batch
            ]
            return [(outcome.status.value, outcome.detail) for outcome in channel.send(outgoing)]
        finally:
            channel.close()

    return send


def deliver(herstel: Herstel) -> MailReport:
    report = deliver_staff_mail(uow_factory=herstel.uow, send=smtp_sender(herstel), base_url=herstel.settings.base_url)
    if report.claimed:
        log.info("staff mail: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
    return report


@dramatiq.actor(queue_name="scheduled", max_retries=0, time_limit=5 * ONE_MINUTE_MS, max_age=2 * ONE_MINUTE_MS)
def deliver_staff_mail_job() -> None:
    """Send the staff mails that are due (claimed under a lease: running twice sends nothing twice)."""
    deliver(runtime.herstel())


@dramatiq.actor(queue_name="scheduled", max_retries=5, time_limit=30 * ONE_MINUTE_MS, max_age=12 * 60 * ONE_MINUTE_MS)
def daily_digest_job() -> None:
    """Queue today's digests (one per person per day, however often this runs), then send them."""
    herstel = runtime.herstel()
    queued = queue_daily_digests(uow_factory=herstel.uow)
    log.info("daily digest: %d mail(s) queued", queued)
    deliver(herstel)


def enqueue_delivery() -> None:
    deliver_staff_mail_job.send()


def enqueue_digest() -> None:
    daily_digest_job.send()


def add_jobs(scheduler: Any, herstel: Herstel) -> None:
    """The scheduler's staff mail jobs (only the lease holder runs them; each only enqueues)."""
    defaults = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(
        enqueue_delivery,
        "interval",
        seconds=herstel.settings.scheduler_sweep_seconds,
        id="staff-mail",
        misfire_grace_time=None,
        **defaults,
    )
    scheduler.add_job(
        enqueue_digest,
        "cron",
        hour=7,
        minute=0,
        timezone="Europe/Amsterdam",
        id="daily-digest",
        misfire_grace_time=6 * 3600,  # a scheduler down at seven still sends the day's digest
        **defaults,
    )
