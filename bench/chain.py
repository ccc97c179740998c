"""Benchmark: append events to one incident's hash chain on PostgreSQL, then verify the chain.

Appending goes through the real storage path: per transaction the incident is loaded with its row
lock, the events are recorded on the aggregate (`Incident.note`), and `IncidentRepository.save`
seals them onto the chain and writes events, outbox and log queue rows and the new head; then commit. In the
same run a bare INSERT loop writes rows of the same shape with the same statements per
transaction and the same commit pattern, without the domain: the floor PostgreSQL sets. The two
alternate in rounds, so that both meet the same load on a shared machine.

Verifying is measured twice: the pure recomputation over rows already in memory
(`verify_chain`), and end to end as `herstel verify` does it (`services.verify_incident`,
streaming the rows from the database). See bench/README.md for method and recorded results.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy
from benchkit import (
    SteppingClock,
    Stopwatch,
    add_database_arguments,
    conditions,
    installation,
    rate,
    report,
    staff,
    throwaway_database,
)

from installation import Herstel
from protocol.chain import canonical_payload, verify_chain
from protocol.services import SYSTEM, Principal, report_incident, verify_incident

GOAL_VERIFY_PER_SECOND = 200_000
CAMPAIGN = str(uuid.UUID(int=7))


def payload(number: int) -> dict[str, Any]:
    """A per-batch letters record, the commonest bulk event: a count and a digest of ledger rows."""
    return {
        "campaign_id": CAMPAIGN,
        "batch": number,
        "status": "delivered",
        "count": 500,
        "ledger_digest": hashlib.sha256(str(number).encode()).hexdigest(),
    }


def new_incident(herstel: Herstel, people: Any, clock: SteppingClock) -> uuid.UUID:
    incident = report_incident(
        uow=herstel.uow(),
        principal=people.officer,
        algorithm_id=people.algorithm_id,
        title="Benchmark",
        description="",
        source="employee",
        detected_at=clock.now - timedelta(days=1),
        protected_grounds=["nationality"],
    )
    return uuid.UUID(str(incident["id"]))


class Phases:
    """Wall seconds per phase of a transaction, summed over the run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

    def add(self, other: Phases) -> None:
        for name, seconds in other.seconds.items():
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def shares(self, total: float) -> dict[str, str]:
        return {name: f"{seconds:.2f} s ({seconds / total:.0%})" for name, seconds in self.seconds.items()}


