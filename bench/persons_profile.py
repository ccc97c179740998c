"""Profile: importing persons and queueing their campaign, in-process, on a throwaway PostgreSQL database.

    python bench/persons_profile.py --persons 20000 [--profile] [--reimport]

Prints the wall time of each stage (import, re-import of the same file when asked, queueing) beside
a bare COPY of as many rows of the sealed persons' shape, measured in the same run; with --profile,
the top of a cProfile of each stage (cumulative time). No worker, no scheduler: only the two stages.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import (  # noqa: E402
    DEFAULT_ADMIN_URL,
    SteppingClock,
    assessed_incident,
    campaign_staff,
    installation,
    throwaway_database,
)
from notify import ceiling_insert, ceiling_letters, ceiling_persons, persons_csv  # noqa: E402

from notifications.services import import_persons, open_vault, start_campaign, unit_of_work  # noqa: E402


def timed(label: str, profile: bool, call: object) -> float:
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    call()  # type: ignore[operator]
    if profiler is not None:
        profiler.disable()
    elapsed = time.perf_counter() - started
    if profiler is not None:
        print(f"--- {label}: {elapsed:.2f} s")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--reimport", action="store_true", help="also import the same file again (every row merges)")
    args = parser.parse_args()
    print("load", open("/proc/loadavg").read().strip())  # noqa: SIM115
    with throwaway_database(DEFAULT_ADMIN_URL) as url:
        herstel = installation(url, SteppingClock())
        people = campaign_staff(herstel)
        officer = people.officer
        incident_id = assessed_incident(herstel, people, affected=args.persons)
        data = persons_csv(args.persons, 0.0)
        vault = open_vault(herstel.settings)

        def run_import() -> None:
            import_persons(uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=incident_id,
                           data=data, max_bytes=len(data) + 1)  # fmt: skip

        def run_queue() -> None:
            start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id, kind="notification")

        rows = args.persons
        result = {"import_s": timed("import", args.profile, run_import)}
        if args.reimport:
            result["reimport_s"] = timed("re-import", args.profile, run_import)
        result["queue_s"] = timed("queue", args.profile, run_queue)
        ceiling = ceiling_insert(herstel.db.engine, rows)
        letters_floor = ceiling_letters(herstel.db.engine, incident_id)
        persons_floor = ceiling_persons(herstel.db.engine, incident_id, rows)
        herstel.close()
    print("load", open("/proc/loadavg").read().strip(), "pid", os.getpid())  # noqa: SIM115
    print(f"persons {rows}; bare COPY {ceiling:,.0f} rows/s; COPY into affected_persons {persons_floor:,.0f} rows/s, "
          f"into letters {letters_floor:,.0f} rows/s")  # fmt: skip
    for stage, seconds in result.items():
        rate = rows / seconds
        print(f"{stage:12} {seconds:6.2f} s  {rate:9,.0f} rows/s  {rate / ceiling:.2f} of the bare COPY")


if __name__ == "__main__":
    main()
