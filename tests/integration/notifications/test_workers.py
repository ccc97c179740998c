"""End to end with the production processes: PostgreSQL, Redis, `herstel worker` processes and
`herstel scheduler` (the outbox relay and the letters recovery), mailing a real SMTP server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from notifications.services import (
    import_persons,
    letters_summary,
    objection_deadline,
    open_citizen_session,
    start_campaign,
)
from protocol.services import (
    bootstrap,
    create_user,
    ensure_default_organisation,
    get_incident,
    get_principal,
    register_algorithm,
    upgrade_database,
    verify_incident,
)
from tests.conftest import make_settings
from tests.integration.notifications.conftest import CODE, assessed_incident, people, persons_file
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.smtp, pytest.mark.slow]
HERSTEL = str(Path(sys.executable).parent / "herstel")


class Stack:
    """The separate processes of a production setup, with their logs kept for inspection."""

    def __init__(self, settings: Any, redis: RedisServer, smtp: Any, folder: Path) -> None:
        self.folder = folder
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

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.folder.glob("*.log"))


@pytest.fixture
def production(tmp_path: Path, postgres_database: str, smtp_server: Any) -> Iterator[tuple[Any, Stack]]:
    settings = make_settings(tmp_path / "data", postgres_database)
    herstel = bootstrap(settings)  # the real clock: the processes use it too
    upgrade_database(herstel=herstel)
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    stack = Stack(settings, redis, smtp_server, tmp_path)
    stack.start("scheduler", "scheduler")
    stack.start("worker", "worker", "--processes", "2", "--threads", "2")
    yield herstel, stack
    stack.stop()
    redis.stop()
    herstel.close()


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_campaign_of_2000_through_worker_processes(production, smtp_server):
    herstel, stack = production
    organisation = ensure_default_organisation(uow=herstel.uow())
    officer = get_principal(
        uow=herstel.uow(),
        user_id=create_user(uow=herstel.uow(), email="o@example.nl", roles=["officer"], organisation_id=organisation),
    )
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Risicomodel", lars="12345670")
    incident = assessed_incident(herstel, officer, algorithm, "established")
    readers = people(2000)
    result = import_persons(herstel=herstel, principal=officer, incident_id=incident["id"], data=persons_file(readers))
    assert result["imported"] == 2000
    started = time.monotonic()
    start_campaign(herstel=herstel, principal=officer, incident_id=incident["id"], kind="notification")

    def finished() -> bool:
        steps = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident["id"])["steps"]
        return steps["inform"]["state"] == "completed"

    wait_for(finished, 300, "the inform step to complete itself")
    elapsed = time.monotonic() - started
    print(f"\n2000 letters through 2 worker processes: {elapsed:.1f} s ({2000 / elapsed:.0f} letters/s)")

    messages = smtp_server.messages()
    assert len(messages) == 2000
    assert Counter(str(m["To"]) for m in messages) == Counter(p["email"] for p in readers)
    by_email = {p["email"]: p for p in readers}
    letters = set()
    for message in messages:
        person = by_email[str(message["To"])]
        text = " ".join(message.get_body(("plain",)).get_content().split())
        assert message["Content-Language"] == person["lang"]
        assert (("Dear " if person["lang"] == "en" else "Beste ") + person["name"]) in text
        sent_on = time.strftime("%Y-%m-%d")
        last = objection_deadline(herstel=herstel, sent_on=__import__("datetime").date.fromisoformat(sent_on))
        assert str(last.year) in text
        assert f" {last.day} " in text
        letters.add(open_citizen_session(herstel=herstel, access_code=CODE.search(text).group(1)).letter_id)
    assert len(letters) == 2000

    summary = letters_summary(herstel=herstel, principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": 2000}
    assert verify_incident(uow=herstel.uow(), incident_id=incident["id"]).valid
    logs = stack.logs()
    assert "letters:" in logs  # the workers did the work
    leaks = [p for p in readers[:200] for value in (p["bsn"], p["name"], p["email"]) if value in logs]
    assert leaks == []
