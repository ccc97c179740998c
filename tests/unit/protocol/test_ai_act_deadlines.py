"""AI Act art. 73 in full and GDPR art. 33 under the default definition (version 2).

The periods run from when the organisation became aware (by default: when the incident was
reported), are counted as EU law counts them (Regulation 1182/71 art. 3), and the facts choosing
between 15, 10 and 2 days are asked in the assessment. Dates worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from protocol.calendar import end_of_day
from protocol.deadlines import DeadlineState
from protocol.definition import CalendarRule, ProtocolDefinition
from protocol.errors import InvalidEvidence
from protocol.identity import SYSTEM
from protocol.incident import Incident
from protocol.loader import builtin_definition_paths, load_definition_file
from tests.unit.protocol.support import assessment, complete, deadlines_of, refused, report, the_deadline

V2: ProtocolDefinition = load_definition_file(
    next(p for p in builtin_definition_paths() if p.name == "nl-discrimination-2.toml")
)
ART73 = ("report-ai-act-art73", "report-ai-act-art73-widespread", "report-ai-act-art73-death")
REPORTED = datetime(2028, 5, 11, 8, tzinfo=UTC)  # Thursday 11 May 2028, 10:00 in Amsterdam


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def assessed(*, reported: datetime = REPORTED, assessed_at: datetime | None = None, **facts: Any) -> Incident:
    incident = report(now=reported, definition=V2)
    complete(incident, "assess", assessment("suspected", high_risk_ai=True, **facts), now=assessed_at or reported)
    return incident


def set_art73(incident: Incident) -> list[str]:
    return [rule for rule in ART73 if deadlines_of(incident, rule)]


def test_the_default_definition_names_a_rule_for_every_deadline() -> None:
    rules = {r.key: r.calendar for r in V2.deadlines}

    assert {rules[k] for k in ART73} == {CalendarRule.EU}
    assert rules["report-gdpr-art33"] is CalendarRule.HOURS
    assert rules["assess"] is rules["suspend"] is CalendarRule.WORKDAYS
    assert {rules[k] for k in ("objection-decision", "complaint", "harm-claim")} == {CalendarRule.ATW}
    assert {r.runs_from_fact for r in V2.deadlines if r.key in (*ART73, "report-gdpr-art33")} == {"became_aware_at"}


def test_fifteen_days_counted_as_eu_law_counts_them_from_the_report() -> None:
    # assessed a day later; the period still runs from the report (no became_aware_at given)
    incident = assessed(assessed_at=REPORTED + timedelta(days=1))

    assert set_art73(incident) == ["report-ai-act-art73"]
    deadline = the_deadline(incident, "report-ai-act-art73")
    assert deadline.last_day == date(2028, 5, 26)  # the Atw's decree day does not count under EU law
    assert deadline.due_at == end_of_day(date(2028, 5, 26)) == utc(2028, 5, 26, 22)


def test_the_period_runs_from_when_the_organisation_became_aware() -> None:
    incident = assessed(assessed_at=REPORTED + timedelta(days=2), became_aware_at="2028-05-09T09:00:00+02:00")

    assert the_deadline(incident, "report-ai-act-art73").last_day == date(2028, 5, 24)  # 9 May + 15 days


def test_two_days_for_a_disruption_of_critical_infrastructure() -> None:
    incident = assessed(critical_infrastructure_disruption=True)

    assert set_art73(incident) == ["report-ai-act-art73-widespread"]
    # Sat 13 May → Monday 15; Friday 12 and Monday 15 are two working days
    assert the_deadline(incident, "report-ai-act-art73-widespread").last_day == date(2028, 5, 15)


def test_ten_days_after_a_death() -> None:
    incident = assessed(death=True)

    assert set_art73(incident) == ["report-ai-act-art73-death"]
    assert the_deadline(incident, "report-ai-act-art73-death").last_day == date(2028, 5, 22)  # Sunday 21 → Monday


def test_a_death_in_a_widespread_infringement_takes_the_shorter_two_days() -> None:
    assert set_art73(assessed(death=True, widespread=True)) == ["report-ai-act-art73-widespread"]


def test_an_assessment_without_the_new_facts_is_still_accepted() -> None:
    incident = assessed()  # an older client sends neither death nor critical_infrastructure_disruption

    assert set_art73(incident) == ["report-ai-act-art73"]
    assert incident.facts["death"] is False
    assert incident.facts["critical_infrastructure_disruption"] is False


def test_a_slow_assessment_shows_as_a_late_report() -> None:
    incident = assessed(assessed_at=REPORTED + timedelta(days=20))
    deadline = the_deadline(incident, "report-ai-act-art73")

    assert deadline.due_at < REPORTED + timedelta(days=20)
    incident.check_deadlines(now=REPORTED + timedelta(days=20, minutes=1), actor=SYSTEM)
    assert deadline.state is DeadlineState.MISSED


def test_72_hours_run_from_awareness_across_the_clock_change() -> None:
    incident = report(now=utc(2026, 3, 28, 9), definition=V2)
    evidence = assessment("suspected", personal_data_breach=True, became_aware_at="2026-03-27T10:00:00+01:00")
    complete(incident, "assess", evidence, now=utc(2026, 3, 29, 9))

    assert the_deadline(incident, "report-gdpr-art33").due_at == utc(2026, 3, 30, 9)  # 11:00 summer time


def test_a_moment_of_awareness_in_the_future_is_refused() -> None:
    incident = report(now=REPORTED, definition=V2)

    error = refused(
        incident,
        InvalidEvidence,
        lambda: complete(
            incident, "assess", assessment("suspected", became_aware_at="2028-05-12T10:00:00+02:00"), now=REPORTED
        ),
    )

    assert error.errors == {"became_aware_at": ["lies in the future"]}
