"""Deadlines of an incident: set by their trigger with the right due moment, met, missed, reminded, withdrawn.

Every due moment below is worked out by hand from the Algemene termijnenwet calendar; local time
is Europe/Amsterdam (UTC+1 in winter, UTC+2 in summer).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from protocol.deadlines import DeadlineState
from protocol.errors import InvalidEvidence
from protocol.identity import SYSTEM
from protocol.incident import Incident
from tests.unit.protocol.support import (
    COORDINATOR,
    COORDINATOR_2,
    T0,
    assessment,
    commission,
    complete,
    deadlines_of,
    definition_from,
    refused,
    report,
    run_to_end,
    start,
    the_deadline,
    types,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def assessed_at(moment: datetime, outcome: str = "suspected", **facts: object) -> Incident:
    incident = report(now=moment)
    complete(incident, "assess", assessment(outcome, **facts), now=moment)
    return incident


def events_of(incident: Incident, kind: str) -> list[dict[str, object]]:
    return [dict(e.payload) for e in incident.events if e.type == kind]


# ---------------------------------------------------------------------- set on trigger


@pytest.mark.parametrize(
    ("reported", "due", "last_day"),
    [
        # Monday → Tuesday, Wednesday
        (utc(2026, 11, 30, 9), utc(2026, 12, 2, 23), date(2026, 12, 2)),
        # Thursday before Easter: Good Friday, the weekend and Easter Monday do not count
        (utc(2026, 4, 2, 9), utc(2026, 4, 8, 22), date(2026, 4, 8)),
        # Christmas Eve (Thursday): Christmas Day, the weekend, then Monday and Tuesday
        (utc(2026, 12, 24, 9), utc(2026, 12, 29, 23), date(2026, 12, 29)),
        # 23:30 UTC on Monday is already Tuesday in Amsterdam: counting starts on Wednesday
        (utc(2026, 11, 30, 23, 30), utc(2026, 12, 3, 23), date(2026, 12, 3)),
        # Friday before the 2026 decree day 15 May: 14 May is Ascension Day, 15 May equated
        (utc(2026, 5, 13, 9), utc(2026, 5, 19, 22), date(2026, 5, 19)),
    ],
)
def test_the_assessment_deadline_counts_working_days(reported: datetime, due: datetime, last_day: date) -> None:
    incident = report(now=reported)

    deadline = the_deadline(incident, "assess")

    assert (deadline.due_at, deadline.last_day) == (due, last_day)
    assert (deadline.set_at, deadline.state, deadline.step) == (reported, DeadlineState.OPEN, "assess")
    assert deadline.legal_basis == "Servicenorm Discriminatieprotocol"
    (event,) = events_of(incident, "DeadlineSet")
    assert event == {
        "deadline_id": str(deadline.id),
        "rule": "assess",
        "step": "assess",
        "subject": None,
        "due_at": due.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
        "last_day": last_day.isoformat(),
        "legal_basis": "Servicenorm Discriminatieprotocol",
        "agreed": False,
    }


def test_assessment_sets_the_deadlines_of_the_steps_it_unlocks() -> None:
    incident = assessed_at(T0)

    assert sorted(d.rule for d in incident.deadlines.values()) == [
        "assess",
        "inform",
        "report-service-norm",
        "suspend",
    ]
    assert the_deadline(incident, "suspend").due_at == utc(2026, 12, 1, 23)  # 1 working day
    assert the_deadline(incident, "report-service-norm").due_at == utc(2026, 12, 15, 23)  # 15 days
    assert the_deadline(incident, "inform").due_at == utc(2026, 12, 28, 23)  # 4 weeks


def test_an_unfounded_signal_sets_only_the_inform_deadline() -> None:
    incident = assessed_at(T0, "unfounded")

    assert sorted(d.rule for d in incident.deadlines.values()) == ["assess", "inform"]


def test_72_hours_are_never_extended_over_holidays() -> None:
    good_friday = utc(2026, 4, 3, 10)

    incident = assessed_at(good_friday, personal_data_breach=True)

    deadline = the_deadline(incident, "report-gdpr-art33")
    assert deadline.due_at == utc(2026, 4, 6, 10)  # Easter Monday, 72 hours later to the second
    assert deadline.last_day is None
    (event,) = (p for p in events_of(incident, "DeadlineSet") if p["rule"] == "report-gdpr-art33")
    assert event["last_day"] is None


def test_72_hours_are_real_hours_across_the_clock_change() -> None:
    friday = utc(2026, 3, 27, 12)  # 13:00 local; summer time starts on Sunday 29 March

    incident = assessed_at(friday, personal_data_breach=True)

    assert the_deadline(incident, "report-gdpr-art33").due_at == utc(2026, 3, 30, 12)  # 14:00 local


def test_weeks_run_to_the_next_working_day_when_they_end_on_a_holiday() -> None:
    kings_day = utc(2026, 4, 27, 10)  # four weeks later is Whit Monday

    incident = assessed_at(kings_day)

    deadline = the_deadline(incident, "inform")
    assert deadline.last_day == date(2026, 5, 26)
    assert deadline.due_at == utc(2026, 5, 26, 22)


def test_the_investigation_runs_twelve_weeks_unless_a_date_is_agreed() -> None:
    incident = assessed_at(T0)
    started = utc(2026, 12, 1, 10)

    start(incident, "investigate", now=started, **commission())

    deadline = the_deadline(incident, "investigate")
    assert (deadline.last_day, deadline.due_at) == (date(2027, 2, 23), utc(2027, 2, 23, 23))
    assert events_of(incident, "DeadlineSet")[-1]["agreed"] is False


@pytest.mark.parametrize(
    ("agreed", "last_day"),
    [
        ("2027-03-01", date(2027, 3, 1)),  # a Monday: as agreed
        ("2026-12-26", date(2026, 12, 28)),  # Boxing Day on a Saturday: the next working day
    ],
)
def test_an_agreed_due_date_sets_the_investigation_deadline(agreed: str, last_day: date) -> None:
    incident = assessed_at(T0)

    start(incident, "investigate", **commission(due_date=agreed))

    deadline = the_deadline(incident, "investigate")
    assert deadline.last_day == last_day
    assert deadline.due_at == datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC) - timedelta(
        hours=1
    )
    assert events_of(incident, "DeadlineSet")[-1]["agreed"] is True


@pytest.mark.parametrize("agreed", ["9999-12-31", "0001-01-01"])
def test_an_agreed_due_date_the_calendar_cannot_count_is_refused(agreed: str) -> None:
    incident = assessed_at(T0)

    error = refused(incident, InvalidEvidence, lambda: start(incident, "investigate", **commission(due_date=agreed)))

    assert error.errors == {"due_date": ["must lie between 1900 and 2999"]}


def test_the_latest_agreed_due_date_can_still_be_counted() -> None:
    incident = assessed_at(T0)

    start(incident, "investigate", **commission(due_date="2999-12-31"))

    assert the_deadline(incident, "investigate").last_day == date(2999, 12, 31)  # a Tuesday


# ---------------------------------------------------------------------- effective dates


@pytest.mark.parametrize(
    ("assessed", "expected"),
    [
        (utc(2027, 12, 1, 12), False),
        (utc(2027, 12, 1, 22, 59), False),  # 23:59 local, still 1 December
        (utc(2027, 12, 1, 23, 0), True),  # midnight local: 2 December
        (utc(2027, 12, 2, 12), True),
        (utc(2028, 6, 1, 12), True),
    ],
)
def test_ai_act_deadlines_apply_only_from_2_december_2027(assessed: datetime, expected: bool) -> None:
    incident = assessed_at(assessed, high_risk_ai=True)

    assert bool(deadlines_of(incident, "report-ai-act-art73")) is expected
    assert not deadlines_of(incident, "report-ai-act-art73-widespread")


def test_a_widespread_infringement_must_be_reported_in_two_days() -> None:
    thursday = utc(2027, 12, 2, 12)

    incident = assessed_at(thursday, high_risk_ai=True, widespread=True)

    deadline = the_deadline(incident, "report-ai-act-art73-widespread")
    assert deadline.last_day == date(2027, 12, 6)  # Saturday → Monday
    assert not deadlines_of(incident, "report-ai-act-art73")


def test_deadlines_that_do_not_apply_to_the_facts_are_not_set() -> None:
    incident = assessed_at(utc(2028, 1, 10, 9), high_risk_ai=False, personal_data_breach=False)

    rules = {d.rule for d in incident.deadlines.values()}
    assert not rules & {"report-ai-act-art73", "report-ai-act-art73-widespread", "report-gdpr-art33"}


# ---------------------------------------------------------------------- met and missed


def test_a_deadline_is_met_when_its_step_ends_on_time() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")
    done = T0 + timedelta(hours=30)

    complete(incident, "assess", now=done)

    assert (deadline.state, deadline.met_at, deadline.missed_at) == (DeadlineState.MET, done, None)
    assert deadline.next_check_at is None
    met = events_of(incident, "DeadlineMet")
    assert met == [{"deadline_id": str(deadline.id), "rule": "assess", "on_time": True}]
    assert next(e for e in incident.events if e.type == "DeadlineMet").at == done


def test_a_waiver_in_time_leaves_the_deadline_waived_not_met() -> None:
    incident = assessed_at(T0)
    deadline = the_deadline(incident, "report-service-norm")
    approval = incident.waive_step(
        "report", version=incident.version, actor=COORDINATOR, now=T0, justification="Reported by the ministry."
    )
    assert approval is not None

    incident.approve(approval.id, version=incident.version, actor=COORDINATOR_2, now=T0)

    assert (deadline.state, deadline.met_at, deadline.next_check_at) == (DeadlineState.WAIVED, None, None)
    assert [e["rule"] for e in events_of(incident, "DeadlineMet")] == ["assess"]  # the assessment, not the waiver
    assert events_of(incident, "DeadlineWaived") == [
        {"deadline_id": str(deadline.id), "rule": "report-service-norm", "on_time": True}
    ]
    incident.check_deadlines(now=T0 + timedelta(days=60), actor=SYSTEM)
    assert deadline.state is DeadlineState.WAIVED, "a waived deadline is never missed"


def test_a_waiver_after_the_due_moment_leaves_the_deadline_missed() -> None:
    incident = assessed_at(T0)
    deadline = the_deadline(incident, "report-service-norm")
    late = deadline.due_at + timedelta(hours=1)
    approval = incident.waive_step(
        "report", version=incident.version, actor=COORDINATOR, now=late, justification="Reported by the ministry."
    )
    assert approval is not None

    incident.approve(approval.id, version=incident.version, actor=COORDINATOR_2, now=late)

    assert (deadline.state, deadline.missed_at, deadline.met_at) == (DeadlineState.MISSED, late, None)
    assert events_of(incident, "DeadlineWaived") == [
        {"deadline_id": str(deadline.id), "rule": "report-service-norm", "on_time": False}
    ]


def test_a_missed_deadline_is_recorded_by_the_sweep_and_becomes_met_late_when_its_step_ends() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")
    swept = deadline.due_at + timedelta(minutes=1)

    incident.check_deadlines(now=swept, actor=SYSTEM)

    assert (deadline.state, deadline.missed_at, deadline.next_check_at) == (DeadlineState.MISSED, swept, None)
    missed = events_of(incident, "DeadlineMissed")
    assert missed == [
        {
            "deadline_id": str(deadline.id),
            "rule": "assess",
            "due_at": "2026-12-02T23:00:00.000000Z",
            "escalate_to": ["coordinator"],
        }
    ]
    late = swept + timedelta(days=2)

    complete(incident, "assess", now=late)

    assert deadline.state is DeadlineState.MET_LATE
    assert deadline.met_at == late
    assert events_of(incident, "DeadlineMet") == [{"deadline_id": str(deadline.id), "rule": "assess", "on_time": False}]
    assert types(incident).count("DeadlineMissed") == 1


def test_a_step_ended_late_without_a_sweep_records_the_miss_first() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")
    late = deadline.due_at + timedelta(hours=1)

    complete(incident, "assess", now=late)

    assert deadline.state is DeadlineState.MET_LATE
    assert (deadline.missed_at, deadline.met_at) == (late, late)
    tail = [e.type for e in incident.events if e.type.startswith("Deadline")]
    assert tail[:3] == ["DeadlineSet", "DeadlineMissed", "DeadlineMet"]


def test_the_sweep_ignores_deadlines_not_yet_due() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")

    incident.check_deadlines(now=deadline.due_at - timedelta(hours=9), actor=SYSTEM)

    assert deadline.state is DeadlineState.OPEN
    assert types(incident)[-1] == "DeadlineSet"


def test_the_sweep_and_the_step_agree_on_the_due_instant_itself() -> None:
    swept, ended = report(now=T0), report(now=T0)
    due = the_deadline(swept, "assess").due_at

    swept.check_deadlines(now=due, actor=SYSTEM)
    complete(ended, "assess", now=due)

    assert the_deadline(ended, "assess").state is DeadlineState.MET
    assert the_deadline(swept, "assess").state is DeadlineState.OPEN, "not missed at the instant the step would be met"
    swept.check_deadlines(now=due + timedelta(microseconds=1), actor=SYSTEM)
    assert the_deadline(swept, "assess").state is DeadlineState.MISSED


def test_a_met_deadline_is_never_missed_by_a_later_sweep() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")
    complete(incident, "assess", now=T0)
    count = len(incident.events)

    incident.check_deadlines(now=deadline.due_at + timedelta(days=30), actor=SYSTEM)

    assert deadline.state is DeadlineState.MET
    assert not [e for e in incident.events[count:] if e.payload.get("deadline_id") == str(deadline.id)]


# ---------------------------------------------------------------------- reminders


def test_a_reminder_is_recorded_once_when_it_falls_due() -> None:
    incident = report(now=T0)
    deadline = the_deadline(incident, "assess")
    reminder_at = deadline.due_at - timedelta(hours=8)
    assert deadline.next_check_at == reminder_at

    incident.check_deadlines(now=reminder_at - timedelta(seconds=1), actor=SYSTEM)
    assert "DeadlineApproaching" not in types(incident)

    incident.check_deadlines(now=reminder_at, actor=SYSTEM)
    incident.check_deadlines(now=reminder_at + timedelta(hours=1), actor=SYSTEM)

    assert events_of(incident, "DeadlineApproaching") == [
        {"deadline_id": str(deadline.id), "rule": "assess", "due_at": "2026-12-02T23:00:00.000000Z", "reminder": 1}
    ]
    assert deadline.reminders_sent == 1
    assert deadline.next_check_at == deadline.due_at
    assert deadline.state is DeadlineState.OPEN


def test_several_reminders_come_in_order_each_once() -> None:
    incident = assessed_at(T0, personal_data_breach=True)
    deadline = the_deadline(incident, "report-gdpr-art33")
    assert deadline.reminder_times(()) == []

    incident.check_deadlines(now=deadline.due_at - timedelta(hours=7), actor=SYSTEM)
    incident.check_deadlines(now=deadline.due_at - timedelta(hours=5), actor=SYSTEM)
    incident.check_deadlines(now=deadline.due_at - timedelta(hours=4), actor=SYSTEM)

    mine = [p for p in events_of(incident, "DeadlineApproaching") if p["deadline_id"] == str(deadline.id)]
    assert [p["reminder"] for p in mine] == [1, 2]


def test_a_late_sweep_sends_the_overdue_reminders_and_the_miss_at_once() -> None:
    incident = assessed_at(T0, personal_data_breach=True)
    deadline = the_deadline(incident, "report-gdpr-art33")

    incident.check_deadlines(now=deadline.due_at + timedelta(hours=1), actor=SYSTEM)

    mine = [e.type for e in incident.events if e.payload.get("deadline_id") == str(deadline.id)]
    assert mine == ["DeadlineSet", "DeadlineApproaching", "DeadlineApproaching", "DeadlineMissed"]


# ---------------------------------------------------------------------- withdrawn, never deleted

WITHDRAWABLE = """
[protocol]
key = "mini"
version = 1

