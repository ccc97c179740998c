"""The staff inbox with a moved clock and a real SMTP server: each reminder and escalation reaches its
people once, in the app and by mail, also when a sweep or a handler dies half-way and runs again."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

import protocol.services.inbox as inbox
from installation import Herstel, Settings
from protocol.incident import Incident
from protocol.services import (
    Principal,
    get_incident,
    get_timeline,
    list_notifications,
    mark_notifications_read,
    queue_daily_digests,
    set_notification_preferences,
    staff_mails,
    sweep_deadlines,
    unread_notifications,
    verify_incident,
)
from tests.conftest import Clock
from tests.integration import flows
from tests.integration.flows import People
from tests.integration.protocol.services.test_deadline_sweep import as_instant, handle_everything
from workers.inbox import deliver


@pytest.fixture
def mailing(herstel: Herstel, smtp_server: Any) -> Herstel:
    """The installation sending through the test's SMTP server (aiosmtpd in its own process)."""
    values = {**vars(herstel.settings), "smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    herstel.settings = Settings(**values)
    return herstel


def suspend_deadline(herstel: Herstel, people: People, incident_id: Any) -> dict[str, Any]:
    incident = get_incident(uow=herstel.uow(), principal=people.officer, incident_id=incident_id)
    return next(d for d in incident["deadlines"] if d["rule"] == "suspend")


def notifications(herstel: Herstel, who: Principal, language: str = "nl") -> list[dict[str, Any]]:
    return list_notifications(uow=herstel.uow(), principal=who, language=language, limit=200)["items"]


def events_of(herstel: Herstel, people: People, incident_id: Any, event_type: str) -> list[dict[str, Any]]:
    timeline = get_timeline(uow=herstel.uow(), principal=people.officer, incident_id=incident_id, limit=1000)
    return [e for e in timeline["events"] if e["type"] == event_type]


def sent_to(smtp_server: Any) -> Counter[str]:
    return Counter(str(m["To"]) for m in smtp_server.messages())


def everything_mailed_once(herstel: Herstel, smtp_server: Any, staff: list[Principal]) -> None:
    """Each notification of each person has one mail row, sent, and the server got exactly those."""
    expected: Counter[str] = Counter()
    for person in staff:
        items = notifications(herstel, person)
        assert len({(i["id"]) for i in items}) == len(items)
        mails = staff_mails(uow=herstel.uow(), user_id=person.user_id)
        assert [m["status"] for m in mails] == ["sent"] * len(items)
        expected[person.email] += len(items)
    assert sent_to(smtp_server) == +expected


def test_a_reminder_and_a_miss_reach_their_people_once_in_the_app_and_by_mail(
    mailing: Herstel, people: People, algorithm_id: Any, clock: Clock, smtp_server: Any
) -> None:
    herstel = mailing
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    suspend = suspend_deadline(herstel, people, incident["id"])
    due = as_instant(suspend["due_at"])

    clock.now = due - timedelta(hours=4) + timedelta(minutes=1)  # the suspend reminder falls due
    for _ in range(2):  # a sweep, the relay, the workers and the mail, each run twice
        sweep_deadlines(uow_factory=herstel.uow)
        handle_everything(herstel)
        deliver(herstel)

    reminders = [n for n in notifications(herstel, people.officer) if n["kind"] == "deadline_approaching"]
    assert [n["reference"] for n in reminders] == [incident["reference"]]
    assert reminders[0]["text"].startswith("De termijn ‘Algoritme stoppen binnen 1 werkdag’ van ")
    assert reminders[0]["headline"] == "Termijn loopt bijna af"
    assert notifications(herstel, people.coordinator) == []  # the reporter is told; the coordinators not yet

    clock.now = due + timedelta(minutes=1)
    for _ in range(2):
        sweep_deadlines(uow_factory=herstel.uow)
        handle_everything(herstel)
        deliver(herstel)

    for coordinator in (people.coordinator, people.second_coordinator):
        missed = [n["text"] for n in notifications(herstel, coordinator) if n["kind"] == "deadline_missed"]
        assert len([t for t in missed if "‘Algoritme stoppen binnen 1 werkdag’" in t]) == 1
    assert notifications(herstel, people.investigator) == []
    escalated = events_of(herstel, people, incident["id"], "DeadlineEscalated")
    suspend_escalations = [e for e in escalated if e["payload"]["deadline_id"] == str(suspend["id"])]
    assert len(suspend_escalations) == 1
    assert set(suspend_escalations[0]["payload"]["to"]) == {
        str(people.officer.user_id),
        str(people.coordinator.user_id),
        str(people.second_coordinator.user_id),
    }
    everything_mailed_once(herstel, smtp_server, [people.officer, people.coordinator, people.second_coordinator])
    assert verify_incident(uow=herstel.uow(), principal=Principal.installation(), incident_id=incident["id"]).valid


def test_a_handler_that_dies_after_its_first_recipient_runs_again_and_tells_each_once(
    mailing: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    smtp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    herstel = mailing
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    clock.now = as_instant(suspend_deadline(herstel, people, incident["id"])["due_at"]) + timedelta(minutes=1)
    sweep_deadlines(uow_factory=herstel.uow)

    real_notify = inbox._notify
    calls = {"n": 0}

    def dies_after_the_first(*args: Any, **kwargs: Any) -> bool:
        if args[4] == "deadline_missed":  # (uow, incident, event, user_id, kind, details)
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("worker killed half-way")
        return real_notify(*args, **kwargs)

    monkeypatch.setattr(inbox, "_notify", dies_after_the_first)
    with pytest.raises(RuntimeError):
        handle_everything(herstel)
    deliver(herstel)
    staff = [people.officer, people.coordinator, people.second_coordinator]
    # the first recipient's notification (and its mail) rolled back with the rest
    assert [n for p in staff for n in notifications(herstel, p) if n["kind"] == "deadline_missed"] == []
    assert calls["n"] == 2

    monkeypatch.setattr(inbox, "_notify", real_notify)
    clock.advance(minutes=3)  # the outbox hands unhandled events out again after two minutes
    handle_everything(herstel)
    handle_everything(herstel)
    deliver(herstel)
    deliver(herstel)

    everything_mailed_once(herstel, smtp_server, staff)
    for person in staff:
        kinds = Counter(n["kind"] for n in notifications(herstel, person))
        assert kinds["deadline_missed"] >= 1
    escalated = events_of(herstel, people, incident["id"], "DeadlineEscalated")
    assert len(escalated) == len({e["payload"]["deadline_id"] for e in escalated})
    assert len(escalated) == len(events_of(herstel, people, incident["id"], "DeadlineMissed"))


def test_a_sweep_that_dies_half_way_and_reruns_mails_each_reminder_and_miss_once(
    mailing: Herstel,
    people: People,
    algorithm_id: Any,
    clock: Clock,
    smtp_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    herstel = mailing
    incidents = [
        flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))["id"]
        for _ in range(3)
    ]
    clock.advance(days=40)
    real_check = Incident.check_deadlines
    checked = {"n": 0}

    def dies_on_the_second(self: Incident, **kwargs: Any) -> None:
        checked["n"] += 1
        if checked["n"] == 2:
            raise RuntimeError("sweep killed half-way")
        real_check(self, **kwargs)

    monkeypatch.setattr(Incident, "check_deadlines", dies_on_the_second)
    with pytest.raises(RuntimeError):
        sweep_deadlines(uow_factory=herstel.uow)
    handle_everything(herstel)
    deliver(herstel)
    monkeypatch.setattr(Incident, "check_deadlines", real_check)

    sweep_deadlines(uow_factory=herstel.uow)
    sweep_deadlines(uow_factory=herstel.uow)
    for _ in range(2):
        handle_everything(herstel)
        deliver(herstel)

    staff = [people.officer, people.coordinator, people.second_coordinator]
    everything_mailed_once(herstel, smtp_server, staff)
    for incident_id in incidents:
        missed = events_of(herstel, people, incident_id, "DeadlineMissed")
        approaching = events_of(herstel, people, incident_id, "DeadlineApproaching")
        escalated = events_of(herstel, people, incident_id, "DeadlineEscalated")
        assert missed
        assert approaching
        assert sorted(e["payload"]["deadline_id"] for e in escalated) == sorted(
            e["payload"]["deadline_id"] for e in missed
        )
        # the reporter: one reminder and one miss per deadline of this incident
        mine = [n for n in notifications(herstel, people.officer) if n["incident_id"] == incident_id]
        assert Counter(n["kind"] for n in mine) == {
            "deadline_approaching": len(approaching),
            "deadline_missed": len(missed),
        }


def test_the_escalation_mail_arrives_in_the_language_of_each_recipient(
    mailing: Herstel, people: People, algorithm_id: Any, clock: Clock, smtp_server: Any
) -> None:
    herstel = mailing
    set_notification_preferences(uow=herstel.uow(), principal=people.second_coordinator, language="en")
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    clock.now = as_instant(suspend_deadline(herstel, people, incident["id"])["due_at"]) + timedelta(minutes=1)
    sweep_deadlines(uow_factory=herstel.uow)
    handle_everything(herstel)
    deliver(herstel)

    messages = {str(m["To"]): m for m in smtp_server.messages() if "verstreken" in str(m["Subject"]).lower()}
    english = [m for m in smtp_server.messages() if str(m["To"]) == people.second_coordinator.email]
    dutch = messages[people.coordinator.email]
    body = dutch.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert f"Herstel: Termijn verstreken ({incident['reference']})" == str(dutch["Subject"])
    assert "De termijn ‘Algoritme stoppen binnen 1 werkdag’ van" in text
    assert "is verstreken op" in text
    assert f"/incidents/{incident['id']}" in text
    assert dutch["Message-ID"].startswith("<staff-")
    assert dutch["X-Herstel-Letter"] is None
    assert english
    assert all("Deadline missed" in str(m["Subject"]) for m in english)
    english_body = english[0].get_body(("plain",))
    assert english_body is not None
    assert "passed on" in english_body.get_content()


def test_a_daily_digest_carries_two_notifications_in_one_mail(
    mailing: Herstel, people: People, algorithm_id: Any, clock: Clock, smtp_server: Any
) -> None:
    herstel = mailing
    chosen = set_notification_preferences(uow=herstel.uow(), principal=people.officer, mail="daily")
    assert chosen == {"mail": "daily", "language": "nl"}
    first = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    second = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    clock.now = as_instant(suspend_deadline(herstel, people, first["id"])["due_at"]) - timedelta(hours=3)
    sweep_deadlines(uow_factory=herstel.uow)
    handle_everything(herstel)
    deliver(herstel)

    mine = notifications(herstel, people.officer)
    assert {n["incident_id"] for n in mine} == {first["id"], second["id"]}
    assert len(mine) >= 2
    assert sent_to(smtp_server)[people.officer.email] == 0  # nothing yet: the digest waits for the morning

    clock.advance(hours=1)
    assert queue_daily_digests(uow_factory=herstel.uow) == 1
    assert queue_daily_digests(uow_factory=herstel.uow) == 0  # one mail per person per day
    deliver(herstel)
    deliver(herstel)

    digests = [m for m in smtp_server.messages() if str(m["To"]) == people.officer.email]
    assert len(digests) == 1
    body = digests[0].get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert first["reference"] in text
    assert second["reference"] in text
    assert text.count("Termijn loopt bijna af") == len(mine)
    assert str(digests[0]["Subject"]).startswith("Herstel: uw meldingen van")


def test_marking_read_counts_down_and_touches_only_ones_own(
    herstel: Herstel, people: People, algorithm_id: Any, clock: Clock
) -> None:
    incident = flows.assess(herstel, people, flows.report(herstel, people, algorithm_id, detected_at=clock.now))
    clock.now = as_instant(suspend_deadline(herstel, people, incident["id"])["due_at"]) + timedelta(minutes=1)
    sweep_deadlines(uow_factory=herstel.uow)
    handle_everything(herstel)

    mine = notifications(herstel, people.coordinator)
    theirs = notifications(herstel, people.second_coordinator)
    assert mine
    assert unread_notifications(uow=herstel.uow(), principal=people.coordinator) == len(mine)
    assert [n["created_at"] for n in mine] == sorted((n["created_at"] for n in mine), reverse=True)

    # someone else's id marks nothing
    assert (
        mark_notifications_read(uow=herstel.uow(), principal=people.coordinator, notification_ids=[theirs[0]["id"]])
        == 0
    )
    assert (
        mark_notifications_read(uow=herstel.uow(), principal=people.coordinator, notification_ids=[mine[0]["id"]]) == 1
    )
    assert unread_notifications(uow=herstel.uow(), principal=people.coordinator) == len(mine) - 1
    assert mark_notifications_read(uow=herstel.uow(), principal=people.coordinator, notification_ids=None) == (
        len(mine) - 1
    )
    assert unread_notifications(uow=herstel.uow(), principal=people.coordinator) == 0
    assert unread_notifications(uow=herstel.uow(), principal=people.second_coordinator) == len(theirs)
