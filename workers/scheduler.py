"""The scheduler: enqueues the deadline sweep every minute, the daily checkpoints and the letters recovery.

Start as many as you like (`herstel scheduler`, and `herstel up` runs one): only the one holding the
lease (workers.lease) runs the jobs, and its jobs only enqueue dramatiq messages; the workers do
the work. A scheduler without the lease keeps its jobs paused and tries for the lease on every
heartbeat, so when the holder dies another takes over within the lease time. The relay (outbox →
broker) runs in every scheduler process: it takes outbox rows with SKIP LOCKED, so several are safe.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from installation import Herstel
from protocol.services import Principal, create_checkpoint, sign_log, sweep_deadlines
from workers.lease import Lease, lease_for

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the work (run by the actors)


def sweep(herstel: Herstel) -> None:
    touched = sweep_deadlines(uow_factory=herstel.uow)
    if touched:
        log.info("deadline sweep: %d incident(s) updated", touched)


def checkpoint(herstel: Herstel) -> None:
    cp = create_checkpoint(
        uow=herstel.uow(), principal=Principal.installation(), private_key=herstel.settings.signing_key_bytes()
    )
    log.info("checkpoint of %d chain head(s), root %s", len(cp.heads), cp.root)


def log_checkpoint(herstel: Herstel) -> None:
    """Sequence the committed events into the transparency log, then sign its head."""
    head = sign_log(uow_factory=herstel.uow, private_key=herstel.settings.signing_key_bytes())
    log.info("transparency log signed at size %d, root %s", head["size"], head["root"])


# ------------------------------------------------------------------ the jobs (only enqueue)


def enqueue_sweep() -> None:
    from workers.actors import sweep_deadlines_job

    sweep_deadlines_job.send()
    log.info("deadline sweep enqueued")


def enqueue_checkpoint() -> None:
    from workers.actors import checkpoint_job

    checkpoint_job.send()


def enqueue_log_checkpoint() -> None:
    from workers.actors import log_checkpoint_job

    log_checkpoint_job.send()


def add_jobs(scheduler: BaseScheduler, herstel: Herstel) -> None:
    """The jobs of the scheduler (also used by the embedded stack); each enqueues one message."""
    defaults = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(
        enqueue_sweep,
        "interval",
        seconds=herstel.settings.scheduler_sweep_seconds,
        id="deadline-sweep",
        next_run_time=datetime.now(UTC),
        misfire_grace_time=None,  # a scheduler taking over sweeps at once, not a minute later
        **defaults,
    )
    daily = {**defaults, "misfire_grace_time": 3600}
    scheduler.add_job(enqueue_checkpoint, "cron", hour=2, minute=0, id="daily-checkpoint", **daily)
    scheduler.add_job(enqueue_log_checkpoint, "cron", hour=2, minute=5, id="daily-log-checkpoint", **daily)
    from workers import inbox, letters  # here, not above: their actors are declared when the broker is known

    letters.add_jobs(scheduler, herstel)
    inbox.add_jobs(scheduler, herstel)


class LeasedScheduler:
    """APScheduler's jobs, running only while this process holds the lease (paused otherwise)."""

    def __init__(self, herstel: Herstel, *, lease: Lease | None = None, heartbeat: float | None = None) -> None:
        self.herstel = herstel
        self.lease = lease or lease_for(herstel)
        self.heartbeat = heartbeat or max(0.2, herstel.settings.scheduler_lease_seconds / 3)
        self.scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
        add_jobs(self.scheduler, herstel)
        self.active = False
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def beat(self) -> None:
        """One heartbeat: renew or take the lease, and run or pause the jobs accordingly."""
        held = self.lease.hold()
        if held and not self.active:
            self.active = True
            self.scheduler.resume()
            log.warning("scheduler %s holds the lease: running the jobs", self.lease.holder)
        elif not held and self.active:
            self.active = False
            self.scheduler.pause()
            log.warning("scheduler %s lost the lease: jobs paused", self.lease.holder)

    def run(self) -> None:
        self.scheduler.start(paused=True)
        log.info("scheduler %s started; waiting for the lease", self.lease.holder)
        try:
            while not self.stopped.is_set():
                try:
                    self.beat()
                except Exception:
                    log.exception("scheduler heartbeat failed")
                self.stopped.wait(self.heartbeat)
        finally:
            self.scheduler.shutdown(wait=False)
            if self.active:
                self.active = False
                self.lease.release()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="herstel-scheduler", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


def run_forever(herstel: Herstel) -> None:
    """`herstel scheduler`: the relay in a thread, the leased jobs in the foreground, until interrupted."""
    from workers.relay import Relay

    relay = Relay(herstel, interval=0.2)
    relay.start()
    scheduler = LeasedScheduler(herstel)
    try:
        scheduler.run()
    except (KeyboardInterrupt, SystemExit):
        scheduler.stopped.set()
    finally:
        relay.stop()
