"""Fixtures for the letters: an assessed incident, an installation that mails a real SMTP server,
and a stand-in for the broker that keeps the dispatched batches so a test runs them itself."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from installation import Herstel
from notifications.demo import fictitious_bsns
from notifications.services import (
    deliver_letters,
    import_persons,
    list_persons,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)
from protocol.services import Principal, complete_step, handle_event, handlers_for, relay_once, report_incident

CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def assessed_incident(herstel: Herstel, officer: Principal, algorithm: dict[str, Any], outcome: str) -> Any:
    incident = report_incident(
        uow=herstel.uow(),
        principal=officer,
        algorithm_id=algorithm["id"],
        title="Hogere risicoscores",
        description="Een journalist meldt een patroon.",
        source="journalist",
        detected_at=herstel.clock(),
        protected_grounds=["nationality", "ethnicity"],
    )
    return complete_step(
        uow=herstel.uow(),
        principal=officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence={
            "outcome": outcome,
            "severity": 3,
            "estimated_affected": 100,
            "high_risk_ai": False,
            "personal_data_breach": False,
            "widespread": False,
            "summary": "Nationaliteit werkt door in de score.",
        },
    )


@pytest.fixture
def incident(herstel: Herstel, officer: Principal, algorithm: dict[str, Any]) -> Any:
    return assessed_incident(herstel, officer, algorithm, "established")


@pytest.fixture
def mailing(herstel: Herstel, smtp_server: Any) -> Herstel:
    """The installation, sending to the test SMTP server, retrying after a second."""
    settings = replace(
        herstel.settings, smtp_host=smtp_server.host, smtp_port=smtp_server.port, letter_retry_seconds=1.0
    )
    return replace(herstel, settings=settings)


@dataclass
class Dispatched:
    """The broker's part, played by the test: batches of letter ids with their delays."""

    batches: list[tuple[list[Any], float]] = field(default_factory=list)

    def __call__(self, letter_ids: Any, delay: float) -> None:
        self.batches.append((list(letter_ids), delay))

    def take(self) -> list[tuple[list[Any], float]]:
        taken, self.batches = self.batches, []
        return taken


@pytest.fixture
def dispatched(herstel: Herstel) -> Iterator[Dispatched]:
    broker = Dispatched()
    herstel.dispatch.connect(broker)
    yield broker
    herstel.dispatch.connect(None)


def publish_events(herstel: Herstel) -> int:
    """What the relay and the dispatch actor do, in this thread: hand every committed event to its handlers."""
    published: list[int] = []
    relay_once(uow=herstel.uow(), publish=published.extend, has_handlers=lambda t: bool(handlers_for(t)))
    for event_id in published:
        handle_event(uow_factory=herstel.uow, event_id=event_id, handlers_for=handlers_for)
    return len(published)


def run_letters(herstel: Herstel, broker: Dispatched, clock: Any, *, rounds: int = 12) -> list[Any]:
    """Deliver every dispatched batch, moving the clock past each retry's delay, until none is left."""
    reports = []
    publish_events(herstel)
    for _ in range(rounds):
        batches = broker.take()
        if not batches:
            break
        for letter_ids, delay in batches:
            if delay:
                clock.advance(seconds=delay + 0.001)
            reports.append(
                deliver_letters(
                    uow_factory=unit_of_work_factory(herstel),
                    vault=herstel.vault,
                    settings=herstel.settings,
                    letter_ids=letter_ids,
                )
            )
        publish_events(herstel)
    return reports


def persons_file(people: list[dict[str, str]], *, delimiter: str = ";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["bsn", "naam", "straat", "huisnummer", "postcode", "woonplaats", "email", "taal", "toestemming"])
    for p in people:
        writer.writerow(
            [
                p["bsn"],
                p["name"],
                p["street"],
                p["number"],
                p["postcode"],
                p["city"],
                p["email"],
                p["lang"],
                p["consent"],
            ]
        )
    return out.getvalue().encode("utf-8")


def import_readers(
    herstel: Herstel, officer: Principal, incident_id: uuid.UUID, readers: list[dict[str, str]] | bytes
) -> dict[str, int]:
    """Import readers (as `people` makes them, or a persons file as it is) into the incident, as an
    officer does through the services: {imported, merged, rows}."""
    return import_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        max_bytes=herstel.settings.max_body_bytes,
        principal=officer,
        incident_id=incident_id,
        data=readers if isinstance(readers, bytes) else persons_file(readers),
    )


def list_readers(herstel: Herstel, principal: Principal, incident_id: uuid.UUID, *, per_page: int) -> dict[str, Any]:
    """The first page of the incident's persons as `principal` sees them through the services
    (`list_persons`: total, items, whether identities are shown)."""
    return list_persons(
        uow=unit_of_work(herstel),
        vault=open_vault(herstel.settings),
        principal=principal,
        incident_id=incident_id,
        per_page=per_page,
    )


def start_notification(
    herstel: Herstel, officer: Principal, incident_id: uuid.UUID, readers: list[dict[str, str]] | bytes
) -> dict[str, Any]:
    """Import the readers and start the notification campaign: its letters are queued, none sent
    (`run_letters` sends them); the campaign as `start_campaign` returns it."""
    import_readers(herstel, officer, incident_id, readers)
    return start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id, kind="notification")


def people(count: int, *, email: Callable[[int], str] | None = None, consent: Callable[[int], bool] | None = None,
           language: Callable[[int], str] | None = None, prefix: str = "9999") -> list[dict[str, str]]:  # fmt: skip
    numbers = fictitious_bsns(prefix)
    out = []
    for i in range(count):
        out.append(
            {
                "bsn": next(numbers),
                "name": f"Zoë Öztürk-{i:05d}",
                "street": f"Kerkstraat{i:05d}",
                "number": str(1 + i % 200),
                "postcode": "1234 AB",
                "city": "Ĳsselstein",
                "email": email(i) if email else f"lezer{i:05d}@example.nl",
                "lang": language(i) if language else ("en" if i % 4 == 0 else "nl"),
                "consent": "ja" if (consent(i) if consent else True) else "nee",
            }
        )
    return out


@pytest.fixture
def production(tmp_path: Any, postgres_database: str, smtp_server: Any) -> Iterator[tuple[Herstel, Any]]:
    """An installation on a fresh PostgreSQL database (real clock) with `herstel scheduler` and
    `herstel worker` (2 processes × 2 threads) running on a redis-server of the test's own."""
    from installation import bootstrap, upgrade_database
    from tests.conftest import DEFAULT_ORGANISATION, make_settings, set_test_letterhead
    from tests.integration.notifications.stack import Stack
    from tests.redis_server import RedisServer

    settings = make_settings(tmp_path / "data", postgres_database)
    installation = bootstrap(settings)  # the real clock: the processes use it too
    upgrade_database(herstel=installation)
    set_test_letterhead(installation, DEFAULT_ORGANISATION)
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    stack = Stack(settings, redis, smtp_server, tmp_path)
    stack.start("scheduler", "scheduler")
    stack.start("worker", "worker", "--processes", "2", "--threads", "2")
    yield installation, stack
    stack.stop()
    redis.stop()
    installation.close()
