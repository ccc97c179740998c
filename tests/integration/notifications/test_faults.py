"""Faults mid-campaign: a worker killed with SIGKILL, Redis stopped and started. Nothing may be
lost; duplicates are counted and reported (by design at most one recording chunk per killed thread)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from notifications.delivery import RECORD_EVERY
from notifications.services import letters_summary, unit_of_work
from protocol.services import get_incident
from tests.integration.notifications.conftest import people, start_notification
from tests.integration.notifications.stack import officer_and_incident, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.smtp, pytest.mark.slow]
READERS = 1500


def campaign(herstel):
    officer, incident = officer_and_incident(herstel)
    readers = people(READERS)
    start_notification(herstel, officer, incident["id"], readers)
    return officer, incident, readers


def completed(herstel, officer, incident) -> bool:
    steps = get_incident(uow=herstel.uow(), principal=officer, incident_id=incident["id"])["steps"]
    return steps["inform"]["state"] == "completed"


def report(name: str, readers, smtp_server) -> int:
    received = Counter(str(m["To"]) for m in smtp_server.messages())
    missing = [p["email"] for p in readers if received[p["email"]] == 0]
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    print(f"\n{name}: {len(readers)} readers, {sum(received.values())} messages, {duplicates} duplicate(s)")
    assert missing == []
    return duplicates


def test_a_worker_killed_mid_campaign_and_restarted_loses_nothing(production, smtp_server):
    herstel, stack = production
    officer, incident, readers = campaign(herstel)
    wait_for(lambda: len(list(smtp_server.folder.glob("*.eml"))) >= 300, 180, "the first letters to arrive")
    stack.kill("worker")  # the dramatiq master and both worker processes, mid-send
    time.sleep(2)
    stack.start("worker-restarted", "worker", "--processes", "2", "--threads", "2")
    wait_for(lambda: completed(herstel, officer, incident), 420, "inform to complete after the crash")
    summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": READERS}
    duplicates = report("SIGKILL of the worker processes", readers, smtp_server)
    assert duplicates <= 2 * 2 * RECORD_EVERY  # at most one unrecorded chunk per killed thread


def test_redis_stopped_and_started_mid_campaign_loses_nothing(production, smtp_server):
    herstel, stack = production
    officer, incident, readers = campaign(herstel)
    wait_for(lambda: len(list(smtp_server.folder.glob("*.eml"))) >= 300, 180, "the first letters to arrive")
    stack.redis.stop()  # no persistence: every queued message is gone
    time.sleep(3)
    stack.redis.start()  # same port
    wait_for(lambda: completed(herstel, officer, incident), 420, "inform to complete after the Redis restart")
    summary = letters_summary(uow=unit_of_work(herstel), principal=officer, incident_id=incident["id"])
    assert summary["by_status"] == {"delivered": READERS}
    duplicates = report("Redis stopped and started", readers, smtp_server)
    assert duplicates == 0  # the letters being sent live in the database, not in Redis