[steps.assess]
auto_start = true

[steps.assess.evidence.outcome]
type = "enum"
choices = ["yes", "no"]
fact = true

[steps.notify]
applies_when = { fact = "outcome", eq = "yes" }

[[deadlines]]
key = "notify"
trigger = { event = "IncidentReported" }
period = { days = 5 }
met_by = { event = "StepCompleted", where = { step = "notify" } }
legal_basis = "test"
"""


def test_a_deadline_is_not_applicable_when_its_step_turns_out_not_to_apply() -> None:
    incident = report(definition=definition_from(WITHDRAWABLE))
    deadline = the_deadline(incident, "notify")

    complete(incident, "assess", {"outcome": "no"})

    assert deadline.state is DeadlineState.NOT_APPLICABLE
    assert deadline.next_check_at is None
    assert events_of(incident, "DeadlineWithdrawn") == [
        {"deadline_id": str(deadline.id), "rule": "notify", "reason": "step does not apply"}
    ]
    incident.check_deadlines(now=T0 + timedelta(days=30), actor=SYSTEM)
    assert deadline.state is DeadlineState.NOT_APPLICABLE, "a deadline that does not apply is never missed"


def test_deadlines_are_never_deleted() -> None:
    incident = assessed_at(T0)
    seen = set(incident.deadlines)
    start(incident, "investigate", **commission())
    run_to_end(incident)
    incident.check_deadlines(now=T0 + timedelta(days=400), actor=SYSTEM)
    incident.close(version=incident.version, actor=COORDINATOR, now=T0)

    assert seen <= set(incident.deadlines)
    assert len(incident.deadlines) == len(events_of(incident, "DeadlineSet"))


def test_no_deadline_is_set_for_a_step_that_does_not_apply() -> None:
    incident = assessed_at(T0, "unfounded", personal_data_breach=True)

    assert incident.steps["report"].state.value == "not_applicable"
    assert not deadlines_of(incident, "report-gdpr-art33"), "report cannot meet it, so it could only be missed"


def test_a_reassessment_sets_no_deadline_for_steps_already_done() -> None:
    incident = assessed_at(T0)
    start(incident, "investigate", **commission())
    run_to_end(incident)
    incident.close(version=incident.version, actor=COORDINATOR, now=T0)
    incident.reopen(
        version=incident.version,
        actor=COORDINATOR,
        now=T0,
        justification="The outcome is reconsidered.",
        steps=("assess",),
    )
    count = len(incident.deadlines)

    complete(incident, "assess", assessment("established"), now=T0 + timedelta(days=1))
    incident.close(version=incident.version, actor=COORDINATOR, now=T0 + timedelta(days=1))
    incident.check_deadlines(now=T0 + timedelta(days=400), actor=SYSTEM)

    assert len(incident.deadlines) == count, "suspend, report and inform are done: no new deadline for them"
    assert "DeadlineMissed" not in types(incident)
    assert all(d.state is not DeadlineState.OPEN for d in incident.deadlines.values())


def test_a_step_reopened_with_the_assessment_gets_a_fresh_deadline() -> None:
    incident = assessed_at(T0)
    start(incident, "investigate", **commission())
    run_to_end(incident)
    incident.close(version=incident.version, actor=COORDINATOR, now=T0)
    incident.reopen(
        version=incident.version,
        actor=COORDINATOR,
        now=T0,
        justification="The outcome is reconsidered.",
        steps=("assess", "suspend"),
    )
    later = T0 + timedelta(days=10)

    complete(incident, "assess", assessment("established"), now=later)

    (fresh,) = [d for d in deadlines_of(incident, "suspend") if d.state is DeadlineState.OPEN]
    assert fresh.set_at == later
    complete(incident, "suspend", now=later)
    assert fresh.state is DeadlineState.MET


SUBJECTS = """
[protocol]
key = "mini"
version = 1

