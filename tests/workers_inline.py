"""The workers' job done in the test's own thread: publish pending events and run their handlers."""

from __future__ import annotations

from installation import Herstel
from protocol.services import handle_event, handlers_for, relay_once


def run_workers(herstel: Herstel) -> int:
    """Publish and handle every pending event in-process (what `herstel worker` does): notices appear.

    The relay hands ids to a broker inside its transaction; they are handled after it commits, as a
    worker would (handling them inside would wait on the relay's own row locks).
    """
    handled = 0
    while True:
        published: list[int] = []
        result = relay_once(uow=herstel.uow(), publish=published.extend, has_handlers=lambda t: bool(handlers_for(t)))
        for event_id in published:
            handle_event(uow_factory=herstel.uow, event_id=event_id, handlers_for=handlers_for)
            handled += 1
        if not result.published:
            return handled