def append(herstel: Herstel, incident_id: uuid.UUID, events: int, batch: int) -> tuple[Stopwatch, Phases, int]:
    """Append `events` events, `batch` per transaction, through the repository.

    Returns the time taken, the time per phase, and how many SQL statements were sent."""
    phases, statements = Phases(), [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    sqlalchemy.event.listen(herstel.db.engine, "before_cursor_execute", count)
    written = 0
    try:
        with Stopwatch() as watch:
            while written < events:
                number_of_events = min(batch, events - written)
                with herstel.uow() as uow:
                    with phases("lock and load the incident"):
                        incident = uow.incidents.get(incident_id)  # row lock: the chain cannot fork
                    with phases("record events (domain)"):
                        now = uow.now()
                        for number in range(written, written + number_of_events):
                            incident.note("LettersBatchRecorded", payload(number), actor=SYSTEM, now=now)
                    with phases("seal and write (save)"):
                        uow.incidents.save(incident)
                    with phases("commit"):
                        uow.commit()
                written += number_of_events
    finally:
        sqlalchemy.event.remove(herstel.db.engine, "before_cursor_execute", count)
    return watch, phases, statements[0]


def bare_inserts(
    herstel: Herstel, incident_id: uuid.UUID, events: int, batch: int, clock: SteppingClock
) -> tuple[Stopwatch, Phases]:
    """The same rows and writes per transaction (events, outbox, log queue, incident head) straight through the
    driver, hashes computed beforehand: what PostgreSQL alone costs. The time taken, per phase."""
    at = clock.now
    with herstel.uow().read_only() as uow:
        first, _ = uow.incidents.head(incident_id)  # the events the report itself wrote
    rows = [
        (
            incident_id,
            seq,
            "LettersBatchRecorded",
            at,
            "system",
            canonical_payload(payload(seq)),
            hashlib.sha256(f"prev {seq}".encode()).hexdigest(),
            hashlib.sha256(f"hash {seq}".encode()).hexdigest(),
        )
        for seq in range(first + 1, first + events + 1)
    ]
    pooled = herstel.db.engine.raw_connection()
    connection = pooled.driver_connection
    assert connection is not None
    phases = Phases()
    try:
        with Stopwatch() as watch:
            for start in range(0, len(rows), batch):
                chunk = rows[start : start + batch]
                with phases("write"), connection.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO events (incident_id, seq, type, at, actor, payload, prev_hash, hash) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                        chunk,
                        returning=True,
                    )
                    ids = []
                    while True:
                        ids.append(cursor.fetchone()[0])
                        if not cursor.nextset():
                            break
                    cursor.executemany(
                        "INSERT INTO outbox (event_id, attempts, available_at) VALUES (%s, 0, %s)",
                        [(event_id, at) for event_id in ids],
                    )
                    cursor.executemany(
                        "INSERT INTO log_queue (event_id) VALUES (%s)", [(event_id,) for event_id in ids]
                    )
                    cursor.execute(
                        "UPDATE incidents SET last_seq = %s, head_hash = %s WHERE id = %s",
                        (chunk[-1][1], chunk[-1][7], incident_id),
                    )
                with phases("commit"):
                    connection.commit()
    finally:
        pooled.close()
    return watch, phases


class Summed:
    """Wall and CPU seconds of several stopwatches added up."""

    def __init__(self) -> None:
        self.seconds = self.cpu_seconds = 0.0

    def add(self, watch: Stopwatch | Summed) -> None:
        self.seconds += watch.seconds
        self.cpu_seconds += watch.cpu_seconds


