"""API tokens: issued once, stored as a hash, listable and revocable; the bearer of every API request."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from protocol import messages
from protocol.errors import NotFound
from protocol.identity import Principal, Role
from protocol.permissions import organisations_for
from protocol.storage.tables import ApiTokenRow
from protocol.storage.uow import UnitOfWork

TOKEN_PREFIX = "hst_"  # noqa: S105 - a public prefix, not a secret


@dataclass(frozen=True)
class IssuedToken:
    """A new API token: the secret is shown once and stored only as a hash."""

    id: uuid.UUID
    secret: str
    prefix: str


def token_hash(secret: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is a sound way to store them (unlike passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    *,
    uow: UnitOfWork,
    by: Principal,
    email: str,
    name: str = "api",
    expires_at: datetime | None = None,
) -> IssuedToken:
    """Issue an API token for a user; its secret is returned once and only its hash is kept.

    A user issues tokens for themselves only; the installation (its CLI) for anyone. Nobody else:
    a token is the user's identity, and minting one for another is acting as them.
    """
    with uow:
        user = uow.accounts.user_by_email(email)
        if user is None or (not by.is_installation and by.user_id != user.id):
            raise NotFound(messages.NO_USER(user=email), rule="unknown-user")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiTokenRow(
            id=uuid.uuid4(),
            user_id=user.id,
            name=name[:100] or "api",
            prefix=secret[:12],
            token_hash=token_hash(secret),
            created_at=uow.now(),
            expires_at=expires_at,
        )
        uow.accounts.add_token(row)
        uow.commit()
        return IssuedToken(row.id, secret, row.prefix)


def authenticate_token(*, uow: UnitOfWork, secret: str) -> Principal | None:
    """The principal a bearer token stands for, or None if it is unknown, revoked, expired or its user is off."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    with uow:
        found = uow.accounts.token_holder(token_hash(secret))  # one query: this runs on every API request
        if not found:
            return None
        holder, now = found[0], uow.now()
        if (
            holder.revoked_at is not None
            or (holder.expires_at is not None and holder.expires_at <= now)
            or not holder.active
        ):
            return None
        memberships: dict[uuid.UUID, set[Role]] = {}
        for row in found:
            if row.organisation_id is not None and row.role is not None:
                memberships.setdefault(row.organisation_id, set()).add(Role(row.role))
        if holder.last_used_at is None or (now - holder.last_used_at).total_seconds() > 60:
            uow.accounts.touch_token(holder.token_id, now)  # at most once a minute: no write on every request
            uow.commit()
        return Principal(
            user_id=holder.user_id,
            memberships={k: frozenset(v) for k, v in memberships.items()},
            email=holder.email,
            display_name=holder.display_name,
        )


def list_tokens(*, uow: UnitOfWork, principal: Principal, all_users: bool = False) -> list[dict[str, Any]]:
    """The principal's own tokens; with `all_users`, those of every user of the organisations where
    they are administrator (the installation: every token). Never their secrets."""
    with uow.read_only():
        if principal.is_installation:
            rows = uow.accounts.tokens()
        elif all_users:
            rows = uow.accounts.tokens(organisation_ids=set(organisations_for(principal, "token.manage_any")))
        else:
            rows = uow.accounts.tokens(user_id=principal.user_id)
        return [
            {
                "id": t.id,
                "user_id": t.user_id,
                "name": t.name,
                "prefix": t.prefix,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "last_used_at": t.last_used_at,
                "revoked_at": t.revoked_at,
            }
            for t in rows
        ]


def revoke_token(*, uow: UnitOfWork, principal: Principal, token_id: uuid.UUID) -> None:
    """Revoke a token; it stops working at once. Its own user may, and an administrator of an
    organisation the user belongs to; to anyone else it does not exist."""
    with uow:
        row = uow.accounts.token(token_id)
        if row is None or not _may_manage(uow, principal, row.user_id):
            raise NotFound(messages.NO_TOKEN(token_id=token_id), rule="unknown-token")
        if row.revoked_at is None:
            row.revoked_at = uow.now()
        uow.commit()


def _may_manage(uow: UnitOfWork, principal: Principal, user_id: uuid.UUID) -> bool:
    if principal.is_installation or principal.user_id == user_id:
        return True
    administered = set(organisations_for(principal, "token.manage_any"))
    return any(m.organisation_id in administered for m in uow.accounts.memberships(user_id))
