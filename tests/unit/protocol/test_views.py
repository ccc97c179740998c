"""The actions a view offers are exactly the actions the incident accepts.

Hypothesis drives an incident through random sequences of actions (by officers, coordinators,
an investigator and the system; accepted or refused), then asks, for every principal, every step
and every user action, both questions: does `incident_view` offer it, and does the permission
matrix let the principal through and the incident accept it with valid evidence? The answers
must agree: a button is never shown for an action that would be refused, nor hidden for one
that would pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protocol.errors import ProtocolError
from protocol.identity import SYSTEM, Actor, Principal, Role
from protocol.incident import ApprovalState, Incident
from protocol.permissions import require
from protocol.steps import USER_ACTIONS, StepAction
from protocol.views import incident_view
from tests.unit.protocol.support import (
    COMPLETE_EVIDENCE,
    COORDINATOR,
    COORDINATOR_2,
    INVESTIGATOR,
    OFFICER,
    ORGANISATION,
    STEPS,
    T0,
    assessment,
    commission,
    report,
    run_to_end,
)

ACTORS = [OFFICER, COORDINATOR, COORDINATOR_2, INVESTIGATOR, SYSTEM]
JUSTIFICATION = "Covered by the procedure of another body already."
PRINCIPALS = [
    Principal(OFFICER.id, {ORGANISATION: frozenset({Role.OFFICER})}),
    Principal(COORDINATOR.id, {ORGANISATION: frozenset({Role.COORDINATOR})}),
    Principal(INVESTIGATOR.id, {ORGANISATION: frozenset({Role.INVESTIGATOR})}),
    Principal(OFFICER.id, {ORGANISATION: frozenset({Role.OVERSIGHT})}),
    Principal(COORDINATOR_2.id, {ORGANISATION: frozenset({Role.OFFICER, Role.INVESTIGATOR})}),
    Principal.installation(),
]

outcomes = st.sampled_from(["established", "suspected", "unfounded"])
moves = st.tuples(
    st.sampled_from(["start", "complete", "waive", "approve", "reject", "close", "reopen", "finish"]),
    st.sampled_from(STEPS),
    st.sampled_from(ACTORS),
    outcomes,
    st.booleans(),
)


def evidence_for(action: StepAction, key: str, outcome: str = "suspected", flag: bool = False) -> dict[str, Any]:
    """Valid evidence, so that only the guards (never the evidence) can refuse."""
    if action is StepAction.START:
        return commission() if key == "investigate" else {}
    if key == "assess":
        return assessment(outcome, high_risk_ai=flag, personal_data_breach=flag)
    return COMPLETE_EVIDENCE[key]()


def take(incident: Incident, action: StepAction, key: str, actor: Actor, outcome: str = "suspected") -> None:
    if action is StepAction.WAIVE:
        incident.waive_step(key, version=incident.version, actor=actor, now=T0, justification=JUSTIFICATION)
        return
    act = incident.start_step if action is StepAction.START else incident.complete_step
    act(key, version=incident.version, actor=actor, now=T0, evidence=evidence_for(action, key, outcome))


def play(incident: Incident, move: tuple[str, str, Actor, str, bool]) -> None:
    """One move of the random history; a refusal is part of the history too (it changes nothing)."""
    kind, key, actor, outcome, flag = move
    pending = [a.id for a in incident.approvals.values() if a.state is ApprovalState.PENDING]
    try:
        if kind in ("start", "complete", "waive"):
            action = StepAction(kind)
            if kind == "complete" and key == "assess":
                incident.complete_step(
                    key,
                    version=incident.version,
                    actor=actor,
                    now=T0,
                    evidence=evidence_for(action, key, outcome, flag),
                )
            else:
                take(incident, action, key, actor, outcome)
        elif kind == "approve" and pending:
            incident.approve(pending[0], version=incident.version, actor=actor, now=T0)
        elif kind == "reject" and pending:
            incident.reject(pending[-1], version=incident.version, actor=actor, now=T0)
        elif kind == "close":
            incident.close(version=incident.version, actor=actor, now=T0)
        elif kind == "finish":  # a shortcut to the closed incident that reopening starts from
            run_to_end(incident)
            incident.close(version=incident.version, actor=COORDINATOR, now=T0)
        elif kind == "reopen":
            ended = tuple(k for k, s in incident.steps.items() if s.ended and (flag or k == key))
            incident.reopen(version=incident.version, actor=actor, now=T0, justification=JUSTIFICATION, steps=ended)
    except ProtocolError:
        pass


def trial(incident: Incident) -> Incident:
    """A copy to try an action on; the definition and calendars are immutable and shared."""
    shared = {id(incident.definition): incident.definition, id(incident.calendar): incident.calendar}
    return copy.deepcopy(incident, shared)


def accepted(incident: Incident, principal: Principal, action: StepAction, key: str) -> bool:
    """What the services do: the permission check, then the action itself (on a copy)."""
    if principal.is_installation:
        return False  # the installation takes no step action in an organisation's name
    try:
        require(
            principal,
            f"step.{action.value}",
            incident.organisation_id,
            assigned=principal.user_id in incident.assignments,
            step=key,
        )
        take(trial(incident), action, key, principal.actor_in(incident.organisation_id))
    except ProtocolError:
        return False
    return True


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(moves, max_size=25))
def test_the_view_offers_exactly_the_actions_the_incident_accepts(history: list[Any]) -> None:
    incident = report()
    for move in history:
        play(incident, move)

    for principal in PRINCIPALS:
        view = incident_view(incident, principal=principal, now=T0)
        for key in STEPS:
            offered = set(view["steps"][key]["actions"])
            expected = {a.value for a in USER_ACTIONS if accepted(incident, principal, a, key)}
            assert offered == expected, (principal.roles_in(ORGANISATION), key, incident.steps[key].state)


@given(st.lists(moves, max_size=25), st.sampled_from(STEPS), st.sampled_from(USER_ACTIONS))
@settings(max_examples=50, deadline=None)
def test_refusal_is_the_error_the_action_raises(history: list[Any], key: str, action: StepAction) -> None:
    """The "may" answer names the rule that the action itself would refuse with."""
    incident = report()
    for move in history:
        play(incident, move)
    for actor in ACTORS:
        refusal = incident.refusal(action, key, actor=actor)
        raised = raised_by(partial(take, trial(incident), action, key, actor))
        assert describe(refusal) == describe(raised), (actor.kind, sorted(actor.roles), action, key)


def raised_by(attempt: Callable[[], None]) -> ProtocolError | None:
    try:
        attempt()
    except ProtocolError as error:
        return error
    return None


def describe(error: ProtocolError | None) -> tuple[Any, ...] | None:
    return None if error is None else (type(error), error.rule, error.details)
