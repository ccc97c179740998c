"""Deadlines: set when their trigger happens, met when their step ends, never deleted.

A deadline is open until its step ends or the deadline passes. Its state says how it went:

- `met`: the step was completed by the due moment; `met_late`: completed after it (the miss was
  recorded first, when the sweep or the completion found it past due);
- `missed`: the due moment passed and the step has not been completed;
- `waived`: the step was waived (with its justification) by the due moment; a waiver after the
  due moment leaves the deadline `missed`, since nothing met it;
- `not_applicable`: its step turned out not to apply to this incident.

A deadline is never deleted; the events on the timeline record each of these moments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from protocol.calendar import reminder_before
from protocol.definition import DeadlineRule, Period


class DeadlineState(StrEnum):
    OPEN = "open"
    MET = "met"
    MET_LATE = "met_late"
    MISSED = "missed"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


def is_overdue(state: DeadlineState, due_at: datetime, now: datetime) -> bool:
    """Missed, or still open past its due moment: what the pages and the API call overdue."""
    return state is DeadlineState.MISSED or (state is DeadlineState.OPEN and due_at < now)


@dataclass
class Deadline:
    """One deadline of one incident."""

    id: UUID
    rule: str
    subject: str | None
    step: str | None
    set_at: datetime
    due_at: datetime
    last_day: date | None
    legal_basis: str
    state: DeadlineState = DeadlineState.OPEN
    met_at: datetime | None = None
    missed_at: datetime | None = None
    reminders_sent: int = 0
    escalations: int = 0
    next_check_at: datetime | None = None

    def reminder_times(self, reminders: tuple[Period, ...]) -> list[datetime]:
        """When reminders fall due, earliest first (periods before the due moment)."""
        return sorted(reminder_before(self.due_at, period) for period in reminders)

    def schedule(self, rule: DeadlineRule) -> None:
        """Set `next_check_at`: the next reminder still to send, else the due moment; none once settled."""
        if self.state is not DeadlineState.OPEN:
            self.next_check_at = None
            return
        pending = self.reminder_times(rule.reminders)[self.reminders_sent :]
        self.next_check_at = min([*pending, self.due_at])
