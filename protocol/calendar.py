"""The legal calendar: working days, and how a period is counted under each calendar rule.

A deadline names its rule (see reference/protocol-and-law.md):
- `atw`: a Dutch statutory period. It starts the day after the event (Awb 6:8) and, ending on a
  Saturday, Sunday or a holiday of the Algemene termijnenwet (art. 3, and the days equated by
  decree), runs to the next day that is none of these (Atw art. 1).
- `eu`: Regulation 1182/71 art. 3. It starts the day after the event (3(1)), includes holidays and
  weekends (3(3)), ending on a public holiday, Saturday or Sunday it ends at the end of the next
  working day (3(4)), and a period of two days or more holds at least two working days (3(5)).
  Public holidays are the Netherlands' as listed for that Regulation, never the Atw decree days.
- `hours`: exact elapsed time from the moment, never extended. Art. 3(1) would start the count at
  the next full hour; Herstel takes the earlier, safe reading.
- `workdays`: a count of working days after the event, on the Atw's holidays (a service norm has
  no calendar of its own; the Atw's is the one Dutch public bodies keep).

Every count returns its explanation as structured parts (a code and parameters), which the web
and the CLI put into words in the reader's language.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from protocol.definition import CalendarRule, Period

LEGAL_TIMEZONE = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reason:
    """One step of a count, as a code and its parameters (dates in ISO form, names as the data gives them)."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, **self.params}


@dataclass(frozen=True)
class Due:
    """When a period expires: the instant, for day-based periods its last day, and how it was counted."""

    at: datetime
    last_day: date | None
    explanation: tuple[Reason, ...] = ()


class LegalCalendar:
    """The holidays of one legal calendar, by year, with the source they come from."""

    def __init__(
        self,
        holidays_for_year: Callable[[int], Mapping[date, str]],
        *,
        name: str = "",
        source: str = "",
        known_until: int | None = None,
    ) -> None:
        self._holidays_for_year = holidays_for_year
        self._years: dict[int, Mapping[date, str]] = {}
        self.name = name
        self.source = source
        self.known_until = known_until  # the last year with decree days; None: the calendar has none

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
        """A period counted on this calendar: the Atw rule, or unextended calendar days when `atw` is false."""
        if period.unit == "hours":
            return _elapsed(start, period)
        if period.unit == "working_days":
            return _working_days(self, local_date(start), period)
        if atw:
            return _calendar_days(self, local_date(start), period, two_working_days=False)
        last = counted_last_day(local_date(start), period)
        return Due(end_of_day(last), last)

    def due_on(self, last_day: date, *, atw: bool = True) -> Due:
        """A deadline agreed as a date (for example an investigation's due date)."""
        reasons = [Reason("agreed-day", {"day": last_day.isoformat()})]
        if atw:
            last_day = _extend(self, last_day, reasons)
        return _ends(self, last_day, reasons)


@dataclass(frozen=True)
class Calendars:
    """The calendars the rules count on: the Atw's (with decree days) and the Regulation's public holidays."""

    atw: LegalCalendar
    eu: LegalCalendar

    def due(self, start: datetime | date, period: Period, rule: CalendarRule) -> Due:
        """When a period of `period` after an event at `start` (a moment, or a day) expires under `rule`."""
        if not rule.counts(period.unit):
            raise ValueError(f"the {rule.value} rule does not count a period in {period.unit.replace('_', ' ')}")
        if rule is CalendarRule.HOURS:
            if not isinstance(start, datetime):
                raise ValueError("a period in hours runs from a moment, not from a day")
            return _basis(rule, _elapsed(start, period))
        event_day = local_date(start) if isinstance(start, datetime) else start
        if rule is CalendarRule.WORKDAYS:
            return _basis(rule, _working_days(self.atw, event_day, period))
        calendar = self.eu if rule is CalendarRule.EU else self.atw
        return _basis(rule, _calendar_days(calendar, event_day, period, two_working_days=rule is CalendarRule.EU))

    def due_on(self, last_day: date, rule: CalendarRule) -> Due:
        """A deadline agreed as a date: extended past non-working days under every rule but `hours`."""
        if rule is CalendarRule.HOURS:
            return Due(end_of_day(last_day), last_day, (Reason("agreed-day", {"day": last_day.isoformat()}),))
        calendar = self.eu if rule is CalendarRule.EU else self.atw
        return _basis(rule, calendar.due_on(last_day))


def _basis(rule: CalendarRule, due: Due) -> Due:
    """The count with its first part naming the rule (and so the holidays) it was made under."""
    return Due(due.at, due.last_day, (Reason(f"rule-{rule.value}"), *due.explanation))


# ---------------------------------------------------------------------- the counts


