"""The four calendar rules on real dates, each answer worked out by hand from the law.

atw: Algemene termijnenwet art. 1 and 3, with the decree days. eu: Regulation 1182/71 art. 3 on the
Netherlands' public holidays, without decree days. hours: elapsed time, never extended. workdays:
working days on the Atw's holidays. Amsterdam is UTC+1 in winter and UTC+2 in summer (2026: from
29 March to 25 October).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.calendar import LEGAL_TIMEZONE, counted_last_day, end_of_day
from protocol.calendars import load_calendar, load_calendars
from protocol.definition import CalendarRule, Period

CALENDARS = load_calendars()
ATW, EU, HOURS, WORKDAYS = CalendarRule.ATW, CalendarRule.EU, CalendarRule.HOURS, CalendarRule.WORKDAYS


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def amsterdam(*args: int) -> datetime:
    return datetime(*args, tzinfo=LEGAL_TIMEZONE)  # type: ignore[misc]


def last_day(start: datetime | date, period: Period, rule: CalendarRule) -> date | None:
    return CALENDARS.due(start, period, rule).last_day


def codes(start: datetime | date, period: Period, rule: CalendarRule) -> list[str]:
    return [r.code for r in CALENDARS.due(start, period, rule).explanation]


# ---------------------------------------------------------------------- eu


@pytest.mark.parametrize(
    ("event", "period", "expected"),
    [
        # the example: Friday 26 May 2028 is a decree day of the Atw, not an EU public holiday
        (date(2028, 5, 11), Period("days", 15), date(2028, 5, 26)),
        # Sat 10 and Sun 11 April; Monday 12 is the only working day: art. 3(5) runs on to Tuesday 13
        (date(2027, 4, 9), Period("days", 2), date(2027, 4, 13)),
        # Easter 2026: the count ends on Good Friday 3 April; Easter weekend and Monday: Tuesday 7 April
        (date(2026, 3, 31), Period("days", 3), date(2026, 4, 7)),
        # Christmas 2026: Fri 25, Sat 26 (Boxing Day), Sun 27: Monday 28 (Thursday 24 and Monday 28 are two
        # working days, so art. 3(5) adds nothing)
        (date(2026, 12, 23), Period("days", 2), date(2026, 12, 28)),
        # 27 April 2025 is a Sunday, so Koningsdag is Saturday 26 April: to Monday 28
        (date(2025, 4, 25), Period("days", 1), date(2025, 4, 28)),
        # 5 May is no EU public holiday in this data (see nl-eu.toml): Tuesday 5 May 2026 itself
        (date(2026, 5, 4), Period("days", 1), date(2026, 5, 5)),
        # Ascension Day Thu 14 May 2026 and Friday 15 hold one working day: art. 3(5) to Monday 18
        (date(2026, 5, 13), Period("days", 2), date(2026, 5, 18)),
        # a month: the same date; 31 January → 28 February 2026 (a Saturday) → Monday 2 March
        (date(2026, 1, 31), Period("months", 1), date(2026, 3, 2)),
    ],
)
def test_eu_periods(event: date, period: Period, expected: date) -> None:
    assert last_day(event, period, EU) == expected
    assert CALENDARS.due(event, period, EU).at == end_of_day(expected)


def test_eu_names_each_day_that_extended_the_period() -> None:
    due = CALENDARS.due(date(2027, 4, 9), Period("days", 2), EU)

    assert [r.as_dict() for r in due.explanation] == [
        {"code": "rule-eu"},
        {"code": "period-start", "first_day": "2027-04-10"},
        {"code": "counted-end", "day": "2027-04-11"},
        {"code": "extended-weekend", "day": "2027-04-11", "weekday": "sunday"},
        {"code": "extended-two-working-days", "day": "2027-04-13"},
        {"code": "ends", "day": "2027-04-13", "due_at": "2027-04-13T22:00:00Z"},
    ]


def test_eu_never_takes_the_decree_days() -> None:
    eu = load_calendar("nl-eu")

    for decree_day in (date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26)):
        assert eu.holiday(decree_day) is None
        assert load_calendar("nl-atw").holiday(decree_day) == "gelijkgestelde dag"
    assert eu.known_until is None


# ---------------------------------------------------------------------- atw


@pytest.mark.parametrize(
    ("event", "period", "expected"),
    [
        # the same 15 days as above: Friday 26 May 2028 is equated with a holiday by decree → Monday 29
        (date(2028, 5, 11), Period("days", 15), date(2028, 5, 29)),
        # the Atw has no art. 3(5): Sunday 11 April → Monday 12
        (date(2027, 4, 9), Period("days", 2), date(2027, 4, 12)),
        (date(2026, 3, 31), Period("days", 3), date(2026, 4, 7)),  # Good Friday, Easter → Tuesday 7 April
        (date(2026, 12, 23), Period("days", 2), date(2026, 12, 28)),  # Christmas → Monday 28
        (date(2025, 4, 25), Period("days", 1), date(2025, 4, 28)),  # Koningsdag Saturday 26 April 2025
        (date(2026, 5, 4), Period("days", 1), date(2026, 5, 6)),  # 5 May is an Atw holiday every year
        (date(2026, 1, 1), Period("days", 1), date(2026, 1, 5)),  # decree day Friday 2 January 2026
        (date(2026, 4, 13), Period("weeks", 6), date(2026, 5, 26)),  # Whit Monday 25 May → Tuesday
        (date(2026, 1, 31), Period("months", 1), date(2026, 3, 2)),
    ],
)
def test_atw_periods(event: date, period: Period, expected: date) -> None:
    assert last_day(event, period, ATW) == expected


def test_atw_names_the_decree_day() -> None:
    due = CALENDARS.due(date(2028, 5, 11), Period("days", 15), ATW)

    assert [r.as_dict() for r in due.explanation][3:6] == [
        {"code": "extended-holiday", "day": "2028-05-26", "holiday": "gelijkgestelde dag"},
        {"code": "extended-weekend", "day": "2028-05-27", "weekday": "saturday"},
        {"code": "extended-weekend", "day": "2028-05-28", "weekday": "sunday"},
    ]


@pytest.mark.parametrize(
    "good_friday",
    [date(2024, 3, 29), date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26), date(2028, 4, 14), date(2030, 4, 19)],
)
def test_the_atw_calendar_loads_and_knows_good_friday(good_friday: date) -> None:
    atw = load_calendar("nl-atw")

    assert atw.holiday(good_friday) == "Goede vrijdag"
    assert atw.holiday(good_friday + timedelta(days=3)) == "Tweede paasdag"
    assert atw.holiday(good_friday - timedelta(days=7)) is None


def test_koningsdag_on_a_sunday_is_celebrated_the_day_before() -> None:
    for calendar in (load_calendar("nl-atw"), load_calendar("nl-eu")):
        assert calendar.holiday(date(2025, 4, 26)) == "Koningsdag"
        assert calendar.holiday(date(2025, 4, 27)) is None
        assert calendar.holiday(date(2026, 4, 27)) == "Koningsdag"


# ---------------------------------------------------------------------- hours


@pytest.mark.parametrize(
    ("start", "hours", "due_at"),
    [
        # 72 hours across the last Sunday of March (29 March 2026): 10:00 CET + 72 h = 11:00 CEST
        (amsterdam(2026, 3, 27, 10), 72, utc(2026, 3, 30, 9)),
        # and across the last Sunday of October (25 October 2026): 10:00 CEST + 72 h = 09:00 CET
        (amsterdam(2026, 10, 23, 10), 72, utc(2026, 10, 26, 8)),
        (utc(2026, 4, 4, 15), 24, utc(2026, 4, 5, 15)),  # ends on Easter Sunday: not extended
        (utc(2026, 12, 24, 12), 48, utc(2026, 12, 26, 12)),  # ends on Boxing Day, a Saturday: not extended
        (utc(2025, 4, 24, 8), 72, utc(2025, 4, 27, 8)),  # ends on Sunday after Koningsdag: not extended
        (amsterdam(2028, 5, 25, 9), 24, utc(2028, 5, 26, 7)),  # ends on a decree day: not extended
    ],
)
def test_hours_are_exact_elapsed_time(start: datetime, hours: int, due_at: datetime) -> None:
    due = CALENDARS.due(start, Period("hours", hours), HOURS)

    assert due.at == due_at
    assert due.last_day is None
    assert due.at - start == timedelta(hours=hours)


def test_hours_explain_the_safe_reading() -> None:
    explained = codes(utc(2026, 4, 4, 15), Period("hours", 72), HOURS)

    assert explained == ["rule-hours", "hours-elapsed", "hours-safe-reading"]


def test_hours_need_a_moment_and_each_rule_its_own_units() -> None:
    with pytest.raises(ValueError, match="from a moment"):
        CALENDARS.due(date(2026, 4, 4), Period("hours", 72), HOURS)
    with pytest.raises(ValueError, match="does not count"):
        CALENDARS.due(utc(2026, 4, 4), Period("days", 3), HOURS)
    with pytest.raises(ValueError, match="does not count"):
        CALENDARS.due(utc(2026, 4, 4), Period("hours", 3), EU)


# ---------------------------------------------------------------------- workdays


@pytest.mark.parametrize(
    ("event", "count", "expected"),
    [
        (date(2026, 4, 2), 2, date(2026, 4, 8)),  # Good Friday, Easter weekend, Easter Monday skipped
        (date(2026, 12, 24), 2, date(2026, 12, 29)),  # Christmas, Boxing Day and Sunday skipped
        (date(2025, 4, 25), 1, date(2025, 4, 28)),  # Koningsdag Saturday 26 April 2025, Sunday
        (date(2026, 5, 13), 1, date(2026, 5, 18)),  # Ascension Day and the decree day 15 May skipped
        (date(2026, 5, 4), 1, date(2026, 5, 6)),  # 5 May, an Atw holiday
        (date(2026, 11, 30), 2, date(2026, 12, 2)),  # an ordinary week
    ],
)
def test_workdays(event: date, count: int, expected: date) -> None:
    assert last_day(event, Period("working_days", count), WORKDAYS) == expected


def test_workdays_name_the_days_they_skipped() -> None:
    due = CALENDARS.due(date(2026, 5, 13), Period("working_days", 1), WORKDAYS)

    assert [r.as_dict() for r in due.explanation][2:4] == [
        {"code": "skipped-holiday", "day": "2026-05-14", "holiday": "Hemelvaartsdag"},
        {"code": "skipped-holiday", "day": "2026-05-15", "holiday": "gelijkgestelde dag"},
    ]


# ---------------------------------------------------------------------- beyond the data


def test_a_count_past_the_known_decree_days_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="protocol.calendar"):
        due = CALENDARS.due(date(2029, 5, 7), Period("working_days", 1), WORKDAYS)

    assert due.last_day == date(2029, 5, 8)
    assert {"code": "beyond-data", "calendar": "nl-atw", "last_year": "2028"} in [r.as_dict() for r in due.explanation]
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "2028" in record.getMessage()


def test_a_count_within_the_known_decree_days_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="protocol.calendar"):
        assert "beyond-data" not in codes(date(2028, 5, 11), Period("days", 15), ATW)
        assert "beyond-data" not in codes(date(2031, 5, 11), Period("days", 15), EU)  # EU data has no decree days

    assert not caplog.records


# ---------------------------------------------------------------------- properties

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 10, 31))
DAY_PERIODS = st.builds(Period, st.sampled_from(["days", "weeks", "months"]), st.integers(min_value=1, max_value=40))


@given(event=DAYS, period=DAY_PERIODS, rule=st.sampled_from([ATW, EU]))
def test_an_extending_rule_never_ends_early_nor_on_a_day_off(event: date, period: Period, rule: CalendarRule) -> None:
    calendar = CALENDARS.eu if rule is EU else CALENDARS.atw

    end = CALENDARS.due(event, period, rule).last_day

    assert end is not None
    assert end >= counted_last_day(event, period)
    assert calendar.is_working_day(end)
    if rule is EU and (period.unit != "days" or period.count >= 2):
        first = event + timedelta(days=1)
        assert sum(calendar.is_working_day(first + timedelta(days=n)) for n in range((end - first).days + 1)) >= 2


@given(event=DAYS, count=st.integers(min_value=1, max_value=30))
def test_working_days_never_end_early_nor_on_a_day_off(event: date, count: int) -> None:
    end = CALENDARS.due(event, Period("working_days", count), WORKDAYS).last_day

    assert end is not None
    assert end >= event + timedelta(days=count)
    assert CALENDARS.atw.is_working_day(end)


@given(
    start=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(LEGAL_TIMEZONE)
    ),
    hours=st.integers(min_value=1, max_value=24 * 30),
)
def test_hours_are_never_extended(start: datetime, hours: int) -> None:
    due = CALENDARS.due(start, Period("hours", hours), HOURS)

    assert due.at - start.astimezone(UTC) == timedelta(hours=hours)
