"""Builders for the unit tests of the pure domain: the built-in definition, actors, evidence, incidents.

Nothing here touches a database or a broker. Ids are deterministic (a counter), so that two runs
of a test record identical events.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest

from protocol.calendars import load_calendars
from protocol.deadlines import Deadline
from protocol.definition import ProtocolDefinition
from protocol.errors import ProtocolError
from protocol.identity import SYSTEM, Actor, Role
from protocol.incident import Incident
from protocol.loader import builtin_definition_paths, load_definition_file, load_definition_text

E = TypeVar("E", bound=ProtocolError)

CALENDAR = load_calendars()
DEFINITION: ProtocolDefinition = load_definition_file(
    next(p for p in builtin_definition_paths() if p.name == "nl-discrimination-1.toml")
)
STEPS = tuple(DEFINITION.steps)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday in winter time (UTC+1)
ORGANISATION = UUID(int=0x0A)
ALGORITHM = UUID(int=0x0B)
INCIDENT = UUID(int=0x1C)

OFFICER = Actor.user(UUID(int=0xA1), Role.OFFICER)
OFFICER_2 = Actor.user(UUID(int=0xA2), Role.OFFICER)
COORDINATOR = Actor.user(UUID(int=0xC1), Role.COORDINATOR)
COORDINATOR_2 = Actor.user(UUID(int=0xC2), Role.COORDINATOR)
INVESTIGATOR = Actor.user(UUID(int=0xD1), Role.INVESTIGATOR)
OVERSIGHT = Actor.user(UUID(int=0xE1), Role.OVERSIGHT)
DOCUMENT = UUID(int=0xF1)


def counter_ids(start: int = 0x1000) -> Callable[[], UUID]:
    """A `new_id` that hands out UUID(int=start), UUID(int=start+1), ..."""
    numbers = itertools.count(start)
    return lambda: UUID(int=next(numbers))


def report(
    *,
    now: datetime = T0,
    definition: ProtocolDefinition = DEFINITION,
    actor: Actor = OFFICER,
    **overrides: Any,
) -> Incident:
    """A freshly reported incident under `definition`."""
    fields: dict[str, Any] = {
        "id": INCIDENT,
        "organisation_id": ORGANISATION,
        "algorithm_id": ALGORITHM,
        "reference": "HST-2026-00001",
        "definition": definition,
        "calendar": CALENDAR,
        "title": "Risk model flags single parents",
        "description": "A caseworker noticed that the fraud risk score is higher for single parents.",
        "source": "employee",
        "detected_at": now - timedelta(days=1),
        "protected_grounds": ["civil_status", "sex"],
        "actor": actor,
        "now": now,
        "new_id": counter_ids(),
    }
    fields.update(overrides)
    return Incident.report(**fields)


def definition_from(text: str, source: str = "test.toml") -> ProtocolDefinition:
    return load_definition_text(text, source=source)


# ---------------------------------------------------------------------- evidence per step


def assessment(outcome: str = "suspected", **overrides: Any) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "outcome": outcome,
        "severity": 3,
        "estimated_affected": 1200,
        "high_risk_ai": False,
        "personal_data_breach": False,
        "widespread": False,
        "summary": "The score weighs household composition.",
    }
    evidence.update(overrides)
    return {k: v for k, v in evidence.items() if v is not None}


def suspension(**overrides: Any) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "scope": "full",
        "fallback_procedure": "Manual review of every application by two caseworkers.",
        "not_working_since": "2026-11-01T00:00:00+01:00",
        "confirmed_by_owner": True,
    }
    evidence.update(overrides)
    return evidence


def notification(informed_at: str = "2026-12-01T10:00:00+01:00") -> dict[str, Any]:
    return {
        "bodies": [
            {"body": "autoriteit_persoonsgegevens", "informed_at": informed_at, "reference": "AP-1"},
            {"body": "internal_supervisor", "informed_at": informed_at},
        ]
    }


def commission(due_date: date | str | None = None, investigator: Actor = INVESTIGATOR) -> dict[str, Any]:
    evidence: dict[str, Any] = {"investigator": str(investigator.id)}
    if due_date is not None:
        evidence["due_date"] = str(due_date)
    return evidence


def investigation(conclusion: str = "established") -> dict[str, Any]:
    return {"report_document": str(DOCUMENT), "conclusion": conclusion, "summary": "Bias found in feature x."}


def sanctions() -> dict[str, Any]:
    return {"none_reason": "The cause lies in the model design, not in anyone's conduct."}


def safeguards() -> dict[str, Any]:
    return {
        "safeguards": [
            {"measure": "owk-02", "description": "Bias test before every release.", "review_date": "2027-06-01"}
        ]
    }


def letters_accounted_for() -> dict[str, Any]:
    """What the letters ledger reports when the system completes `inform`."""
    return {"letters": 3, "delivered": 2, "failed": 1, "by_email": 2, "by_post": 1}


COMPLETE_EVIDENCE: dict[str, Callable[[], dict[str, Any]]] = {
    "assess": assessment,
    "suspend": suspension,
    "report": notification,
    "investigate": investigation,
    "inform": letters_accounted_for,
    "sanction": sanctions,
    "safeguard": safeguards,
}


# ---------------------------------------------------------------------- driving an incident


def start(incident: Incident, step: str, *, actor: Actor = OFFICER, now: datetime = T0, **evidence: Any) -> None:
    incident.start_step(step, version=incident.version, actor=actor, now=now, evidence=evidence or None)


def complete(
    incident: Incident,
    step: str,
    evidence: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
    now: datetime = T0,
) -> None:
    if actor is None:
        spec = incident.definition.steps.get(step)
        actor = SYSTEM if spec is not None and spec.completion == "system" else OFFICER
    if evidence is None:
        evidence = COMPLETE_EVIDENCE[step]() if step in COMPLETE_EVIDENCE else {}
    incident.complete_step(step, version=incident.version, actor=actor, now=now, evidence=evidence)


def waive(incident: Incident, step: str, *, actor: Actor = OFFICER, now: datetime = T0, justification: str = "") -> Any:
    return incident.waive_step(
        step,
        version=incident.version,
        actor=actor,
        now=now,
        justification=justification or f"Step {step} is covered by another procedure already.",
    )


def assessed(outcome: str = "suspected", *, now: datetime = T0, **facts: Any) -> Incident:
    """An incident whose assessment is completed with `outcome`."""
    incident = report(now=now)
    complete(incident, "assess", assessment(outcome, **facts), now=now)
    return incident


def run_to_end(incident: Incident, *, now: datetime = T0) -> None:
    """Start and complete every pending or active step that applies, in definition order."""
    for key in incident.definition.order():
        step = incident.steps[key]
        if step.state.value == "pending":
            start(incident, key, now=now, **(commission() if key == "investigate" else {}))
        if incident.steps[key].state.value == "active":
            complete(incident, key, now=now)


def closed(outcome: str = "suspected", *, now: datetime = T0) -> Incident:
    incident = assessed(outcome, now=now)
    run_to_end(incident, now=now)
    incident.close(version=incident.version, actor=COORDINATOR, now=now)
    return incident


def types(incident: Incident, since: int = 0) -> list[str]:
    return [e.type for e in incident.events[since:]]


def deadlines_of(incident: Incident, rule: str) -> list[Deadline]:
    return [d for d in incident.deadlines.values() if d.rule == rule]


def the_deadline(incident: Incident, rule: str) -> Deadline:
    (found,) = deadlines_of(incident, rule)
    return found


def snapshot(incident: Incident) -> dict[str, Any]:
    """Everything an action may change, frozen, so that 'changed nothing' can be asserted.

    The mutable state is pickled (a deep copy that is cheap to take and to compare); events are
    frozen and only ever appended, so a shallow copy of the list shows any event added, removed
    or replaced.
    """
    state = (
        incident.state,
        incident.version,
        incident.steps,
        incident.facts,
        incident.approvals,
        incident.deadlines,
        sorted(incident.assignments),
        incident.closed_at,
        sorted(incident.dirty, key=repr),
    )
    return {"state": pickle.dumps(state), "version": incident.version, "events": list(incident.events)}


def refused(incident: Incident, error: type[E], action: Callable[[], Any]) -> E:
    """Run `action`, expect `error`, and check that the refused action changed nothing."""
    before = snapshot(incident)
    with pytest.raises(error) as caught:
        action()
    assert snapshot(incident) == before, "a refused action changed the incident"
    return caught.value


def days(n: float) -> timedelta:
    return timedelta(days=n)
