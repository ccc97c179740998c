"""Helpers that join the caller's transaction: the second shape of function in the service layer.

A *service* takes a fresh unit of work by keyword (`uow=`), opens it (`with uow:`), commits and
returns. A *joining helper* (this module) takes an unit of work the caller has already opened, as
its first positional argument (`append_to_timeline(uow, incident_id=…)`), never opens or commits
it, and refuses one that is not open: what it writes is committed, or rolled back, with the rest of
the caller's work. Capabilities built on the protocol (notifications) use these to put their facts
on an incident's chain in their own transactions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from protocol.identity import SYSTEM, Actor
from protocol.incident import Incident
from protocol.storage.uow import UnitOfWork


def _require_open(uow: UnitOfWork) -> None:
    if uow.session is None:
        raise RuntimeError("a joining helper runs inside the caller's `with uow:` block")


def save_incident(uow: UnitOfWork, incident: Incident, /) -> None:
    """Save, and carry out what events mean beyond the incident (an algorithm is now suspended)."""
    _require_open(uow)
    for event in uow.incidents.save(incident):
        if event.type == "AlgorithmSuspended":
            uow.algorithms.mark_suspended(incident.algorithm_id, incident_id=incident.id, at=event.at)


def complete_step_as_system(
    uow: UnitOfWork, /, *, incident_id: uuid.UUID, step: str, evidence: Mapping[str, Any]
) -> bool:
    """Complete a step that completes itself (inform); False if already done."""
    _require_open(uow)
    incident = uow.incidents.get(incident_id)
    if incident.steps[step].ended:
        return False
    if incident.steps[step].state.value == "pending":
        incident.start_step(step, version=incident.version, actor=SYSTEM, now=uow.now())
    incident.complete_step(step, version=incident.version, actor=SYSTEM, now=uow.now(), evidence=evidence)
    save_incident(uow, incident)
    return True


def start_step_as_system(uow: UnitOfWork, /, *, incident_id: uuid.UUID, step: str) -> bool:
    """Start a pending step on the system's behalf (letters going out start `inform`)."""
    _require_open(uow)
    incident = uow.incidents.get(incident_id)
    if incident.steps[step].state.value != "pending":
        return False
    incident.start_step(step, version=incident.version, actor=SYSTEM, now=uow.now())
    save_incident(uow, incident)
    return True


def append_to_timeline(
    uow: UnitOfWork, /, *, incident_id: uuid.UUID, event_type: str, payload: Mapping[str, Any], actor: Actor = SYSTEM
) -> None:
    """Record a fact from outside the engine (letters, citizens) on the incident's chain."""
    _require_open(uow)
    incident = uow.incidents.get(incident_id)
    incident.note(event_type, payload, actor=actor, now=uow.now())
    uow.incidents.save(incident)
