"""The outbox relay loop: publishes committed events to the broker until told to stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from installation import Herstel
from protocol.services import handlers_for, relay_once

log = logging.getLogger(__name__)


def publish(event_ids: Sequence[int]) -> None:
    """Send one message per event to the dispatch actor (raises if the broker is unreachable)."""
    from workers.actors import dispatch_event

    for event_id in event_ids:
        dispatch_event.send(event_id)


def has_handlers(event_type: str) -> bool:
    return bool(handlers_for(event_type))


class Relay:
    """Polls the outbox; a commit in this process can wake it at once (`wake`)."""

    def __init__(self, herstel: Herstel, *, interval: float = 0.5) -> None:
        self.herstel = herstel
        self.interval = interval
        self.stopped = threading.Event()
        self._wake = threading.Event()
        self.thread: threading.Thread | None = None

    def wake(self, *_: object) -> None:
        self._wake.set()

    def run_once(self) -> int:
        result = relay_once(uow=self.herstel.uow(), publish=publish, has_handlers=has_handlers)
        return result.published

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:
                log.exception("relay pass failed; retrying")
                busy = False
            if not busy:
                self._wake.wait(self.interval)
                self._wake.clear()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="herstel-relay", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self._wake.set()
        if self.thread:
            self.thread.join(timeout=10)
