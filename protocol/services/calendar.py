"""The deadline calculator: when a period after an event expires under a calendar rule, and why.

Officers and lawyers ask it directly (`herstel deadlines calc`, `GET /api/v1/calendar/due`); the
counting is the same code the deadlines of an incident use (protocol.calendar).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from protocol import messages
from protocol.calendar import Calendars
from protocol.calendars import load_calendars
from protocol.definition import CalendarRule, Period
from protocol.errors import InvalidEvidence
from protocol.evidence import parse_instant

# ISO 8601 durations the law uses: days, weeks, months, hours.
DURATION = re.compile(r"^P(?:(?P<count>\d{1,4})(?P<unit>[DWM])|T(?P<hours>\d{1,5})H)$")
UNITS = {"D": "days", "W": "weeks", "M": "months"}
MAX_COUNT = {"days": 3660, "working_days": 2600, "weeks": 520, "months": 120, "hours": 87600}  # ten years
EARLIEST_YEAR, LATEST_YEAR = 1990, 2100


def legal_calendars() -> Calendars:
    """The built-in calendars, for a calculation that needs no installation (the CLI's calculator)."""
    return load_calendars()


def calculate_due(*, calendars: Calendars, start: str, period: str, rule: str) -> dict[str, Any]:
    """When a period of `period` (ISO 8601) after an event at `start` (a moment or a day) expires under `rule`.

    Returns `due_at`, `last_day` (None for hours) and `explanation`: a list of {code, params}.
    Bad input is refused with InvalidEvidence naming each field at fault.
    """
    errors: dict[str, list[str]] = {}
    calendar_rule = _rule(rule, errors)
    moment = _start(start, errors)
    length = _period(period, calendar_rule, errors)
    if calendar_rule is CalendarRule.HOURS and isinstance(moment, date) and not isinstance(moment, datetime):
        errors.setdefault("from", []).append(messages.HOURS_NEED_MOMENT())
    if errors or calendar_rule is None or moment is None or length is None:
        raise InvalidEvidence(messages.CALCULATION_INVALID(), errors=errors)
    due = calendars.due(moment, length, calendar_rule)
    return {
        "due_at": due.at,
        "last_day": due.last_day,
        "explanation": [{"code": reason.code, "params": dict(reason.params)} for reason in due.explanation],
    }


def _rule(raw: str, errors: dict[str, list[str]]) -> CalendarRule | None:
    try:
        return CalendarRule(raw)
    except ValueError:
        errors["rule"] = [messages.NOT_A_CHOICE(choices=messages.joined(r.value for r in CalendarRule))]
        return None


def _start(raw: str, errors: dict[str, list[str]]) -> datetime | date | None:
    text = raw.strip()
    try:
        moment: datetime | date = date.fromisoformat(text) if len(text) == 10 else parse_instant(text)
    except ValueError as problem:
        message = problem.args[0] if len(text) != 10 else messages.DAY_OR_MOMENT()
        errors["from"] = [message]
        return None
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        errors["from"] = [messages.YEAR_RANGE(earliest=EARLIEST_YEAR, latest=LATEST_YEAR)]
        return None
    return moment


def _period(raw: str, rule: CalendarRule | None, errors: dict[str, list[str]]) -> Period | None:
    found = DURATION.match(raw.strip().upper())
    if not found:
        errors["period"] = [messages.PERIOD_FORMAT()]
        return None
    if found.group("hours"):
        unit, count = "hours", int(found.group("hours"))
    else:
        unit, count = UNITS[found.group("unit")], int(found.group("count"))
    if rule is CalendarRule.WORKDAYS and unit == "days":
        unit = "working_days"  # under the workdays rule, PnD counts working days
    if count < 1 or count > MAX_COUNT[unit]:
        errors["period"] = [messages.PERIOD_RANGE(maximum=MAX_COUNT[unit], unit=unit.replace("_", " "))]
        return None
    if rule is not None and not rule.counts(unit):
        errors["period"] = [_unit_problem(rule)]
        return None
    return Period(unit, count)


def _unit_problem(rule: CalendarRule) -> str:
    return {
        CalendarRule.HOURS: messages.UNIT_HOURS,
        CalendarRule.WORKDAYS: messages.UNIT_WORKDAYS,
        CalendarRule.ATW: messages.UNIT_ATW,
        CalendarRule.EU: messages.UNIT_EU,
    }[rule]()
