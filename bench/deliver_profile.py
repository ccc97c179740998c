"""Worker CPU per letter: `deliver_letters` in this process, the SMTP sink in another.

    python bench/deliver_profile.py [--letters 2000] [--batch 500] [--profile out.prof] [--repeat 1]

The machine is shared, so wall time says little; this measures `time.process_time()` (this
process's CPU: rendering, sealing copies, building messages, the SMTP client, the database client)
around each `deliver_letters` call, as the worker would run it on batches of `--batch` letters.
The sink (aiosmtpd, as in bench/notify.py), PostgreSQL and a redis-server of its own run in their
own processes and are not counted. With `--profile`, one more pass runs under cProfile (its
stats are written there, and the top of them printed) on fresh letters.

Each pass imports `--letters` persons into a fresh incident and queues its campaign (not timed);
no worker runs, so the letters wait for this process.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import assessed_incident, campaign_staff  # noqa: E402
from notify import mail_stack, persons_csv  # noqa: E402

from installation import bootstrap, upgrade_database  # noqa: E402
from notifications.services import (  # noqa: E402
    deliver_letters,
    import_persons,
    open_vault,
    start_campaign,
    unit_of_work,
    unit_of_work_factory,
)

SPENT: dict[str, float] = {}


def _timed(owner: object, attribute: str, label: str) -> None:
    """Wrap `owner.attribute` so the CPU spent inside it adds up under `label` (nested wraps count twice)."""
    inner = getattr(owner, attribute)

    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[label] = SPENT.get(label, 0.0) + time.process_time() - started

    setattr(owner, attribute, wrapper)


def breakdown() -> None:
    """Where `deliver_letters` spends its CPU, by step (the wrappers cost about a microsecond a call)."""
    from notifications import channels, delivery

    for owner, attribute, label in [
        (delivery, "_claim", "claim (UPDATE … RETURNING, persons, open recipients)"),
        (delivery, "open_recipient", "  of which: open recipients (AES-GCM)"),
        (delivery, "letter_context", "render: context"),
        (delivery, "new_access_code", "render: access code"),
        (delivery, "render_letter", "render: template, markup, text, HTML"),
        (delivery, "seal_copy", "seal copy (canonical JSON, SHA-256, AES-GCM)"),
        (delivery, "_write_pending_attempts", "pending attempts + copies (INSERT)"),
        (channels.SmtpChannel, "build", "SMTP: building the message"),
        (channels.SmtpChannel, "_send_one", "SMTP: client (incl. building)"),
        (delivery, "_record", "record outcomes (UPDATEs)"),
        (delivery, "settle_incident", "settle incident (ledger batch, event)"),
    ]:
        _timed(owner, attribute, label)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes so far (0 for one that has gone)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=1, help="timed passes (fresh letters each)")
    parser.add_argument("--breakdown", action="store_true", help="CPU per step, from wrappers")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile stats of one more pass here")
    args = parser.parse_args()
    with mail_stack("herstel-deliver-") as stack:
        settings, processes = stack.settings, stack.processes
        herstel = bootstrap(settings)
        upgrade_database(herstel=herstel)
        vault = open_vault(herstel.settings)
        people = campaign_staff(herstel)
        officer = people.officer

        def queued_letters() -> list[uuid.UUID]:
            incident_id = assessed_incident(herstel, people, affected=args.letters)
            data = persons_csv(args.letters, 0.0)
            import_persons(uow=unit_of_work(herstel), vault=vault, principal=officer, incident_id=incident_id,
                           data=data, max_bytes=len(data) + 1)  # fmt: skip
            start_campaign(uow=unit_of_work(herstel), principal=officer, incident_id=incident_id, kind="notification")
            with herstel.db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT id FROM letters WHERE incident_id = :i AND status = 'queued' ORDER BY id"),
                    {"i": str(incident_id)},
                )
                return [row[0] for row in rows]

        sink_pid = processes[1].pid

        def backends() -> list[int]:
            """This database's PostgreSQL backends (the pool's connections): their CPU is the database's share."""
            with herstel.db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
                )
                return [int(row[0]) for row in rows]

        def deliver(ids: list[uuid.UUID]) -> tuple[float, float, int]:
            cpu, wall, delivered = 0.0, 0.0, 0
            for start in range(0, len(ids), args.batch):
                batch = ids[start : start + args.batch]
                c0, w0 = time.process_time(), time.perf_counter()
                report = deliver_letters(uow_factory=unit_of_work_factory(herstel), vault=vault,
                                         settings=herstel.settings, letter_ids=batch)  # fmt: skip
                cpu += time.process_time() - c0
                wall += time.perf_counter() - w0
                delivered += report.delivered
            return cpu, wall, delivered

        if args.breakdown:
            breakdown()
        deliver(queued_letters()[: args.batch])  # warm: templates, connections, caches
        for _ in range(args.repeat):
            ids = queued_letters()
            SPENT.clear()
            watched = backends()
            others = cpu_seconds(watched), cpu_seconds([sink_pid])
            cpu, wall, delivered = deliver(ids)
            database = cpu_seconds(watched) - others[0]
            sink_cpu = cpu_seconds([sink_pid]) - others[1]
            print(
                f"letters {len(ids)} delivered {delivered}: CPU {cpu / len(ids) * 1000:.2f} ms/letter, "
                f"wall {wall / len(ids) * 1000:.2f} ms/letter ({len(ids) / wall:.0f}/s), "
                f"load {Path('/proc/loadavg').read_text().split()[0]}"
            )
            print(
                f"    PostgreSQL backends {database / len(ids) * 1000:.2f} ms/letter, "
                f"SMTP sink {sink_cpu / len(ids) * 1000:.2f} ms/letter (other processes, 10 ms ticks)"
            )
            for label, spent in SPENT.items():
                print(f"    {label:56} {spent / len(ids) * 1e6:7.0f} µs/letter")
        if args.profile is not None:
            ids = queued_letters()
            profiler = cProfile.Profile(time.process_time)  # CPU, not waiting on the sink or PostgreSQL
            profiler.enable()
            deliver(ids)
            profiler.disable()
            profiler.dump_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        herstel.close()


if __name__ == "__main__":
    os.environ.setdefault("HERSTEL_ENV", "bench")
    main()