def interleaved(
    herstel: Herstel,
    chain_incident: uuid.UUID,
    bare_incident: uuid.UUID,
    args: argparse.Namespace,
    clock: SteppingClock,
) -> tuple[Summed, Phases, Summed, Phases, int]:
    """The bare loop and the append in alternating rounds, so that both meet the same load on a shared
    machine: run one after the other, a change in the neighbours' load between them moved the ratio
    by half. Each round writes events / rounds events with each; the times are summed."""
    bare, appended = Summed(), Summed()
    bare_phases, append_phases, statements = Phases(), Phases(), 0
    rounds = max(1, min(args.rounds, args.events // args.batch))
    per_round = -(-args.events // rounds)
    per_round += -per_round % args.batch  # whole transactions in every round
    done = 0
    while done < args.events:
        events = min(per_round, args.events - done)
        watch, phases = bare_inserts(herstel, bare_incident, events, args.batch, clock)
        bare.add(watch)
        bare_phases.add(phases)
        watch, phases, sent = append(herstel, chain_incident, events, args.batch)
        appended.add(watch)
        append_phases.add(phases)
        statements += sent
        done += events
    return bare, bare_phases, appended, append_phases, statements


def best_of(repeat: int, action: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        with Stopwatch() as watch:
            result = action()
        best = min(best, watch.seconds)
    return best, result


def verify(herstel: Herstel, incident_id: uuid.UUID, repeat: int) -> dict[str, Any]:
    """Pure recomputation over fetched rows, the fetch alone, and `verify_incident` end to end."""
    with herstel.uow().read_only() as uow:
        head = uow.incidents.head(incident_id)
        with Stopwatch() as fetch:
            rows = list(uow.timeline.chain_rows(incident_id))
    pure_seconds, pure = best_of(repeat, lambda: verify_chain(str(incident_id), rows, expected_head=head))
    e2e_seconds, e2e = best_of(
        repeat, lambda: verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id)
    )
    if not (pure.valid and e2e.valid and pure.events == e2e.events == len(rows)):
        raise SystemExit(f"the chain did not verify: {pure} {e2e}")
    return {
        "events": len(rows),
        "pure_seconds": round(pure_seconds, 3),
        "pure_events_per_second": rate(len(rows), pure_seconds),
        "fetch_seconds": round(fetch.seconds, 3),
        "end_to_end_seconds": round(e2e_seconds, 3),
        "end_to_end_events_per_second": rate(len(rows), e2e_seconds),
    }


def analyze(herstel: Herstel) -> None:
    """Refresh the planner's statistics after the bulk load, as autovacuum soon would."""
    with herstel.db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE events")
        connection.commit()


def profiled(action: Any) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
    return out.getvalue()


def timing(watch: Stopwatch | Summed, events: int) -> dict[str, Any]:
    return {
        "seconds": round(watch.seconds, 2),
        "events_per_second": rate(events, watch.seconds),
        "client_cpu_seconds": round(watch.cpu_seconds, 2),
        "client_cpu_share": round(watch.cpu_seconds / watch.seconds, 2) if watch.seconds else None,
        "client_cpu_us_per_event": round(watch.cpu_seconds / events * 1e6, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Method and results: bench/README.md")
    parser.add_argument("--events", type=int, default=100_000, help="events to append (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=10, help="events per transaction (default: %(default)s)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=10,
        help="alternate the bare loop and the append in this many rounds (default: %(default)s)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="verify runs; the best counts (default: %(default)s)")
    parser.add_argument(
        "--profile", action="store_true", help="also print a cProfile of one end-to-end verify and of 1000 appends"
    )
    add_database_arguments(parser)
    args = parser.parse_args(argv)

    with throwaway_database(args.pg_admin_url, keep=args.keep) as url:
        clock = SteppingClock(step=timedelta(microseconds=10))
        herstel = installation(url, clock)
        try:
            people = staff(herstel)
            chain_incident, bare_incident = new_incident(herstel, people, clock), new_incident(herstel, people, clock)
            bare, bare_phases, appended, append_phases, statements = interleaved(
                herstel, chain_incident, bare_incident, args, clock
            )
            transactions = -(-args.events // args.batch)
            analyze(herstel)
            verified = verify(herstel, chain_incident, args.repeat)
            results = {
                "events": args.events,
                "batch": args.batch,
                "append": {
                    **timing(appended, args.events),
                    "transactions_per_second": rate(transactions, appended.seconds),
                    "statements_per_transaction": round(statements / transactions, 1),
                },
                "append_phases": append_phases.shares(appended.seconds),
                "bare_insert": {
                    **timing(bare, args.events),
                    "transactions_per_second": rate(transactions, bare.seconds),
                    "statements_per_transaction": 4,  # three pipelined executemany, one update
                },
                "bare_insert_phases": bare_phases.shares(bare.seconds),
                "append_to_bare_ratio": round(bare.seconds / appended.seconds, 2),
                "rounds": args.rounds,
                "verify": verified,
                "goal_verify_per_second": GOAL_VERIFY_PER_SECOND,
                "goal_met_pure": verified["pure_events_per_second"] >= GOAL_VERIFY_PER_SECOND,
                "goal_met_end_to_end": verified["end_to_end_events_per_second"] >= GOAL_VERIFY_PER_SECOND,
                "conditions": conditions(herstel),
            }
            report("hash chain: append and verify (PostgreSQL)", results, args.json)
            if args.profile:
                print("\n== profile: verify_incident, end to end")
                print(
                    profiled(
                        lambda: verify_incident(
                            uow=herstel.uow(), principal=Principal.installation(), incident_id=chain_incident
                        )
                    )
                )
                extra = new_incident(herstel, people, clock)
                print(f"\n== profile: 1000 appends, {args.batch} per transaction")
                print(profiled(lambda: append(herstel, extra, 1000, args.batch)))
        finally:
            herstel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
