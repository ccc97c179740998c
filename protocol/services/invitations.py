"""Invitations into an organisation, and the audit log of user management.

A user manager never creates an account someone could sign in as (that would let a coordinator
make the second coordinator four eyes asks for). They invite an e-mail address into one of their
organisations with roles; the invitee accepts through a single-use link, setting their own
password (or proving the one they have). Until then nothing is added, and the reply is the same
whether or not the address already has an account elsewhere.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from protocol import messages
from protocol.errors import InvalidEvidence, NotFound
from protocol.identity import Principal, Role
from protocol.permissions import organisations_for
from protocol.services.access import organisation_for
from protocol.services.accounts import (
    add_account,
    check_may_grant,
    clean_display_name,
    email_errors,
    hash_password,
    password_errors,
    password_matches,
    record_change,
)
from protocol.storage.tables import InvitationRow, UserRow
from protocol.storage.uow import UnitOfWork

INVITATION_LIFETIME = timedelta(days=7)
INVITATION_PATH = "/invitations/"


@dataclass(frozen=True)
class IssuedInvitation:
    """A new invitation: the secret goes only into the link for the invitee, and is kept as a hash."""

    id: uuid.UUID
    secret: str
    email: str
    organisation_id: uuid.UUID
    roles: tuple[str, ...]
    expires_at: datetime

    def link(self, base_url: str) -> str:
        return base_url.rstrip("/") + INVITATION_PATH + self.secret

    def as_dict(self) -> dict[str, Any]:
        """What the inviter may see: never the secret (with it they could accept in the invitee's place)."""
        return {
            "id": self.id,
            "email": self.email,
            "organisation_id": self.organisation_id,
            "roles": list(self.roles),
            "expires_at": self.expires_at,
        }


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()  # 256 random bits: a plain hash is sound


def invite_user(
    *,
    uow: UnitOfWork,
    principal: Principal,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID | None = None,
    display_name: str | None = None,
) -> IssuedInvitation:
    """Invite an address into an organisation where the principal manages users (or, for the installation, any).

    The answer is the same for an address with an account elsewhere as for a new one.
    """
    email = _checked_input(email, roles)
    with uow:
        issued = _issue(uow, principal, email, roles, organisation_id, display_name)
        uow.commit()
        return issued


def invite_to_organisations(
    *,
    uow: UnitOfWork,
    principal: Principal,
    email: str,
    roles: list[str],
    organisation_ids: list[uuid.UUID],
    display_name: str | None = None,
) -> list[IssuedInvitation]:
    """Invite an address into several organisations at once (an oversight body that supervises each), one
    invitation per organisation: all of them, or none when any organisation refuses.

    Each is what `invite_user` would issue for that organisation, by the same rules.
    """
    email = _checked_input(email, roles, organisations=organisation_ids)
    with uow:
        issued = [
            _issue(uow, principal, email, roles, organisation_id, display_name)
            for organisation_id in dict.fromkeys(organisation_ids)
        ]
        uow.commit()
        return issued


def _checked_input(email: str, roles: list[str], *, organisations: list[uuid.UUID] | None = None) -> str:
    """The address as it is stored; refused (422, per field) when it, the roles or the organisations are wrong."""
    email = email.strip().lower()
    errors = email_errors(email)
    if not roles or any(r not in {x.value for x in Role} for r in roles):
        errors["roles"] = [messages.ROLES_ONE_OR_MORE(choices=messages.joined(r.value for r in Role))]
    if organisations is not None and not organisations:
        errors["organisation_ids"] = [messages.REQUIRED()]
    if errors:
        raise InvalidEvidence(messages.INVITATION_INVALID_INPUT(), errors=errors)
    return email


def _issue(
    uow: UnitOfWork,
    principal: Principal,
    email: str,
    roles: list[str],
    organisation_id: uuid.UUID | None,
    display_name: str | None,
) -> IssuedInvitation:
    """One invitation, in the caller's transaction, with its line in the organisation's audit log."""
    if principal.is_installation:
        if organisation_id is None or uow.accounts.organisation(organisation_id) is None:
            raise NotFound(messages.NO_ORGANISATION(organisation=organisation_id), rule="unknown-organisation")
    else:
        organisation_id = organisation_for(principal, "user.manage", organisation_id)
    for role in roles:
        check_may_grant(principal, role, organisation_id)
    name = clean_display_name(uow, display_name or email.split("@")[0], organisation_id, email=email)
    secret = secrets.token_urlsafe(32)
    row = InvitationRow(
        id=uuid.uuid4(),
        organisation_id=organisation_id,
        email=email,
        display_name=name,
        roles=sorted(set(roles)),
        secret_hash=_secret_hash(secret),
        invited_by=principal.ref(),
        created_at=uow.now(),
        expires_at=uow.now() + INVITATION_LIFETIME,
    )
    uow.accounts.add_invitation(row)
    record_change(uow, principal.ref(), "invitation.created", organisation_id, invitation_id=row.id)
    return IssuedInvitation(row.id, secret, email, organisation_id, tuple(row.roles), row.expires_at)


def _open_invitation(uow: UnitOfWork, secret: str, *, lock: bool = False) -> InvitationRow:
    row = uow.accounts.invitation_by_hash(_secret_hash(secret), lock=lock) if 0 < len(secret) <= 200 else None
    if row is None or row.accepted_at is not None or row.expires_at <= uow.now():
        # unknown, used and expired look alike: the link says nothing more to whoever holds an old one
        raise NotFound(messages.INVITATION_INVALID(), rule="unknown-invitation")
    return row


def describe_invitation(*, uow: UnitOfWork, secret: str) -> dict[str, Any]:
    """What the holder of an invitation link sees before accepting: where, which roles, and for which address."""
    with uow.read_only():
        row = _open_invitation(uow, secret)
        organisation = uow.accounts.organisation(row.organisation_id)
        return {
            "email": row.email,
            "organisation": organisation.name if organisation else "",
            "roles": list(row.roles),
            "expires_at": row.expires_at,
            "has_account": uow.accounts.user_by_email(row.email) is not None,  # the link holder is the invitee
        }


def accept_invitation(*, uow: UnitOfWork, secret: str, password: str) -> uuid.UUID:
    """Accept an invitation: a new invitee chooses their password, an existing one proves theirs.

    Only then does the account get its roles in the organisation. The link works once.
    """
    errors = password_errors(password)
    if errors:
        raise InvalidEvidence(messages.PASSWORD_INVALID(), errors=errors)
    with uow:
        row = _open_invitation(uow, secret, lock=True)
        existing = uow.accounts.user_by_email(row.email)
        if existing is not None:
            if not password_matches(existing.password_hash, password):
                raise InvalidEvidence(messages.WRONG_PASSWORD(), errors={"password": [messages.NOT_THIS_PASSWORD()]})
            if not existing.active:
                raise NotFound(messages.INVITATION_INVALID(), rule="unknown-invitation")
        if existing is None:
            user_id = uuid.uuid4()
            user = add_account(
                uow,
                email=row.email,
                display_name=row.display_name or row.email.split("@")[0],
                password_hash=hash_password(password),
                by=f"user:{user_id}",  # the invitee creates their own account
                organisation_id=row.organisation_id,
                user_id=user_id,
            )
        else:
            user = existing
        _grant(uow, row, user)
        uow.commit()
        return user.id


def my_invitations(*, uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    """The open invitations addressed to the signed-in user's own address (they may accept without the link)."""
    with uow.read_only():
        now = uow.now()
        rows = [
            r for r in uow.accounts.invitations_for(principal.email) if r.accepted_at is None and r.expires_at > now
        ]
        names = {o.id: o.name for o in uow.accounts.organisations({r.organisation_id for r in rows})}
        return [
            {
                "id": r.id,
                "organisation_id": r.organisation_id,
                "organisation": names.get(r.organisation_id, ""),
                "roles": list(r.roles),
                "expires_at": r.expires_at,
            }
            for r in rows
        ]


def accept_my_invitation(*, uow: UnitOfWork, principal: Principal, invitation_id: uuid.UUID) -> None:
    """Accept, signed in as themselves, an invitation addressed to the principal's own address."""
    with uow:
        row = uow.accounts.invitation(invitation_id, lock=True)
        user = None if principal.is_installation else uow.accounts.user(principal.user_id)
        if (
            row is None
            or user is None
            or row.email != user.email
            or row.accepted_at is not None
            or row.expires_at <= uow.now()
        ):
            raise NotFound(messages.NO_INVITATION(invitation_id=invitation_id), rule="unknown-invitation")
        _grant(uow, row, user)
        uow.commit()


def _grant(uow: UnitOfWork, row: InvitationRow, user: UserRow) -> None:
    """The roles of an accepted invitation, given; the invitation spent."""
    for role in row.roles:
        # the grant was authorised by the inviter when they invited: it is theirs in the log
        if uow.accounts.grant(user.id, row.organisation_id, role):
            record_change(uow, row.invited_by, "role.granted", row.organisation_id, user_id=user.id, role=role)
    row.accepted_at, row.accepted_by = uow.now(), user.id
    record_change(
        uow, f"user:{user.id}", "invitation.accepted", row.organisation_id, user_id=user.id, invitation_id=row.id
    )


def withdraw_invitation(*, uow: UnitOfWork, principal: Principal, invitation_id: uuid.UUID) -> dict[str, Any]:
    """Withdraw an invitation not yet accepted: its link stops working at once (it expires now).

    Who may invite someone with these roles into the organisation may withdraw it; to anyone else, and
    for an invitation accepted or expired already, there is no such invitation. Recorded in the log.
    """
    with uow:
        row = uow.accounts.invitation(invitation_id, lock=True)
        if (
            row is None
            or row.organisation_id not in organisations_for(principal, "user.manage")
            or row.accepted_at is not None
            or row.expires_at <= uow.now()
        ):
            raise NotFound(messages.NO_INVITATION(invitation_id=invitation_id), rule="unknown-invitation")
        for role in row.roles:
            check_may_grant(principal, role, row.organisation_id)
        row.expires_at = uow.now()
        record_change(uow, principal.ref(), "invitation.withdrawn", row.organisation_id, invitation_id=row.id)
        withdrawn = {"id": row.id, "email": row.email, "organisation_id": row.organisation_id}
        uow.commit()
        return withdrawn


def list_open_invitations(*, uow: UnitOfWork, principal: Principal) -> list[dict[str, Any]]:
    """The invitations not yet accepted into the organisations where the principal manages users.

    Never the secret: the inviter sees to whom and for what, not the link (see `IssuedInvitation.as_dict`).
    """
    with uow.read_only():
        managed = organisations_for(principal, "user.manage")
        return [
            {
                "id": r.id,
                "email": r.email,
                "display_name": r.display_name,
                "organisation_id": r.organisation_id,
                "roles": list(r.roles),
                "invited_by": r.invited_by,
                "created_at": r.created_at,
                "expires_at": r.expires_at,
            }
            for r in uow.accounts.open_invitations(managed, uow.now())
        ]


def list_user_audit(*, uow: UnitOfWork, principal: Principal, limit: int = 500) -> list[dict[str, Any]]:
    """The user-management log of the organisations where the principal may read it, newest first."""
    limit = max(1, min(limit, 1000))
    with uow.read_only():
        readable = organisations_for(principal, "user.audit.read")
        return [
            {
                "id": r.id,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "organisation_id": r.organisation_id,
                "user_id": r.user_id,
                "invitation_id": r.invitation_id,
                "role": r.role,
            }
            for r in uow.accounts.audit(readable, limit=limit)
        ]
