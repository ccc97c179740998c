"""Users as the installation manages them: accounts, roles, passwords, and the audit log of changes.

Organisations are in `organisations`; what a signed-in manager does is in `users` and `invitations`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from protocol import messages
from protocol.errors import InvalidEvidence, NotFound
from protocol.identity import Principal, Role
from protocol.names import mixes_scripts, name_key, strip_format_characters
from protocol.permissions import Forbidden, require
from protocol.services.access import load_principal
from protocol.services.sessions import end_user_sessions
from protocol.storage.tables import UserAuditRow, UserRow
from protocol.storage.uow import UnitOfWork

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


# ---------------------------------------------------------------------- users


def create_user(
    *,
    uow: UnitOfWork,
    by: Principal,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID,
    display_name: str | None = None,
    password: str | None = None,
) -> uuid.UUID:
    """Create a user (or give an existing one more roles) in an organisation: the installation's operator only.

    Signed-in users invite instead (`protocol.services.invitations`): nobody but the installation
    creates an account that someone other than its owner could sign in as.
    """
    if not by.is_installation:
        raise Forbidden(messages.USERS_INVITED(), rule="installation-only")
    with uow:
        user = upsert_user(
            uow,
            by=by,
            email=email,
            roles=roles,
            organisation_id=organisation_id,
            display_name=display_name,
            password=password,
        )
        uow.commit()
        return user.id


def upsert_user(
    uow: UnitOfWork,
    *,
    by: Principal,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID,
    display_name: str | None = None,
    password: str | None = None,
) -> UserRow:
    """`create_user` inside the caller's transaction (also how an accepted invitation becomes an account)."""
    email = email.strip().lower()
    errors = email_errors(email)
    bad_roles = [r for r in roles if r not in {x.value for x in Role}]
    if bad_roles or not roles:
        errors["role"] = [messages.ROLES_ONE_OR_MORE(choices=messages.joined(r.value for r in Role))]
    if password is not None:
        errors.update(password_errors(password))
    if errors:
        raise InvalidEvidence(messages.USER_INVALID(), errors=errors)
    for role in roles:
        check_may_grant(by, role, organisation_id)
    if uow.accounts.organisation(organisation_id) is None:
        raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
    user = uow.accounts.user_by_email(email)
    if user is None:
        name = clean_display_name(uow, display_name or email.split("@")[0], organisation_id, email=email)
        user = add_account(
            uow,
            email=email,
            display_name=name,
            password_hash=_hasher.hash(password) if password else None,
            by=by.ref(),
            organisation_id=organisation_id,
        )
    elif password and not by.is_installation:
        # only the installation's operator sets another's password (a reset at the command line)
        raise InvalidEvidence(messages.USER_EXISTS(), errors={"password": [messages.OWN_PASSWORD_ONLY()]})
    elif password:
        user.password_hash = _hasher.hash(password)
    for role in roles:
        if uow.accounts.grant(user.id, organisation_id, role):
            record_change(uow, by.ref(), "role.granted", organisation_id, user_id=user.id, role=role)
    return user


def add_account(
    uow: UnitOfWork,
    /,
    *,
    email: str,
    display_name: str,
    password_hash: str | None,
    by: str,
    organisation_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
) -> UserRow:
    """The one place an account comes to be (operator's `create_user`, an accepted invitation), in the
    caller's transaction, with its `user.created` entry in the audit of `organisation_id`."""
    user = UserRow(
        id=user_id or uuid.uuid4(),
        email=email,
        display_name=display_name,
        password_hash=password_hash,
        active=True,
        locale="nl",
        created_at=uow.now(),
    )
    uow.accounts.add_user(user)
    record_change(uow, by, "user.created", organisation_id, user_id=user.id)
    return user


# granting these makes someone a second signature (coordinator), an overseer or an administrator
ADMIN_GRANTS = frozenset({Role.COORDINATOR.value, Role.OVERSIGHT.value, Role.ADMIN.value})


def revoke_role(*, uow: UnitOfWork, by: Principal, email: str, role: str, organisation_id: uuid.UUID) -> bool:
    """Take a role in one organisation away at the command line (the installation's operator only).

    False when the user did not hold it. Principals are loaded afresh for every request and every
    token use, so the next request made with the role already fails: no grant is cached.
    """
    if not by.is_installation:
        raise Forbidden(messages.ROLES_ON_PAGES(), rule="installation-only")
    with uow:
        user = uow.accounts.user_by_email(email)
        if user is None:
            raise NotFound(messages.NO_USER(user=email), rule="unknown-user")
        removed = uow.accounts.revoke_role(user.id, organisation_id, role)
        if removed:
            record_change(uow, by.ref(), "role.removed", organisation_id, user_id=user.id, role=role)
        uow.commit()
        return removed


