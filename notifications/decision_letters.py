"""What a decision letter says beyond any letter: the outcome in words, the officer's reasons, and
the remedies clause of Awb 3:45 with its last day.

A decision on a review request (`decision-review`) is open to objection: six weeks from the day
after the letter is sent (Awb 6:7, 6:8), extended past a Saturday, Sunday or Atw holiday (Algemene
termijnenwet art. 1). A decision on an objection (`decision-objection`) is open to appeal at the
administrative court, within six weeks too (Awb 8:1, 6:7). The last day is counted from the moment
the letter is rendered for sending, on the Atw calendar, and printed in the letter. See docs/letters.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from notifications.rendering import long_date
from protocol.calendar import LegalCalendar
from protocol.definition import Period

# Awb 6:7 (objection and appeal: six weeks), starting the day after sending (6:8). The statute, not a
# protocol step: a definition version cannot change it.
REMEDY_PERIOD = Period("weeks", 6)

# The outcome in words, per response kind and language (the letter's own sentence).
OUTCOME_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "review": {
        "nl": {
            "granted": "Wij geven u gelijk. Wij passen de beslissing over u aan.",
            "partly_granted": "Wij geven u voor een deel gelijk. Wij passen de beslissing over u voor dat deel aan.",
            "refused": "Wij geven u geen gelijk. De beslissing over u blijft zoals die was.",
        },
        "en": {
            "granted": "We agree with you. We are changing the decision about you.",
            "partly_granted": "We agree with you in part. We are changing that part of the decision about you.",
            "refused": "We do not agree with you. The decision about you stays as it was.",
        },
    },
    "objection": {
        "nl": {
            "upheld": "Uw bezwaar is gegrond. Dat betekent: u krijgt gelijk.",
            "partly_upheld": "Uw bezwaar is voor een deel gegrond. Dat betekent: u krijgt voor een deel gelijk.",
            "dismissed": "Uw bezwaar is ongegrond. Dat betekent: u krijgt geen gelijk.",
        },
        "en": {
            "upheld": "Your objection is upheld. This means: we agree with you.",
            "partly_upheld": "Your objection is partly upheld. This means: we agree with you in part.",
            "dismissed": "Your objection is dismissed. This means: we do not agree with you.",
        },
    },
}


@dataclass(frozen=True)
class Decision:
    """The decision a letter sends: on which response, its kind, the outcome and the officer's reasons."""

    response_id: uuid.UUID
    kind: str  # review or objection: the response it decides
    outcome: str
    reasons: str
    received_on: date  # when the response reached the organisation


def remedy_last_day(calendar: LegalCalendar, sent_at: datetime) -> date:
    """The last day to object to (or appeal against) a decision sent at `sent_at`: six weeks from the
    day after, extended past a Saturday, Sunday or recognised holiday (Awb 6:7, 6:8; Atw art. 1)."""
    last = calendar.due(sent_at, REMEDY_PERIOD, atw=True).last_day
    assert last is not None  # a period in weeks always has a last day
    return last


def decision_context(decision: Decision, *, language: str, last_day: date) -> dict[str, Any]:
    """The template context a decision letter adds to `letters.letter_context`."""
    paragraphs = [" ".join(p.split()) for p in decision.reasons.replace("\r\n", "\n").split("\n\n")]
    return {
        "decision": {
            "kind": decision.kind,
            "outcome": decision.outcome,
            "outcome_words": OUTCOME_WORDS[decision.kind][language][decision.outcome],
            "reasons": [p for p in paragraphs if p],
            "received_on": long_date(decision.received_on, language),
            "last_day": long_date(last_day, language),
        }
    }
