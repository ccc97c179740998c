"""User administration as a signed-in administrator or coordinator does it (the API and the pages).

`accounts` holds the installation-level functions the CLI uses; these take the acting principal
and keep to the organisations where they may manage users.
"""

from __future__ import annotations

import uuid
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence, NotFound, StateConflict
from protocol.identity import Principal, Role
from protocol.permissions import Forbidden, organisations_for, require
from protocol.services.access import organisation_for
from protocol.services.accounts import check_may_grant, record_change
from protocol.storage.tables import UserRow
from protocol.storage.uow import UnitOfWork


def user_view(uow: UnitOfWork, user: UserRow, organisation_ids: set[uuid.UUID]) -> dict[str, Any]:
    """A user with their roles in the given organisations (never in others the viewer cannot see)."""
    memberships = sorted(uow.accounts.memberships(user.id), key=lambda m: (str(m.organisation_id), m.role))
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "active": user.active,
        "roles": [
            {"organisation_id": m.organisation_id, "role": m.role}
            for m in memberships
            if m.organisation_id in organisation_ids
        ],
    }


def list_organisation_users(
    *, uow: UnitOfWork, principal: Principal, organisation_id: uuid.UUID | None = None, role: str | None = None
) -> list[dict[str, Any]]:
    """The users of the organisations where the principal manages users, with their roles there."""
    with uow.read_only():
        managed = set(organisations_for(principal, "user.manage"))
        if organisation_id is not None:
            if organisation_id not in managed:
                raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
            managed = {organisation_id}
        return _users_of(uow, managed, role)


