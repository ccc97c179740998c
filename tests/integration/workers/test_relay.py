"""The outbox relay into a real Redis and a real `herstel worker` process.

Delivery is at least once (the relay resends what was not handled in time; Redis can lose what it
held), and every handler's effect happens exactly once (the handled-events ledger). These tests
deliver through real Redis to a real worker process and count effects in the database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import dramatiq
import pytest
import sqlalchemy as sa

from installation import Herstel
from protocol.services import approve, handlers_for, list_notices, relay_once, sweep_deadlines
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People
from tests.integration.workers.conftest import PrivateRedis, Queue, WorkerProcess, wait_until
from workers import relay

DELIVERY_TIMEOUT = 120.0


def make_events(herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, incidents: int = 4) -> None:
    """Events with handlers: waivers awaiting a second signature (ApprovalRequested), half of them
    granted (ApprovalGranted), and deadlines missed by the sweep (DeadlineMissed)."""
    for number in range(incidents):
        incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
        waiting = flows.request_waiver(herstel, people, incident, "suspend")
        if number % 2 == 0:
            approve(
                uow=herstel.uow(),
                principal=people.coordinator,
                incident_id=incident["id"],
                approval_id=waiting["approval_id"],
                version=waiting["version"],
            )
    clock.advance(days=3)  # the suspend deadline (1 working day) passes for the waivers not granted
    assert sweep_deadlines(uow_factory=herstel.uow) > 0
    clock.advance(minutes=1)


def scalar_rows(herstel: Herstel, sql: str) -> list[tuple[Any, ...]]:
    with herstel.db.engine.connect() as connection:
        return [tuple(row) for row in connection.exec_driver_sql(sql)]


def effects(herstel: Herstel) -> dict[str, Any]:
    """What the handlers did, as the database shows it."""
    return {
        "handled": dict(scalar_rows(herstel, "SELECT handler, count(*) FROM handled_events GROUP BY handler")),
        "notices": dict(scalar_rows(herstel, "SELECT kind, count(*) FROM notices GROUP BY kind")),
        "resolved": dict(
            scalar_rows(herstel, "SELECT kind, count(*) FROM notices WHERE resolved_at IS NOT NULL GROUP BY kind")
        ),
        "outbox": outbox(herstel),
    }


def expected_effects(herstel: Herstel) -> dict[str, Any]:
    """What the handlers must have done, exactly once each, for the events on the timelines."""
    types = Counter(dict(scalar_rows(herstel, "SELECT type, count(*) FROM events GROUP BY type")))
    handled: Counter[str] = Counter()
    for event_type, count in types.items():
        for name in handlers_for(event_type):
            handled[name] += count
    # the rules escalate a missed deadline to one role (coordinator): one notice each
    return {
        "handled": dict(handled),
        "notices": {"approval": types["ApprovalRequested"], "deadline_missed": types["DeadlineMissed"]},
        "resolved": {"approval": types["ApprovalGranted"]},
        "outbox": 0,
    }


def events_with_handlers(herstel: Herstel) -> list[int]:
    return [
        event_id
        for event_id, event_type in scalar_rows(herstel, "SELECT id, type FROM events ORDER BY id")
        if handlers_for(event_type)
    ]


def relay_until_quiet(herstel: Herstel) -> int:
    """Run the relay (as the scheduler process does) until it finds nothing due; how many it published."""
    published, runner = 0, relay.Relay(herstel)
    while sent := runner.run_once():
        published += sent
    return published


def outbox(herstel: Herstel) -> int:
    """Events still waiting for their handlers; those with none (the escalations the handlers record)
    leave the outbox on the relay's next run."""
    rows = scalar_rows(herstel, "SELECT events.type FROM outbox JOIN events ON events.id = outbox.event_id")
    return sum(1 for (event_type,) in rows if handlers_for(event_type))


def assert_worker_healthy(worker: WorkerProcess) -> None:
    log = worker.output()
    assert "Failed to process message" not in log, log
    assert "Traceback" not in log, log


def test_every_event_with_handlers_has_each_effect_once_and_duplicates_change_nothing(
    herstel: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    shared_redis: str,
    namespace: str,
    use_broker: Callable[[str, str], dramatiq.Broker],
    worker_process: Callable[[str, str], WorkerProcess],
) -> None:
    use_broker(shared_redis, namespace)
    worker = worker_process(shared_redis, namespace)
    worker.start()
    make_events(herstel, people, algorithm_id, clock)
    expected = expected_effects(herstel)
    assert expected["notices"]["approval"] == 4
    assert expected["notices"]["deadline_missed"] >= 2

    published = relay_until_quiet(herstel)

    assert published == len(events_with_handlers(herstel))
    wait_until(lambda: outbox(herstel) == 0, timeout=DELIVERY_TIMEOUT, what="the worker to drain the outbox")
    assert effects(herstel) == expected
    open_for_coordinator = list_notices(uow=herstel.uow(), principal=people.coordinator)
    assert len(open_for_coordinator) == 2 + expected["notices"]["deadline_missed"]  # two approvals still wait

    # the same events delivered again, twice: the worker runs them, nothing happens a second time
    queue = Queue(shared_redis, namespace)
    relay.publish(events_with_handlers(herstel))
    relay.publish(events_with_handlers(herstel))
    wait_until(lambda: queue.unfinished() == 0, timeout=DELIVERY_TIMEOUT, what="the worker to take the duplicates")

    assert queue.dead() == 0
    assert effects(herstel) == expected
    assert_worker_healthy(worker)


