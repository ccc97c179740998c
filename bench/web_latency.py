"""Latency of the web API under load, from a second process, against `herstel web` (gunicorn) on PostgreSQL.

    .venv/bin/python bench/web_latency.py                 # the full run recorded in bench/README.md
    .venv/bin/python bench/web_latency.py --quick         # a small run that proves it works

It creates a fresh PostgreSQL database (dropped afterwards), migrates it, seeds a user, an incident
to read, an incident with 10,000 timeline events, and one reported incident per write; starts
`herstel web` on a free port; then, for 16 and 64 concurrent clients, measures:

- GET /api/v1/incidents/{id}                          (read)
- GET /api/v1/incidents/{id}/timeline?after_seq=N&limit=100 on the 10,000-event timeline (read)
- POST /api/v1/incidents/{id}/steps/assess/complete  with evidence, one fresh incident per request (write)

Beside it runs the floor (`bench/floor_app.py`): a bare Flask app on the same gunicorn settings and
database that looks up the same token and returns the same incident document from a table. Its GET
is measured at each level right after Herstel's, and the ratios are printed: the distance to the
stack's own cost on the machine the run is on.

Clients are closed-loop: each sends its next request as soon as the previous answer is in (no think
time unless --think), over a kept-alive connection, from an asyncio client in this process while
gunicorn serves from its own processes. Any non-2xx answer or connection error counts as an error;
a GET whose kept-alive connection the server had just closed is sent again on a new connection (as
HTTP clients do) and counted under "GETs resent", its latency including both attempts.

Paced clients (--think) also begin at a random moment in their first think time. Until 2026-12-05
all of them sent their first request in the same millisecond: 16 arrivals at once on two cores,
which queued behind each other and were every one of the slowest requests of each scenario (their
p99 was the burst's, not the paced load's; bench/README.md). `--burst` still measures that.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import floor_app  # noqa: E402
from installation import bootstrap, load_settings, upgrade_database  # noqa: E402
from protocol.services import (  # noqa: E402
    SYSTEM,
    Principal,
    create_token,
    create_user,
    ensure_default_organisation,
    get_principal,
    register_algorithm,
    report_incident,
)

FLOOR = "GET incident, floor (bare Flask)"
PG_ADMIN_URL = os.environ.get("HERSTEL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 1200,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Signs of indirect discrimination on nationality in the risk model.",
}


# ---------------------------------------------------------------------- a minimal keep-alive HTTP client


class Connection:
    """One HTTP/1.1 keep-alive connection (enough client for a benchmark, and cheap on CPU)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port, self.token = host, port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retried = 0

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        """Send one request; a GET on a kept-alive connection the server closed meanwhile is sent
        again on a new one, as browsers and HTTP libraries do (RFC 9112 9.3.1), and counted."""
        reused = self.writer is not None and not self.writer.is_closing()
        try:
            return await self._request(method, path, body)
        except (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError):
            self.close()
            if not (reused and method == "GET"):
                raise
            self.retried += 1
            return await self._request(method, path, body)

    async def _request(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: application/json\r\n"
        )
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        payload = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return status, payload

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


# ---------------------------------------------------------------------- scenarios and measurement


@dataclass
class Result:
    scenario: str
    clients: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    retried: int = 0
    seconds: float = 0.0
    first_error: str = ""

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000 if ordered else 0.0

    def row(self) -> str:
        count = len(self.latencies)
        rate = count / self.seconds if self.seconds else 0.0
        mean = statistics.fmean(self.latencies) * 1000 if count else 0.0
        return (
            f"| {self.scenario} | {self.clients} | {count} | {rate:.0f} | {self.percentile(50):.1f} | "
            f"{self.percentile(90):.1f} | {self.percentile(99):.1f} | {mean:.1f} | {self.errors} | {self.retried} |"
        )


Request = Callable[[int], tuple[str, str, bytes]]  # client number → (method, path, body)


async def run_clients(
    host: str,
    port: int,
    token: str,
    scenario: str,
    clients: int,
    make: Request,
    *,
    per_client: int,
    think: float,
    burst: bool = False,
) -> Result:
    result = Result(scenario, clients)

    async def client(number: int) -> None:
        connection = Connection(host, port, token)
        if think and not burst:  # paced clients start at random moments too, not all in the same millisecond
            await asyncio.sleep(random.uniform(0, 2 * think))
        try:
            for _ in range(per_client):
                method, path, body = make(number)
                started = time.perf_counter()
                try:
                    status, payload = await connection.request(method, path, body)
                except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                    result.errors += 1
                    result.first_error = result.first_error or repr(error)
                    connection.close()
                    continue
                elapsed = time.perf_counter() - started
                if 200 <= status < 300:
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1
                    result.first_error = result.first_error or f"{status} {payload[:200]!r}"
                if think:
                    await asyncio.sleep(random.uniform(0, 2 * think))
        finally:
            result.retried += connection.retried
            connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------- the installation under test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def create_database(admin_url: str) -> str:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"herstel_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return admin.url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, admin_url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{sa.engine.make_url(url).database}" WITH (FORCE)')
    admin.dispose()


