"""Legal calendars as data: which days are recognised holidays, and by what source.

A calendar file lists fixed days (month and day), days counted from Easter Sunday (Good Friday is
-2, Whit Monday +50; Easter itself comes from `dateutil.easter`, so no holiday library's naming
can break a calendar), optionally the King's birthday rule, and days equated with holidays by
decree. The file is the single place to update when a new decree appears; the last year with a
decree day is the end of what the calendar knows, and a count beyond it carries a warning.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

from dateutil.easter import easter

from protocol.calendar import Calendars, LegalCalendar


class CalendarError(ValueError):
    """A calendar file is invalid; the message names the file and the key."""


def _fail(source: str, key: str, problem: str) -> CalendarError:
    return CalendarError(f"{source}: {key}: {problem}")


@cache
def load_calendar(key: str = "nl-atw") -> LegalCalendar:
    """The built-in calendar `key` (cached: calendars are immutable data)."""
    source = f"protocol/calendars/{key}.toml"
    try:
        text = (resources.files("protocol") / "calendars" / f"{key}.toml").read_text("utf-8")
    except FileNotFoundError:
        raise CalendarError(f"{source}: no such calendar") from None
    return calendar_from_toml(text, source=source)


def load_calendars() -> Calendars:
    """The calendars the deadline rules count on: the Atw's and the EU Regulation's for the Netherlands."""
    return Calendars(atw=load_calendar("nl-atw"), eu=load_calendar("nl-eu"))


def kings_day(year: int) -> date:
    """The day the King's (before 2014 the Queen's) birthday is celebrated; the Saturday before if it is a Sunday."""
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == 6 else day


def calendar_from_toml(text: str, *, source: str) -> LegalCalendar:
    """Build a calendar from its TOML text, checking every name and date it gives."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(source, "-", f"not valid TOML ({error})") from None
    unknown = sorted(set(doc) - {"calendar", "fixed", "easter", "koningsdag", "equated"})
    if unknown:
        raise _fail(source, unknown[0], "unknown table; known: calendar, fixed, easter, koningsdag, equated")
    head = doc.get("calendar", {})
    fixed = [_fixed(entry, source, i) for i, entry in enumerate(doc.get("fixed", []))]
    from_easter = [_easter(entry, source, i) for i, entry in enumerate(doc.get("easter", []))]
    koningsdag = doc.get("koningsdag")
    if koningsdag is not None and not (isinstance(koningsdag, Mapping) and koningsdag.get("name")):
        raise _fail(source, "koningsdag", "needs a name")
    equated = {_equated(entry, source, i) for i, entry in enumerate(doc.get("equated", []))}

    def for_year(year: int) -> Mapping[date, str]:
        days: dict[date, str] = {}
        for month, day_of_month, name in fixed:
            days.setdefault(date(year, month, day_of_month), name)
        sunday = easter(year)
        for offset, name in from_easter:
            days.setdefault(sunday + timedelta(days=offset), name)
        if koningsdag is not None:
            days.setdefault(kings_day(year), str(koningsdag["name"]))
        for day, name in equated:
            if day.year == year:
                days.setdefault(day, name)
        return days

    return LegalCalendar(
        for_year,
        name=str(head.get("key", source)),
        source=str(head.get("source", "")),
        known_until=max((day.year for day, _ in equated), default=None),
    )


def _fixed(entry: Mapping[str, Any], source: str, index: int) -> tuple[int, int, str]:
    try:
        date(2024, entry["month"], entry["day"])
        return int(entry["month"]), int(entry["day"]), str(entry["name"])
    except (KeyError, TypeError, ValueError):
        raise _fail(source, f"fixed[{index}]", "needs month, day and name of a real day") from None


def _easter(entry: Mapping[str, Any], source: str, index: int) -> tuple[int, str]:
    offset = entry.get("offset")
    if not isinstance(offset, int) or isinstance(offset, bool) or not -60 <= offset <= 60 or not entry.get("name"):
        raise _fail(source, f"easter[{index}]", "needs an offset in days from Easter Sunday (-60 to 60) and a name")
    return offset, str(entry["name"])


def _equated(entry: Mapping[str, Any], source: str, index: int) -> tuple[date, str]:
    day = entry.get("date")
    if not isinstance(day, date) or not entry.get("source"):
        raise _fail(source, f"equated[{index}]", "needs a date and the decree that equates it (source)")
    return day, str(entry.get("name", "gelijkgestelde dag"))
