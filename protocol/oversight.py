"""What an oversight body sees of a case: how each deadline went, and people only as pseudonyms.

Two rules, written once and used by the API, the pages and the CSV alike:

- `deadline_outcome` reads a deadline (and the state of the step that meets it) as one of six
  outcomes a supervisor asks about: met on time, met late, missed, open, waived, not applicable.
  Lateness wins over a waiver: a step waived after its legal deadline still missed that deadline.
- `pseudonym` names an affected person by a keyed hash of their id under a key of their own incident,
  derived from the installation's hash key. The body cannot reverse it (it never holds the key), and
  cannot link one person across incidents (each incident has its own key); within one incident it is
  stable, so a pseudonym can be followed through the timeline and the lists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from protocol.deadlines import DeadlineState
from protocol.steps import StepState

PSEUDONYM_CONTEXT = b"herstel:oversight-pseudonym:v1:"
PSEUDONYM_BYTES = 10  # 80 bits: no collision among an incident's persons in practice, short to read


class DeadlineOutcome(StrEnum):
    MET_ON_TIME = "met_on_time"
    MET_LATE = "met_late"
    MISSED = "missed"
    OPEN = "open"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


# the outcomes in which the legal deadline was not kept
BROKEN = frozenset({DeadlineOutcome.MISSED, DeadlineOutcome.MET_LATE})


def deadline_outcome(
    *,
    state: DeadlineState | str,
    due_at: datetime,
    met_at: datetime | None,
    step_state: StepState | str | None,
    now: datetime,
) -> DeadlineOutcome:
    """How a deadline went (or stands at `now`), from its own record and its step's state."""
    state = DeadlineState(state)
    step = StepState(step_state) if step_state is not None else None
    settled = {
        DeadlineState.NOT_APPLICABLE: DeadlineOutcome.NOT_APPLICABLE,
        DeadlineState.WAIVED: DeadlineOutcome.WAIVED,
        DeadlineState.MET_LATE: DeadlineOutcome.MET_LATE,
    }
    if state in settled:  # the deadline records these itself; below, records from before it did
        return settled[state]
    if met_at is not None:
        if met_at > due_at:
            return DeadlineOutcome.MET_LATE
        return DeadlineOutcome.WAIVED if step is StepState.WAIVED else DeadlineOutcome.MET_ON_TIME
    if step is StepState.NOT_APPLICABLE:
        return DeadlineOutcome.NOT_APPLICABLE
    if state is DeadlineState.MISSED or due_at < now:
        return DeadlineOutcome.MISSED  # an open deadline past due is missed, even before the sweep records it
    if state is DeadlineState.MET:  # met without a moment: only a record from before met_at was kept
        return DeadlineOutcome.WAIVED if step is StepState.WAIVED else DeadlineOutcome.MET_ON_TIME
    return DeadlineOutcome.OPEN


def incident_pseudonym_key(hash_key: bytes, incident_id: UUID) -> bytes:
    """The key of one incident's pseudonyms, derived from the installation's hash key."""
    return hmac.new(hash_key, PSEUDONYM_CONTEXT + incident_id.bytes, hashlib.sha256).digest()


def pseudonym(hash_key: bytes, incident_id: UUID, person_id: UUID) -> str:
    """A person's stable name within one incident, e.g. `P-4KQ7-ZB2M-XW9T-R5DA`; not reversible without the key."""
    digest = hmac.new(incident_pseudonym_key(hash_key, incident_id), person_id.bytes, hashlib.sha256).digest()
    text = base64.b32encode(digest[:PSEUDONYM_BYTES]).decode("ascii")
    return "P-" + "-".join(text[i : i + 4] for i in range(0, len(text), 4))
