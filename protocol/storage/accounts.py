"""Organisations, users with their roles per organisation, and API tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from protocol.storage.tables import (
    ApiTokenRow,
    InvitationRow,
    MembershipRow,
    OrganisationRow,
    UserAuditRow,
    UserRow,
)


class TokenHolder(NamedTuple):
    """What checking a bearer token needs: the token, its user, and one of the user's (organisation, role)."""

    token_id: uuid.UUID
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    user_id: uuid.UUID
    active: bool
    email: str
    display_name: str
    organisation_id: uuid.UUID | None
    role: str | None


# Built once: every API request runs it, and building a statement costs more than running it here.
_TOKEN_HOLDER = (
    select(
        ApiTokenRow.id,
        ApiTokenRow.expires_at,
        ApiTokenRow.last_used_at,
        ApiTokenRow.revoked_at,
        UserRow.id,
        UserRow.active,
        UserRow.email,
        UserRow.display_name,
        MembershipRow.organisation_id,
        MembershipRow.role,
    )
    .join(UserRow, UserRow.id == ApiTokenRow.user_id)
    .outerjoin(MembershipRow, MembershipRow.user_id == UserRow.id)
    .where(ApiTokenRow.token_hash == bindparam("token_hash"))
)


class AccountRepository:
    """Everything about who may act, and where."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # organisations
    def organisation(self, organisation_id: uuid.UUID, *, lock: bool = False) -> OrganisationRow | None:
        stmt = select(OrganisationRow).where(OrganisationRow.id == organisation_id)
        return self.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()

    def organisation_by_slug(self, slug: str) -> OrganisationRow | None:
        return self.session.scalars(select(OrganisationRow).where(OrganisationRow.slug == slug)).one_or_none()

    def organisations(self, ids: Iterable[uuid.UUID] | None = None) -> list[OrganisationRow]:
        stmt = select(OrganisationRow).order_by(OrganisationRow.name)
        if ids is not None:
            stmt = stmt.where(OrganisationRow.id.in_(list(ids)))
        return list(self.session.scalars(stmt))

    def add_organisation(self, row: OrganisationRow) -> None:
        self.session.add(row)

    # users
    def user(self, user_id: uuid.UUID) -> UserRow | None:
        return self.session.get(UserRow, user_id)

    def user_by_email(self, email: str) -> UserRow | None:
        return self.session.scalars(select(UserRow).where(UserRow.email == email.strip().lower())).one_or_none()

    def users(self, *, organisation_id: uuid.UUID | None = None, role: str | None = None) -> list[UserRow]:
        stmt = select(UserRow).order_by(UserRow.email)
        if organisation_id is not None or role is not None:
            stmt = stmt.join(MembershipRow, MembershipRow.user_id == UserRow.id).distinct()
            if organisation_id is not None:
                stmt = stmt.where(MembershipRow.organisation_id == organisation_id)
            if role is not None:
                stmt = stmt.where(MembershipRow.role == role)
        return list(self.session.scalars(stmt))

    def add_user(self, row: UserRow) -> None:
        self.session.add(row)
        self.session.flush()

    def memberships(self, user_id: uuid.UUID) -> list[MembershipRow]:
        return list(self.session.scalars(select(MembershipRow).where(MembershipRow.user_id == user_id)))

    def grant(self, user_id: uuid.UUID, organisation_id: uuid.UUID, role: str) -> bool:
        """Give a role; False when the user already had it."""
        if self.session.get(MembershipRow, (user_id, organisation_id, role)) is not None:
            return False
        self.session.add(MembershipRow(user_id=user_id, organisation_id=organisation_id, role=role))
        self.session.flush()
        return True

    def holders(self, organisation_id: uuid.UUID, role: str, *, lock: bool = False) -> set[uuid.UUID]:
        """The users holding a role in an organisation; with `lock`, their rows locked against a
        concurrent removal (for the rest of the transaction)."""
        stmt = select(MembershipRow.user_id).where(
            MembershipRow.organisation_id == organisation_id, MembershipRow.role == role
        )
        return set(self.session.scalars(stmt.with_for_update() if lock else stmt))

    def revoke_role(self, user_id: uuid.UUID, organisation_id: uuid.UUID, role: str) -> bool:
        result = self.session.execute(
            delete(MembershipRow).where(
                MembershipRow.user_id == user_id,
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role == role,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # tokens
    def add_token(self, row: ApiTokenRow) -> None:
        self.session.add(row)
        self.session.flush()

    def token_by_hash(self, token_hash: str) -> ApiTokenRow | None:
        return self.session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)).one_or_none()

    def token_holder(self, token_hash: str) -> list[TokenHolder]:
        """A token and its user, once per (organisation, role) of the user, in one query (every API request asks)."""
        return [TokenHolder._make(row) for row in self.session.execute(_TOKEN_HOLDER, {"token_hash": token_hash})]

    def tokens(
        self, *, user_id: uuid.UUID | None = None, organisation_ids: set[uuid.UUID] | None = None
    ) -> list[ApiTokenRow]:
        """Every token; or one user's; or those of the users belonging to any of the organisations."""
        stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at)
        if user_id is not None:
            stmt = stmt.where(ApiTokenRow.user_id == user_id)
        if organisation_ids is not None:
            members = select(MembershipRow.user_id).where(MembershipRow.organisation_id.in_(list(organisation_ids)))
            stmt = stmt.where(ApiTokenRow.user_id.in_(members))
        return list(self.session.scalars(stmt))

    def token(self, token_id: uuid.UUID) -> ApiTokenRow | None:
        return self.session.get(ApiTokenRow, token_id)

    def touch_token(self, token_id: uuid.UUID, now: datetime) -> None:
        self.session.execute(update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=now))

    # invitations
    def add_invitation(self, row: InvitationRow) -> None:
        self.session.add(row)
        self.session.flush()

    def invitation_by_hash(self, secret_hash: str, *, lock: bool = False) -> InvitationRow | None:
        stmt = select(InvitationRow).where(InvitationRow.secret_hash == secret_hash)
        return self.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()

    def invitation(self, invitation_id: uuid.UUID, *, lock: bool = False) -> InvitationRow | None:
        stmt = select(InvitationRow).where(InvitationRow.id == invitation_id)
        return self.session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()

    def invitations_for(self, email: str) -> list[InvitationRow]:
        stmt = select(InvitationRow).where(InvitationRow.email == email.strip().lower())
        return list(self.session.scalars(stmt.order_by(InvitationRow.created_at)))

    def open_invitations(self, organisation_ids: Iterable[uuid.UUID], now: datetime) -> list[InvitationRow]:
        """The invitations into these organisations not accepted yet and not expired, the newest first."""
        stmt = select(InvitationRow).where(
            InvitationRow.organisation_id.in_(list(organisation_ids)),
            InvitationRow.accepted_at.is_(None),
            InvitationRow.expires_at > now,
        )
        return list(self.session.scalars(stmt.order_by(InvitationRow.created_at.desc())))

    # the audit log of user management (append-only: only adds and reads)
    def record(self, row: UserAuditRow) -> None:
        self.session.add(row)

    def audit(self, organisation_ids: Iterable[uuid.UUID], *, limit: int = 1000) -> list[UserAuditRow]:
        stmt = (
            select(UserAuditRow)
            .where(UserAuditRow.organisation_id.in_(list(organisation_ids)))
            .order_by(UserAuditRow.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(stmt))
