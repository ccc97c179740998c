"""A deadline's urgency as people read it: the days left in words and a tone to colour it by.

Whether a deadline is overdue is the service's answer (`overdue` of an incident or a waiting
item); this module only counts calendar days between today and the deadline's last day in the
installation's time zone, so that "vandaag" is the last day itself and "1 dag te laat" the day
after it. The tone is never the only signal: the words say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from web.context import herstel
from web.pages.common import zone
from web.pages.text import _, ngettext

SOON = 2  # days left at which a deadline is shown as close (amber)


@dataclass(frozen=True)
class Urgency:
    """`text`: the days left in words; `tone`: late, today, soon or later (a CSS modifier)."""

    text: str
    tone: str


def last_day(deadline: dict[str, Any]) -> date:
    """The day a deadline ends on: its last day, or (for an exact moment, hours) the local day of it."""
    found = deadline.get("last_day")
    if isinstance(found, date):
        return found
    if isinstance(found, str) and found:
        return date.fromisoformat(found)
    due: datetime = deadline["due_at"]
    return due.astimezone(zone()).date()


def today() -> date:
    """Today in the installation's time zone, by the installation's clock."""
    return herstel().clock().astimezone(zone()).date()


def urgency(deadline: dict[str, Any] | None, *, overdue: bool, on: date | None = None) -> Urgency | None:
    """How urgent a deadline is on `on` (default today); None when there is no deadline."""
    if deadline is None:
        return None
    days = (last_day(deadline) - (on or today())).days
    if overdue:
        late = max(-days, 0)
        if late == 0:
            return Urgency(_("overdue today"), "late")
        return Urgency(ngettext("%(num)d day overdue", "%(num)d days overdue", late), "late")
    if days <= 0:
        return Urgency(_("today"), "today")
    return Urgency(ngettext("%(num)d day left", "%(num)d days left", days), "soon" if days <= SOON else "later")
