"""Benchmark: persons import, campaign, delivery by worker processes to a local SMTP server.

    python bench/notify.py --persons 100000 [--workers 2] [--threads 2] [--post-share 0.0]

Runs on PostgreSQL (a fresh database on HERSTEL_BENCH_PG_URL's server) and a redis-server of its
own, with `herstel worker` processes and `herstel scheduler`, mailing an aiosmtpd sink in its own
process. Each stage's rate is printed next to its raw ceiling measured in the same run: a bare
COPY of as many rows, a bare render loop, a bare smtplib loop to the same server.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa
from psycopg import Cursor
from psycopg.rows import TupleRow

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchkit import assessed_incident, campaign_staff  # noqa: E402

from installation import Settings, bootstrap, upgrade_database  # noqa: E402
from notifications.channels import Outgoing, SmtpChannel  # noqa: E402
from notifications.codes import new_access_code  # noqa: E402
from notifications.demo import fictitious_bsns  # noqa: E402
from notifications.letters import IncidentFacts, Recipient, letter_context  # noqa: E402
from notifications.rendering import render_letter  # noqa: E402
from notifications.services import (  # noqa: E402
    import_persons,
    letters_summary,
    open_vault,
    start_campaign,
    unit_of_work,
)
from protocol.services import get_incident  # noqa: E402

PG_ADMIN = os.environ.get("HERSTEL_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HERSTEL = str(Path(sys.executable).parent / "herstel")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_port(port: int, banner: bytes, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if banner == b"+PONG":
                    connection.sendall(b"PING\r\n")
                if connection.recv(16).startswith(banner):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


def persons_csv(count: int, post_share: float) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["bsn", "naam", "straat", "huisnummer", "postcode", "woonplaats", "email", "taal", "toestemming"])
    numbers = fictitious_bsns("9")
    post_every = round(1 / post_share) if post_share else 0
    for i in range(count):
        consent = "nee" if post_every and i % post_every == 0 else "ja"
        writer.writerow([next(numbers), f"Lezer {i}", "Kerkstraat", str(1 + i % 300), "1234 AB", "Utrecht",
                         f"lezer{i}@example.nl", "en" if i % 5 == 0 else "nl", consent])  # fmt: skip
    return out.getvalue().encode()


def timed_copy(
    cursor: Cursor[TupleRow], relation: str, columns: str, rows: Sequence[Sequence[object]], *, binary: bool = True
) -> float:
    """Rows per second of one COPY of ready `rows` into `relation`, in the caller's transaction.

    Binary by default: the text format (which notifications.bulk writes, see bench/notify.md on
    why) spends the client's CPU escaping every bytea to hex, so a text COPY measures this process
    more than the database. The rows are built before the clock starts for the same reason."""
    if binary:  # binary needs each column's type: read from the relation by a query that returns no row
        cursor.execute(f"SELECT {columns} FROM {relation} LIMIT 0")
        types = [column.type_code for column in cursor.description]
    started = time.perf_counter()
    with cursor.copy(f"COPY {relation} ({columns}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")) as copy:
        if binary:
            copy.set_types(types)
        for row in rows:
            copy.write_row(row)
    return len(rows) / (time.perf_counter() - started)


def ceiling_insert(engine: sa.Engine, rows: int, *, binary: bool = True) -> float:
    """A bare COPY of `rows` ready rows shaped like sealed persons into a scratch table without an
    index, key or check: the database's own pace. `binary=False` is the text COPY this ceiling was
    until 2026-12-06 (then also with the rows generated inside the timed loop), for comparison."""
    blob, now, incident = os.urandom(60), datetime.now(UTC), uuid.uuid4()
    ready = [
        (uuid.uuid4(), incident, secrets.token_hex(32), blob, blob, blob, blob, "nl", True, now) for _ in range(rows)
    ]
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TEMP TABLE scratch (id uuid, incident_id uuid, hash text, a bytea, b bytea, c bytea, d bytea, "
            "language text, consent boolean, created timestamptz) ON COMMIT DROP"
        )
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor:
            return timed_copy(cursor, "scratch", "id, incident_id, hash, a, b, c, d, language, consent, created",
                              ready, binary=binary)  # fmt: skip


def ceiling_letters(engine: sa.Engine, incident_id: uuid.UUID) -> float:
    """A COPY of one letter per person of the incident straight into `letters` (its seven indexes, four
    foreign keys and checks), rolled back: the floor the table itself sets for queueing, beside the
    bare COPY into a table without any."""
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            cursor.execute("SELECT id FROM affected_persons WHERE incident_id = %s", (incident_id,))
            persons = [row[0] for row in cursor.fetchall()]
            campaign, now = uuid.uuid4(), datetime.now(UTC)
            cursor.execute(
                "INSERT INTO letter_campaigns (id, incident_id, kind, letters, started_at, started_by) "
                "VALUES (%s, %s, 'unfounded', %s, %s, 'bench')",
                (campaign, incident_id, len(persons), now),
            )
            ready = [(uuid.uuid4(), incident_id, person, campaign, "unfounded", "nl", "email", "queued", 0, now, now)
                     for person in persons]  # fmt: skip
            columns = "id, incident_id, person_id, campaign_id, kind, language, channel, status, attempts, "
            rate = timed_copy(cursor, "letters", columns + "next_attempt_at, created_at", ready)
        raw.rollback()
    return rate


def ceiling_persons(engine: sa.Engine, incident_id: uuid.UUID, rows: int) -> float:
    """A COPY of `rows` ready rows of sealed persons' shape straight into `affected_persons` (its
    indexes, unique BSN hash per incident, foreign key and checks), rolled back: the floor the table
    itself sets for an import, beside the bare COPY into a table without any."""
    blob, now = os.urandom(60), datetime.now(UTC)
    ready = [(uuid.uuid4(), incident_id, "affected", "nl", True, now, now, "b1", secrets.token_hex(32),
              blob, blob, blob, blob, True, True) for _ in range(rows)]  # fmt: skip
    columns = (
        "id, incident_id, kind, language, consent_electronic, created_at, updated_at, key_id, bsn_hash, "
        "bsn_sealed, name_sealed, address_sealed, email_sealed, has_email, has_address"
    )
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            rate = timed_copy(cursor, "affected_persons", columns, ready)
        raw.rollback()
    return rate


def ceiling_render(count: int) -> tuple[float, bytes]:
    facts = IncidentFacts(uuid.uuid4(), "HST-1", "established", "Risicomodel", ("nationality",), True, "full",
                          None, "active", None, {"name": "Gemeente", "postal_address": "Postbus 1", "phone": "14 020",
                          "email": "", "website": "", "signatory": "Gemeente"})  # fmt: skip
    reader = Recipient(
        "Lezer", {"street": "Kerkstraat", "house_number": "1", "postal_code": "1234 AB", "city": "U"}, "x@example.nl"
    )
    started = time.perf_counter()
    letter = None
    for _ in range(count):
        context = letter_context(facts, letter_id=uuid.uuid4(), language="nl", recipient=reader, sent_on=date.today(),
                                 code=new_access_code(), base_url="http://x")  # fmt: skip
        letter = render_letter("notification", "nl", context)
    rate = count / (time.perf_counter() - started)
    assert letter is not None
    message = SmtpChannel(Settings(smtp_host="x")).build(
        Outgoing(uuid.uuid4(), 1, letter, "h", datetime.now(UTC), email="ceiling@example.nl")
    )
    return rate, message


def ceiling_smtp(port: int, message: bytes, count: int) -> float:
    """A bare smtplib loop over one connection to the same server, with a letter-sized message."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        started = time.perf_counter()
        for _ in range(count):
            smtp.sendmail("noreply@herstel.invalid", ["ceiling@example.nl"], message)
        return count / (time.perf_counter() - started)


