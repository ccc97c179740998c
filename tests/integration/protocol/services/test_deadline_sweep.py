"""The scheduler's deadline sweep with a moved clock: reminders and misses are recorded once, and a
missed deadline escalates to the roles its rule names."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest

from installation import Herstel
from protocol.services import (
    Principal,
    get_incident,
    get_timeline,
    handle_event,
    handlers_for,
    list_notices,
    relay_once,
    sweep_deadlines,
    verify_incident,
)
from protocol.storage.uow import UnitOfWork
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People


def deadline(herstel: Herstel, people: People, incident_id: Any, rule: str) -> dict[str, Any]:
    incident = get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident_id)
    return next(d for d in incident["deadlines"] if d["rule"] == rule)


def deadline_events(herstel: Herstel, people: People, incident_id: Any) -> list[tuple[str, str]]:
    events = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident_id, limit=1000)["events"]
    return [(e["type"], e["payload"]["rule"]) for e in events if e["type"] in ("DeadlineApproaching", "DeadlineMissed")]


def as_instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def handle_everything(herstel: Herstel) -> None:
    """What the relay and a worker do, here in this process: every due event to its handlers.

    The handlers run after the relay's transaction, as on a worker: publishing only queues."""
    while True:
        queued: list[int] = []
        result = relay_once(uow=herstel.uow(), publish=queued.extend, has_handlers=lambda t: bool(handlers_for(t)))
        for event_id in queued:
            handle_event(uow_factory=herstel.uow, event_id=event_id, handlers_for=handlers_for)
        if not result.published:
            return


def test_a_reminder_and_then_a_miss_are_recorded_once_each(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    suspend = deadline(herstel, people, incident["id"], "suspend")
    due = as_instant(suspend["due_at"])
    assert suspend["state"] == "open"

    clock.now = due - timedelta(hours=4) + timedelta(minutes=1)  # past the reminder point (4 hours before)
    swept = sweep_deadlines(uow_factory=herstel.uow)
    again = sweep_deadlines(uow_factory=herstel.uow)

    assert swept == 1
    assert again == 0
    assert deadline_events(herstel, people, incident["id"]) == [("DeadlineApproaching", "suspend")]

    clock.now = due + timedelta(minutes=1)
    swept = sweep_deadlines(uow_factory=herstel.uow)
    timeline_after = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"], limit=1000)
    again = sweep_deadlines(uow_factory=herstel.uow)

    assert swept == 1
    assert again == 0
    assert deadline_events(herstel, people, incident["id"]) == [
        ("DeadlineApproaching", "suspend"),
        ("DeadlineMissed", "suspend"),
    ]
    assert get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"], limit=1000) == (
        timeline_after
    )
    assert deadline(herstel, people, incident["id"], "suspend")["state"] == "missed"
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident["id"]).valid


def test_a_sweep_long_after_records_the_reminders_and_the_miss_in_order(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))

    clock.advance(days=40)  # the scheduler was down for weeks: everything due comes at once
    sweep_deadlines(uow_factory=herstel.uow)
    sweep_deadlines(uow_factory=herstel.uow)

    recorded = deadline_events(herstel, people, incident["id"])
    per_rule = Counter(rule for _, rule in recorded)
    # every open rule: its one reminder (report-service-norm, suspend, inform) and then its miss
    assert set(per_rule) == {"suspend", "report-service-norm", "inform"}
    for rule in per_rule:
        assert [kind for kind, r in recorded if r == rule] == ["DeadlineApproaching", "DeadlineMissed"]


def test_a_deadline_met_in_time_is_never_missed(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    flows.do_step(herstel, people.officer, incident, "suspend", flows.SUSPENSION)

    clock.advance(days=5)
    sweep_deadlines(uow_factory=herstel.uow)

    assert ("DeadlineMissed", "suspend") not in deadline_events(herstel, people, incident["id"])
    assert deadline(herstel, people, incident["id"], "suspend")["state"] == "met"


def test_a_missed_deadline_escalates_to_the_coordinators_once(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    suspend = deadline(herstel, people, incident["id"], "suspend")
    clock.now = as_instant(suspend["due_at"]) + timedelta(hours=1)
    sweep_deadlines(uow_factory=herstel.uow)

    handle_everything(herstel)
    handle_everything(herstel)

    escalations = list_notices(uow=herstel.uow(), principal=people.coordinator)
    assert [(n["kind"], n["subject"], n["incident_id"]) for n in escalations] == [
        ("deadline_missed", str(suspend["id"]), incident["id"])
    ]
    assert list_notices(uow=herstel.uow(), principal=people.officer) == []

    # the step done late: the deadline is met late (no longer missed), the escalation is settled
    flows.do_step(herstel, people.officer, get_incident_view(herstel, people, incident), "suspend", flows.SUSPENSION)
    handle_everything(herstel)

    assert list_notices(uow=herstel.uow(), principal=people.coordinator) == []
    assert deadline(herstel, people, incident["id"], "suspend")["state"] == "met_late"


def get_incident_view(herstel: Herstel, people: People, incident: dict[str, Any]) -> dict[str, Any]:
    return get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"])


def recorded_once_each(herstel: Herstel, people: People, incident_ids: list[Any]) -> bool:
    """Every rule of every incident has its one reminder and then its one miss, nothing twice."""
    for incident_id in incident_ids:
        recorded = deadline_events(herstel, people, incident_id)
        for rule in {r for _, r in recorded}:
            if [kind for kind, r in recorded if r == rule] != ["DeadlineApproaching", "DeadlineMissed"]:
                return False
    return True


def test_two_sweeps_at_once_record_each_reminder_and_miss_once(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incidents = [
        flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))["id"]
        for _ in range(4)
    ]
    clock.advance(days=40)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def sweep() -> None:
        start.wait()
        try:
            sweep_deadlines(uow_factory=herstel.uow)
        except BaseException as error:  # reported below; a thread's exception would vanish
            failures.append(error)

    sweepers = [threading.Thread(target=sweep) for _ in range(2)]
    for sweeper in sweepers:
        sweeper.start()
    for sweeper in sweepers:
        sweeper.join(timeout=120)

    assert failures == []
    assert recorded_once_each(herstel, people, incidents)
    assert sweep_deadlines(uow_factory=herstel.uow) == 0
    for incident_id in incidents:
        assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident_id).valid


def test_a_sweep_that_dies_half_way_and_reruns_records_each_reminder_and_miss_once(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incidents = [
        flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))["id"]
        for _ in range(3)
    ]
    clock.advance(days=40)
    made: list[UnitOfWork] = []

    def dying_uow() -> UnitOfWork:
        """The sweep's query, one incident committed, then the process dies inside the second's transaction."""
        uow = herstel.uow()
        made.append(uow)
        if len(made) == 3:

            def die() -> None:
                raise SystemExit("killed half-way through the sweep")

            uow.commit = die  # type: ignore[method-assign]
        return uow

    with pytest.raises(SystemExit):
        sweep_deadlines(uow_factory=dying_uow)
    swept = [i for i in incidents if deadline_events(herstel, people, i)]
    assert len(swept) == 1  # the first incident's transaction committed, the second's rolled back

    assert sweep_deadlines(uow_factory=herstel.uow) == 2
    assert sweep_deadlines(uow_factory=herstel.uow) == 0
    assert recorded_once_each(herstel, people, incidents)
