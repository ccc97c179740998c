"""Event handlers take effect once per event and do not depend on the order events arrive in.

Workers run several threads and processes, and the relay resends what was not handled in time,
so an ApprovalGranted can be handled before the ApprovalRequested it answers.
"""

from __future__ import annotations

from typing import Any

import pytest

from installation import Herstel
from protocol.services import (
    approve,
    get_timeline,
    handle_event,
    handlers_for,
    list_notices,
    reject_approval,
    sweep_deadlines,
)
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People


def event_ids(herstel: Herstel, people: People, incident_id: Any, event_type: str) -> list[int]:
    with herstel.uow().read_only() as uow:
        events = uow.timeline.page(incident_id, limit=1000)
    return [e.id for e in events if e.type == event_type and e.id is not None]


def deliver(herstel: Herstel, event_id: int) -> list[str]:
    return handle_event(uow_factory=herstel.uow, event_id=event_id, handlers_for=handlers_for)


def open_notices(herstel: Herstel, people: People, kind: str) -> list[dict[str, Any]]:
    return [n for n in list_notices(uow=herstel.uow(), principal=people.coordinator) if n["kind"] == kind]


def test_the_ledger_lets_each_handler_claim_an_event_once(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    event_id = event_ids(herstel, people, incident["id"], "IncidentReported")[0]

    claims = []
    for handler in ("first", "first", "second", "first"):
        with herstel.uow() as uow:
            claims.append(uow.handled.claim(handler, event_id, uow.now()))
            uow.commit()

    assert claims == [True, False, True, False]
    with herstel.uow().read_only() as uow:
        assert uow.handled.count() == 2


def test_a_claim_rolled_back_with_its_handler_can_be_made_again(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.report(herstel, people, algorithm_id, detected_at=clock.now)
    event_id = event_ids(herstel, people, incident["id"], "IncidentReported")[0]
    with herstel.uow() as uow:
        assert uow.handled.claim("flaky", event_id, uow.now())
        # the handler failed: no commit, the claim goes with it

    with herstel.uow() as uow:
        assert uow.handled.claim("flaky", event_id, uow.now())
        uow.commit()


@pytest.mark.parametrize("decision", ["granted", "rejected"])
@pytest.mark.parametrize("order", ["in order", "answer first"])
def test_an_approval_notice_ends_resolved_whatever_order_the_events_arrive_in(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, order: str, decision: str
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    waiting = flows.request_waiver(herstel, people, incident, "suspend")
    requested = event_ids(herstel, people, incident["id"], "ApprovalRequested")
    assert len(requested) == 1
    if decision == "granted":
        approve(
            uow=herstel.uow(),
            principal=people.coordinator,
            incident_id=incident["id"],
            approval_id=waiting["approval_id"],
            version=waiting["version"],
        )
        answered = event_ids(herstel, people, incident["id"], "ApprovalGranted")
    else:
        reject_approval(
            uow=herstel.uow(),
            principal=people.coordinator,
            incident_id=incident["id"],
            approval_id=waiting["approval_id"],
            version=waiting["version"],
            note="Niet voldoende onderbouwd.",
        )
        answered = event_ids(herstel, people, incident["id"], "ApprovalRejected")

    sequence = requested + answered if order == "in order" else answered + requested
    ran = [deliver(herstel, event_id) for event_id in sequence]
    again = [deliver(herstel, event_id) for event_id in sequence]

    assert all(ran)
    assert again == [[], []]  # redelivery: no handler runs twice
    assert open_notices(herstel, people, "approval") == []
    with herstel.uow().read_only() as uow:
        notices = [(n.kind, n.resolved_at is not None) for n in uow.notices.for_incident(incident["id"])]
    assert notices == [("approval", True)]


@pytest.mark.parametrize("order", ["in order", "met first"])
def test_a_missed_deadline_notice_ends_resolved_when_the_step_is_done_late(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, order: str
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    clock.advance(days=3)
    sweep_deadlines(uow_factory=herstel.uow)
    incident = flows.do_step(herstel, people.officer, _fresh(herstel, people, incident), "suspend", flows.SUSPENSION)
    missed = event_ids(herstel, people, incident["id"], "DeadlineMissed")
    met = event_ids(herstel, people, incident["id"], "DeadlineMet")
    timeline = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"], limit=1000)
    suspend_met = [
        e["seq"] for e in timeline["events"] if e["type"] == "DeadlineMet" and e["payload"]["rule"] == "suspend"
    ]
    assert missed
    assert suspend_met

    sequence = missed + met if order == "in order" else met + missed
    for event_id in sequence:
        deliver(herstel, event_id)

    still_open = {n["subject"] for n in open_notices(herstel, people, "deadline_missed")}
    with herstel.uow().read_only() as uow:
        notices = len(uow.notices.for_incident(incident["id"]))
    assert notices == len(missed)
    suspend_deadline = next(d for d in incident["deadlines"] if d["rule"] == "suspend")
    assert str(suspend_deadline["id"]) not in still_open


def _fresh(herstel: Herstel, people: People, incident: dict[str, Any]) -> dict[str, Any]:
    from protocol.services import get_incident

    return get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident["id"])
