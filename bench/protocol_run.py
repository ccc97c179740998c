"""Benchmark: incidents carried through the whole protocol by the service layer, on PostgreSQL.

Each incident: report, assess, suspend (start, complete), report to the bodies (start, complete),
investigate (start with the investigator, the report uploaded as a document, complete), inform
completed by the system, sanction and safeguard (start, complete each), close. Every action is
one service call and one transaction, as the web and the workers make them. At the end every
chain is verified. Reports actions per second, latency per action, events written.
See bench/README.md for method and recorded results.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from benchkit import (
    Staff,
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
from protocol.services import (
    Principal,
    close_incident,
    complete_step,
    complete_step_as_system,
    get_incident,
    report_incident,
    start_step,
    upload_document,
    verify_all,
)

ASSESSMENT = {
    "outcome": "suspected",
    "severity": 3,
    "estimated_affected": 1200,
    "high_risk_ai": False,
    "personal_data_breach": False,
    "widespread": False,
    "summary": "Aanvragers met een tweede nationaliteit kregen vaker een hoog risicoprofiel.",
}
EVIDENCE = {
    "suspend": {
        "scope": "full",
        "fallback_procedure": "Handmatige beoordeling.",
        "not_working_since": "2026-10-01T00:00:00Z",
        "confirmed_by_owner": True,
    },
    "report": {"bodies": [{"body": "autoriteit_persoonsgegevens", "informed_at": "2026-11-30T10:00:00Z"}]},
    "sanction": {"none_reason": "Geen individuele verwijtbaarheid."},
    "safeguard": {"safeguards": [{"measure": "owk-02", "description": "Bias-toets.", "review_date": "2027-12-01"}]},
}
REPORT_PDF = b"%PDF-1.7\n% onderzoeksrapport\n" + b"0" * 20_000


class Timings:
    """Seconds per action name, from all threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.lock = threading.Lock()

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
        with self.lock:
            self.seconds[name].append(elapsed)
        return result

    def count(self, *, reads: bool = False) -> int:
        """Write actions (one transaction each), or with `reads` the reads between them."""
        return sum(len(v) for name, v in self.seconds.items() if name.endswith("(read)") == reads)

    def summary(self) -> dict[str, str]:
        def ms(values: list[float], q: int) -> float:
            return round(statistics.quantiles(values, n=100)[q - 1] * 1000, 1) if len(values) > 1 else 0.0

        return {
            name: f"n={len(v)} p50={ms(v, 50)} ms p95={ms(v, 95)} ms"
            for name, v in sorted(self.seconds.items(), key=lambda item: item[0])
        }


def run_incident(herstel: Herstel, people: Staff, timings: Timings, detected_at: Any) -> None:
    """One incident from report to close, every action a service call in its own transaction."""
    officer = people.officer
    incident = timings.run(
        "report_incident",
        lambda: report_incident(
            uow=herstel.uow(),
            principal=officer,
            algorithm_id=people.algorithm_id,
            title="Risicoprofiel benadeelt dubbele nationaliteit",
            description="Signaal van een medewerker.",
            source="employee",
            detected_at=detected_at,
            protected_grounds=["nationality"],
        ),
    )
    incident_id = incident["id"]

    def act(name: str, who: Any, call: Callable[..., dict[str, Any]], **kwargs: Any) -> None:
        nonlocal incident
        version = incident["version"]
        incident = timings.run(
            name, lambda: call(uow=herstel.uow(), principal=who, incident_id=incident_id, version=version, **kwargs)
        )

    act("complete assess", officer, complete_step, step="assess", evidence=ASSESSMENT)
    for step in ("suspend", "report"):
        act(f"start {step}", officer, start_step, step=step)
        act(f"complete {step}", officer, complete_step, step=step, evidence=EVIDENCE[step])
    act(
        "start investigate",
        officer,
        start_step,
        step="investigate",
        evidence={"investigator": str(people.investigator.user_id), "due_date": "2027-03-01"},
    )
    document = timings.run(
        "upload_document",
        lambda: upload_document(
            uow=herstel.uow(),
            principal=people.investigator,
            incident_id=incident_id,
            filename="onderzoeksrapport.pdf",
            content_type="application/pdf",
            content=REPORT_PDF,
        ),
    )
    act(
        "complete investigate",
        people.investigator,
        complete_step,
        step="investigate",
        evidence={"report_document": str(document["id"]), "conclusion": "established"},
    )

    def inform() -> None:
        with herstel.uow() as uow:
            complete_step_as_system(
                uow, incident_id=incident_id, step="inform", evidence={"letters": 0, "delivered": 0, "failed": 0}
            )
            uow.commit()

    timings.run("inform (system)", inform)
    # the officer's page shows the incident again, at the version the system moved it to
    incident = timings.run(
        "get_incident (read)", lambda: get_incident(uow=herstel.uow(), principal=officer, incident_id=incident_id)
    )
    for step in ("sanction", "safeguard"):
        act(f"start {step}", officer, start_step, step=step)
        act(f"complete {step}", officer, complete_step, step=step, evidence=EVIDENCE[step])
    act("close_incident", people.coordinator, close_incident)
    if incident["state"] != "closed":
        raise SystemExit(f"incident {incident_id} did not close: {incident['state']}")