[steps.assess]
auto_start = true

[[deadlines]]
key = "retry"
trigger = { event = "LetterFailed" }
subject = "letter_id"
period = { hours = 48 }
met_by = { event = "LetterDelivered" }
legal_basis = "test"
"""


def test_a_subject_ties_each_deadline_to_its_own_letter() -> None:
    incident = report(definition=definition_from(SUBJECTS))

    for letter in ("a", "b"):
        incident.note("LetterFailed", {"letter_id": letter}, actor=SYSTEM, now=T0)
    incident.note("LetterFailed", {"letter_id": "a"}, actor=SYSTEM, now=T0)  # still open: no second deadline
    incident.note("LetterDelivered", {"letter_id": "b"}, actor=SYSTEM, now=T0 + timedelta(hours=1))

    by_subject = {d.subject: d.state for d in incident.deadlines.values()}
    assert by_subject == {"a": DeadlineState.OPEN, "b": DeadlineState.MET}


# ---------------------------------------------------------------------- the Deadline record itself


def test_a_deadline_checks_next_at_its_next_reminder_then_at_its_due_moment() -> None:
    incident = assessed_at(T0, personal_data_breach=True)
    deadline = the_deadline(incident, "report-gdpr-art33")
    rule = next(r for r in incident.definition.deadlines if r.key == "report-gdpr-art33")

    assert deadline.reminder_times(rule.reminders) == [
        deadline.due_at - timedelta(hours=24),
        deadline.due_at - timedelta(hours=6),
    ]
    assert deadline.next_check_at == deadline.due_at - timedelta(hours=24)
    deadline.reminders_sent = 1
    deadline.schedule(rule)
    assert deadline.next_check_at == deadline.due_at - timedelta(hours=6)
    deadline.reminders_sent = 2
    deadline.schedule(rule)
    assert deadline.next_check_at == deadline.due_at
    deadline.state = DeadlineState.MET
    deadline.schedule(rule)
    assert deadline.next_check_at is None