def check_may_grant(by: Principal, role: str, organisation_id: uuid.UUID) -> None:
    """A user manager grants roles in their organisation; coordinator, oversight and admin only an administrator.

    Otherwise a coordinator could make the second coordinator that four eyes asks for.
    """
    if by.is_installation:
        return
    require(by, "user.manage", organisation_id)
    if role in ADMIN_GRANTS and Role.ADMIN not in by.roles_in(organisation_id):
        raise Forbidden(messages.ADMIN_GRANTS(role=role), rule="grant-admin", role=role)


def email_errors(email: str) -> dict[str, list[str]]:
    """What is wrong with an e-mail address for an account (empty when nothing)."""
    if not EMAIL.match(email):
        return {"email": [messages.NOT_AN_EMAIL()]}
    local, _, domain = email.rpartition("@")
    if mixes_scripts(local) or any(mixes_scripts(label) for label in domain.split(".")):
        return {"email": [messages.EMAIL_MIXED_SCRIPTS()]}
    if strip_format_characters(email) != email:
        return {"email": [messages.EMAIL_INVISIBLE()]}
    return {}


def clean_display_name(uow: UnitOfWork, name: str, organisation_id: uuid.UUID, *, email: str) -> str:
    """A display name without invisible characters, refused when a colleague in the organisation has it.

    Refused rather than accepted with a warning: the name is what colleagues see on a timeline and on
    an approval, and a second "Anna de Vries" is how one would be mistaken for the other.
    """
    cleaned = strip_format_characters(name)
    if not cleaned:
        raise InvalidEvidence(messages.USER_INVALID(), errors={"display_name": [messages.REQUIRED()]})
    key = name_key(cleaned)
    for colleague in uow.accounts.users(organisation_id=organisation_id):
        if colleague.email != email and name_key(colleague.display_name) == key:
            raise InvalidEvidence(
                messages.USER_INVALID(),
                errors={"display_name": [messages.NAME_TAKEN()]},
            )
    return cleaned[:200]


def record_change(
    uow: UnitOfWork,
    actor: str,
    action: str,
    organisation_id: uuid.UUID | None,
    *,
    user_id: uuid.UUID | None = None,
    invitation_id: uuid.UUID | None = None,
    role: str | None = None,
) -> None:
    """Add a line to the user-management audit log (append-only; accounts by id, never by name)."""
    uow.accounts.record(
        UserAuditRow(
            at=uow.now(),
            actor=actor,
            action=action,
            organisation_id=organisation_id,
            user_id=user_id,
            invitation_id=invitation_id,
            role=role,
        )
    )


def password_errors(password: str) -> dict[str, list[str]]:
    if len(password) < MIN_PASSWORD:
        return {"password": [messages.TOO_SHORT(limit=MIN_PASSWORD)]}
    if len(password) > 1024:
        return {"password": [messages.TOO_LONG(limit=1024)]}
    return {}


def hash_password(password: str) -> str:
    """An argon2id hash of a password, for storing."""
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """True when `password` is the one `password_hash` was made from."""
    try:
        return bool(password_hash) and _hasher.verify(password_hash or "", password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(*, uow: UnitOfWork, user_id: uuid.UUID, password: str) -> None:
    """Give a user a new password (stored as an argon2id hash)."""
    errors = password_errors(password)
    if errors:
        raise InvalidEvidence(messages.PASSWORD_INVALID(), errors=errors)
    with uow:
        user = uow.accounts.user(user_id)
        if user is None:
            raise NotFound(messages.NO_SUCH_USER(), rule="unknown-user")
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
    *, uow: UnitOfWork, by: Principal, organisation_id: uuid.UUID | None = None, role: str | None = None
) -> list[dict[str, Any]]:
    """Every user of the installation with their roles (its operator's view; users see `list_organisation_users`)."""
    if not by.is_installation:
        raise Forbidden(messages.INSTALLATION_LISTS_USERS(), rule="installation-only")
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


def set_user_active(*, uow: UnitOfWork, by: Principal, email: str, active: bool) -> None:
    """Switch a user off (or on again), at the installation: their tokens stop working at once."""
    if not by.is_installation:
        raise Forbidden(messages.INSTALLATION_SWITCHES_ACCOUNTS(), rule="installation-only")
    with uow:
        user = uow.accounts.user_by_email(email)
        if user is None:
            raise NotFound(messages.NO_USER(user=email), rule="unknown-user")
        if user.active != active:
            user.active = active
            if not active:
                end_user_sessions(uow, user.id)  # signed out everywhere, and still so if switched on again
            # one line per organisation, so that each organisation's administrators see it
            for organisation_id in sorted({m.organisation_id for m in uow.accounts.memberships(user.id)}, key=str):
                record_change(
                    uow, by.ref(), "user.activated" if active else "user.deactivated", organisation_id, user_id=user.id
                )
        uow.commit()
