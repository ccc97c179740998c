"""Who is acting and what they may see: principals, scoping and the permission check.

Every service that touches an incident goes through `incident_for`, so organisation scoping and
investigator assignment are enforced in one place: an incident outside the principal's reach is
reported as not found, never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

import uuid
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence, NotFound
from protocol.identity import Actor, Principal, Role
from protocol.incident import Incident
from protocol.permissions import Forbidden, organisations_for, require
from protocol.storage.incident_queries import IncidentReach
from protocol.storage.uow import UnitOfWork


def load_principal(uow: UnitOfWork, user_id: uuid.UUID) -> Principal:
    """The principal for an active user, with their roles per organisation."""
    user = uow.accounts.user(user_id)
    if user is None or not user.active:
        raise NotFound(messages.NO_ACTIVE_USER(), rule="unknown-user")
    memberships: dict[uuid.UUID, set[Role]] = {}
    for membership in uow.accounts.memberships(user_id):
        memberships.setdefault(membership.organisation_id, set()).add(Role(membership.role))
    return Principal(
        user_id=user.id,
        memberships={k: frozenset(v) for k, v in memberships.items()},
        email=user.email,
        display_name=user.display_name,
    )


def incident_for(
    uow: UnitOfWork,
    principal: Principal,
    incident_id: uuid.UUID,
    action: str,
    *,
    step: str | None = None,
    lock: bool = True,
) -> tuple[Incident, Actor]:
    """Load an incident the principal may take `action` on, locked for the transaction, and their actor there."""
    try:
        incident = uow.incidents.get(incident_id, organisation_ids=set(principal.memberships), lock=lock)
    except NotFound:
        raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident") from None
    check_access(
        principal, incident_id, incident.organisation_id, principal.user_id in incident.assignments, action, step
    )
    return incident, principal.actor_in(incident.organisation_id)


def incident_reach(uow: UnitOfWork, principal: Principal, incident_id: uuid.UUID, action: str) -> IncidentReach:
    """`incident_for`'s decision on `action` without loading the aggregate: for reads that show
    something else of the incident (a page of its timeline), one statement instead of five."""
    found = uow.incidents.reach(incident_id, organisation_ids=set(principal.memberships), user_id=principal.user_id)
    if found is None:
        raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident")
    check_access(principal, incident_id, found.organisation_id, found.assigned, action, None)
    return found


def check_access(
    principal: Principal,
    incident_id: uuid.UUID,
    organisation_id: uuid.UUID,
    assigned: bool,
    action: str,
    step: str | None,
) -> None:
    """`incident_for`'s decision for an incident of `organisation_id` (to which the user is `assigned`
    or not), for callers that read less than the aggregate: raises NotFound or Forbidden."""
    grant = organisations_for(principal, action).get(organisation_id)
    # an incident the principal can neither read nor act on (another investigator's) does not exist for them
    acts_on = grant is not None and (grant.scope == "organisation" or assigned)
    if not acts_on and not _can_read(principal, organisation_id, assigned):
        raise NotFound(messages.NO_INCIDENT(incident_id=incident_id), rule="unknown-incident")
    if grant is None:
        raise Forbidden(messages.ROLE_NOT_ALLOWED(action=action), rule="permission", action=action)
    require(principal, action, organisation_id, assigned=assigned, step=step)


def _can_read(principal: Principal, organisation_id: uuid.UUID, assigned: bool) -> bool:
    grant = organisations_for(principal, "incident.read").get(organisation_id)
    return grant is not None and (grant.scope == "organisation" or assigned)


def organisation_for(principal: Principal, action: str, organisation_id: uuid.UUID | None) -> uuid.UUID:
    """The organisation an action takes place in: the one named, or the principal's only one."""
    reachable = organisations_for(principal, action)
    if organisation_id is None:
        if len(reachable) == 1:
            return next(iter(reachable))
        if not reachable:
            raise Forbidden(messages.ROLE_NOT_ALLOWED(action=action), rule="permission", action=action)
        raise Forbidden(messages.NAME_ORGANISATION(action=action), rule="organisation")
    if organisation_id not in reachable:
        if organisation_id in principal.memberships:
            raise Forbidden(messages.ROLE_NOT_ALLOWED(action=action), rule="permission", action=action)
        raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
    return organisation_id


OWNER_ROLES = ("officer", "coordinator")  # who can carry an incident or a citizen's response


def staff_member(uow: UnitOfWork, organisation_id: uuid.UUID, user_id: uuid.UUID, *, field: str) -> None:
    """Refuse (422, on `field`) a user who is not an active officer or coordinator of the organisation."""
    user = uow.accounts.user(user_id)
    roles = {m.role for m in uow.accounts.memberships(user_id) if m.organisation_id == organisation_id}
    if user is None or not user.active or not roles & set(OWNER_ROLES):
        raise InvalidEvidence(
            messages.NOT_STAFF_HERE(),
            errors={field: [messages.MUST_BE_STAFF()]},
            rule="owner-staff",
        )


def owner_view(uow: UnitOfWork, user_id: uuid.UUID | None) -> dict[str, Any] | None:
    """The owner or assignee as staff see them: id and display name (never in events: those carry the id)."""
    if user_id is None:
        return None
    user = uow.accounts.user(user_id)
    return {"id": user_id, "name": user.display_name if user else ""}
