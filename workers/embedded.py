"""The embedded stack of `herstel up`: worker threads on dramatiq's in-process broker, the relay,
and the scheduler, all in the one process that also serves the web."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.brokers.stub import StubBroker

from installation import Herstel
from workers import runtime
from workers.relay import Relay
from workers.scheduler import LeasedScheduler

log = logging.getLogger(__name__)


class EmbeddedStack:
    """Workers, relay and scheduler in-process; start() and stop() them around the web server."""

    def __init__(self, herstel: Herstel, *, worker_threads: int = 4, scheduler: bool = True) -> None:
        self.herstel = herstel
        self.broker = StubBroker()
        self.broker.emit_after("process_boot")  # starts the time-limit watchdog, as a worker process would
        runtime.configure(herstel, self.broker)
        self.worker = dramatiq.Worker(self.broker, worker_threads=worker_threads, worker_timeout=100)
        self.relay = Relay(herstel, interval=0.5)
        herstel.on_commit.append(self.relay.wake)
        self.scheduler = LeasedScheduler(herstel) if scheduler else None

    def start(self) -> None:
        self.worker.start()
        self.relay.start()
        if self.scheduler is not None:
            self.scheduler.start()
        log.info("embedded workers, relay and scheduler started")

    def stop(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.stop()
        self.relay.stop()
        self.worker.stop(timeout=10_000)
        if self.relay.wake in self.herstel.on_commit:
            self.herstel.on_commit.remove(self.relay.wake)
