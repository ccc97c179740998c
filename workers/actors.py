"""The actors. Each takes ids, is safe to run twice, and calls a service; each sets its own limits."""

from __future__ import annotations

import dramatiq

from protocol.services import handle_event, handlers_for
from workers import runtime

ONE_MINUTE_MS = 60_000
ONE_DAY_MS = 24 * 60 * ONE_MINUTE_MS


@dramatiq.actor(
    queue_name="events",
    max_retries=20,
    min_backoff=1_000,
    max_backoff=10 * ONE_MINUTE_MS,
    time_limit=2 * ONE_MINUTE_MS,
    max_age=7 * ONE_DAY_MS,
)
def dispatch_event(event_id: int) -> None:
    """Run the handlers of one published event (each at most once, however often it arrives)."""
    handle_event(uow_factory=runtime.herstel().uow, event_id=event_id, handlers_for=handlers_for)


@dramatiq.actor(queue_name="scheduled", max_retries=0, time_limit=5 * ONE_MINUTE_MS, max_age=2 * ONE_MINUTE_MS)
def sweep_deadlines_job() -> None:
    """Record the reminders and misses that fell due (`FOR UPDATE SKIP LOCKED`; running twice is harmless).

    Not retried and dropped when older than two minutes: the scheduler enqueues the next sweep anyway."""
    from workers.scheduler import sweep

    sweep(runtime.herstel())


@dramatiq.actor(queue_name="scheduled", max_retries=5, time_limit=30 * ONE_MINUTE_MS, max_age=ONE_DAY_MS)
def checkpoint_job() -> None:
    """The daily checkpoint of the chain heads."""
    from workers.scheduler import checkpoint

    checkpoint(runtime.herstel())


@dramatiq.actor(queue_name="scheduled", max_retries=5, time_limit=30 * ONE_MINUTE_MS, max_age=ONE_DAY_MS)
def log_checkpoint_job() -> None:
    """The daily sequencing and signing of the transparency log."""
    from workers.scheduler import log_checkpoint

    log_checkpoint(runtime.herstel())
