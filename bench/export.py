"""Benchmark: export an incident's bundle and verify it offline, at 10,000 and 100,000 events (PostgreSQL).

The events are built fast: through the repository (`Incident.note`, `IncidentRepository.save`,
the real sealing onto the chain) in large transactions, then sequenced into the transparency
log and signed by the export itself. `export` is `services.export_incident` to a file, as
`herstel export` does; `verify-export` is `protocol.export_verify.verify_export` on that file
(best of --repeat, untraced), its peak Python allocation under tracemalloc (a separate run), and
the peak RSS of `python -m protocol.export_verify` in a fresh process. Goal: verify-export of
100,000 events under 2 s, memory flat from 10,000 to 100,000. See bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchkit import SteppingClock, Stopwatch, add_database_arguments, conditions, installation, report, staff
from benchkit import throwaway_database as database
from chain import analyze, new_incident, payload, profiled

from installation import Herstel
from protocol.export_verify import verify_export
from protocol.services import SYSTEM, Principal, export_incident, installation_public_key

GOAL_SECONDS = 2.0


def build(herstel: Herstel, incident_id: uuid.UUID, events: int, batch: int) -> float:
    """Append events to the incident through the repository, `batch` per transaction; seconds taken."""
    started, written = time.perf_counter(), 0
    while written < events:
        count = min(batch, events - written)
        with herstel.uow() as uow:
            incident = uow.incidents.get(incident_id)
            now = uow.now()
            for number in range(written, written + count):
                incident.note("LettersBatchRecorded", payload(number), actor=SYSTEM, now=now)
            uow.incidents.save(incident)
            uow.commit()
        written += count
    return time.perf_counter() - started


def measure(herstel: Herstel, incident_id: uuid.UUID, folder: Path, repeat: int, *, profile: bool) -> dict[str, Any]:
    bundle = folder / f"{incident_id}.zip"
    with Stopwatch() as exported, bundle.open("wb") as out:
        manifest = export_incident(
            uow_factory=herstel.uow,
            principal=Principal.installation(),
            incident_id=incident_id,
            private_key=herstel.settings.signing_key_bytes(),
            out=out,
        )
    key_text = installation_public_key(private_key=herstel.settings.signing_key_bytes())
    key = base64.b64decode(key_text)
    best = float("inf")
    for _ in range(repeat):
        with Stopwatch() as watch:
            result = verify_export(bundle, key)
        if not result.valid:
            raise SystemExit(f"the bundle did not verify: {result}")
        best = min(best, watch.seconds)
    if profile:
        print(profiled(lambda: verify_export(bundle, key)), file=sys.stderr)
    tracemalloc.start()
    verify_export(bundle, key)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fresh = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, sys; from protocol.export_verify import main; code = main(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)",
            str(bundle),
            "--public-key",
            key_text,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if fresh.returncode != 0:
        raise SystemExit(f"python -m protocol.export_verify failed: {fresh.stderr}")
    return {
        "events": manifest["events"],
        "tree_size": manifest["tree_size"],
        "bundle_mb": round(bundle.stat().st_size / 1e6, 1),
        "export_seconds": round(exported.seconds, 2),
        "export_cpu_seconds": round(exported.cpu_seconds, 2),
        "verify_seconds": round(best, 3),
        "verify_events_per_second": round(manifest["events"] / best),
        "verify_peak_traced_mb": round(peak / 1e6, 2),
        "verify_process_max_rss_mb": round(int(fresh.stderr.strip().splitlines()[-1]) / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog="Method and results: bench/README.md")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 100_000], help="events per incident (default: %(default)s)"
    )
    parser.add_argument("--batch", type=int, default=5000, help="events per transaction (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="verify runs; the best counts (default: %(default)s)")
    parser.add_argument(
        "--bundles", type=Path, default=None, help="keep the bundles in this folder (to profile the verifier on them)"
    )
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one verify-export per size")
    add_database_arguments(parser)
    args = parser.parse_args(argv)

    with database(args.pg_admin_url, keep=args.keep) as url, tempfile.TemporaryDirectory() as scratch:
        folder = args.bundles or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        clock = SteppingClock(step=timedelta(microseconds=10))
        herstel = installation(url, clock)
        try:
            people = staff(herstel)
            results: dict[str, Any] = {"batch": args.batch}
            for size in args.sizes:
                incident_id = new_incident(herstel, people, clock)
                with herstel.uow().read_only() as uow:
                    first, _ = uow.incidents.head(incident_id)
                built = build(herstel, incident_id, size - first, args.batch)
                analyze(herstel)
                start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                measured = measure(herstel, incident_id, folder, args.repeat, profile=args.profile)
                measured["build_seconds"] = round(built, 1)
                measured["bench_process_max_rss_growth_mb"] = round(
                    (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024, 1
                )
                results[f"{size}_events"] = measured
            largest = results[f"{max(args.sizes)}_events"]
            results["goal_verify_seconds"] = GOAL_SECONDS
            results["goal_met"] = largest["verify_seconds"] < GOAL_SECONDS
            results["conditions"] = conditions(herstel)
            report("export bundle: export and verify-export (PostgreSQL)", results, args.json)
        finally:
            herstel.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
