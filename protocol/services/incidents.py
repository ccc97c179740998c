"""The incident use cases: one function per action, one transaction each.

Each function loads the incident locked (so its chain can never fork), lets the domain decide,
saves state and events together, commits, and returns the incident as the caller may see it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from protocol import messages
from protocol.deadlines import DeadlineState, is_overdue
from protocol.errors import ApproverTooNew, InvalidEvidence, NotFound
from protocol.evidence import EvidenceSchema, parse_instant
from protocol.identity import SYSTEM, Actor, Principal, Role
from protocol.incident import Incident
from protocol.permissions import organisations_for, require
from protocol.services.access import check_access, incident_for, organisation_for, owner_view, staff_member
from protocol.services.algorithms import algorithm_view
from protocol.services.definitions import DEFAULT_PROTOCOL
from protocol.services.joining import save_incident
from protocol.steps import StepAction
from protocol.storage.uow import UnitOfWork
from protocol.views import granted_actions, incident_view

Action = Callable[[Incident, Actor, datetime], Any]


def report_incident(
    *,
    uow: UnitOfWork,
    principal: Principal,
    algorithm_id: uuid.UUID,
    title: str,
    description: str,
    source: str,
    detected_at: datetime | str,
    protected_grounds: list[str],
    protocol: tuple[str, int] | None = None,
    owner_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Log a signal about an algorithm: opens an incident under the current protocol definition.

    Its owner is `owner_id` (an officer or coordinator of the organisation) when chosen, else the
    reporting user; an incident reported by the installation itself has no owner until one is named."""
    try:
        detected = parse_instant(detected_at)
    except ValueError as problem:
        raise InvalidEvidence(messages.REPORT_INVALID(), errors={"detected_at": [problem.args[0]]}) from None
    with uow:
        algorithm = uow.algorithms.get(algorithm_id, organisation_ids=organisations_for(principal, "incident.report"))
        if algorithm is None:
            raise InvalidEvidence(
                messages.UNKNOWN_ALGORITHM(), errors={"algorithm_id": [messages.ALGORITHM_NOT_YOURS()]}
            )
        organisation_id = organisation_for(principal, "incident.report", algorithm.organisation_id)
        if protocol is None:
            row = uow.protocols.latest(DEFAULT_PROTOCOL)
            if row is None:
                raise NotFound(messages.DEFAULT_PROTOCOL_MISSING(definition=DEFAULT_PROTOCOL))
            protocol = (row.key, row.version)
        definition = uow.definitions(*protocol)
        organisation = uow.accounts.organisation(organisation_id, lock=True)  # serialises reference numbers
        if organisation is None:
            raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
        if owner_id is not None:
            staff_member(uow, organisation_id, owner_id, field="owner_id")
        elif not principal.is_installation:
            owner_id = principal.user_id
        now = uow.now()
        reference = f"{organisation.reference_prefix}-{now.year}-{organisation.next_incident_number:05d}"
        organisation.next_incident_number += 1
        incident = Incident.report(
            id=uuid.uuid4(),
            organisation_id=organisation_id,
            algorithm_id=algorithm.id,
            reference=reference,
            definition=definition,
            calendar=uow.calendar,
            title=title or "",
            description=description or "",
            source=source,
            detected_at=detected,
            protected_grounds=protected_grounds or [],
            actor=principal.actor_in(organisation_id),
            now=now,
            owner_id=owner_id,
        )
        uow.incidents.add(incident)
        view = incident_view(
            incident,
            principal=principal,
            now=now,
            algorithm=algorithm_view(algorithm),
            owner=owner_view(uow, incident.owner_id),
        )
        uow.commit()
        return view


def start_step(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    step: str,
    version: int,
    evidence: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Begin work on a step (for `investigate`: commission the investigator, with the agreed due date)."""
    return _step_with_evidence(uow, principal, incident_id, StepAction.START, step, version, evidence)


def complete_step(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    step: str,
    version: int,
    evidence: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Finish a step with the evidence its definition asks for."""
    return _step_with_evidence(uow, principal, incident_id, StepAction.COMPLETE, step, version, evidence)


def waive_step(
    *, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, step: str, version: int, justification: str
) -> dict[str, Any]:
    """Skip a step with a written justification; the result says whether an approval now waits."""

    def act(incident: Incident, actor: Actor, now: datetime) -> Any:
        return incident.waive_step(step, version=version, actor=actor, now=now, justification=justification)

    return _act(uow, principal, incident_id, "step.waive", act, step=step, result_key="approval_id")


def approve(
    *, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, approval_id: uuid.UUID, version: int
) -> dict[str, Any]:
    """Second signature on a four-eyes request, by a different coordinator whose account predates it."""

    def act(incident: Incident, actor: Actor, now: datetime) -> None:
        request = incident.approvals.get(approval_id)
        account = uow.accounts.user(principal.user_id)
        if request is not None and (account is None or account.created_at > request.requested_at):
            raise ApproverTooNew(
                messages.APPROVER_TOO_NEW(),
                approval_id=str(approval_id),
            )
        incident.approve(approval_id, version=version, actor=actor, now=now)

    return _act(uow, principal, incident_id, "approval.decide", act)


def reject_approval(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    approval_id: uuid.UUID,
    version: int,
    note: str = "",
) -> dict[str, Any]:
    """Refuse a four-eyes request; the one who asked may also withdraw it."""
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, "incident.read")
        approval = incident.approvals.get(approval_id)
        own = approval is not None and approval.requested_by == actor.ref()
        # withdrawing one's own request needs only the right to have asked for it
        require(
            principal,
            "step.waive" if own else "approval.decide",
            incident.organisation_id,
            assigned=principal.user_id in incident.assignments,
        )
        incident.reject(approval_id, version=version, actor=actor, now=uow.now(), note=note)
        save_incident(uow, incident)
        view = _view(uow, incident, principal)
        uow.commit()
        return view


