"""Random sequences of actions against the built-in protocol, checking the invariants after every one.

The machine plays officers, coordinators, an investigator, an oversight user and the system; it
sends current and stale versions, valid and invalid evidence, and lets time pass so that the
deadline sweep has reminders and misses to record. Whatever happens, the incident must keep its
promises:

- a step never starts or completes before the steps it requires have ended (checked by replaying
  the timeline, which must also reproduce every step's state);
- every payload is JSON without floats, and the chain sealed over all events verifies;
- an accepted action raises the version by one; a refused one changes nothing at all;
- deadlines are never removed, never reopened, and an open deadline always belongs to a step that
  can still meet it;
- a closed incident accepts no step action.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from hypothesis import event as statistic
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from protocol.chain import GENESIS, seal, verify_chain
from protocol.deadlines import DeadlineState
from protocol.errors import ProtocolError
from protocol.events import StoredEvent
from protocol.identity import SYSTEM, Actor
from protocol.incident import ApprovalState, IncidentState
from protocol.steps import StepState
from tests.unit.protocol.support import (
    COORDINATOR,
    COORDINATOR_2,
    DEFINITION,
    DOCUMENT,
    INVESTIGATOR,
    OFFICER,
    OFFICER_2,
    OVERSIGHT,
    STEPS,
    T0,
    report,
    snapshot,
)

ACTORS = [OFFICER, OFFICER_2, COORDINATOR, COORDINATOR_2, INVESTIGATOR, OVERSIGHT, SYSTEM]
STEP_KEYS = [*STEPS, "nope"]
STEP_ACTIONS = {"start", "complete", "waive", "approve", "reject"}
ENDED = {StepState.COMPLETED, StepState.WAIVED}

# ---------------------------------------------------------------------- evidence strategies

words = st.text(alphabet="abcdefghij klmnopqrstuvwxyzé€\n", min_size=1, max_size=40)
instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))
days_around = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))
junk_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.lists(st.dictionaries(st.sampled_from(["body", "measure", "x"]), st.text(max_size=4), max_size=2), max_size=2),
)


def junk(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from([*names, "unknown"]), junk_value, max_size=4)


assess_valid = st.fixed_dictionaries(
    {
        "outcome": st.sampled_from(["established", "suspected", "unfounded"]),
        "severity": st.integers(1, 4),
        "estimated_affected": st.integers(0, 200_000),
        "high_risk_ai": st.booleans(),
        "personal_data_breach": st.booleans(),
        "widespread": st.booleans(),
        "summary": words,
    }
)
suspend_valid = st.fixed_dictionaries(
    {
        "scope": st.sampled_from(["full", "partial"]),
        "fallback_procedure": words,
        "not_working_since": instants.map(lambda d: d.isoformat()),
        "confirmed_by_owner": st.booleans(),
    }
)
body = st.fixed_dictionaries(
    {
        "body": st.sampled_from(["market_surveillance_authority", "autoriteit_persoonsgegevens", "council"]),
        "informed_at": instants.map(lambda d: d.isoformat()),
    },
    optional={"reference": words},
)
report_valid = st.fixed_dictionaries({"bodies": st.lists(body, min_size=1, max_size=3)})
investigate_start_valid = st.fixed_dictionaries(
    {"investigator": st.sampled_from([str(INVESTIGATOR.id), str(UUID(int=0xBAD))])},
    optional={"due_date": days_around.map(date.isoformat)},
)
investigate_valid = st.fixed_dictionaries(
    {
        "report_document": st.just(str(DOCUMENT)),
        "conclusion": st.sampled_from(["established", "not_established", "inconclusive"]),
    },
    optional={"summary": words},
)
sanction_valid = st.one_of(
    st.fixed_dictionaries({"none_reason": words}),
    st.fixed_dictionaries(
        {
            "sanctions": st.lists(
                st.fixed_dictionaries(
                    {
                        "kind": st.sampled_from(["warning", "organisational"]),
                        "description": words,
                        "decided_on": days_around.map(date.isoformat),
                    }
                ),
                min_size=1,
                max_size=2,
            )
        }
    ),
)
safeguard_valid = st.fixed_dictionaries(
    {
        "safeguards": st.lists(
            st.fixed_dictionaries(
                {
                    "measure": st.sampled_from(["owk-02", "ver-03"]),
                    "description": words,
                    "review_date": days_around.map(date.isoformat),
                }
            ),
            min_size=1,
            max_size=2,
        )
    }
)
VALID_COMPLETE: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "assess": assess_valid,
    "suspend": suspend_valid,
    "report": report_valid,
    "investigate": investigate_valid,
    "inform": st.just({}),
    "sanction": sanction_valid,
    "safeguard": safeguard_valid,
}


def complete_evidence(step: str) -> st.SearchStrategy[dict[str, Any]]:
    spec = DEFINITION.steps.get(step)
    names = sorted(spec.evidence.names) if spec else []
    valid = VALID_COMPLETE.get(step, st.just({}))
    return st.one_of(valid, valid, valid, junk(names))


def start_evidence(step: str) -> st.SearchStrategy[dict[str, Any] | None]:
    if step == "investigate":
        return st.one_of(investigate_start_valid, investigate_start_valid, junk(["investigator", "due_date"]))
    return st.one_of(st.none(), st.none(), st.none(), junk([]))


REASON = "New facts have come to light about this step."
justifications = st.one_of(words.map(lambda w: "Because: " + w), st.sampled_from(["", "too short", "  "]))


# ---------------------------------------------------------------------- the machine


class IncidentMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.incident = report(now=T0)
        self.accepted = 0
        self.seen_events: list[Any] = []
        self.sealed: list[StoredEvent] = []
        self.model: dict[str, StepState] = {key: StepState.PENDING for key in STEPS}
        self.deadline_states: dict[UUID, tuple[DeadlineState, datetime | None]] = {}

    # ------------------------------------------------------------------ helpers

    def version(self, data: st.DataObject) -> int:
        """Mostly the current version; sometimes a stale one, one from the future, or nonsense."""
        current = self.incident.version
        options = [current] * 6 + [current - 1, current - 2, current + 1, 0]
        return data.draw(st.sampled_from(options), label="version")

    def actor(self, data: st.DataObject) -> Actor:
        return data.draw(st.sampled_from(ACTORS), label="actor")

    def act(self, kind: str, action: Callable[[], Any]) -> None:
        before = snapshot(self.incident)
        was_closed = self.incident.state is IncidentState.CLOSED
        try:
            action()
        except ProtocolError:
            assert snapshot(self.incident) == before, f"refused {kind} changed the incident"
            return
        assert not (was_closed and kind in STEP_ACTIONS), f"a closed incident accepted {kind}"
        statistic(f"accepted {kind}")
        assert self.incident.version == before["version"] + 1, f"accepted {kind} did not bump the version by 1"
        self.accepted += 1

    def step(self, data: st.DataObject) -> str:
        live = [k for k, s in self.incident.steps.items() if s.state in (StepState.PENDING, StepState.ACTIVE)]
        options = st.sampled_from(STEP_KEYS)
        return data.draw(st.one_of(st.sampled_from(live), options) if live else options, label="step")

    def pending_or_any_approval(self, data: st.DataObject) -> UUID:
        known = list(self.incident.approvals)
        return data.draw(st.sampled_from([*known, UUID(int=0xDEAD)]) if known else st.just(UUID(int=0xDEAD)))

    # ------------------------------------------------------------------ rules

    @rule(data=st.data())
    def start(self, data: st.DataObject) -> None:
        step = self.step(data)
        evidence = data.draw(start_evidence(step), label="start evidence")
        version, actor = self.version(data), self.actor(data)
        self.act(
            "start",
            lambda: self.incident.start_step(step, version=version, actor=actor, now=self.now, evidence=evidence),
        )

    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        step = self.step(data)
        evidence = data.draw(complete_evidence(step), label="evidence")
        version, actor = self.version(data), self.actor(data)
        self.act(
            "complete",
            lambda: self.incident.complete_step(step, version=version, actor=actor, now=self.now, evidence=evidence),
        )

    @rule(data=st.data(), justification=justifications)
    def waive(self, data: st.DataObject, justification: str) -> None:
        step = self.step(data)
        version, actor = self.version(data), self.actor(data)
        self.act(
            "waive",
            lambda: self.incident.waive_step(
                step, version=version, actor=actor, now=self.now, justification=justification
            ),
        )

    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        approval_id, version, actor = self.pending_or_any_approval(data), self.version(data), self.actor(data)
        self.act("approve", lambda: self.incident.approve(approval_id, version=version, actor=actor, now=self.now))

    @rule(data=st.data(), note=st.sampled_from(["", "Not convincing enough."]))
    def reject(self, data: st.DataObject, note: str) -> None:
        approval_id, version, actor = self.pending_or_any_approval(data), self.version(data), self.actor(data)
        self.act(
            "reject",
            lambda: self.incident.reject(approval_id, version=version, actor=actor, now=self.now, note=note),
        )

    @rule(data=st.data())
    def close(self, data: st.DataObject) -> None:
        version, actor = self.version(data), self.actor(data)
        self.act("close", lambda: self.incident.close(version=version, actor=actor, now=self.now))

    @rule(data=st.data(), steps=st.lists(st.sampled_from(STEP_KEYS), max_size=3), justification=justifications)
    def reopen(self, data: st.DataObject, steps: list[str], justification: str) -> None:
        version, actor = self.version(data), self.actor(data)
        self.act(
            "reopen",
            lambda: self.incident.reopen(
                version=version, actor=actor, now=self.now, justification=justification, steps=tuple(steps)
            ),
        )

    @rule(hours=st.one_of(st.integers(0, 12), st.integers(0, 24 * 21)))
    def time_passes(self, hours: int) -> None:
        version, events = self.incident.version, len(self.incident.events)
        self.now += timedelta(hours=hours)
        self.incident.check_deadlines(now=self.now, actor=SYSTEM)
        assert self.incident.version == version, "the sweep is not an action: it leaves the version alone"
        assert all(e.type.startswith("Deadline") for e in self.incident.events[events:])

    @rule(data=st.data(), moves=st.integers(1, 8))
    def drive(self, data: st.DataObject, moves: int) -> None:
        """A diligent officer and coordinators for a while, so that runs reach close, reopen and beyond."""
        for _ in range(moves):
            self.sensible_move(data)

    def sensible_move(self, data: st.DataObject) -> None:
        incident = self.incident
        if incident.state is IncidentState.CLOSED:
            ended = [k for k, s in incident.steps.items() if s.ended]
            steps = data.draw(st.lists(st.sampled_from(ended), max_size=2, unique=True)) if ended else []
            self.act(
                "reopen",
                lambda: incident.reopen(
                    version=incident.version,
                    actor=COORDINATOR_2,
                    now=self.now,
                    justification=REASON,
                    steps=tuple(steps),
                ),
            )
            return
        pending = [a for a in incident.approvals.values() if a.state is ApprovalState.PENDING]
        movable = [k for k, s in incident.steps.items() if s.state in (StepState.PENDING, StepState.ACTIVE)]
        choices = (["decide"] if pending else []) + (["move", "move", "move", "waive"] if movable else [])
        choice = data.draw(st.sampled_from(choices), label="move") if choices else "close"
        if choice == "close":
            self.act("close", lambda: incident.close(version=incident.version, actor=COORDINATOR, now=self.now))
        elif choice == "decide":
            approval = data.draw(st.sampled_from(pending), label="approval")
            decider = COORDINATOR_2 if approval.requested_by == COORDINATOR.ref() else COORDINATOR
            if data.draw(st.booleans(), label="grant"):
                self.act(
                    "approve",
                    lambda: incident.approve(approval.id, version=incident.version, actor=decider, now=self.now),
                )
            else:
                self.act(
                    "reject",
                    lambda: incident.reject(approval.id, version=incident.version, actor=decider, now=self.now),
                )
        elif choice == "waive":
            key = data.draw(st.sampled_from(movable), label="waive step")
            self.act(
                "waive",
                lambda: incident.waive_step(
                    key, version=incident.version, actor=OFFICER, now=self.now, justification=REASON
                ),
            )
        elif incident.steps[(key := data.draw(st.sampled_from(movable), label="step"))].state is StepState.PENDING:
            evidence = data.draw(investigate_start_valid) if key == "investigate" else None
            self.act(
                "start",
                lambda: incident.start_step(
                    key, version=incident.version, actor=OFFICER, now=self.now, evidence=evidence
                ),
            )
        else:
            evidence = data.draw(VALID_COMPLETE[key])
            actor = SYSTEM if key == "inform" else OFFICER
            self.act(
                "complete",
                lambda: incident.complete_step(
                    key, version=incident.version, actor=actor, now=self.now, evidence=evidence
                ),
            )

    # ------------------------------------------------------------------ invariants

    @invariant()
    def promises_hold(self) -> None:
        """Every promise, in an order where each may rely on the ones before."""
        events = self.incident.events
        assert events[: len(self.seen_events)] == self.seen_events, "an event was changed or removed"
        new = events[len(self.seen_events) :]
        self.seen_events = list(events)
        self.payloads_are_json_without_floats(new)
        self.the_sealed_chain_verifies(new)
        self.steps_never_move_before_their_requirements(new)
        self.versions_count_accepted_actions()
        self.deadlines_are_never_removed_or_reopened()
        self.an_open_deadline_belongs_to_a_step_that_can_still_meet_it()

    def payloads_are_json_without_floats(self, new: list[Any]) -> None:
        for event in new:
            text = json.dumps(event.payload, allow_nan=False, ensure_ascii=False)
            assert json.loads(text) == event.payload
            assert not _has_float(event.payload), event

    def the_sealed_chain_verifies(self, new: list[Any]) -> None:
        head_seq, head_hash = (self.sealed[-1].seq, self.sealed[-1].hash) if self.sealed else (0, GENESIS)
        self.sealed.extend(seal(self.incident.id, head_seq, head_hash, new))
        rows = [(e.seq, e.type, e.at, e.actor, e.payload_json, e.prev_hash, e.hash) for e in self.sealed]
        report_ = verify_chain(str(self.incident.id), rows, expected_head=(len(rows), rows[-1][6]))
        assert report_.valid, report_
        assert report_.events == len(self.incident.events)

    def steps_never_move_before_their_requirements(self, new: list[Any]) -> None:
        for event in new:
            key = event.payload.get("step") if isinstance(event.payload, dict) else None
            if event.type in ("StepStarted", "StepCompleted"):
                requires = DEFINITION.step(key).requires
                open_ = [r for r in requires if self.model[r] not in ENDED]
                assert not open_, f"{event.type} {key} while {open_} had not ended"
            moves = {
                "StepStarted": StepState.ACTIVE,
                "StepCompleted": StepState.COMPLETED,
                "StepWaived": StepState.WAIVED,
                "StepReopened": StepState.ACTIVE,
                "StepNotApplicable": StepState.NOT_APPLICABLE,
                "StepApplicable": StepState.PENDING,
            }
            if event.type in moves:
                self.model[key] = moves[event.type]
        actual = {k: s.state for k, s in self.incident.steps.items()}
        assert actual == self.model, "the timeline does not reproduce the steps' states"

    def versions_count_accepted_actions(self) -> None:
        assert self.incident.version == 1 + self.accepted

    def deadlines_are_never_removed_or_reopened(self) -> None:
        deadlines = self.incident.deadlines
        assert set(self.deadline_states) <= set(deadlines), "a deadline disappeared"
        for deadline_id, (state, met_at) in self.deadline_states.items():
            now = deadlines[deadline_id]
            late = state is DeadlineState.MISSED and now.state is DeadlineState.MET_LATE  # its step ended late
            if state is not DeadlineState.OPEN and not late:
                assert now.state is state, f"a {state.value} deadline became {now.state.value}"
            if met_at is not None:
                assert now.met_at == met_at
        self.deadline_states = {d.id: (d.state, d.met_at) for d in deadlines.values()}

    def an_open_deadline_belongs_to_a_step_that_can_still_meet_it(self) -> None:
        for deadline in self.incident.deadlines.values():
            if deadline.state is DeadlineState.OPEN and deadline.step is not None:
                state = self.incident.steps[deadline.step].state
                assert state in (StepState.PENDING, StepState.ACTIVE), (
                    f"deadline {deadline.rule} is open but step {deadline.step} is {state.value}"
                )


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_float(v) for v in value)
    return False


TestIncidentMachine = IncidentMachine.TestCase
