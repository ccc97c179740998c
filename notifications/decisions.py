"""The decisions made about a person with the algorithm, as the persons file names them.

A municipality's case system knows which decisions (besluiten) the algorithm was used for: their
reference (kenmerk), date and subject. The notification letter lists them, so the reader knows which
decisions they may ask to have reviewed. They are personal data: sealed with the person's identity
(`notifications.identity`), never in events or logs.

Pure: the standard library only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

EARLIEST = date(1900, 1, 1)
MAX_REFERENCE = 60
MAX_SUBJECT = 200
MAX_PER_PERSON = 50  # more is a join gone wrong in the extract, not a letter anyone reads

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Dutch: day first, with a dash, slash or dot, a four-digit year (15-3-2024, 15/03/2024, 15.03.2024)
_DUTCH = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$")


@dataclass(frozen=True)
class DecisionMade:
    """One decision about the person that the algorithm had a part in; any field may be empty."""

    reference: str = ""
    day: date | None = None
    subject: str = ""

    def as_json(self) -> dict[str, str]:
        return {"reference": self.reference, "date": self.day.isoformat() if self.day else "", "subject": self.subject}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> DecisionMade:
        day = raw.get("date") or ""
        reference, subject = str(raw.get("reference") or ""), str(raw.get("subject") or "")
        return cls(reference, date.fromisoformat(day) if day else None, subject)


def encode_decisions(decisions: Iterable[DecisionMade]) -> str:
    """The JSON that is sealed (a list, in the file's order)."""
    return json.dumps([d.as_json() for d in decisions], sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def decode_decisions(text: str | None) -> tuple[DecisionMade, ...]:
    """The decisions from their opened JSON; none for a person imported without them."""
    if not text:
        return ()
    return tuple(DecisionMade.from_json(item) for item in json.loads(text))


def parse_day(raw: str, *, today: date | None = None) -> tuple[date | None, str | None]:
    """A date as spreadsheets write it: ISO (2024-03-15) or Dutch, day first (15-3-2024, 15/03/2024,
    15.03.2024). Returns (date, None), or (None, why): "format", "no-such-day" or "range" (before
    1900 or after `today`: a decision already made cannot be dated in the future)."""
    text = raw.strip()
    iso, dutch = _ISO.match(text), _DUTCH.match(text)
    if iso:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    elif dutch:
        year, month, day = int(dutch.group(4)), int(dutch.group(3)), int(dutch.group(1))
    else:
        return None, "format"
    try:
        value = date(year, month, day)
    except ValueError:
        return None, "no-such-day"
    if value < EARLIEST or (today is not None and value > today):
        return None, "range"
    return value, None