def _elapsed(start: datetime, period: Period) -> Due:
    # In UTC: adding hours to an aware Amsterdam time is wall-clock arithmetic and loses or gains
    # the hour of a clock change.
    at = start.astimezone(UTC) + timedelta(hours=period.count)
    reasons = (
        Reason("hours-elapsed", {"hours": str(period.count), "from": _instant(start), "due_at": _instant(at)}),
        Reason("hours-safe-reading"),
    )
    return Due(at, None, reasons)


def _working_days(calendar: LegalCalendar, event_day: date, period: Period) -> Due:
    reasons = [Reason("period-start", {"first_day": (event_day + timedelta(days=1)).isoformat()})]
    day, count = event_day, period.count
    while count > 0:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
        else:
            reasons.append(_not_working(calendar, day, skipped=True))
    return _ends(calendar, day, reasons)


def _calendar_days(calendar: LegalCalendar, event_day: date, period: Period, *, two_working_days: bool) -> Due:
    first = event_day + timedelta(days=1)
    counted = counted_last_day(event_day, period)
    reasons = [
        Reason("period-start", {"first_day": first.isoformat()}),
        Reason("counted-end", {"day": counted.isoformat()}),
    ]
    last = _extend(calendar, counted, reasons)
    if two_working_days and (period.unit != "days" or period.count >= 2):
        # Regulation 1182/71 art. 3(5): a period of two days or more includes at least two working days
        while sum(calendar.is_working_day(first + timedelta(days=n)) for n in range((last - first).days + 1)) < 2:
            last = calendar.next_working_day(last + timedelta(days=1))
            reasons.append(Reason("extended-two-working-days", {"day": last.isoformat()}))
    return _ends(calendar, last, reasons)


def counted_last_day(event_day: date, period: Period) -> date:
    """The last day of a period in days, weeks or months after `event_day`, before any extension.

    Months end on the same date as the event's day, or on the last day of a shorter month
    (Regulation 1182/71 art. 3(2)(c); the Dutch courts count the same way).
    """
    if period.unit == "days":
        return event_day + timedelta(days=period.count)
    if period.unit == "weeks":
        return event_day + timedelta(weeks=period.count)
    if period.unit == "months":
        months = event_day.year * 12 + event_day.month - 1 + period.count
        year, month = divmod(months, 12)
        return date(year, month + 1, min(event_day.day, monthrange(year, month + 1)[1]))
    raise ValueError(f"not a period in days, weeks or months: {period.unit}")


def _extend(calendar: LegalCalendar, day: date, reasons: list[Reason]) -> date:
    while not calendar.is_working_day(day):
        reasons.append(_not_working(calendar, day, skipped=False))
        day += timedelta(days=1)
    return day


def _not_working(calendar: LegalCalendar, day: date, *, skipped: bool) -> Reason:
    prefix = "skipped" if skipped else "extended"
    name = calendar.holiday(day)
    if name is not None:
        return Reason(f"{prefix}-holiday", {"day": day.isoformat(), "holiday": name})
    return Reason(f"{prefix}-weekend", {"day": day.isoformat(), "weekday": WEEKDAYS[day.weekday()]})


def _ends(calendar: LegalCalendar, last: date, reasons: list[Reason]) -> Due:
    if calendar.known_until is not None and last.year > calendar.known_until:
        # No decree for these years yet: the count is made without the days a decree may still add.
        log.warning(
            "deadline counted past the decree days known: calendar %s has them until %s, the period runs into %s",
            calendar.name,
            calendar.known_until,
            last.year,
        )
        reasons.append(Reason("beyond-data", {"calendar": calendar.name, "last_year": str(calendar.known_until)}))
    at = end_of_day(last)
    reasons.append(Reason("ends", {"day": last.isoformat(), "due_at": _instant(at)}))
    return Due(at, last, tuple(reasons))


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_date(moment: datetime) -> date:
    """The calendar date of an instant in Dutch local time."""
    return moment.astimezone(LEGAL_TIMEZONE).date()


MONTH_NAMES = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}  # fmt: skip


def long_date(day: date, language: str) -> str:
    """``12 januari 2027`` / ``12 January 2027``: a date spelt out, as letters and mails write it."""
    return f"{day.day} {MONTH_NAMES[language][day.month - 1]} {day.year}"


def end_of_day(day: date) -> datetime:
    """The instant a Dutch day ends (local midnight after it), in UTC."""
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=LEGAL_TIMEZONE)
    return following.astimezone(UTC)


def reminder_before(due_at: datetime, period: Period) -> datetime:
    """The moment a reminder `period` before `due_at` falls due (calendar arithmetic, no extension)."""
    hours = {"hours": 1, "days": 24, "working_days": 24, "weeks": 24 * 7, "months": 24 * 30}[period.unit]
    return due_at - timedelta(hours=hours * period.count)
