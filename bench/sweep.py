"""Benchmark: the deadline sweep over many open deadlines of which few are due, on PostgreSQL.

`--due` incidents are reported through the service layer (real aggregates, real chains); each one
gets its deadlines from the definition. `--total` minus their deadlines are filler: open deadlines
inserted in bulk with COPY, spread over filler incidents (`--per-incident` each), whose next check
lies a year ahead. The clock then moves so that every real incident has a check due and no filler
deadline has. Measured:

- the sweep's selection (`IncidentQueries.due_for_check`, the statement the sweep actor runs
  first), best of `--repeat`, and its `EXPLAIN (ANALYZE, BUFFERS)` plan;
- one full sweep batch (`sweep_deadlines` with `--batch`): select, then one transaction per due
  incident (lock with SKIP LOCKED, record reminders and misses, save, commit);
- the idle sweep afterwards: the selection again when nothing is due any more.

The cost of the selection must follow the number due, not the total: run at 100,000 and
1,000,000 and compare. See bench/README.md for recorded figures.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import datetime, timedelta
from typing import Any

from benchkit import (
    SteppingClock,
    Stopwatch,
    add_database_arguments,
    conditions,
    copy_filler_incidents,
    installation,
    report,
    staff,
    throwaway_database,
)
from sqlalchemy import text

from installation import Herstel
from protocol.services import report_incident, sweep_deadlines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000, help="open deadlines in all (default %(default)s)")
    parser.add_argument("--due", type=int, default=1_000, help="incidents with a check due (default %(default)s)")
    parser.add_argument("--per-incident", type=int, default=100, help="filler deadlines per filler incident")
    parser.add_argument("--batch", type=int, default=500, help="the sweep's batch (its default limit, 500)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the selection; the best counts")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    with throwaway_database(args.pg_admin_url, keep=args.keep) as url:
        results = run(url, args)
    report(f"deadline sweep, {args.total:,} open deadlines, {args.due:,} incidents due", results, args.json)
    return 0


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    clock = SteppingClock()
    herstel = installation(url, clock)
    people = staff(herstel)
    started = clock.now
    with Stopwatch() as reporting:
        for number in range(args.due):
            report_incident(
                uow=herstel.uow(),
                principal=people.officer,
                algorithm_id=people.algorithm_id,
                title=f"Signaal {number}",
                description="Benchmark",
                source="citizen",
                detected_at=clock.now - timedelta(hours=1),
                protected_grounds=["nationality"],
            )
    with herstel.db.engine.connect() as connection:
        real = connection.execute(text("SELECT count(*) FROM deadlines WHERE state = 'open'")).scalar_one()
        latest_check = connection.execute(text("SELECT max(next_check_at) FROM deadlines")).scalar_one()
    filler = max(args.total - real, 0)
    with Stopwatch() as loading:
        _load_filler(herstel, filler, args.per_incident, started)
    with herstel.db.engine.connect() as connection:
        connection.execute(text("ANALYZE deadlines"))
        connection.execute(text("ANALYZE incidents"))
        connection.commit()
    # Past every real incident's first check, long before any filler deadline's.
    clock.now = max(latest_check, started + timedelta(days=1)) + timedelta(minutes=1)
    now = clock.now
    with herstel.db.engine.connect() as connection:
        due_deadlines = connection.execute(
            text("SELECT count(*) FROM deadlines WHERE state = 'open' AND next_check_at <= :now"), {"now": now}
        ).scalar_one()
        total_open = connection.execute(text("SELECT count(*) FROM deadlines WHERE state = 'open'")).scalar_one()
    selection = _time_selection(herstel, args.batch, args.repeat)
    plan = _explain(herstel, now, args.batch)
    with Stopwatch() as batch:
        touched = sweep_deadlines(uow_factory=herstel.uow, limit=args.batch)
    rest = 0
    with Stopwatch() as remaining:
        while True:
            done = sweep_deadlines(uow_factory=herstel.uow, limit=args.batch)
            rest += done
            if not done:
                break
    idle = _time_selection(herstel, args.batch, args.repeat)
    return {
        "conditions": conditions(herstel),
        "setup": {
            "open_deadlines": total_open,
            "due_deadlines": due_deadlines,
            "due_incidents": args.due,
            "filler_deadlines": filler,
            "report_seconds": round(reporting.seconds, 1),
            "copy_seconds": round(loading.seconds, 1),
        },
        "selection_ms_best": selection["best"],
        "selection_ms_median": selection["median"],
        "selection_rows": selection["rows"],
        "full_batch": {
            "incidents": touched,
            "seconds": round(batch.seconds, 3),
            "ms_per_incident": round(batch.seconds * 1000 / touched, 2) if touched else None,
            "cpu_seconds": round(batch.cpu_seconds, 3),
        },
        "rest_of_the_sweep": {"incidents": rest, "seconds": round(remaining.seconds, 3)},
        "idle_selection_ms_best": idle["best"],
        "idle_selection_rows": idle["rows"],
        "plan": plan,
    }


def _load_filler(herstel: Herstel, count: int, per_incident: int, at: datetime) -> None:
    """Filler incidents and their open deadlines, by COPY (they are never loaded as aggregates)."""
    incidents = max((count + per_incident - 1) // per_incident, 0)
    far = at + timedelta(days=365)
    raw = herstel.db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        ids = copy_filler_incidents(cursor, incidents, at=at)
        with cursor.copy(
            "COPY deadlines (id, incident_id, rule, subject, step, set_at, due_at, last_day, legal_basis, state,"
            " reminders_sent, escalations, next_check_at) FROM STDIN"
        ) as copy:
            for number in range(count):
                incident_id = ids[number // per_incident]
                due = far + timedelta(minutes=number % 100_000)
                copy.write_row(
                    (
                        uuid.uuid4(),
                        incident_id,
                        "assess",
                        None,
                        "assess",
                        at,
                        due,
                        due.date(),
                        "bench",
                        "open",
                        0,
                        0,
                        due - timedelta(days=7),
                    )
                )
        raw.commit()
    finally:
        raw.close()


def _time_selection(herstel: Herstel, limit: int, repeat: int) -> dict[str, Any]:
    times, rows = [], 0
    for _ in range(repeat):
        with herstel.uow().read_only() as uow, Stopwatch() as watch:
            rows = len(uow.incidents.due_for_check(now=uow.now(), limit=limit))
        times.append(watch.seconds * 1000)
    times.sort()
    return {"best": round(times[0], 2), "median": round(times[len(times) // 2], 2), "rows": rows}


def _explain(herstel: Herstel, now: Any, limit: int) -> str:
    """The plan of the selection: the statement `due_for_check` sends, with the real parameters."""
    with herstel.db.engine.connect() as connection:
        rows = connection.execute(
            text(
                "EXPLAIN (ANALYZE, BUFFERS) SELECT deadlines.incident_id FROM deadlines"
                " WHERE deadlines.state = 'open' AND deadlines.next_check_at <= :now"
                " GROUP BY deadlines.incident_id LIMIT :limit"
            ),
            {"now": now, "limit": limit},
        ).scalars()
        return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
