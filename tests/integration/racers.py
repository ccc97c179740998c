"""Actions run at the same moment from several threads, or from several OS processes each with its own
installation on the same database, as web and worker processes do in production."""

from __future__ import annotations

import multiprocessing
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from installation import Herstel, bootstrap
from protocol.services import Principal, StaleVersion, complete_step, get_incident, get_principal, start_step
from tests.integration import flows

RACE_STEPS = ("suspend", "report", "inform")  # all startable once assess is done, each a different action
TIMEOUT = 180.0


@dataclass(frozen=True)
class Job:
    """One racer's work; picklable so that it can cross into a child process."""

    index: int
    database_url: str
    data_dir: str
    now: datetime
    user_id: uuid.UUID
    incident_id: uuid.UUID
    version: int = 0


Action = Callable[[Herstel, Principal, Job], str]


def start_a_step(herstel: Herstel, principal: Principal, job: Job) -> str:
    """Start one of the steps `assess` unblocked, on the version every racer saw."""
    try:
        start_step(
            uow=herstel.uow(),
            principal=principal,
            incident_id=job.incident_id,
            step=RACE_STEPS[job.index % len(RACE_STEPS)],
            version=job.version,
        )
    except StaleVersion:
        return "stale"
    return "ok"


def drive_own_incident(herstel: Herstel, principal: Principal, job: Job) -> str:
    """Several actions in a row on the racer's own incident: assess, suspend, report."""
    incident = get_incident(uow=herstel.uow(), principal=principal, incident_id=job.incident_id)
    incident = complete_step(
        uow=herstel.uow(),
        principal=principal,
        incident_id=job.incident_id,
        step="assess",
        version=incident["version"],
        evidence=flows.ASSESSMENT,
    )
    incident = flows.do_step(herstel, principal, incident, "suspend", flows.SUSPENSION)
    flows.do_step(herstel, principal, incident, "report", flows.REPORTING)
    return "ok"


ACTIONS: dict[str, Action] = {"start_a_step": start_a_step, "drive_own_incident": drive_own_incident}


def _outcome(action: Action, herstel: Herstel, principal: Principal, job: Job) -> str:
    try:
        return action(herstel, principal, job)
    except Exception as error:
        return f"error: {type(error).__name__}: {error}\n{traceback.format_exc()}"


def in_threads(herstel: Herstel, action: str, jobs: Sequence[Job]) -> list[str]:
    """Run `action` for every job in its own thread of one installation, released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    outcomes = ["did not finish"] * len(jobs)

    def run(job: Job) -> None:
        principal = get_principal(uow=herstel.uow(), user_id=job.user_id)
        barrier.wait(timeout=TIMEOUT)
        outcomes[job.index] = _outcome(ACTIONS[action], herstel, principal, job)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)  # a deadlock shows as "did not finish"
    return outcomes


def in_processes(action: str, jobs: Sequence[Job]) -> list[str]:
    """Run `action` for every job in its own OS process with its own installation, released together."""
    # forkserver: a clean process (no threads, no open connections) imports Herstel once and forks
    # each racer from it, so racers start in milliseconds yet share nothing with the test process
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.integration.racers", "tests.conftest"])
    barrier = context.Barrier(len(jobs))
    results = context.Queue()
    processes = [context.Process(target=_child, args=(action, job, barrier, results)) for job in jobs]
    for process in processes:
        process.start()
    outcomes = ["did not finish"] * len(jobs)
    try:
        for _ in jobs:
            index, outcome = results.get(timeout=TIMEOUT)
            outcomes[index] = outcome
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    return outcomes


def _child(action: str, job: Job, barrier: threading.Barrier, results: multiprocessing.Queue[tuple[int, str]]) -> None:
    from tests.conftest import make_settings

    herstel = bootstrap(make_settings(Path(job.data_dir), job.database_url), clock=lambda: job.now)
    try:
        principal = get_principal(uow=herstel.uow(), user_id=job.user_id)
        barrier.wait(timeout=TIMEOUT)
        results.put((job.index, _outcome(ACTIONS[action], herstel, principal, job)))
    except Exception as error:
        results.put((job.index, f"error: {type(error).__name__}: {error}"))
    finally:
        herstel.close()


def wait_until_blocked(herstel: Herstel, thread: threading.Thread, *, timeout: float = 30.0) -> None:
    """Return once `thread` waits for a lock another transaction holds, or has ended. SQLite shows
    no waiting: a moment is given instead, in which the thread would have ended had it not waited."""
    if not herstel.db.is_postgres:
        thread.join(0.5)
        return
    started = time.monotonic()
    while thread.is_alive() and not _waiting_on_a_lock(herstel) and time.monotonic() - started < timeout:
        time.sleep(0.02)


def _waiting_on_a_lock(herstel: Herstel) -> bool:
    with herstel.db.engine.connect() as connection:
        waiting = connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).scalar_one()
    return bool(waiting)
