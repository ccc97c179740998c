"""The legal calendar: working days and how statutory periods are counted.

Rules (see reference/protocol-and-law.md):
- a period in hours runs from the moment of the trigger and is never extended;
- a period in days or weeks starts the day after the trigger (Awb 6:8; Regulation 1182/71
  art. 3) and ends at the end of its last day, in Dutch local time;
- a period that ends on a Saturday, Sunday or recognised holiday runs to the end of the next
  day that is none of these (Algemene termijnenwet art. 1; Regulation 1182/71 art. 3(4));
- a period in working days counts only working days, starting the day after the trigger.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from protocol.definition import Period

LEGAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Due:
    """When a period expires: the instant, and for day-based periods the last day of it."""

    at: datetime
    last_day: date | None


class LegalCalendar:
    """Counts periods over weekends and the holidays a year provider supplies."""

    def __init__(self, holidays_for_year: Callable[[int], Mapping[date, str]], *, name: str = "") -> None:
        self._holidays_for_year = holidays_for_year
        self._years: dict[int, Mapping[date, str]] = {}
        self.name = name

    def holiday(self, day: date) -> str | None:
        """The name of the recognised holiday on `day`, if any."""
        year = self._years.get(day.year)
        if year is None:
            year = self._years[day.year] = dict(self._holidays_for_year(day.year))
        return year.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    def next_working_day(self, day: date) -> date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day`."""
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def due(self, start: datetime, period: Period, *, atw: bool = True) -> Due:
        """When a period of `period` that starts with an event at `start` expires."""
        if period.unit == "hours":
            return Due(start + timedelta(hours=period.count), None)
        first = local_date(start)
        if period.unit == "working_days":
            last = self.add_working_days(first, period.count)
        else:
            days = period.count * 7 if period.unit == "weeks" else period.count
            last = first + timedelta(days=days)
            if atw:
                last = self.next_working_day(last)
        return Due(end_of_day(last), last)

    def due_on(self, last_day: date, *, atw: bool = True) -> Due:
        """A deadline agreed as a date (for example an investigation's due date)."""
        if atw:
            last_day = self.next_working_day(last_day)
        return Due(end_of_day(last_day), last_day)


def local_date(moment: datetime) -> date:
    """The calendar date of an instant in Dutch local time."""
    return moment.astimezone(LEGAL_TIMEZONE).date()


def end_of_day(day: date) -> datetime:
    """The instant a Dutch day ends (local midnight after it), in UTC."""
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LEGAL_TIMEZONE)
    return following.astimezone(UTC)


def reminder_before(due_at: datetime, period: Period) -> datetime:
    """The moment a reminder `period` before `due_at` falls due (calendar arithmetic, no extension)."""
    hours = {"hours": 1, "days": 24, "working_days": 24, "weeks": 24 * 7}[period.unit] * period.count
    return due_at - timedelta(hours=hours)