@dataclass
class Seed:
    token: str
    incident_id: str
    long_incident_id: str
    fresh: list[str]


def seed(environment: dict[str, str], *, timeline_events: int, writes: int) -> Seed:
    """What the scenarios need, made through the services (as the CLI would)."""
    herstel = bootstrap(load_settings(environment))
    upgrade_database(herstel=herstel)
    organisation = ensure_default_organisation(uow=herstel.uow())
    email = "bench@example.nl"
    user_id = create_user(
        uow=herstel.uow(),
        by=Principal.installation(),
        email=email,
        roles=["officer", "coordinator"],
        organisation_id=organisation,
    )
    principal = get_principal(uow=herstel.uow(), user_id=user_id)
    token = create_token(uow=herstel.uow(), by=Principal.installation(), email=email, name="bench").secret
    algorithm = register_algorithm(uow=herstel.uow(), principal=principal, name="Benchmodel")

    def report(title: str) -> str:
        incident = report_incident(
            uow=herstel.uow(),
            principal=principal,
            algorithm_id=algorithm["id"],
            title=title,
            description="Benchmark",
            source="employee",
            detected_at="2026-11-01T09:00:00+01:00",
            protected_grounds=["nationality"],
        )
        return str(incident["id"])

    incident_id = report("Read me")
    long_incident_id = report("Ten thousand events")
    started = time.perf_counter()
    appended = 0
    while appended < timeline_events:
        # what append_to_timeline does, 500 events per load of the incident (seeding only; not measured)
        with herstel.uow() as uow:
            incident = uow.incidents.get(uuid.UUID(long_incident_id))
            for _ in range(min(500, timeline_events - appended)):
                digest = hashlib.sha256(str(appended).encode()).hexdigest()
                incident.note(
                    "LettersBatchRecorded", {"count": 100, "digest": f"sha256:{digest}"}, actor=SYSTEM, now=uow.now()
                )
                appended += 1
            uow.incidents.save(incident)
            uow.commit()
    print(f"seeded {appended} timeline events in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    fresh = [report(f"Write {n}") for n in range(writes)]
    print(f"reported {writes} incidents for the writes in {time.perf_counter() - started:.1f} s", flush=True)
    herstel.close()
    return Seed(token, incident_id, long_incident_id, fresh)


def start_server(environment: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    herstel = str(ROOT / ".venv" / "bin" / "herstel")
    command = [herstel, "web", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)]
    return _serve(command, environment, port)


def start_floor(environment: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """The bare app under gunicorn with `herstel web`'s settings (cli/serve.py: gthread, access log on)."""
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--access-logfile",
        "-",
        "--chdir",
        str(ROOT),
        "bench.floor_app:create_app()",
    ]
    return _serve(command, {**environment, "HERSTEL_FLOOR_DATABASE_URL": environment["HERSTEL_DATABASE_URL"]}, port)


def fetch(port: int, token: str, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
        answer = connection.getresponse()
        body = answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path} answered {answer.status}: {body[:200]!r}")
        return body
    finally:
        connection.close()


def _serve(command: list[str], environment: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; a pipe would fill and block it
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{command[0]} exited: {log.read().decode(errors='replace')[-2000:]}") from None
            time.sleep(0.2)
    raise RuntimeError(f"{command[0]} did not start in 60 s")


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small run: proves the script works")
    parser.add_argument("--clients", default="16,64", help="concurrency levels (default 16,64)")
    parser.add_argument("--requests", type=int, default=40, help="read requests per client per level")
    parser.add_argument("--writes", type=int, default=10, help="write requests per client per level")
    parser.add_argument("--events", type=int, default=10_000, help="events on the long timeline")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between a client's requests (s)")
    parser.add_argument(
        "--burst",
        action="store_true",
        help="paced clients all send their first request at the same moment (before 2026-12-05 the only way)",
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--pg-admin-url", default=PG_ADMIN_URL, help="a database to create the bench's own from")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.writes, args.events = 10, 3, 2_000
    levels = [int(c) for c in args.clients.split(",")]

    url = create_database(args.pg_admin_url)
    data_dir = tempfile.mkdtemp(prefix="herstel-bench-")
    environment = {
        **os.environ,
        "HERSTEL_DATABASE_URL": url,
        "HERSTEL_DATA_DIR": data_dir,
        "HERSTEL_ENV": "development",
    }
    environment.pop("HERSTEL_REDIS_URL", None)
    servers: list[subprocess.Popen[bytes]] = []
    try:
        seeded = seed(environment, timeline_events=args.events, writes=sum(levels) * args.writes)
        port, floor_port = free_port(), free_port()
        servers.append(start_server(environment, port, args.workers, args.threads))
        path = f"/api/v1/incidents/{seeded.incident_id}"
        engine = sa.create_engine(url)
        floor_app.store(engine, seeded.incident_id, fetch(port, seeded.token, path))  # Herstel's own answer
        engine.dispose()
        servers.append(start_floor(environment, floor_port, args.workers, args.threads))
        if fetch(floor_port, seeded.token, path) != fetch(port, seeded.token, path):
            raise RuntimeError("the floor does not answer the document Herstel answers")
        results = asyncio.run(measure(port, floor_port, seeded, levels, args))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        drop_database(url, args.pg_admin_url)
    print()
    print(
        f"herstel web: gunicorn, {args.workers} workers × {args.threads} threads; {os.cpu_count()} CPUs; "
        f"think time {args.think} s{' (first requests together)' if args.burst else ''}; "
        f"timeline of {args.events} events"
    )
    print("| scenario | clients | requests | req/s | p50 ms | p90 ms | p99 ms | mean ms | errors | GETs resent |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())
    print()
    print("The floor beside Herstel (GET incident; ratios Herstel / floor, throughput floor-relative):")
    columns = ["clients", "Herstel p50 / p99 ms", "floor p50 / p99 ms", "p50 ratio", "p99 ratio"]
    columns += ["Herstel req/s", "floor req/s", "throughput ratio"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    comparisons = compare(results)
    for row in comparisons:
        print(
            f"| {row['clients']} | {row['herstel_p50_ms']:.1f} / {row['herstel_p99_ms']:.1f} | "
            f"{row['floor_p50_ms']:.1f} / {row['floor_p99_ms']:.1f} | "
            f"{row['p50_ratio']:.1f} | {row['p99_ratio']:.1f} | "
            f"{row['herstel_rps']:.0f} | {row['floor_rps']:.0f} | {row['throughput_ratio']:.2f} |"
        )
    for result in results:
        if result.first_error:
            print(f"first error in {result.scenario} @ {result.clients}: {result.first_error}")
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "scenario": r.scenario,
                        "clients": r.clients,
                        "requests": len(r.latencies),
                        "errors": r.errors,
                        "p50_ms": r.percentile(50),
                        "p99_ms": r.percentile(99),
                        "seconds": r.seconds,
                    }
                    for r in results
                ]
                + [{"scenario": "floor ratios", **row} for row in comparisons],
                indent=2,
            )
        )


def compare(results: list[Result]) -> list[dict[str, float]]:
    """Herstel's GET incident beside the floor's, level by level."""
    rows = []
    for herstel in results:
        floor = next((r for r in results if r.scenario == FLOOR and r.clients == herstel.clients), None)
        if herstel.scenario != "GET incident" or floor is None or not floor.latencies or not herstel.latencies:
            continue
        herstel_rps, floor_rps = len(herstel.latencies) / herstel.seconds, len(floor.latencies) / floor.seconds
        rows.append(
            {
                "clients": herstel.clients,
                "herstel_p50_ms": herstel.percentile(50),
                "herstel_p99_ms": herstel.percentile(99),
                "floor_p50_ms": floor.percentile(50),
                "floor_p99_ms": floor.percentile(99),
                "p50_ratio": herstel.percentile(50) / floor.percentile(50),
                "p99_ratio": herstel.percentile(99) / floor.percentile(99),
                "herstel_rps": herstel_rps,
                "floor_rps": floor_rps,
                "throughput_ratio": herstel_rps / floor_rps,
            }
        )
    return rows


async def measure(
    port: int, floor_port: int, seeded: Seed, levels: list[int], args: argparse.Namespace
) -> list[Result]:
    host, token = "127.0.0.1", seeded.token
    pages = max(1, args.events // 100)
    fresh = iter(seeded.fresh)
    body = json.dumps({"version": 1, **ASSESSMENT}).encode()

    def get_incident(_: int) -> tuple[str, str, bytes]:
        return "GET", f"/api/v1/incidents/{seeded.incident_id}", b""

    def get_timeline(_: int) -> tuple[str, str, bytes]:
        after = random.randrange(pages) * 100
        return "GET", f"/api/v1/incidents/{seeded.long_incident_id}/timeline?after_seq={after}&limit=100", b""

    def complete_assess(_: int) -> tuple[str, str, bytes]:
        return "POST", f"/api/v1/incidents/{next(fresh)}/steps/assess/complete", body

    # warm up every worker's caches (definitions, connection pool) before measuring
    await run_clients(host, port, token, "warm-up", 8, get_incident, per_client=10, think=0)
    await run_clients(host, floor_port, token, "warm-up", 8, get_incident, per_client=10, think=0)
    results = []
    for clients in levels:
        for name, make, count in (
            ("GET incident", get_incident, args.requests),
            (FLOOR, get_incident, args.requests),
            ("GET timeline page (10k events)", get_timeline, args.requests),
            ("POST steps/assess/complete", complete_assess, args.writes),
        ):
            target = floor_port if name == FLOOR else port
            result = await run_clients(
                host, target, token, name, clients, make, per_client=count, think=args.think, burst=args.burst
            )
            print(result.row(), flush=True)
            results.append(result)
    return results


if __name__ == "__main__":
    main()
