"""The outbox relay and idempotent event handling.

The events table doubles as the outbox: every event gets an outbox row in the transaction that
writes it. The relay hands due rows to the broker and pushes their next attempt into the future;
the row is deleted only when a worker has handled the event. So a broker outage, or a broker that
forgets its queues (a Redis restart without persistence), delays events but loses none: delivery
is at least once. Handlers run in a transaction that also records (handler, event) in a ledger,
so a redelivered event has no second effect. Events nobody handles are cleared without a message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from protocol.events import StoredEvent
from protocol.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[int]], None]
Handler = Callable[[Any, StoredEvent], None]


@dataclass(frozen=True)
class RelayResult:
    published: int
    failed: int


def relay_once(
    *,
    uow: UnitOfWork,
    publish: Publish,
    has_handlers: Callable[[str], bool],
    batch: int = 500,
    redeliver_after: timedelta = timedelta(minutes=2),
    retry_after: timedelta = timedelta(seconds=5),
) -> RelayResult:
    """Hand one batch of committed, unhandled events to the broker. Safe to run in several processes."""
    with uow:
        now = uow.now()
        claimed = uow.outbox.claim(now=now, limit=batch)
        if not claimed:
            return RelayResult(0, 0)
        quiet = [event_id for event_id, event_type in claimed if not has_handlers(event_type)]
        wanted = [event_id for event_id, event_type in claimed if has_handlers(event_type)]
        if quiet:
            uow.outbox.done(quiet)
        if wanted:
            try:
                publish(wanted)
            except Exception as error:
                log.warning("relay: the broker refused %d event(s): %s", len(wanted), type(error).__name__)
                uow.outbox.defer(wanted, until=now + retry_after)
                uow.commit()
                return RelayResult(0, len(wanted))
            uow.outbox.defer(wanted, until=now + redeliver_after)  # sent again if not handled by then
        uow.commit()
        return RelayResult(len(wanted), 0)


def handle_event(
    *, uow_factory: Callable[[], UnitOfWork], event_id: int, handlers_for: Callable[[str], dict[str, Handler]]
) -> list[str]:
    """Run every handler for one event, each in its own transaction, each at most once; returns those that ran now."""
    with uow_factory().read_only() as uow:
        event = uow.timeline.event(event_id)
    if event is None:
        log.warning("event %s does not exist (yet); nothing to handle", event_id)
        return []
    ran = []
    for name, handler in handlers_for(event.type).items():
        with uow_factory() as uow:
            if not uow.handled.claim(name, event_id, uow.now()):
                continue
            handler(uow, event)
            uow.commit()
            ran.append(name)
    with uow_factory() as uow:  # every handler has had its effect: the event leaves the outbox
        uow.outbox.done([event_id])
        uow.commit()
    return ran