def test_events_the_relay_sends_again_before_a_worker_runs_have_one_effect(
    herstel: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    shared_redis: str,
    namespace: str,
    use_broker: Callable[[str, str], dramatiq.Broker],
    worker_process: Callable[[str, str], WorkerProcess],
) -> None:
    use_broker(shared_redis, namespace)
    make_events(herstel, people, algorithm_id, clock)
    wanted = len(events_with_handlers(herstel))
    queue = Queue(shared_redis, namespace)

    first = relay_until_quiet(herstel)
    clock.advance(minutes=3)  # no worker handled them in time: the relay sends them all again
    second = relay_until_quiet(herstel)

    assert first == second == wanted
    assert queue.unfinished() == 2 * wanted
    worker = worker_process(shared_redis, namespace)
    worker.start()
    wait_until(lambda: queue.unfinished() == 0, timeout=DELIVERY_TIMEOUT, what="the worker to take every message")
    assert effects(herstel) == expected_effects(herstel)
    assert_worker_healthy(worker)


def test_while_redis_is_down_events_wait_in_the_outbox_and_are_delivered_when_it_returns(
    herstel: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    private_redis: PrivateRedis,
    use_broker: Callable[[str, str], dramatiq.Broker],
    worker_process: Callable[[str, str], WorkerProcess],
) -> None:
    use_broker(private_redis.url, "herstel")
    worker = worker_process(private_redis.url, "herstel")
    worker.start()
    make_events(herstel, people, algorithm_id, clock, incidents=2)
    relay_until_quiet(herstel)
    wait_until(lambda: outbox(herstel) == 0, timeout=DELIVERY_TIMEOUT, what="the first events to be handled")
    before, handled_before = effects(herstel), len(events_with_handlers(herstel))

    private_redis.stop()
    make_events(herstel, people, algorithm_id, clock, incidents=2)
    waiting = len(events_with_handlers(herstel)) - handled_before

    down = [relay_once(uow=herstel.uow(), publish=relay.publish, has_handlers=relay.has_handlers) for _ in range(2)]
    clock.advance(seconds=10)  # past the retry delay: the relay tries again, and fails again
    down.append(relay_once(uow=herstel.uow(), publish=relay.publish, has_handlers=relay.has_handlers))

    assert down[0].published == 0
    assert down[0].failed == waiting > 0
    assert down[1].failed == 0  # deferred: not retried before the retry delay
    assert down[2].failed == waiting
    assert outbox(herstel) == waiting  # nothing lost, nothing handled
    assert effects(herstel)["handled"] == before["handled"]

    private_redis.start()  # an empty Redis: it kept nothing
    clock.advance(seconds=10)
    assert relay_until_quiet(herstel) == waiting
    wait_until(lambda: outbox(herstel) == 0, timeout=DELIVERY_TIMEOUT, what="delivery after Redis returned")

    assert effects(herstel) == expected_effects(herstel)
    assert "Failed to process message" not in worker.output()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_worker_processes_share_the_work_without_doubling_it(
    herstel: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    shared_redis: str,
    namespace: str,
    use_broker: Callable[[str, str], dramatiq.Broker],
    worker_process: Callable[[str, str], WorkerProcess],
) -> None:
    use_broker(shared_redis, namespace)
    make_events(herstel, people, algorithm_id, clock, incidents=6)
    relay_until_quiet(herstel)
    relay.publish(events_with_handlers(herstel))  # and every message once more, so both race for the same event
    workers = [worker_process(shared_redis, namespace) for _ in range(2)]
    for worker in workers:
        worker.start()

    queue = Queue(shared_redis, namespace)
    wait_until(lambda: queue.unfinished() == 0, timeout=DELIVERY_TIMEOUT, what="two workers to take every message")

    assert effects(herstel) == expected_effects(herstel)
    assert queue.dead() == 0
    with herstel.db.engine.connect() as connection:
        doubled = connection.execute(
            sa.text("SELECT event_id, role, count(*) FROM notices GROUP BY event_id, role HAVING count(*) > 1")
        ).all()
    assert doubled == []
    for worker in workers:
        assert_worker_healthy(worker)
