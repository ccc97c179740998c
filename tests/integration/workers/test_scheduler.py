"""The scheduler's daily log checkpoint: it sequences the committed events and signs the log's head."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from installation import Herstel
from protocol.services import list_tree_heads
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People
from workers.scheduler import add_jobs, log_checkpoint


def test_the_daily_log_checkpoint_is_scheduled_and_signs_every_committed_event(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock, make_user: Any
) -> None:
    scheduler = BackgroundScheduler()
    add_jobs(scheduler, herstel)
    flows.assess(
        herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now - timedelta(days=1))
    )

    log_checkpoint(herstel)

    job = scheduler.get_job("daily-log-checkpoint")
    assert job is not None
    assert str(job.trigger) == "cron[hour='2', minute='5']"
    heads = list_tree_heads(uow=herstel.uow(), principal=make_user("oversight"))["checkpoints"]
    assert len(heads) == 1
    with herstel.uow().read_only() as uow:
        assert heads[0]["size"] == uow.transparency.size() > 0
