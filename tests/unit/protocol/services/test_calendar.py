"""The calculator's input: the ISO 8601 durations the law uses, a day or a moment, a rule; else refused by field."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.errors import InvalidEvidence
from protocol.services.calendar import calculate_due, legal_calendars

CALENDARS = legal_calendars()


def calc(start: str, period: str, rule: str) -> dict[str, object]:
    return calculate_due(calendars=CALENDARS, start=start, period=period, rule=rule)


@pytest.mark.parametrize(
    ("start", "period", "rule", "last_day"),
    [
        ("2028-05-11", "P15D", "eu", date(2028, 5, 26)),
        ("2027-04-09", "P2D", "eu", date(2027, 4, 13)),
        ("2026-04-13T10:00:00+02:00", "P6W", "atw", date(2026, 5, 26)),
        ("2026-01-31", "P1M", "atw", date(2026, 3, 2)),
        ("2026-12-24", "P2D", "workdays", date(2026, 12, 29)),  # PnD counts working days under workdays
        ("2026-11-30T23:30:00Z", "P1D", "atw", date(2026, 12, 2)),  # already Tuesday in Amsterdam
    ],
)
def test_day_periods(start: str, period: str, rule: str, last_day: date) -> None:
    assert calc(start, period, rule)["last_day"] == last_day


def test_hours() -> None:
    due = calc("2026-10-23T10:00:00+02:00", "pt72h", "hours")

    assert due["due_at"] == datetime(2026, 10, 26, 8, tzinfo=UTC)
    assert due["last_day"] is None


@pytest.mark.parametrize(
    ("start", "period", "rule", "fields"),
    [
        ("2028-05-11", "P1Y", "eu", {"period"}),
        ("2028-05-11", "P2DT3H", "eu", {"period"}),
        ("2028-05-11", "P0D", "atw", {"period"}),
        ("2028-05-11", "P6W", "workdays", {"period"}),
        ("2028-05-11", "PT1H", "atw", {"period"}),
        ("2028-05-11", "P1D", "hours", {"period", "from"}),
        ("2028-05-11T10:00", "P1D", "eu", {"from"}),
        ("1789-07-14", "P1D", "eu", {"from"}),
        ("tomorrow", "soon", "julian", {"from", "period", "rule"}),
    ],
)
def test_bad_input_is_refused_naming_each_field(start: str, period: str, rule: str, fields: set[str]) -> None:
    with pytest.raises(InvalidEvidence) as caught:
        calc(start, period, rule)

    assert set(caught.value.errors) == fields


@given(
    start=st.text(max_size=40), period=st.text(max_size=12), rule=st.sampled_from(["atw", "eu", "hours", "workdays"])
)
def test_any_text_is_counted_or_refused_never_crashes(start: str, period: str, rule: str) -> None:
    with contextlib.suppress(InvalidEvidence):
        calc(start, period, rule)
