"""How a deadline went, as an oversight body reads it, and the pseudonyms it sees instead of persons."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from protocol.deadlines import DeadlineState
from protocol.oversight import DeadlineOutcome, deadline_outcome, pseudonym
from protocol.services.oversight import sanction_counts
from protocol.steps import StepState

DUE = datetime(2026, 12, 1, 23, 0, tzinfo=UTC)
BEFORE, AFTER = DUE - timedelta(hours=1), DUE + timedelta(hours=1)
OUT = DeadlineOutcome


@pytest.mark.parametrize(
    ("state", "met_at", "step", "now", "expected"),
    [
        # met: on time or late, from met_at against due_at
        (DeadlineState.MET, BEFORE, StepState.COMPLETED, AFTER, OUT.MET_ON_TIME),
        (DeadlineState.MET, DUE, StepState.COMPLETED, AFTER, OUT.MET_ON_TIME),  # at the due moment is in time
        (DeadlineState.MISSED, AFTER, StepState.COMPLETED, AFTER, OUT.MET_LATE),  # the sweep saw it missed first
        (DeadlineState.OPEN, AFTER, StepState.COMPLETED, AFTER, OUT.MET_LATE),  # however the record reads
        # waived: from the step's state, unless the waiver came late
        (DeadlineState.MET, BEFORE, StepState.WAIVED, AFTER, OUT.WAIVED),
        (DeadlineState.MISSED, AFTER, StepState.WAIVED, AFTER, OUT.MET_LATE),
        # the states a deadline records itself (deadline-enforcement): read as they are
        (DeadlineState.MET_LATE, AFTER, StepState.COMPLETED, AFTER, OUT.MET_LATE),
        (DeadlineState.WAIVED, None, StepState.WAIVED, AFTER, OUT.WAIVED),
        (DeadlineState.MISSED, None, StepState.WAIVED, AFTER, OUT.MISSED),  # waived after the due moment
        # not applicable: recorded so, or its step does not apply
        (DeadlineState.NOT_APPLICABLE, None, StepState.NOT_APPLICABLE, AFTER, OUT.NOT_APPLICABLE),
        (DeadlineState.NOT_APPLICABLE, None, None, BEFORE, OUT.NOT_APPLICABLE),
        (DeadlineState.OPEN, None, StepState.NOT_APPLICABLE, AFTER, OUT.NOT_APPLICABLE),
        # missed: recorded so, or past due before the sweep got to it
        (DeadlineState.MISSED, None, StepState.ACTIVE, AFTER, OUT.MISSED),
        (DeadlineState.OPEN, None, StepState.PENDING, AFTER, OUT.MISSED),
        # open: not yet due
        (DeadlineState.OPEN, None, StepState.ACTIVE, BEFORE, OUT.OPEN),
        (DeadlineState.OPEN, None, None, BEFORE, OUT.OPEN),
    ],
)
def test_deadline_outcome(
    state: DeadlineState, met_at: datetime | None, step: StepState | None, now: datetime, expected: DeadlineOutcome
) -> None:
    assert deadline_outcome(state=state, due_at=DUE, met_at=met_at, step_state=step, now=now) is expected


def test_deadline_outcome_reads_stored_strings() -> None:
    assert deadline_outcome(state="met", due_at=DUE, met_at=BEFORE, step_state="waived", now=AFTER) is OUT.WAIVED


def test_pseudonyms_are_stable_per_incident_and_differ_across_incidents_and_keys() -> None:
    key, person = b"k" * 32, uuid.uuid4()
    first, second = uuid.uuid4(), uuid.uuid4()
    name = pseudonym(key, first, person)
    assert name == pseudonym(key, first, person)
    assert name != pseudonym(key, second, person)  # one person cannot be linked across incidents
    assert name != pseudonym(b"x" * 32, first, person)  # nor computed without the installation's key
    assert name.startswith("P-")
    assert str(person) not in name
    assert person.hex not in name.lower()
    assert len({pseudonym(key, first, uuid.uuid4()) for _ in range(2000)}) == 2000


def test_sanctions_are_category_and_count_only() -> None:
    evidence = {
        "sanctions": [
            {"kind": "warning", "description": "Jan de Vries kreeg een waarschuwing", "decided_on": "2026-12-01"},
            {"kind": "warning", "description": "Piet", "decided_on": "2026-12-02"},
            {"kind": "transfer", "description": "Klaas", "decided_on": "2026-12-03"},
        ]
    }
    counted = sanction_counts(evidence)
    assert counted == {"by_kind": {"transfer": 1, "warning": 2}, "total": 3, "none_recorded": False}
    assert "Jan" not in str(counted)
    assert sanction_counts({"none_reason": "Niemand verwijtbaar."}) == {
        "by_kind": {},
        "total": 0,
        "none_recorded": True,
    }