def events_written(herstel: Herstel) -> tuple[int, dict[str, int]]:
    with herstel.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT type, count(*) FROM events GROUP BY type ORDER BY 2 DESC").all()
    per_type = {str(t): int(n) for t, n in rows}
    return sum(per_type.values()), per_type


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Method and results: bench/README.md")
    parser.add_argument("--incidents", type=int, default=1000, help="incidents to run (default: %(default)s)")
    parser.add_argument(
        "--threads", type=int, default=1, help="client threads, each with its own incidents (default: %(default)s)"
    )
    add_database_arguments(parser)
    args = parser.parse_args(argv)

    with throwaway_database(args.pg_admin_url, keep=args.keep) as url:
        clock = SteppingClock(step=timedelta(milliseconds=1))
        herstel = installation(url, clock)
        try:
            people = staff(herstel)
            detected_at = clock.now - timedelta(days=1)
            timings = Timings()
            shares = [args.incidents // args.threads + (i < args.incidents % args.threads) for i in range(args.threads)]
            failures: list[BaseException] = []

            def client(count: int) -> None:
                try:
                    for _ in range(count):
                        run_incident(herstel, people, timings, detected_at)
                except BaseException as error:
                    failures.append(error)
                    raise

            threads = [threading.Thread(target=client, args=(share,)) for share in shares]
            with Stopwatch() as run:
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            if failures:
                raise SystemExit(f"{len(failures)} client(s) failed: {failures[0]!r}")
            total_events, per_type = events_written(herstel)
            with Stopwatch() as check:
                reports = verify_all(uow_factory=herstel.uow, principal=Principal.installation())
            invalid = [r for r in reports if not r.valid]
            results = {
                "incidents": args.incidents,
                "threads": args.threads,
                "actions": timings.count(),
                "reads": timings.count(reads=True),
                "seconds": round(run.seconds, 2),
                "actions_per_second": rate(timings.count(), run.seconds),
                "incidents_per_second": round(args.incidents / run.seconds, 2),
                "client_cpu_share": round(run.cpu_seconds / run.seconds, 2),
                "events_written": total_events,
                "events_per_action": round(total_events / timings.count(), 2),
                "events_per_second": rate(total_events, run.seconds),
                "verify_all": {
                    "chains": len(reports),
                    "valid": len(reports) - len(invalid),
                    "events": sum(r.events for r in reports),
                    "seconds": round(check.seconds, 2),
                    "events_per_second": rate(sum(r.events for r in reports), check.seconds),
                },
                "latency": timings.summary(),
                "events_by_type": per_type,
                "conditions": conditions(herstel),
            }
            report("the whole protocol through the services (PostgreSQL)", results, args.json)
            if invalid:
                print(f"INVALID chains: {[r.as_dict() for r in invalid]}", file=sys.stderr)
                return 1
        finally:
            herstel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
