"""Real Redis and real worker processes for the workers' integration tests.

Every test gets its own broker namespace on the shared Redis (its keys are deleted afterwards,
nothing else is touched), or its own redis-server on a free port that the test can stop and start.
Worker processes are `herstel worker`, started with the test's database and namespace.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import dramatiq
import pytest
import redis
from dramatiq.brokers.stub import StubBroker

from installation import Herstel
from tests.services import REDIS_URL, unavailable
from workers import runtime

HERSTEL = Path(sys.executable).parent / "herstel"


def wait_until(condition: Callable[[], bool], *, timeout: float = 60.0, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrivateRedis:
    """A redis-server of this test alone, without persistence, that can be stopped and started again."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server", "the binary is not installed (Debian package redis-server)")
        self.binary = str(binary)
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, timeout=20, what=f"redis-server on port {self.port}")
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


class Queue:
    """The broker's view of one queue in one namespace: what is waiting, in flight or dead."""

    def __init__(self, url: str, namespace: str, name: str = "events") -> None:
        self.client = redis.Redis.from_url(url)
        self.prefix = f"{namespace}:{name}"

    def unfinished(self) -> int:
        """Messages not yet acknowledged: queued, delayed for a retry, or being worked on.

        dramatiq keeps a message's body in the `.msgs` hash from enqueue until its acknowledgement."""
        return int(self.client.hlen(f"{self.prefix}.msgs") + self.client.hlen(f"{self.prefix}.DQ.msgs"))

    def dead(self) -> int:
        return int(self.client.zcard(f"{self.prefix}.XQ"))


@pytest.fixture
def shared_redis() -> str:
    """The shared Redis; the test must use its own namespace on it."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as error:
        unavailable("Redis", str(error))
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def namespace(shared_redis: str) -> Iterator[str]:
    """A broker namespace of this test alone; its keys are removed afterwards."""
    name = f"herstel-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(shared_redis)
    keys = list(client.scan_iter(match=f"{name}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def use_broker(herstel: Herstel) -> Iterator[Callable[[str, str], dramatiq.Broker]]:
    """Point this process's relay at a Redis broker (url, namespace); back to an in-process broker afterwards."""
    brokers: list[dramatiq.Broker] = []

    def use(url: str, namespace: str) -> dramatiq.Broker:
        settings = replace(herstel.settings, redis_url=url, broker_namespace=namespace)
        broker = runtime.configure(herstel, runtime.make_broker(settings))
        brokers.append(broker)
        return broker

    yield use
    for broker in brokers:
        broker.close()
    stub = StubBroker()
    dramatiq.set_broker(stub)
    runtime.bind_actors(stub)


class WorkerProcess:
    """`herstel worker` on the test's database and broker, as an operator starts it."""

    def __init__(self, herstel: Herstel, redis_url: str, namespace: str, log: Path) -> None:
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
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(HERSTEL), "worker", "--processes", "1", "--threads", "2"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the worker and its forked children
            )

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def worker_process(herstel: Herstel, tmp_path: Path) -> Iterator[Callable[[str, str], WorkerProcess]]:
    """Make (not yet started) worker processes; every one is stopped after the test."""
    made: list[WorkerProcess] = []

    def make(redis_url: str, namespace: str) -> WorkerProcess:
        worker = WorkerProcess(herstel, redis_url, namespace, tmp_path / f"worker-{len(made)}.log")
        made.append(worker)
        return worker

    yield make
    for worker in made:
        worker.stop()
