"""The scheduler: the one process that sweeps deadlines every minute and checkpoints the chains and the log daily.

Run exactly one (`herstel scheduler`); it also runs the outbox relay. The sweep is safe even if
two ran by mistake: each incident is swept under its row lock and its deadlines remember what was sent.
"""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from protocol.services import Herstel, Principal, create_checkpoint, sign_log, sweep_deadlines

log = logging.getLogger(__name__)
JOB_MODULES = ("workers.letters",)  # capabilities that add jobs via `add_jobs(scheduler, herstel)`


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


def add_jobs(scheduler: Any, herstel: Herstel) -> None:
    """The jobs of the scheduler process (also used by the embedded stack)."""
    defaults = {"max_instances": 1, "coalesce": True, "replace_existing": True}
    scheduler.add_job(
        sweep,
        "interval",
        args=[herstel],
        minutes=1,
        id="deadline-sweep",
        next_run_time=datetime.now(UTC),
        **defaults,
    )
    scheduler.add_job(checkpoint, "cron", args=[herstel], hour=2, minute=0, id="daily-checkpoint", **defaults)
    scheduler.add_job(log_checkpoint, "cron", args=[herstel], hour=2, minute=5, id="daily-log-checkpoint", **defaults)
    for name in JOB_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        if hasattr(module, "add_jobs"):
            module.add_jobs(scheduler, herstel)


def background_scheduler(herstel: Herstel) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC, daemon=True)
    add_jobs(scheduler, herstel)
    return scheduler


def run_forever(herstel: Herstel) -> None:
    """`herstel scheduler`: the relay in a thread, the jobs in the foreground, until interrupted."""
    from workers.relay import Relay

    relay = Relay(herstel, interval=0.2)
    relay.start()
    scheduler = BlockingScheduler(timezone=UTC)
    add_jobs(scheduler, herstel)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        relay.stop()
