"""The permission matrix: which role may take which action, declared once.

The services consult it for every action, so the API, the pages, the CLI and the workers enforce
the same rules; the web only maps its routes to these action names (and a test checks every
route has one). A grant's scope says on which incidents it holds: every incident of the
organisation, or only those the user is assigned to (investigators). Protocol rules such as four
eyes are not here: they are the engine's, in `protocol.incident`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast
from uuid import UUID

from protocol.errors import ProtocolError
from protocol.identity import Principal, Role


class Forbidden(ProtocolError):
    """The user's role does not allow this action."""

    rule = "permission"


@dataclass(frozen=True)
class Grant:
    scope: str = "organisation"  # "organisation" or "assigned"
    steps: tuple[str, ...] | None = None  # for step actions: only these steps


ALL = Grant()
ASSIGNED = Grant("assigned")

OFF, COO, INV, OVS, ADM = Role.OFFICER, Role.COORDINATOR, Role.INVESTIGATOR, Role.OVERSIGHT, Role.ADMIN

MATRIX: Mapping[str, Mapping[Role, Grant]] = {
    # algorithms
    "algorithm.register": {OFF: ALL, COO: ALL, ADM: ALL},
    "algorithm.read": {OFF: ALL, COO: ALL, OVS: ALL, ADM: ALL},
    # incidents
    "incident.report": {OFF: ALL, COO: ALL},
    "incident.read": {OFF: ALL, COO: ALL, INV: ASSIGNED},
    "incident.close": {COO: ALL},
    "incident.reopen": {COO: ALL},
    "incident.assign_owner": {COO: ALL},
    "incident.verify": {OFF: ALL, COO: ALL, OVS: ALL, ADM: ALL},
    "timeline.read": {OFF: ALL, COO: ALL, INV: ASSIGNED},
    "step.start": {OFF: ALL, COO: ALL},
    "step.complete": {OFF: ALL, COO: ALL, INV: Grant("assigned", steps=("investigate",))},
    "step.waive": {OFF: ALL, COO: ALL},
    "approval.decide": {COO: ALL},
    "approval.read": {OFF: ALL, COO: ALL},
    "document.upload": {OFF: ALL, COO: ALL, INV: ASSIGNED},
    "document.read": {OFF: ALL, COO: ALL, INV: ASSIGNED},
    # affected persons and letters
    "persons.import": {OFF: ALL, COO: ALL},
    "persons.read": {OFF: ALL, COO: ALL},
    "persons.read_identity": {OFF: ALL, COO: ALL},
    "letters.send": {OFF: ALL, COO: ALL},
    "letters.read": {OFF: ALL, COO: ALL},
    # citizens' questions, objections, complaints and harm reports
    "responses.read": {OFF: ALL, COO: ALL},
    "responses.answer": {OFF: ALL, COO: ALL},
    "responses.assign": {OFF: ALL, COO: ALL},
    "responses.decide": {OFF: ALL, COO: ALL},
    # oversight: pseudonymised views, never identities
    "oversight.read": {OVS: ALL},
    "oversight.export": {OVS: ALL},
    "checkpoint.create": {COO: ALL, ADM: ALL},
    # what the organisation did about a legal deadline not kept, for the oversight body to read
    "deadline.account": {COO: ALL, ADM: ALL},
    # accounts
    "user.manage": {ADM: ALL, COO: ALL},
    "user.audit.read": {ADM: ALL, OVS: ALL},
    "token.manage_any": {ADM: ALL},
    "definition.manage": {ADM: ALL},
    # the organisation's letterhead: name, address, phone, logo and signing official on every letter
    "letterhead.manage": {ADM: ALL},
}


def grant_for(principal: Principal, action: str, organisation_id: UUID) -> Grant | None:
    """The widest grant the principal's roles in the organisation give for `action`, if any."""
    grants = MATRIX.get(action)
    if grants is None:
        raise KeyError(f"action {action!r} is not in the permission matrix")
    found = [grants[role] for role in principal.roles_in(organisation_id) if role in grants]
    if not found:
        return None
    return next((g for g in found if g.scope == "organisation" and g.steps is None), found[0])


def organisations_for(principal: Principal, action: str) -> dict[UUID, Grant]:
    """The organisations in which the principal may take `action`, with the grant that holds there."""
    granted = {}
    for organisation_id in principal.memberships:
        grant = grant_for(principal, action, organisation_id)
        if grant is not None:
            granted[organisation_id] = grant
    return granted


def require(
    principal: Principal,
    action: str,
    organisation_id: UUID,
    *,
    assigned: bool = False,
    step: str | None = None,
) -> Grant:
    """The grant for `action`, or Forbidden naming the action."""
    grant = grant_for(principal, action, organisation_id)
    refused = forbidden(grant, action, assigned=assigned, step=step)
    if refused is not None:
        raise refused
    return cast(Grant, grant)  # `forbidden` refuses a missing grant


def permits(principal: Principal, action: str, organisation_id: UUID, *, assigned: bool, step: str) -> bool:
    """Whether `require` would let the principal take `action` on `step` (what a view may offer)."""
    return forbidden(grant_for(principal, action, organisation_id), action, assigned=assigned, step=step) is None


def forbidden(grant: Grant | None, action: str, *, assigned: bool, step: str | None) -> Forbidden | None:
    """Why `grant` does not cover `action` (on `step`, on an incident `assigned` or not); None when it does."""
    if grant is None:
        return Forbidden(f"your role does not allow {action}", rule="permission", action=action)
    if grant.scope == "assigned" and not assigned:
        return Forbidden(f"{action} is allowed only on incidents assigned to you", rule="permission-assigned")
    if grant.steps is not None and step not in grant.steps:
        return Forbidden(f"{action} is allowed only for step(s) {', '.join(grant.steps)}", rule="permission-step")
    return None
