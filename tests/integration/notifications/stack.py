"""The production processes for the letters' end-to-end and fault tests: `herstel worker` and
`herstel scheduler` on PostgreSQL and a redis-server of the test's own, mailing the test SMTP server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from installation import Herstel
from protocol.services import Principal, create_user, ensure_default_organisation, get_principal, register_algorithm
from tests.integration.notifications.conftest import assessed_incident
from tests.redis_server import RedisServer

HERSTEL = str(Path(sys.executable).parent / "herstel")


class Stack:
    """The separate processes of a production setup, with their logs kept for inspection."""

    def __init__(self, settings: Any, redis: RedisServer, smtp: Any, folder: Path) -> None:
        self.folder = folder
        self.redis = redis
        self.env = {
            **os.environ,
            "HERSTEL_ENV": "test",
            "HERSTEL_DATA_DIR": settings.data_dir,
            "HERSTEL_DATABASE_URL": settings.database_url,
            "HERSTEL_REDIS_URL": redis.url,
            "HERSTEL_SECRET_KEY": settings.secret_key,
            "HERSTEL_ENCRYPTION_KEYS": settings.encryption_keys,
            "HERSTEL_HASH_KEY": settings.hash_key,
            "HERSTEL_SIGNING_KEY": settings.signing_key,
            "HERSTEL_SMTP_HOST": smtp.host,
            "HERSTEL_SMTP_PORT": str(smtp.port),
            "HERSTEL_LETTER_RETRY_SECONDS": "1",
            "HERSTEL_LETTER_LEASE_SECONDS": "20",
        }
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [HERSTEL, "-v", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def kill(self, name: str) -> None:
        """SIGKILL a process and its children (the dramatiq master and its worker processes), as a crash would."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))


def officer_and_incident(herstel: Herstel) -> tuple[Principal, Any]:
    organisation = ensure_default_organisation(uow=herstel.uow())
    user = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="o@example.nl",
        roles=["officer"],
        organisation_id=organisation,
    )
    officer = get_principal(uow=herstel.uow(), user_id=user)
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Risicomodel", lars="12345670")
    return officer, assessed_incident(herstel, officer, algorithm, "established")


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")
