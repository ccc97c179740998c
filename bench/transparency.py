"""Benchmark: the installation-wide transparency log (RFC 9162) at a million leaves, on PostgreSQL.

One incident is reported through the service layer (real events); `--events` filler events are
written with COPY over filler incidents, each with its queue row (`log_queue`) as the event's own
transaction writes it. Their hashes are not valid chains: proofs do not need them. Herstel's own
sequencer (`sequence_events`) then gives every event its leaf, in its default batches, stopping at
the sizes of the signed heads (`sign_head`): 1,000, 100,000, N/2, N-1,000 and N. Measured:

- the sequencing rate (leaves/s, wall and client CPU) and each checkpoint's time (the root from
  stored subtrees, signed, stored);
- consistency proofs between the farthest heads (1,000 and N) and between neighbouring heads,
  and inclusion proofs of random leaves in the head of size N, through the services the API
  calls (`prove_consistency`, `prove_inclusion`): median, p90, worst, and the SQL statements each
  sends. Every proof is checked with `protocol.merkle.verify_consistency` / `verify_inclusion`
  against the signed roots; a wrong proof fails the bench;
- a sequencer run when nothing is new and when a few events are new (best of `--repeat`), and
  `EXPLAIN (ANALYZE, BUFFERS)` of its selection: the queue read, and the former anti-join over
  every event for comparison.

See bench/README.md, "Transparency log", for recorded figures.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import sys
from datetime import datetime, timedelta
from typing import Any

from benchkit import (
    SteppingClock,
    Stopwatch,
    add_database_arguments,
    conditions,
    copy_filler_incidents,
    installation,
    rate,
    report,
    staff,
    throwaway_database,
)
from sqlalchemy import event, text

from installation import Herstel
from protocol.chain import GENESIS
from protocol.merkle import verify_consistency, verify_inclusion
from protocol.services import prove_consistency, prove_inclusion, report_incident, sequence_events, sign_head
from protocol.services.transparency import SEQUENCE_BATCH
from protocol.transparency import event_leaf

OLD_SELECTION = (
    "SELECT events.id, events.hash FROM events WHERE NOT (EXISTS (SELECT transparency_log.event_id"
    " FROM transparency_log WHERE transparency_log.event_id = events.id)) ORDER BY events.id LIMIT :limit"
)
QUEUE_SELECTION = "SELECT log_queue.event_id FROM log_queue ORDER BY log_queue.event_id LIMIT :limit"
EVENTS_BY_ID = "SELECT events.id, events.hash FROM events WHERE events.id IN ({ids})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="filler events (default %(default)s)")
    parser.add_argument("--per-incident", type=int, default=100, help="filler events per filler incident")
    parser.add_argument("--batch", type=int, default=SEQUENCE_BATCH, help="the sequencer's batch (its default)")
    parser.add_argument("--inclusions", type=int, default=300, help="inclusion proofs of random leaves")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each consistency proof")
    parser.add_argument("--seed", type=int, default=9162)
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    with throwaway_database(args.pg_admin_url, keep=args.keep) as url:
        results = run(url, args)
    report(f"transparency log, {results['setup']['leaves']:,} leaves", results, args.json)
    return 0


class StatementCounter:
    """Counts the SQL statements an engine sends (the database round trips of a service call)."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    clock = SteppingClock()
    herstel = installation(url, clock)
    people = staff(herstel)
    key = herstel.settings.signing_key_bytes()
    reporter = people.officer
    report_incident(
        uow=herstel.uow(),
        principal=reporter,
        algorithm_id=people.algorithm_id,
        title="Signaal",
        description="Benchmark",
        source="citizen",
        detected_at=clock.now - timedelta(hours=1),
        protected_grounds=["nationality"],
    )
    with Stopwatch() as loading:
        _load_filler(herstel, args.events, args.per_incident, clock.now)
    with herstel.db.engine.connect() as connection:
        for table in ("events", "log_queue", "incidents"):
            connection.execute(text(f"ANALYZE {table}"))
        connection.commit()
        leaves = connection.execute(text("SELECT count(*) FROM log_queue")).scalar_one()
    sizes = sorted({s for s in (1_000, 100_000, leaves // 2, leaves - 1_000, leaves) if 0 < s <= leaves})

    # sequencing up to each head's size, then signing it
    heads: dict[int, dict[str, Any]] = {}
    checkpoints = []
    sequenced, wall, cpu, runs = 0, 0.0, 0.0, 0
    for size in sizes:
        while sequenced < size:
            with Stopwatch() as step:
                added = sequence_events(uow=herstel.uow(), limit=min(args.batch, size - sequenced))
            wall, cpu, runs = wall + step.seconds, cpu + step.cpu_seconds, runs + 1
            if not added:
                raise SystemExit(f"the sequencer stopped at {sequenced} leaves, short of {size}")
            sequenced += added
        with Stopwatch() as signing:
            heads[size] = sign_head(uow=herstel.uow(), private_key=key)
        if heads[size]["size"] != size:
            raise SystemExit(f"signed a head of size {heads[size]['size']}, wanted {size}")
        checkpoints.append({"size": size, "ms": round(signing.seconds * 1000, 1)})

    counter = StatementCounter(herstel.db.engine)
    pairs = [(sizes[0], sizes[-1], "farthest")] + [(old, new, "neighbours") for old, new in itertools.pairwise(sizes)]
    consistency = [
        _consistency(herstel, people.coordinator, heads, old, new, kind, args.repeat, counter)
        for old, new, kind in pairs
    ]
    inclusion = _inclusions(herstel, people.coordinator, heads[sizes[-1]], args, counter)

    idle = _sequencer_runs(herstel, args.repeat)
    plans_idle = _explain(herstel, args.batch)
    with herstel.db.engine.connect() as connection:  # what autovacuum does to the emptied queue sooner or later
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE log_queue"))
    idle_vacuumed = _sequencer_runs(herstel, args.repeat)
    plans_idle_vacuumed = _explain(herstel, args.batch)
    # a few new events (an incident reported through the services), then one sequencer run
    report_incident(
        uow=herstel.uow(),
        principal=reporter,
        algorithm_id=people.algorithm_id,
        title="Nieuw signaal",
        description="Benchmark",
        source="citizen",
        detected_at=clock.now - timedelta(hours=1),
        protected_grounds=["nationality"],
    )
    plans_few = _explain(herstel, args.batch)
    with Stopwatch() as few:
        fresh = sequence_events(uow=herstel.uow(), limit=args.batch)
    return {
        "conditions": conditions(herstel),
        "setup": {
            "leaves": leaves,
            "filler_events": args.events,
            "copy_seconds": round(loading.seconds, 1),
            "heads": sizes,
        },
        "sequencing": {
            "leaves": sequenced,
            "runs": runs,
            "seconds": round(wall, 1),
            "cpu_seconds": round(cpu, 1),
            "leaves_per_second": rate(sequenced, wall),
            "leaves_per_cpu_second": rate(sequenced, cpu),
        },
        "checkpoints_ms": {str(c["size"]): c["ms"] for c in checkpoints},
        "consistency": consistency,
        "inclusion": inclusion,
        "sequencer_idle_ms": idle,
        "sequencer_idle_after_vacuum_ms": idle_vacuumed,
        "sequencer_few_new": {"events": fresh, "ms": round(few.seconds * 1000, 1)},
        "plans_nothing_new": plans_idle,
        "plans_nothing_new_after_vacuum": plans_idle_vacuumed,
        "plans_few_new": plans_few,
    }


def _load_filler(herstel: Herstel, count: int, per_incident: int, at: datetime) -> None:
    """Filler incidents and their events by COPY, and each event's queue row as its transaction writes it."""
    incidents = max((count + per_incident - 1) // per_incident, 0)
    raw = herstel.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        ids = copy_filler_incidents(
            cursor, incidents, at=at, last_seq=lambda number: min(per_incident, count - number * per_incident)
        )
        with cursor.copy(
            "COPY events (incident_id, seq, type, at, actor, payload, prev_hash, hash) FROM STDIN"
        ) as copy:
            for number in range(count):
                digest = hashlib.sha256(number.to_bytes(8, "big")).hexdigest()
                copy.write_row(
                    (
                        ids[number // per_incident],
                        number % per_incident + 1,
                        "bench.filler",
                        at,
                        "bench",
                        "{}",
                        GENESIS,
                        digest,
                    )
                )
        cursor.execute(
            "INSERT INTO log_queue (event_id) SELECT id FROM events"
            " WHERE NOT EXISTS (SELECT 1 FROM log_queue q WHERE q.event_id = events.id)"
        )
        raw.commit()
    finally:
        raw.close()


def _spread(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "median_ms": round(times[len(times) // 2] * 1000, 2),
        "p90_ms": round(times[min(len(times) - 1, int(len(times) * 0.9))] * 1000, 2),
        "worst_ms": round(times[-1] * 1000, 2),
    }


def _consistency(
    herstel: Herstel,
    principal: Any,
    heads: dict[int, dict[str, Any]],
    old: int,
    new: int,
    kind: str,
    repeat: int,
    counter: StatementCounter,
) -> dict[str, Any]:
    old_root, new_root = bytes.fromhex(heads[old]["root"]), bytes.fromhex(heads[new]["root"])
    times, statements, nodes = [], 0, 0
    for _ in range(repeat):
        before = counter.count
        with Stopwatch() as watch:
            proof = prove_consistency(uow=herstel.uow(), principal=principal, old_size=old, new_size=new)
        statements = counter.count - before
        times.append(watch.seconds)
        path = [bytes.fromhex(node) for node in proof["proof"]]
        nodes = len(path)
        if not verify_consistency(old, new, old_root, new_root, path):
            raise SystemExit(f"the consistency proof {old} -> {new} does not verify")
    return {"from": old, "to": new, "pair": kind, "nodes": nodes, "statements": statements, **_spread(times)}


def _inclusions(
    herstel: Herstel, principal: Any, head: dict[str, Any], args: argparse.Namespace, counter: StatementCounter
) -> dict[str, Any]:
    size, root = head["size"], bytes.fromhex(head["root"])
    picks = random.Random(args.seed).sample(range(size), min(args.inclusions, size))
    with herstel.db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT log_index, event_id, events.hash FROM transparency_log JOIN events ON events.id = event_id"
                " WHERE log_index = ANY(:picks)"
            ),
            {"picks": picks},
        ).all()
    times, statements = [], []
    for index, event_id, chain_hash in rows:
        before = counter.count
        with Stopwatch() as watch:
            proof = prove_inclusion(uow=herstel.uow(), principal=principal, event_id=event_id, tree_size=size)
        statements.append(counter.count - before)
        times.append(watch.seconds)
        path = [bytes.fromhex(node) for node in proof["audit_path"]]
        if proof["leaf_index"] != index or not verify_inclusion(event_leaf(chain_hash), index, size, path, root):
            raise SystemExit(f"the inclusion proof of leaf {index} does not verify")
    return {"tree_size": size, "proofs": len(rows), "statements_max": max(statements, default=0), **_spread(times)}


def _sequencer_runs(herstel: Herstel, repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        with Stopwatch() as watch:
            if sequence_events(uow=herstel.uow()):
                raise SystemExit("the sequencer found work where nothing was new")
        times.append(watch.seconds)
    times.sort()
    return {"best": round(times[0] * 1000, 2), "median": round(times[len(times) // 2] * 1000, 2)}


def _explain(herstel: Herstel, limit: int) -> dict[str, str]:
    """The plans of the sequencer's two reads (the queue, then its events) and of the former anti-join."""
    plans = {}
    with herstel.db.engine.connect() as connection:
        ids = connection.execute(text(QUEUE_SELECTION), {"limit": limit}).scalars().all()
        statements = [("queue", QUEUE_SELECTION)]
        if ids:
            statements.append(("queued_events", EVENTS_BY_ID.format(ids=", ".join(str(i) for i in ids))))
        statements.append(("former_anti_join", OLD_SELECTION))
        for name, statement in statements:
            rows = connection.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {statement}"), {"limit": limit}).scalars()
            plans[name] = "\n".join(rows)
    return plans


if __name__ == "__main__":
    sys.exit(main())
