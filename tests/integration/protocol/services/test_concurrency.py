"""Concurrent actions: one incident's chain never forks, and different incidents never deadlock.

Racers are threads of one installation, or OS processes each bootstrapping their own installation
on the same database. PostgreSQL serialises actions on an incident with its row lock; SQLite
serialises every writer with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from installation import Herstel
from protocol.services import Principal, get_incident, get_timeline, list_incidents, verify_incident
from tests.conftest import Clock
from tests.integration import flows, racers
from tests.integration.flows import People

MODES = ["threads", "processes"]


def race(herstel: Herstel, mode: str, action: str, jobs: list[racers.Job]) -> list[str]:
    if mode == "threads":
        return racers.in_threads(herstel, action, jobs)
    return racers.in_processes(action, jobs)


def jobs_for(herstel: Herstel, clock: Clock, people: People, incidents: list[dict[str, Any]]) -> list[racers.Job]:
    settings = herstel.settings
    return [
        racers.Job(
            index=index,
            database_url=settings.resolved_database_url(),
            data_dir=str(Path(settings.data_dir)),
            now=clock.now,
            user_id=people.officer.user_id,
            incident_id=incident["id"],
            version=incident["version"],
        )
        for index, incident in enumerate(incidents)
    ]


def assert_one_unforked_chain(herstel: Herstel, people: People, incident_id: Any) -> list[dict[str, Any]]:
    report = verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id)
    events = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident_id, limit=1000)["events"]
    assert report.valid, report
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert report.events == len(events)
    return events


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("racers_count", [2, 8])
def test_racing_actions_on_one_version_one_wins_the_rest_are_stale(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, mode: str, racers_count: int
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    before = assert_one_unforked_chain(herstel, people, incident["id"])

    outcomes = race(herstel, mode, "start_a_step", jobs_for(herstel, clock, people, [incident] * racers_count))

    assert sorted(outcomes) == ["ok"] + ["stale"] * (racers_count - 1), outcomes
    after = get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"])
    assert after["version"] == incident["version"] + 1
    assert sum(step["state"] == "active" for step in after["steps"].values()) == 1
    events = assert_one_unforked_chain(herstel, people, incident["id"])
    new = events[len(before) :]
    assert [e["type"] for e in new].count("StepStarted") == 1
    assert events[: len(before)] == before


@pytest.mark.parametrize("mode", MODES)
def test_actions_on_many_incidents_at_once_all_succeed(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, mode: str
) -> None:
    incidents = [flows.report(herstel, people, algorithm_id, detected_at=clock.now) for _ in range(8)]

    outcomes = race(herstel, mode, "drive_own_incident", jobs_for(herstel, clock, people, incidents))

    assert outcomes == ["ok"] * len(incidents), outcomes
    for incident in incidents:
        events = assert_one_unforked_chain(herstel, people, incident["id"])
        types = Counter(e["type"] for e in events)
        assert types["StepCompleted"] == 3  # assess, suspend, report: nothing lost, nothing doubled


def test_reporting_from_many_threads_at_once_numbers_incidents_without_gaps(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    import threading

    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def report() -> None:
        barrier.wait(timeout=60)
        try:
            flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(hours=1))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=report) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    listed = list_incidents(uow=herstel.uow(), principal=people.officer, per_page=100)
    numbers = sorted(int(item["reference"].rsplit("-", 1)[1]) for item in listed["items"])
    assert numbers == list(range(1, 9))
