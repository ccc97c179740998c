"""The step state machine is a table: every move in it works, every move not in it is refused by name."""

from __future__ import annotations

import itertools

import pytest

from protocol.errors import IllegalTransition, StateConflict
from protocol.steps import ENDED, SETTLED, SYSTEM_ACTIONS, TRANSITIONS, Step, StepAction, StepState, next_state

ABSENT = sorted(
    (pair for pair in itertools.product(StepState, StepAction) if pair not in TRANSITIONS),
    key=lambda pair: (pair[0].value, pair[1].value),
)


def test_the_table_is_the_designed_one() -> None:
    assert TRANSITIONS == {
        (StepState.PENDING, StepAction.START): StepState.ACTIVE,
        (StepState.ACTIVE, StepAction.COMPLETE): StepState.COMPLETED,
        (StepState.PENDING, StepAction.WAIVE): StepState.WAIVED,
        (StepState.ACTIVE, StepAction.WAIVE): StepState.WAIVED,
        (StepState.PENDING, StepAction.LAPSE): StepState.NOT_APPLICABLE,
        (StepState.NOT_APPLICABLE, StepAction.REVIVE): StepState.PENDING,
        (StepState.COMPLETED, StepAction.REOPEN): StepState.ACTIVE,
        (StepState.WAIVED, StepAction.REOPEN): StepState.ACTIVE,
    }


@pytest.mark.parametrize(("move", "target"), TRANSITIONS.items(), ids=lambda x: getattr(x, "value", str(x)))
def test_every_move_in_the_table_leads_where_the_table_says(
    move: tuple[StepState, StepAction], target: StepState
) -> None:
    state, action = move
    step = Step("suspend", state=state)

    assert step.move(action) is target
    assert step.state is target
    assert next_state(state, action, step="suspend") is target


@pytest.mark.parametrize(("state", "action"), ABSENT, ids=lambda x: x.value)
def test_every_move_not_in_the_table_is_refused_naming_step_and_state(state: StepState, action: StepAction) -> None:
    step = Step("report", state=state)

    with pytest.raises(IllegalTransition) as caught:
        step.move(action)

    error = caught.value
    assert isinstance(error, StateConflict)
    assert error.rule == "transition"
    assert error.details == {"step": "report", "state": state.value, "action": action.value}
    assert f"step report is {state.value}: cannot {action.value}" in str(error)
    assert step.state is state, "a refused move leaves the step as it was"


@pytest.mark.parametrize("state", list(StepState), ids=lambda s: s.value)
def test_a_refusal_lists_the_moves_a_user_can_make_and_never_the_system_ones(state: StepState) -> None:
    possible = sorted(a.value for (s, a) in TRANSITIONS if s is state and a not in SYSTEM_ACTIONS)
    impossible = next(a for a in StepAction if (state, a) not in TRANSITIONS)

    with pytest.raises(IllegalTransition) as caught:
        next_state(state, impossible, step="x")
    message = str(caught.value)

    if possible:
        assert message.endswith(f"(possible: {', '.join(possible)})")
    else:
        assert "possible" not in message
    for system_action in SYSTEM_ACTIONS:
        assert f"possible: {system_action.value}" not in message


def test_a_refusal_without_a_step_name_still_reads() -> None:
    with pytest.raises(IllegalTransition, match=r"^step \? is completed: cannot start"):
        next_state(StepState.COMPLETED, StepAction.START)


@pytest.mark.parametrize("state", list(StepState), ids=lambda s: s.value)
def test_ended_and_settled(state: StepState) -> None:
    step = Step("assess", state=state)

    assert step.ended is (state in (StepState.COMPLETED, StepState.WAIVED))
    assert step.settled is (state in (StepState.COMPLETED, StepState.WAIVED, StepState.NOT_APPLICABLE))
    assert ENDED < SETTLED


def test_a_new_step_is_pending_and_empty() -> None:
    step = Step("assess")

    assert step.state is StepState.PENDING
    assert (step.started_at, step.ended_at, step.evidence, step.justification) == (None, None, {}, None)