def grant_role(
    *,
    uow: UnitOfWork,
    principal: Principal,
    user_id: uuid.UUID,
    role: str,
    organisation_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Give a user of the organisation another role there (others are invited, see `invite_user`)."""
    if role not in {r.value for r in Role}:
        raise InvalidEvidence(
            messages.ROLE_INVALID(), errors={"role": [messages.ONE_OF(choices=messages.joined(r.value for r in Role))]}
        )
    with uow:
        organisation_id = organisation_for(principal, "user.manage", organisation_id)
        require(principal, "user.manage", organisation_id)
        check_may_grant(principal, role, organisation_id)
        user = _managed_user(uow, principal, user_id, organisation_id)
        if uow.accounts.grant(user.id, organisation_id, role):
            record_change(uow, principal.ref(), "role.granted", organisation_id, user_id=user.id, role=role)
        view = user_view(uow, user, set(organisations_for(principal, "user.manage")))
        uow.commit()
        return view


def remove_role(
    *,
    uow: UnitOfWork,
    principal: Principal,
    user_id: uuid.UUID,
    role: str,
    organisation_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Take a role away from a user of an organisation where the principal manages users.

    Who may grant a role may remove it (coordinator, oversight and admin: only an administrator).
    """
    if role not in {r.value for r in Role}:
        raise InvalidEvidence(
            messages.ROLE_INVALID(), errors={"role": [messages.ONE_OF(choices=messages.joined(r.value for r in Role))]}
        )
    with uow:
        organisation_id = organisation_for(principal, "user.manage", organisation_id)
        check_may_grant(principal, role, organisation_id)
        user = _managed_user(uow, principal, user_id, organisation_id)
        _keep_an_admin(uow, user.id, organisation_id, [role])
        if uow.accounts.revoke_role(user.id, organisation_id, role):
            record_change(uow, principal.ref(), "role.removed", organisation_id, user_id=user.id, role=role)
        view = user_view(uow, user, set(organisations_for(principal, "user.manage")))
        uow.commit()
        return view


def revoke_membership(
    *, uow: UnitOfWork, principal: Principal, user_id: uuid.UUID, organisation_id: uuid.UUID | None = None
) -> list[str]:
    """Take every role a user holds in one organisation away: they no longer belong to it (the roles removed).

    All or nothing: each role must be one the principal may remove (`remove_role`'s rule), else none is.
    The account itself stays, as do its roles in other organisations: switching it off is the installation's.
    """
    with uow:
        organisation_id = organisation_for(principal, "user.manage", organisation_id)
        user = _managed_user(uow, principal, user_id, organisation_id)
        roles = sorted({m.role for m in uow.accounts.memberships(user.id) if m.organisation_id == organisation_id})
        for role in roles:
            check_may_grant(principal, role, organisation_id)
        _keep_an_admin(uow, user.id, organisation_id, roles)
        for role in roles:
            if uow.accounts.revoke_role(user.id, organisation_id, role):
                record_change(uow, principal.ref(), "role.removed", organisation_id, user_id=user.id, role=role)
        uow.commit()
        return roles


def _keep_an_admin(uow: UnitOfWork, user_id: uuid.UUID, organisation_id: uuid.UUID, roles: list[str]) -> None:
    """Refuse taking the administrator role from its last holder: nobody could manage the users after.

    The operator's command line can still restore an administrator, but an organisation should not
    need it for a slip on the users page.
    """
    if Role.ADMIN.value in roles and sole_admin(uow, organisation_id, lock=True) == user_id:
        raise StateConflict(messages.LAST_ADMIN(), rule="last-admin")


def sole_admin(uow: UnitOfWork, organisation_id: uuid.UUID, *, lock: bool = False) -> uuid.UUID | None:
    """The organisation's administrator when it has exactly one: they keep the role (`last-admin`)."""
    admins = uow.accounts.holders(organisation_id, Role.ADMIN.value, lock=lock)
    return next(iter(admins)) if len(admins) == 1 else None


def grantable_roles(principal: Principal, organisation_id: uuid.UUID) -> list[str]:
    """The roles the principal may grant (and remove) in the organisation, by `check_may_grant` itself.

    For what a form offers; the services still check every grant when it is made.
    """
    allowed = []
    for role in Role:
        try:
            check_may_grant(principal, role.value, organisation_id)
        except Forbidden:
            continue
        allowed.append(role.value)
    return allowed


def user_administration(*, uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
    """What a user manager works with: the organisations where they manage users (each with the roles they
    may grant there, and its sole administrator, who keeps the role) and the users of those
    organisations with their roles there.

    Forbidden for someone who manages users nowhere.
    """
    with uow.read_only():
        managed = organisations_for(principal, "user.manage")
        if not managed:
            raise Forbidden(messages.ROLE_NOT_ALLOWED(action="user.manage"), rule="permission", action="user.manage")
        organisations = [
            {
                "id": o.id,
                "name": o.name,
                "grantable": grantable_roles(principal, o.id),
                "sole_admin": sole_admin(uow, o.id),  # whose admin role is not offered for removal
            }
            for o in uow.accounts.organisations(managed)
        ]
        return {"organisations": organisations, "users": _users_of(uow, set(managed), None)}


def _users_of(uow: UnitOfWork, managed: set[uuid.UUID], role: str | None) -> list[dict[str, Any]]:
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for org in sorted(managed, key=str):
        for user in uow.accounts.users(organisation_id=org, role=role):
            found.setdefault(user.id, user_view(uow, user, managed))
    return sorted(found.values(), key=lambda u: str(u["email"]))


def _managed_user(uow: UnitOfWork, principal: Principal, user_id: uuid.UUID, organisation_id: uuid.UUID) -> UserRow:
    """A user of the organisation; to a manager, a user of no organisation of theirs does not exist.

    Membership of this very organisation is required: granting a role to an account of another
    organisation would add them here without their consent (they are invited instead).
    """
    user = uow.accounts.user(user_id)
    if user is None or not any(m.organisation_id == organisation_id for m in uow.accounts.memberships(user_id)):
        raise NotFound(messages.NO_USER(user=user_id), rule="unknown-user")
    return user


def list_investigators(*, uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    """Active investigators of the organisations where the principal can commission an investigation."""
    with uow.read_only():
        result = []
        for org in sorted(organisations_for(principal, "step.start"), key=str):
            for user in uow.accounts.users(organisation_id=org, role=Role.INVESTIGATOR.value):
                if user.active:
                    result.append(
                        {"id": user.id, "display_name": user.display_name, "email": user.email, "organisation_id": org}
                    )
        return result


def list_staff(*, uow: UnitOfWork, principal: Principal, role: str | None = None) -> list[dict[str, Any]]:
    """The colleagues of the principal (users of the organisations they belong to), by display name.

    Pages use it to name who did what on a timeline and to offer a choice of user (an investigator
    to commission). Only names and roles: no email addresses, and never citizens.
    """
    if role is not None and role not in {r.value for r in Role}:
        raise InvalidEvidence(
            messages.ROLE_INVALID(), errors={"role": [messages.ONE_OF(choices=messages.joined(r.value for r in Role))]}
        )
    with uow.read_only():
        member_of = set(principal.memberships)
        found: dict[uuid.UUID, dict[str, Any]] = {}
        for org in sorted(member_of, key=str):
            for user in uow.accounts.users(organisation_id=org, role=role):
                if user.id in found:
                    continue
                roles = sorted({m.role for m in uow.accounts.memberships(user.id) if m.organisation_id in member_of})
                found[user.id] = {
                    "id": user.id,
                    "display_name": user.display_name or user.email.split("@")[0],
                    "active": user.active,
                    "roles": roles,
                }
        return sorted(found.values(), key=lambda u: (str(u["display_name"]).lower(), str(u["id"])))


def describe_principal(principal: Principal) -> dict[str, Any]:
    """The signed-in user as they may see themselves: who, and their roles per organisation."""
    return {
        "user_id": principal.user_id,
        "email": principal.email,
        "display_name": principal.display_name,
        "memberships": [
            {"organisation_id": org, "roles": sorted(r.value for r in roles)}
            for org, roles in sorted(principal.memberships.items(), key=lambda item: str(item[0]))
        ],
    }
