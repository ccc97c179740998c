"""The scheduler lease in the database: one holder at a time, renewed by its holder, taken over once expired."""

from __future__ import annotations

import threading
from pathlib import Path

from installation import Herstel
from protocol.services import claim_scheduler_lease, release_scheduler_lease, scheduler_lease_holder
from tests.conftest import Clock
from workers.lease import FileLease


def claim(herstel: Herstel, holder: str, seconds: float = 30) -> bool:
    return claim_scheduler_lease(uow=herstel.uow(), holder=holder, seconds=seconds)


def test_one_holder_renews_and_another_takes_over_only_once_it_expired(herstel: Herstel, clock: Clock) -> None:
    assert claim(herstel, "a")
    assert not claim(herstel, "b")

    clock.advance(seconds=20)
    assert claim(herstel, "a")  # the heartbeat renews it to 20 + 30 s
    clock.advance(seconds=29)
    assert not claim(herstel, "b")
    assert scheduler_lease_holder(uow=herstel.uow()) == "a"

    clock.advance(seconds=2)  # a missed its heartbeats: it died
    assert scheduler_lease_holder(uow=herstel.uow()) is None
    assert claim(herstel, "b")
    assert not claim(herstel, "a")
    assert scheduler_lease_holder(uow=herstel.uow()) == "b"

    release_scheduler_lease(uow=herstel.uow(), holder="a")  # not a's to release
    assert not claim(herstel, "a")
    release_scheduler_lease(uow=herstel.uow(), holder="b")  # a clean stop
    assert claim(herstel, "a")


def test_of_many_claiming_at_once_exactly_one_holds_the_lease(herstel: Herstel) -> None:
    start = threading.Barrier(6)
    results: dict[str, bool] = {}

    def contend(holder: str) -> None:
        start.wait()
        results[holder] = claim(herstel, holder)

    threads = [threading.Thread(target=contend, args=(f"scheduler-{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    winners = [holder for holder, held in results.items() if held]
    assert len(results) == 6
    assert len(winners) == 1
    assert scheduler_lease_holder(uow=herstel.uow()) == winners[0]


def test_the_embedded_file_lock_has_one_holder_until_released(tmp_path: Path) -> None:
    first, second = FileLease(tmp_path), FileLease(tmp_path)

    assert first.hold()
    assert first.hold()  # held for the life of the process
    assert not second.hold()
    first.release()
    assert second.hold()
    assert not first.hold()
    second.release()