def close_incident(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, version: int) -> dict[str, Any]:
    """Close an incident whose applicable steps are all completed or waived."""

    def act(incident: Incident, actor: Actor, now: datetime) -> None:
        incident.close(version=version, actor=actor, now=now)

    return _act(uow, principal, incident_id, "incident.close", act)


def reopen_incident(
    *,
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    version: int,
    justification: str,
    steps: list[str] | None = None,
) -> dict[str, Any]:
    """Reopen a closed incident (coordinator), optionally reactivating ended steps."""

    def act(incident: Incident, actor: Actor, now: datetime) -> None:
        incident.reopen(version=version, actor=actor, now=now, justification=justification, steps=tuple(steps or ()))

    return _act(uow, principal, incident_id, "incident.reopen", act)


def get_incident(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> dict[str, Any]:
    """The incident with its steps, deadlines and approvals, if the principal may see it."""
    with uow.read_only():
        incident, _ = incident_for(uow, principal, incident_id, "incident.read", lock=False)
        return _view(uow, incident, principal)


def get_incident_document(*, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID) -> dict[str, Any] | None:
    """`get_incident` from the read model (protocol.storage.incident_views) in one statement, or None
    when the incident has no current document (then ask `get_incident`).

    Everything is in JSON values as the API answers them, but `algorithm` and `owner`, which are as
    `get_incident` gives them. The same access decision as `get_incident` (NotFound, Forbidden)."""
    with uow.read_only():
        found = uow.incident_views.read(
            incident_id, organisation_ids=set(principal.memberships), user_id=principal.user_id
        )
        if found is None:
            return None
        check_access(principal, incident_id, found.organisation_id, found.assigned, "incident.read", None)
        document: dict[str, Any] = json.loads(found.document)
        for key, step in document["steps"].items():
            accepts = step.pop("accepts")
            step["actions"] = granted_actions(principal, found.organisation_id, key, accepts, assigned=found.assigned)
        now = uow.now()
        for deadline in document["deadlines"]:
            state, due_at = DeadlineState(deadline["state"]), datetime.fromisoformat(deadline["due_at"])
            deadline["overdue"] = is_overdue(state, due_at, now)
        document["algorithm"] = algorithm_view(found.algorithm) if found.algorithm else None
        owner = found.owner_id
        document["owner"] = None if owner is None else {"id": owner, "name": found.owner_name or ""}
        return document


def list_incidents(
    *,
    uow: UnitOfWork,
    principal: Principal,
    state: str | None = None,
    step: str | None = None,
    overdue: bool | None = None,
    owner_id: uuid.UUID | None = None,
    q: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> dict[str, Any]:
    """A page of the incidents the principal may see, by urgency: a missed deadline first, then the
    soonest due. `q` searches reference and title; `owner_id` keeps one owner's incidents."""
    with uow.read_only():
        grants = organisations_for(principal, "incident.read")
        whole = [org for org, grant in grants.items() if grant.scope == "organisation"]
        assigned_only = [org for org, grant in grants.items() if grant.scope == "assigned"]
        if whole:
            organisations, assigned_to = whole, None
        elif assigned_only:
            organisations, assigned_to = assigned_only, principal.user_id
        else:
            return {"items": [], "total": 0, "page": page, "per_page": per_page}
        items, total = uow.incidents.list_page(
            organisation_ids=organisations,
            assigned_to=assigned_to,
            now=uow.now(),
            state=state,
            step=step,
            overdue=overdue,
            owner_id=owner_id,
            q=q,
            page=page,
            per_page=per_page,
        )
        return {"items": items, "total": total, "page": page, "per_page": per_page}


# ---------------------------------------------------------------------- system actions


def assign_owner(
    *, uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, user_id: uuid.UUID, version: int
) -> dict[str, Any]:
    """A coordinator hands the incident to another officer or coordinator of its organisation;
    `OwnerAssigned` goes on the timeline (the user by id, like every principal there)."""

    def act(incident: Incident, actor: Actor, now: datetime) -> None:
        staff_member(uow, incident.organisation_id, user_id, field="user_id")
        incident.assign_owner(user_id, version=version, actor=actor, now=now)

    return _act(uow, principal, incident_id, "incident.assign_owner", act)


def overdue_deadlines(*, uow: UnitOfWork, principal: Principal, limit: int = 1000) -> list[dict[str, Any]]:
    """Deadlines past due and not met on the open incidents the principal may read (the installation:
    all), longest overdue first: reference, step, rule, due, whole days overdue, owner."""
    with uow.read_only():
        now = uow.now()
        organisations = None if principal.is_installation else list(organisations_for(principal, "incident.read"))
        rows = uow.incidents.overdue(organisation_ids=organisations, now=now, limit=limit)
        owners = {incident.owner_id: owner_view(uow, incident.owner_id) for incident, _ in rows}
        return [
            {
                "incident_id": incident.id,
                "reference": incident.reference,
                "title": incident.title,
                "step": deadline.step,
                "rule": deadline.rule,
                "state": deadline.state,
                "due_at": deadline.due_at,
                "last_day": deadline.last_day,
                "days_overdue": (now - deadline.due_at).days,
                "owner": owners.get(incident.owner_id),
            }
            for incident, deadline in rows
        ]


def sweep_deadlines(*, uow_factory: Callable[[], UnitOfWork], limit: int = 500) -> int:
    """Record reminders and missed deadlines that fell due, one transaction per incident; returns how many.

    The due incidents come from the index on (state, next_check_at). Each is taken with
    `FOR UPDATE SKIP LOCKED` and checked again under that lock, where its deadlines say which
    reminders were recorded: an incident another sweep (or an officer) holds is left for the next
    sweep, and a sweep that dies half-way and reruns records each reminder and miss once, because
    the events and the deadline's count are written in the same transaction.
    """
    with uow_factory().read_only() as uow:
        incident_ids = uow.incidents.due_for_check(now=uow.now(), limit=limit)
    touched = 0
    for incident_id in incident_ids:
        with uow_factory() as uow:
            incident = uow.incidents.get_unless_locked(incident_id)
            if incident is None:
                continue
            incident.check_deadlines(now=uow.now(), actor=SYSTEM)
            if uow.incidents.save(incident):
                touched += 1
            uow.commit()
    return touched


# ---------------------------------------------------------------------- internals


def _act(
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    action: str,
    do: Action,
    *,
    step: str | None = None,
    result_key: str | None = None,
) -> dict[str, Any]:
    with uow:
        incident, actor = incident_for(uow, principal, incident_id, action, step=step)
        result = do(incident, actor, uow.now())
        save_incident(uow, incident)
        view = _view(uow, incident, principal)
        if result_key is not None:
            view[result_key] = getattr(result, "id", None)
        uow.commit()
        return view


def _step_with_evidence(
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    action: StepAction,
    step: str,
    version: int,
    evidence: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Start or complete a step: the users and documents its evidence names must exist, then the domain decides."""

    def act(incident: Incident, actor: Actor, now: datetime) -> None:
        if step in incident.definition.steps:  # an unknown step is the domain's NotFound, not a KeyError
            spec = incident.definition.step(step)
            schema = spec.start_evidence if action is StepAction.START else spec.evidence
            _check_references(uow, incident, schema, evidence)
        take = incident.start_step if action is StepAction.START else incident.complete_step
        take(step, version=version, actor=actor, now=now, evidence=evidence)

    return _act(uow, principal, incident_id, f"step.{action.value}", act, step=step)


def _view(uow: UnitOfWork, incident: Incident, principal: Principal) -> dict[str, Any]:
    algorithm = uow.algorithms.get(incident.algorithm_id)
    return incident_view(
        incident,
        principal=principal,
        now=uow.now(),
        algorithm=algorithm_view(algorithm) if algorithm else None,
        owner=owner_view(uow, incident.owner_id),
    )


def _check_references(
    uow: UnitOfWork, incident: Incident, schema: EvidenceSchema, evidence: Mapping[str, Any] | None
) -> None:
    """Users and documents named in evidence must exist in this incident's organisation."""
    errors: dict[str, list[str]] = {}
    for spec in schema.fields:
        raw = (evidence or {}).get(spec.name)
        if spec.type not in ("user", "document") or not raw:
            continue
        try:
            ref = uuid.UUID(str(raw))
        except ValueError:
            continue  # the schema reports the format
        if spec.type == "document" and uow.documents.get(ref, incident_id=incident.id) is None:
            errors[spec.name] = [messages.DOCUMENT_NOT_HERE()]
        if spec.type == "user":
            roles = {m.role for m in uow.accounts.memberships(ref) if m.organisation_id == incident.organisation_id}
            if not roles:
                errors[spec.name] = [messages.USER_NOT_HERE()]
            elif spec.role and Role(spec.role).value not in roles:
                errors[spec.name] = [messages.USER_LACKS_ROLE(role=spec.role)]
    if errors:
        raise InvalidEvidence(messages.EVIDENCE_REFERENCES(), errors=errors)
