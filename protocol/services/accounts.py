"""Organisations, users, roles, passwords and API tokens."""

from __future__ import annotations

import re
import uuid
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from protocol.errors import InvalidEvidence, NotFound, StateConflict
from protocol.identity import Principal, Role
from protocol.permissions import Forbidden, require
from protocol.services.access import load_principal
from protocol.services.sessions import end_user_sessions
from protocol.storage.tables import DEFAULT_ORGANISATION_ID, OrganisationRow, UserRow
from protocol.storage.uow import UnitOfWork

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


# ---------------------------------------------------------------------- organisations


def ensure_default_organisation(*, uow: UnitOfWork) -> uuid.UUID:
    """Make sure the installation's default organisation exists (a single body needs nothing else)."""
    with uow:
        if uow.accounts.organisation(DEFAULT_ORGANISATION_ID) is None:
            uow.accounts.add_organisation(
                OrganisationRow(
                    id=DEFAULT_ORGANISATION_ID,
                    slug="default",
                    name="Standaardorganisatie",
                    reference_prefix="HST",
                    next_incident_number=1,
                    created_at=uow.now(),
                )
            )
            uow.commit()
    return DEFAULT_ORGANISATION_ID


def create_organisation(*, uow: UnitOfWork, slug: str, name: str, reference_prefix: str) -> uuid.UUID:
    """Add an organisation (a ministry, an agency, a municipality) to a shared installation."""
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", slug):
        errors["slug"] = ["lowercase letters, digits and dashes"]
    if not name.strip():
        errors["name"] = ["required"]
    if not re.fullmatch(r"[A-Z]{2,8}", reference_prefix):
        errors["reference_prefix"] = ["2 to 8 capital letters"]
    if errors:
        raise InvalidEvidence("invalid organisation", errors=errors)
    with uow:
        if uow.accounts.organisation_by_slug(slug):
            raise StateConflict(f"organisation {slug} exists already", rule="duplicate")
        organisation_id = uuid.uuid4()
        uow.accounts.add_organisation(
            OrganisationRow(
                id=organisation_id,
                slug=slug,
                name=name.strip(),
                reference_prefix=reference_prefix,
                next_incident_number=1,
                created_at=uow.now(),
            )
        )
        uow.commit()
    return organisation_id


def organisation_id_for(*, uow: UnitOfWork, slug: str | None) -> uuid.UUID:
    """The id of an organisation by slug; the default organisation when no slug is given."""
    if slug is None:
        return ensure_default_organisation(uow=uow)
    with uow.read_only():
        row = uow.accounts.organisation_by_slug(slug)
        if row is None:
            raise NotFound(f"no organisation {slug}", rule="unknown-organisation")
        return row.id


def list_organisations(*, uow: UnitOfWork) -> list[dict[str, Any]]:
    with uow.read_only():
        return [{"id": o.id, "slug": o.slug, "name": o.name} for o in uow.accounts.organisations()]


# ---------------------------------------------------------------------- users


def create_user(
    *,
    uow: UnitOfWork,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID,
    display_name: str | None = None,
    password: str | None = None,
    by: Principal | None = None,
) -> uuid.UUID:
    """Create a user (or give an existing one more roles) in an organisation.

    `by` is the principal doing it; None means the command line of the installation's administrator.
    """
    with uow:
        user = upsert_user(
            uow,
            email=email,
            roles=roles,
            organisation_id=organisation_id,
            display_name=display_name,
            password=password,
            by=by,
        )
        uow.commit()
        return user.id


