"""Two and three `herstel scheduler` processes against real PostgreSQL and Redis: one holds the lease and
enqueues the jobs; SIGKILL it and another takes over within the lease time."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from installation import Herstel, bootstrap
from protocol.services import scheduler_lease_holder
from tests.integration.workers.conftest import HERSTEL, wait_until

LEASE_SECONDS = 2.0
TOOK_LEASE = "holds the lease: running the jobs"
ENQUEUED = "deadline sweep enqueued"


class SchedulerProcess:
    """`herstel scheduler` on the test's database and broker, as an operator starts it."""

    def __init__(self, herstel: Herstel, namespace: str, redis_url: str, log: Path) -> None:
        settings = herstel.settings
        self.env = {
            **os.environ,
            "HERSTEL_DATABASE_URL": settings.resolved_database_url(),
            "HERSTEL_DATA_DIR": settings.data_dir,
            "HERSTEL_REDIS_URL": redis_url,
            "HERSTEL_BROKER_NAMESPACE": namespace,
            "HERSTEL_SECRET_KEY": settings.secret_key,
            "HERSTEL_ENCRYPTION_KEYS": settings.encryption_keys,
            "HERSTEL_HASH_KEY": settings.hash_key,
            "HERSTEL_SIGNING_KEY": settings.signing_key,
            "HERSTEL_SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS),
            "HERSTEL_SCHEDULER_SWEEP_SECONDS": "0.5",
        }
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(HERSTEL), "-v", "scheduler"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def real_time(herstel: Herstel) -> Iterator[Herstel]:
    """The test's installation read on the wall clock, as the scheduler processes keep the lease."""
    installation = bootstrap(herstel.settings)
    yield installation
    installation.close()


def holder_pid(herstel: Herstel) -> int | None:
    holder = scheduler_lease_holder(uow=herstel.uow())
    return None if holder is None else int(holder.split(":")[1])


@pytest.mark.parametrize("backend", ["postgresql"])
@pytest.mark.parametrize("count", [2, 3])
def test_one_scheduler_holds_the_lease_and_another_takes_over_when_it_is_killed(
    herstel: Herstel, real_time: Herstel, namespace: str, shared_redis: str, tmp_path: Path, count: int
) -> None:
    schedulers = [
        SchedulerProcess(herstel, namespace, shared_redis, tmp_path / f"scheduler-{n}.log") for n in range(count)
    ]
    try:
        wait_until(lambda: holder_pid(real_time) is not None, timeout=60, what="a scheduler to take the lease")
        first = holder_pid(real_time)
        time.sleep(2 * LEASE_SECONDS)  # past the lease time: the holder renews it, nobody else takes it

        assert holder_pid(real_time) == first
        holder = next(s for s in schedulers if s.pid == first)
        others = [s for s in schedulers if s is not holder]
        assert TOOK_LEASE in holder.output()
        assert ENQUEUED in holder.output()
        for other in others:
            assert other.process.poll() is None, other.output()
            assert TOOK_LEASE not in other.output()
            assert ENQUEUED not in other.output()

        holder.kill()
        killed_at = time.monotonic()
        wait_until(
            lambda: holder_pid(real_time) not in (None, first), timeout=30, what="another scheduler to take over"
        )
        took_over = time.monotonic() - killed_at

        assert took_over < LEASE_SECONDS + 3  # expiry, then at most one heartbeat (a third of the lease) and slack
        successor = next(s for s in others if s.pid == holder_pid(real_time))
        wait_until(lambda: ENQUEUED in successor.output(), timeout=10, what="the successor to enqueue a sweep")
        assert [TOOK_LEASE in s.output() for s in others].count(True) == 1
    finally:
        for scheduler in schedulers:
            scheduler.stop()