@dataclass
class MailStack:
    """A throwaway PostgreSQL database, a redis-server and an aiosmtpd sink of the bench's own, and
    the settings of an installation on them (`mail_stack`)."""

    work: Path
    settings: Settings
    smtp_port: int
    processes: list[subprocess.Popen[bytes]]


@contextmanager
def mail_stack(prefix: str) -> Iterator[MailStack]:
    """Start the stack; on leaving, stop every process it (or the caller, in `processes`) started,
    drop the database and remove the working directory."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"herstel_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        redis_port, smtp_port = free_port(), free_port()
        processes.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"],
                                          stdout=subprocess.DEVNULL))  # fmt: skip
        sink = (
            "import sys, time; from pathlib import Path; from aiosmtpd.controller import Controller; "
            "from notifications.sink import _Store; "
            "Controller(_Store(Path(sys.argv[1])), hostname='127.0.0.1', port=int(sys.argv[2])).start(); time.sleep(1e7)"
        )
        processes.append(subprocess.Popen([sys.executable, "-c", sink, str(work / "mail"), str(smtp_port)], cwd=ROOT))
        wait_port(redis_port, b"+PONG")
        wait_port(smtp_port, b"220")
        key = lambda: base64.b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
        settings = Settings(env="bench", data_dir=str(work / "data"), database_url=url, redis_url=f"redis://127.0.0.1:{redis_port}/0",
                            secret_key=secrets.token_urlsafe(32), encryption_keys="b1:" + key(), hash_key=key(), signing_key=key(),
                            smtp_host="127.0.0.1", smtp_port=smtp_port)  # fmt: skip
        yield MailStack(work, settings, smtp_port, processes)
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(20)
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--post-share", type=float, default=0.0, help="share of persons without consent (post)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument(
        "--log", type=Path, help="keep the scheduler's and workers' log here (default: removed with the run)"
    )
    args = parser.parse_args()
    results: dict[str, float | int | str] = {"persons": args.persons, "workers": args.workers, "threads": args.threads}
    with mail_stack("herstel-bench-") as stack:
        work, settings, smtp_port, processes = stack.work, stack.settings, stack.smtp_port, stack.processes
        herstel = bootstrap(settings)
        upgrade_database(herstel=herstel)
        env = {**os.environ, **{f"HERSTEL_{k.upper()}": str(v) for k, v in vars(settings).items() if k != "extra"}}
        log = (args.log or work / "processes.log").open("ab")
        processes.append(subprocess.Popen([HERSTEL, "scheduler"], env=env, stdout=log, stderr=log))
        processes.append(subprocess.Popen([HERSTEL, "worker", "--processes", str(args.workers), "--threads", str(args.threads)],
                                          env=env, stdout=log, stderr=log))  # fmt: skip

        people = campaign_staff(herstel)
        officer = people.officer
        incident_id = assessed_incident(herstel, people, affected=args.persons)
        data = persons_csv(args.persons, args.post_share)
        results["load_at_start"] = open("/proc/loadavg").read().split()[0]  # noqa: SIM115
        started = time.perf_counter()
        import_persons(
            uow=unit_of_work(herstel),
            vault=open_vault(herstel.settings),
            principal=officer,
            incident_id=incident_id,
            data=data,
            max_bytes=len(data) + 1,
        )
        results["import_rows_per_s"] = round(args.persons / (time.perf_counter() - started))
        started = time.perf_counter()
        start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id, kind="notification")
        results["queue_letters_per_s"] = round(args.persons / (time.perf_counter() - started))
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            steps = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident_id)["steps"]
            if steps["inform"]["state"] == "completed":
                break
            time.sleep(1)
        elapsed = time.perf_counter() - started
        results["deliver_letters_per_s"] = round(args.persons / elapsed)
        results["campaign_seconds"] = round(elapsed, 1)
        summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id)
        results["delivered"] = summary["by_status"].get("delivered", 0)
        results["emails_at_server"] = len(list((work / "mail").glob("*.eml")))
        sample = max(200, min(2000, args.persons // 10))
        results["ceiling_insert_rows_per_s"] = round(ceiling_insert(herstel.db.engine, args.persons))
        results["ceiling_insert_text_rows_per_s"] = round(ceiling_insert(herstel.db.engine, args.persons, binary=False))
        results["ceiling_persons_copy_rows_per_s"] = round(
            ceiling_persons(herstel.db.engine, incident_id, args.persons)
        )
        results["ceiling_letters_copy_rows_per_s"] = round(ceiling_letters(herstel.db.engine, incident_id))
        results["load_at_end"] = open("/proc/loadavg").read().split()[0]  # noqa: SIM115
        render_rate, message = ceiling_render(sample)
        results["ceiling_render_letters_per_s"] = round(render_rate)
        results["ceiling_smtp_messages_per_s"] = round(ceiling_smtp(smtp_port, message, sample))
        herstel.close()
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"notify-{args.persons}-{stamp}.json").write_text(json.dumps(results, indent=1) + "\n")
    for key, value in results.items():
        print(f"{key:32} {value}")


if __name__ == "__main__":
    main()