def upsert_user(
    uow: UnitOfWork,
    *,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID,
    display_name: str | None = None,
    password: str | None = None,
    by: Principal | None = None,
) -> UserRow:
    """`create_user` inside the caller's transaction."""
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email):
        errors["email"] = ["not an email address"]
    bad_roles = [r for r in roles if r not in {x.value for x in Role}]
    if bad_roles or not roles:
        errors["role"] = [f"one or more of: {', '.join(r.value for r in Role)}"]
    if password is not None:
        errors.update(_password_errors(password))
    if errors:
        raise InvalidEvidence("invalid user", errors=errors)
    if by is not None:
        require(by, "user.manage", organisation_id)
        for role in roles:
            check_may_grant(by, role, organisation_id)
    if uow.accounts.organisation(organisation_id) is None:
        raise NotFound(f"no organisation {organisation_id}", rule="unknown-organisation")
    user = uow.accounts.user_by_email(email)
    if user is None:
        user = UserRow(
            id=uuid.uuid4(),
            email=email,
            display_name=(display_name or email.split("@")[0]).strip(),
            password_hash=_hasher.hash(password) if password else None,
            active=True,
            locale="nl",
            created_at=uow.now(),
        )
        uow.accounts.add_user(user)
    elif password and by is not None:
        # a user manager may add roles to an existing account, never take it over
        raise InvalidEvidence(
            "the user exists already", errors={"password": ["only the user can change their own password"]}
        )
    elif password:
        user.password_hash = _hasher.hash(password)
    for role in roles:
        uow.accounts.grant(user.id, organisation_id, role)
    return user


def check_may_grant(by: Principal, role: str, organisation_id: uuid.UUID) -> None:
    """Only an administrator hands out the admin role: a user manager cannot make themselves one."""
    if role == Role.ADMIN.value and Role.ADMIN not in by.roles_in(organisation_id):
        raise Forbidden("only an administrator can grant the admin role", rule="grant-admin")


def _password_errors(password: str) -> dict[str, list[str]]:
    if len(password) < MIN_PASSWORD:
        return {"password": [f"at least {MIN_PASSWORD} characters"]}
    if len(password) > 1024:
        return {"password": ["at most 1024 characters"]}
    return {}


def set_password(*, uow: UnitOfWork, user_id: uuid.UUID, password: str) -> None:
    """Give a user a new password (stored as an argon2id hash)."""
    errors = _password_errors(password)
    if errors:
        raise InvalidEvidence("invalid password", errors=errors)
    with uow:
        user = uow.accounts.user(user_id)
        if user is None:
            raise NotFound("no such user", rule="unknown-user")
        user.password_hash = _hasher.hash(password)
        uow.commit()


def authenticate_password(*, uow: UnitOfWork, email: str, password: str) -> Principal | None:
    """The principal when the password is right, else None (the same answer for unknown users)."""
    with uow:
        user = uow.accounts.user_by_email(email)
        if user is None or not user.active or not user.password_hash:
            _hasher.hash("timing-equaliser")  # do comparable work so unknown users are not faster
            return None
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        user.last_login_at = uow.now()
        principal = load_principal(uow, user.id)
        uow.commit()
        return principal


def get_principal(*, uow: UnitOfWork, user_id: uuid.UUID) -> Principal:
    """The principal of an active user (for a session that stores only the user id)."""
    with uow.read_only():
        return load_principal(uow, user_id)


def list_users(
    *, uow: UnitOfWork, organisation_id: uuid.UUID | None = None, role: str | None = None
) -> list[dict[str, Any]]:
    """Users with their roles (for the administrator, and to pick an investigator)."""
    with uow.read_only():
        result = []
        for user in uow.accounts.users(organisation_id=organisation_id, role=role):
            memberships = uow.accounts.memberships(user.id)
            result.append(
                {
                    "id": user.id,
                    "email": user.email,
                    "display_name": user.display_name,
                    "active": user.active,
                    "roles": sorted({(str(m.organisation_id), m.role) for m in memberships}),
                }
            )
        return result


def set_user_active(*, uow: UnitOfWork, email: str, active: bool) -> None:
    """Switch a user off (or on again); their tokens and sessions stop working at once."""
    with uow:
        user = uow.accounts.user_by_email(email)
        if user is None:
            raise NotFound(f"no user {email}", rule="unknown-user")
        user.active = active
        if not active:
            end_user_sessions(uow, user.id)  # signed out everywhere, and still so if switched on again
        uow.commit()
