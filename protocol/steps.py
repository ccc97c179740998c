"""A protocol step and its state machine, written as a transition table.

    pending ──start──▶ active ──complete──▶ completed
       │                  │
       └──────waive───────┴──▶ waived

plus the moves the system makes: a pending step that does not apply becomes not_applicable (and
back, if the facts change), and reopening an incident can put an ended step back to active.
Guards (requirements, applicability, evidence, waiver rules) live on the incident, which knows
the other steps; this module only knows which moves exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from protocol.errors import IllegalTransition
from protocol.messages import ILLEGAL_MOVE, ILLEGAL_MOVE_POSSIBLE, joined


class StepState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"
    WAIVED = "waived"
    NOT_APPLICABLE = "not_applicable"


class StepAction(StrEnum):
    START = "start"
    COMPLETE = "complete"
    WAIVE = "waive"
    LAPSE = "lapse"  # system: the step turned out not to apply
    REVIVE = "revive"  # system: the step applies again after the facts changed
    REOPEN = "reopen"


USER_ACTIONS = (StepAction.START, StepAction.COMPLETE, StepAction.WAIVE)  # the actions a person takes


TRANSITIONS: dict[tuple[StepState, StepAction], StepState] = {
    (StepState.PENDING, StepAction.START): StepState.ACTIVE,
    (StepState.ACTIVE, StepAction.COMPLETE): StepState.COMPLETED,
    (StepState.PENDING, StepAction.WAIVE): StepState.WAIVED,
    (StepState.ACTIVE, StepAction.WAIVE): StepState.WAIVED,
    (StepState.PENDING, StepAction.LAPSE): StepState.NOT_APPLICABLE,
    (StepState.NOT_APPLICABLE, StepAction.REVIVE): StepState.PENDING,
    (StepState.COMPLETED, StepAction.REOPEN): StepState.ACTIVE,
    (StepState.WAIVED, StepAction.REOPEN): StepState.ACTIVE,
}

SYSTEM_ACTIONS = frozenset({StepAction.LAPSE, StepAction.REVIVE})
ENDED = frozenset({StepState.COMPLETED, StepState.WAIVED})
SETTLED = ENDED | {StepState.NOT_APPLICABLE}


def next_state(state: StepState, action: StepAction, *, step: str = "") -> StepState:
    """The state `action` leads to from `state`, or IllegalTransition naming both."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state and a not in SYSTEM_ACTIONS)
        words = {"step": step or "?", "state": state.value, "action": action.value}
        raise IllegalTransition(
            ILLEGAL_MOVE_POSSIBLE(**words, possible=joined(allowed)) if allowed else ILLEGAL_MOVE(**words),
            step=step,
            state=state.value,
            action=action.value,
        ) from None


@dataclass
class Step:
    """One step of one incident."""

    key: str
    state: StepState = StepState.PENDING
    started_at: datetime | None = None
    started_by: str | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    start_evidence: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    justification: str | None = None
    approved_by: str | None = None

    def move(self, action: StepAction) -> StepState:
        """Apply one move of the table; returns the new state."""
        self.state = next_state(self.state, action, step=self.key)
        return self.state

    @property
    def ended(self) -> bool:
        return self.state in ENDED

    @property
    def settled(self) -> bool:
        return self.state in SETTLED
