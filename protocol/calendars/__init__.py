"""Legal calendars as data: which days are recognised holidays, and by what source.

A calendar file names holidays from the `holidays` library (which computes Easter and the King's
birthday rule), adds fixed days the law recognises every year, and lists days equated with
holidays by decree. The file is the single place to update when a new decree appears.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import holidays

from protocol.calendar import LegalCalendar


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


def calendar_from_toml(text: str, *, source: str) -> LegalCalendar:
    """Build a calendar from its TOML text, checking every name and date it gives."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise _fail(source, "-", f"not valid TOML ({error})") from None
    head = doc.get("calendar", {})
    library = head.get("library", {})
    names = set(library.get("names", []))
    country, language = library.get("country", "NL"), library.get("language", "nl")
    sample = {n for n in holidays.country_holidays(country, years=2026, language=language).values()}
    unknown = sorted(names - sample)
    if unknown:
        raise _fail(source, "calendar.library.names", f"not in the holidays library: {', '.join(unknown)}")
    fixed = [_fixed(entry, source, i) for i, entry in enumerate(doc.get("fixed", []))]
    equated = {_equated(entry, source, i) for i, entry in enumerate(doc.get("equated", []))}

    def for_year(year: int) -> Mapping[date, str]:
        days: dict[date, str] = {
            day: name
            for day, name in holidays.country_holidays(country, years=year, language=language).items()
            if name in names
        }
        for month, day_of_month, name in fixed:
            days.setdefault(date(year, month, day_of_month), name)
        for day, name in equated:
            if day.year == year:
                days.setdefault(day, name)
        return days

    return LegalCalendar(for_year, name=str(head.get("key", source)))


def _fixed(entry: Mapping[str, Any], source: str, index: int) -> tuple[int, int, str]:
    try:
        date(2024, entry["month"], entry["day"])
        return int(entry["month"]), int(entry["day"]), str(entry["name"])
    except (KeyError, TypeError, ValueError):
        raise _fail(source, f"fixed[{index}]", "needs month, day and name of a real day") from None


def _equated(entry: Mapping[str, Any], source: str, index: int) -> tuple[date, str]:
    day = entry.get("date")
    if not isinstance(day, date) or not entry.get("source"):
        raise _fail(source, f"equated[{index}]", "needs a date and the decree that equates it (source)")
    return day, str(entry.get("name", "gelijkgestelde dag"))
