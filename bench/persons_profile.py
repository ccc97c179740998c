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

from benchkit import DEFAULT_ADMIN_URL, SteppingClock, installation, throwaway_database  # noqa: E402
from notify import ceiling_insert, ceiling_letters, ceiling_persons, persons_csv  # noqa: E402

from notifications.services import import_persons, open_vault, set_letterhead, start_campaign, unit_of_work  # noqa: E402
from protocol.services import (  # noqa: E402
    Principal,
    complete_step,
    create_user,
    ensure_default_organisation,
    get_principal,
    register_algorithm,
    report_incident,
)


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
        organisation = ensure_default_organisation(uow=herstel.uow())
        set_letterhead(
            uow=herstel.uow(),
            principal=Principal.installation(),
            organisation_id=organisation,
            values={"name": "Gemeente", "postal_address": "Postbus 1\n1000 AB  Stad", "phone": "14 020"},
        )
        user = create_user(
            uow=herstel.uow(), by=Principal.installation(), email="p@example.nl", roles=["officer"],
            organisation_id=organisation,
        )  # fmt: skip
        officer = get_principal(uow=herstel.uow(), user_id=user)
        algorithm = register_algorithm(uow=herstel.uow(), principal=officer, name="Bench", lars="12345670")
        incident = report_incident(
            uow=herstel.uow(), principal=officer, algorithm_id=algorithm["id"], title="Bench", description="",
            source="other", detected_at=herstel.clock(), protected_grounds=[],
        )  # fmt: skip
        complete_step(uow=herstel.uow(), principal=officer, incident_id=incident["id"], step="assess",
                      version=incident["version"],
                      evidence={"outcome": "established", "severity": 2, "estimated_affected": args.persons,
                                "high_risk_ai": False, "personal_data_breach": False, "widespread": False,
                                "summary": "bench"})  # fmt: skip
        data = persons_csv(args.persons, 0.0)
        vault = open_vault(herstel.settings)

        def run_import() -> None:
            import_persons(uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=incident["id"],
                           data=data, max_bytes=len(data) + 1)  # fmt: skip

        def run_queue() -> None:
            start_campaign(
                uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"], kind="notification"
            )

        rows = args.persons
        result = {"import_s": timed("import", args.profile, run_import)}
        if args.reimport:
            result["reimport_s"] = timed("re-import", args.profile, run_import)
        result["queue_s"] = timed("queue", args.profile, run_queue)
        ceiling = ceiling_insert(herstel.db.engine, rows)
        letters_floor = ceiling_letters(herstel.db.engine, incident["id"])
        persons_floor = ceiling_persons(herstel.db.engine, incident["id"], rows)
        herstel.close()
    print("load", open("/proc/loadavg").read().strip(), "pid", os.getpid())  # noqa: SIM115
    print(f"persons {rows}; bare COPY {ceiling:,.0f} rows/s; COPY into affected_persons {persons_floor:,.0f} rows/s, "
          f"into letters {letters_floor:,.0f} rows/s")  # fmt: skip
    for stage, seconds in result.items():
        rate = rows / seconds
        print(f"{stage:12} {seconds:6.2f} s  {rate:9,.0f} rows/s  {rate / ceiling:.2f} of the bare COPY")


if __name__ == "__main__":
    main()
