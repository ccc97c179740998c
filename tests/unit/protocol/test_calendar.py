"""The legal calendar of the Algemene termijnenwet: holidays, working days and how periods expire.

All instants are UTC; Amsterdam is UTC+1 in winter and UTC+2 in summer (from the last Sunday of
March to the last Sunday of October).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from protocol.calendar import LEGAL_TIMEZONE, LegalCalendar, end_of_day, local_date, reminder_before
from protocol.calendars import CalendarError, calendar_from_toml, load_calendar
from protocol.definition import Period

ATW = load_calendar("nl-atw")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# ---------------------------------------------------------------------- holidays


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 3), "Goede vrijdag"),  # Atw art. 3(2): equated with the holidays
        (date(2026, 4, 5), "Eerste paasdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 5, 5), "Bevrijdingsdag"),  # every year under the Atw, not only in lustrum years
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 15), "gelijkgestelde dag"),  # decree: the Friday after Ascension Day
        (date(2026, 5, 25), "Tweede pinksterdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2026, 12, 26), "Tweede kerstdag"),
        (date(2026, 1, 2), "gelijkgestelde dag"),
        (date(2025, 4, 18), "Goede vrijdag"),
        (date(2025, 4, 26), "Koningsdag"),  # 27 April 2025 is a Sunday: celebrated on Saturday the 26th
        (date(2025, 5, 5), "Bevrijdingsdag"),
        (date(2025, 5, 30), "gelijkgestelde dag"),
    ],
)
def test_the_recognised_holidays(day: date, name: str) -> None:
    assert ATW.holiday(day) == name
    assert not ATW.is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2025, 4, 27), date(2026, 4, 28), date(2026, 5, 4), date(2026, 12, 24), date(2026, 12, 31)]
)
def test_ordinary_days_are_no_holidays(day: date) -> None:
    assert ATW.holiday(day) is None


def test_liberation_day_is_a_holiday_in_a_year_that_is_no_lustrum() -> None:
    assert 2026 % 5 != 0
    assert ATW.holiday(date(2026, 5, 5)) == "Bevrijdingsdag"
    assert ATW.is_working_day(date(2026, 5, 5)) is False  # a Tuesday


def test_working_days() -> None:
    assert ATW.is_working_day(date(2026, 12, 1))  # Tuesday
    assert not ATW.is_working_day(date(2026, 12, 5))  # Saturday
    assert not ATW.is_working_day(date(2026, 12, 6))  # Sunday
    assert ATW.next_working_day(date(2026, 12, 1)) == date(2026, 12, 1)
    assert ATW.next_working_day(date(2026, 12, 25)) == date(2026, 12, 28)
    assert ATW.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Good Friday to Tuesday after Easter
    assert ATW.add_working_days(date(2026, 5, 13), 1) == date(2026, 5, 18)  # over Ascension and the decree day
    assert ATW.add_working_days(date(2026, 5, 13), 0) == date(2026, 5, 13)


# ---------------------------------------------------------------------- due()


def test_hours_run_from_the_moment_and_are_never_extended() -> None:
    saturday = utc(2026, 4, 4, 15)

    due = ATW.due(saturday, Period("hours", 72))

    assert due.at == utc(2026, 4, 7, 15)
    assert due.last_day is None
    assert ATW.due(saturday, Period("hours", 24)).at == utc(2026, 4, 5, 15)  # Easter Sunday: not extended


def test_hours_are_elapsed_hours_across_the_clock_changes() -> None:
    assert ATW.due(utc(2026, 3, 28, 12), Period("hours", 48)).at == utc(2026, 3, 30, 12)  # 13:00 → 14:00 local
    assert ATW.due(utc(2026, 10, 24, 12), Period("hours", 48)).at == utc(2026, 10, 26, 12)  # 14:00 → 13:00 local


def test_days_start_the_day_after_and_end_at_the_end_of_the_last_day() -> None:
    monday = utc(2026, 11, 30, 9)

    due = ATW.due(monday, Period("days", 3))

    assert due.last_day == date(2026, 12, 3)
    assert due.at == utc(2026, 12, 3, 23)  # midnight in Amsterdam
    assert due.at.astimezone(LEGAL_TIMEZONE).time().hour == 0


def test_days_ending_on_a_weekend_or_holiday_run_to_the_next_working_day() -> None:
    assert ATW.due(utc(2026, 11, 30, 9), Period("days", 5)).last_day == date(2026, 12, 7)  # Sat → Mon
    assert ATW.due(utc(2026, 12, 22, 9), Period("days", 3)).last_day == date(2026, 12, 28)  # Christmas → Mon
    assert ATW.due(utc(2026, 11, 30, 9), Period("days", 5), atw=False).last_day == date(2026, 12, 5)


def test_working_days_skip_weekends_and_holidays() -> None:
    christmas_eve = utc(2026, 12, 24, 9)  # Thursday; then Christmas, a weekend, four days, New Year, a weekend

    assert ATW.due(christmas_eve, Period("working_days", 1)).last_day == date(2026, 12, 28)
    assert ATW.due(christmas_eve, Period("working_days", 4)).last_day == date(2026, 12, 31)
    assert ATW.due(christmas_eve, Period("working_days", 5)).last_day == date(2027, 1, 4)


def test_weeks_with_and_without_extension() -> None:
    assert ATW.due(utc(2026, 3, 30, 9), Period("weeks", 4)).last_day == date(2026, 4, 28)  # Koningsdag → Tuesday
    assert ATW.due(utc(2026, 3, 30, 9), Period("weeks", 4), atw=False).last_day == date(2026, 4, 27)


def test_the_day_counts_in_amsterdam_not_in_utc() -> None:
    late_monday_utc = utc(2026, 11, 30, 23, 30)  # already Tuesday 00:30 in Amsterdam

    assert local_date(late_monday_utc) == date(2026, 12, 1)
    assert ATW.due(late_monday_utc, Period("days", 1)).last_day == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("last_day", "end"),
    [
        (date(2026, 3, 28), utc(2026, 3, 28, 23)),  # winter time until the night of 28/29 March
        (date(2026, 3, 29), utc(2026, 3, 29, 22)),  # the clock jumped forward that night
        (date(2026, 10, 24), utc(2026, 10, 24, 22)),
        (date(2026, 10, 25), utc(2026, 10, 25, 23)),  # and back again
    ],
)
def test_the_end_of_a_day_follows_the_dutch_clock(last_day: date, end: datetime) -> None:
    assert end_of_day(last_day) == end


def test_a_period_in_days_across_the_spring_change_ends_at_local_midnight() -> None:
    due = ATW.due(utc(2026, 3, 20, 12), Period("days", 10))

    assert due.last_day == date(2026, 3, 30)
    assert due.at == utc(2026, 3, 30, 22)


def test_an_agreed_date_is_extended_only_past_non_working_days() -> None:
    assert ATW.due_on(date(2027, 3, 1)).last_day == date(2027, 3, 1)
    assert ATW.due_on(date(2026, 12, 26)).last_day == date(2026, 12, 28)
    assert ATW.due_on(date(2026, 12, 26), atw=False).last_day == date(2026, 12, 26)
    assert ATW.due_on(date(2026, 12, 26)).at == utc(2026, 12, 28, 23)


# ---------------------------------------------------------------------- the objection period


@pytest.mark.parametrize(
    ("sent", "last_day"),
    [
        # sent on a Monday, six weeks later is Whit Monday: the period runs to Tuesday
        (utc(2026, 4, 13, 10), date(2026, 5, 26)),
        # sent on a Monday, six weeks later is King's Day (Monday 27 April): Tuesday
        (utc(2026, 3, 16, 10), date(2026, 4, 28)),
        # sent on a Monday, six weeks later is an ordinary Monday: that Monday
        (utc(2026, 11, 30, 10), date(2027, 1, 11)),
        # sent on a Friday, six weeks later is Good Friday: past Easter to Tuesday
        (utc(2026, 2, 20, 10), date(2026, 4, 7)),
        # sent on a Saturday, six weeks later is a Saturday: Monday
        (utc(2026, 10, 3, 10), date(2026, 11, 16)),
    ],
)
def test_the_objection_period_of_six_weeks(sent: datetime, last_day: date) -> None:
    due = ATW.due(sent, Period("weeks", 6))

    assert due.last_day == last_day
    assert due.at == end_of_day(last_day)


def test_reminders_fall_before_the_due_moment_by_calendar_time() -> None:
    due = utc(2026, 12, 2, 23)

    assert reminder_before(due, Period("hours", 8)) == utc(2026, 12, 2, 15)
    assert reminder_before(due, Period("days", 3)) == utc(2026, 11, 29, 23)
    assert reminder_before(due, Period("weeks", 1)) == due - timedelta(weeks=1)


# ---------------------------------------------------------------------- calendars as data


def test_a_calendar_counts_whatever_holidays_its_provider_gives() -> None:
    calendar = LegalCalendar(lambda year: {date(year, 6, 1): "Test day"}, name="test")

    assert calendar.holiday(date(2030, 6, 1)) == "Test day"
    assert calendar.next_working_day(date(2026, 6, 1)) == date(2026, 6, 2)


CALENDAR = """
[calendar]
key = "test"
[[fixed]]
month = 7
day = 1
name = "Keti Koti"
[[fixed]]
month = 12
day = 25
name = "Eerste kerstdag"
[[easter]]
offset = -2
name = "Goede vrijdag"
[[equated]]
date = 2026-07-02
source = "a decree"
"""


def test_a_calendar_file_combines_fixed_easter_based_and_equated_days() -> None:
    calendar = calendar_from_toml(CALENDAR, source="test.toml")

    assert calendar.name == "test"
    assert calendar.holiday(date(2026, 12, 25)) == "Eerste kerstdag"
    assert calendar.holiday(date(2026, 12, 26)) is None, "only the days listed count"
    assert calendar.holiday(date(2026, 4, 3)) == "Goede vrijdag"
    assert calendar.known_until == 2026
    assert calendar.holiday(date(2031, 7, 1)) == "Keti Koti"
    assert calendar.holiday(date(2026, 7, 2)) == "gelijkgestelde dag"
    assert calendar.holiday(date(2027, 7, 2)) is None


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("offset = -2", "offset = 200"), "easter[0]"),
        (("[calendar]", "[library]"), "library"),
        (("month = 7\nday = 1", "month = 2\nday = 30"), "fixed[0]"),
        (('source = "a decree"', ""), "equated[0]"),
        (("date = 2026-07-02", 'date = "2026-07-02"'), "equated[0]"),
        (("[calendar]", "[calendar"), "-"),
    ],
)
def test_a_bad_calendar_file_is_refused_naming_file_and_key(change: tuple[str, str], key: str) -> None:
    old, new = change

    with pytest.raises(CalendarError) as caught:
        calendar_from_toml(CALENDAR.replace(old, new), source="test.toml")

    assert str(caught.value).startswith(f"test.toml: {key}: ")


def test_an_unknown_calendar_is_refused() -> None:
    with pytest.raises(CalendarError, match="no such calendar"):
        load_calendar("xx-nowhere")


def test_every_decree_day_in_the_built_in_calendar_is_a_weekday() -> None:
    decreed = [
        day
        for year in range(2023, 2029)
        for day in (date(year, 1, 1) + timedelta(days=n) for n in range(366))
        if day.year == year and ATW.holiday(day) == "gelijkgestelde dag"
    ]

    assert len(decreed) == 10
    assert all(day.weekday() < 5 for day in decreed)
