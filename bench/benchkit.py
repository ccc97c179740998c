"""What the benchmarks share: a throwaway PostgreSQL database, an installation on it, timing, and
a record of the conditions a figure was taken under (load, CPUs, versions)."""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg import Cursor
from psycopg.rows import TupleRow

from installation import Herstel, Settings, bootstrap, upgrade_database
from notifications.services import set_letterhead
from protocol.chain import GENESIS
from protocol.services import (
    Principal,
    complete_step,
    create_user,
    ensure_default_organisation,
    get_principal,
    register_algorithm,
    report_incident,
)
from protocol.storage.tables import DEFAULT_ORGANISATION_ID

DEFAULT_ADMIN_URL = os.environ.get("HERSTEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg-admin-url",
        default=DEFAULT_ADMIN_URL,
        help="PostgreSQL server to create the throwaway benchmark database on (default: %(default)s; "
        "env HERSTEL_TEST_PG_URL)",
    )
    parser.add_argument("--keep", action="store_true", help="Do not drop the benchmark database afterwards.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the results as JSON to this file.")


@contextmanager
def throwaway_database(admin_url: str, *, keep: bool = False) -> Iterator[str]:
    """A new PostgreSQL database with a random name for the run; dropped afterwards unless `keep`."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"herstel_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"kept database {name}", file=sys.stderr)
        else:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


class SteppingClock:
    """Time that moves a little on every reading, so events have distinct, increasing instants."""

    def __init__(self, start: datetime | None = None, step: timedelta = timedelta(milliseconds=1)) -> None:
        self.now = start or datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def installation(database_url: str, clock: Any) -> Herstel:
    """A migrated installation on `database_url` with throwaway keys."""
    settings = Settings(
        env="bench",
        data_dir=tempfile.mkdtemp(prefix="herstel-bench-"),
        database_url=database_url,
        secret_key=secrets.token_urlsafe(32),
        encryption_keys="b1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        hash_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        signing_key=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    herstel = bootstrap(settings, clock=clock)
    upgrade_database(herstel=herstel)
    return herstel


@dataclass(frozen=True)
class Staff:
    officer: Principal
    coordinator: Principal
    investigator: Principal
    algorithm_id: uuid.UUID


def staff(herstel: Herstel) -> Staff:
    """Users with the roles the protocol needs, and an algorithm to report about."""
    organisation_id = ensure_default_organisation(uow=herstel.uow())
    people = {}
    for role in ("officer", "coordinator", "investigator"):
        user_id = create_user(
            uow=herstel.uow(),
            by=Principal.installation(),
            email=f"{role}@bench.example.nl",
            roles=[role],
            organisation_id=organisation_id,
        )
        people[role] = get_principal(uow=herstel.uow(), user_id=user_id)
    algorithm = register_algorithm(uow=herstel.uow(), principal=people["officer"], name="Benchmarkmodel")
    return Staff(people["officer"], people["coordinator"], people["investigator"], algorithm["id"])


@dataclass(frozen=True)
class CampaignStaff:
    officer: Principal
    algorithm_id: uuid.UUID


def campaign_staff(herstel: Herstel) -> CampaignStaff:
    """An officer of the default organisation, whose letterhead has the address and phone a campaign's
    letters give, and an algorithm (with a LARS code) to report about."""
    organisation = ensure_default_organisation(uow=herstel.uow())
    set_letterhead(
        uow=herstel.uow(),
        principal=Principal.installation(),
        organisation_id=organisation,
        values={
            "name": "Gemeente Voorbeeldstad",
            "postal_address": "Postbus 1234\n1000 AB  Voorbeeldstad",
            "phone": "14 020",
        },
    )
    user = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email="bench@example.nl",
        roles=["officer"],
        organisation_id=organisation,
    )
    officer = get_principal(uow=herstel.uow(), user_id=user)
    algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Bench", lars="12345670")
    return CampaignStaff(officer, algorithm["id"])


def assessed_incident(herstel: Herstel, people: CampaignStaff, *, affected: int) -> uuid.UUID:
    """A new incident whose assessment established that it affected `affected` persons: ready for
    their import and a campaign. Its id."""
    incident = report_incident(
        uow=herstel.uow(),
        principal=people.officer,
        algorithm_id=people.algorithm_id,
        title="Bench",
        description="",
        source="other",
        detected_at=herstel.clock(),
        protected_grounds=[],
    )
    evidence = {
        "outcome": "established",
        "severity": 2,
        "estimated_affected": affected,
        "high_risk_ai": False,
        "personal_data_breach": False,
        "widespread": False,
        "summary": "bench",
    }
    complete_step(
        uow=herstel.uow(),
        principal=people.officer,
        incident_id=incident["id"],
        step="assess",
        version=incident["version"],
        evidence=evidence,
    )
    incident_id: uuid.UUID = incident["id"]
    return incident_id


def copy_filler_incidents(
    cursor: Cursor[TupleRow], count: int, *, at: datetime, last_seq: Callable[[int], int] = lambda number: 0
) -> list[uuid.UUID]:
    """`count` filler incidents by COPY on a raw (psycopg) cursor, in the caller's transaction: open,
    of the first algorithm, under the protocol of an incident already reported, never loaded as
    aggregates. `last_seq(number)` is the number of events the caller gives the `number`-th one.
    Their ids, in order."""
    cursor.execute("SELECT id FROM algorithms LIMIT 1")
    algorithm = cursor.fetchone()[0]
    cursor.execute("SELECT protocol_key, protocol_version FROM incidents LIMIT 1")
    protocol_key, protocol_version = cursor.fetchone()
    ids = [uuid.uuid4() for _ in range(count)]
    with cursor.copy(
        "COPY incidents (id, organisation_id, algorithm_id, reference, title, description, source, detected_at,"
        " reported_at, protected_grounds, protocol_key, protocol_version, state, version, facts, last_seq,"
        " head_hash) FROM STDIN"
    ) as copy:
        for number, incident_id in enumerate(ids):
            copy.write_row(
                (
                    incident_id,
                    DEFAULT_ORGANISATION_ID,
                    algorithm,
                    f"FILL-{number}",
                    "Vulling",
                    "",
                    "citizen",
                    at,
                    at,
                    "[]",
                    protocol_key,
                    protocol_version,
                    "open",
                    1,
                    "{}",
                    last_seq(number),
                    GENESIS,
                )
            )
    return ids


class Stopwatch:
    """Wall-clock seconds of a block, and the CPU seconds this process spent in it.

    Where `cpu_seconds` is well below `seconds`, the process was waiting: for PostgreSQL's answers
    and commits, or for a CPU the machine gave to someone else."""

    def __enter__(self) -> Stopwatch:
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.seconds = self.cpu_seconds = 0.0
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started


def conditions(herstel: Herstel) -> dict[str, Any]:
    """What a reader needs to judge a figure: machine, load, versions, when."""
    with herstel.db.engine.connect() as connection:
        server = connection.exec_driver_sql("SHOW server_version").scalar()
        synchronous_commit = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
    return {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlalchemy": sa.__version__,
        "postgresql": server,
        "synchronous_commit": synchronous_commit,
        "platform": platform.platform(),
    }


def report(title: str, results: dict[str, Any], json_path: Path | None) -> None:
    """Print the results readably, and as JSON when asked."""
    print(f"\n== {title}")
    for key, value in results.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for inner, inner_value in value.items():
                print(f"  {inner:<28} {inner_value}")
        else:
            print(f"{key:<30} {value}")
    if json_path is not None:
        json_path.write_text(json.dumps(results, indent=1, default=str), "utf-8")


def rate(count: int, seconds: float) -> int:
    return round(count / seconds) if seconds > 0 else 0
