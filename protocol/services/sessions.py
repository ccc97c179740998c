"""Signed-in sessions that end when they should: at logout, after idle time, at their absolute
lifetime, and when the user is switched off.

The browser holds a random secret (in the page login's cookie, or a citizen's cookie or bearer
token); the database holds its hash, so every request is checked against a row that logout can
revoke. Renewal moves `last_seen_at` (the idle clock), never `expires_at`.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from protocol.errors import NotFound
from protocol.identity import Principal
from protocol.services.access import load_principal
from protocol.storage.tables import SessionRow
from protocol.storage.uow import UnitOfWork


class SessionKind(StrEnum):
    STAFF = "staff"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class Lifetime:
    """How long a kind of session lasts: since its last use, and at most in all."""

    idle: timedelta
    absolute: timedelta


LIFETIMES = {
    # a working day; an hour away from the desk ends it
    SessionKind.STAFF: Lifetime(idle=timedelta(hours=1), absolute=timedelta(hours=8)),
    # reading one's letter and answering it; a quarter of an hour untouched ends it
    SessionKind.CITIZEN: Lifetime(idle=timedelta(minutes=15), absolute=timedelta(minutes=30)),
}
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often: not on every request
SECRET_LIMIT = 200  # longer is no secret of ours: not worth hashing


@dataclass(frozen=True)
class IssuedSession:
    """A new session: the secret goes to the browser once, the database keeps its hash."""

    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenSession:
    """A session that holds: whose it is (a user, or what a citizen's session opens) and when it ends."""

    kind: SessionKind
    user_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    expires_at: datetime


def _hash(secret: str) -> str:
    """Secrets are 256 random bits: a plain SHA-256 is a sound way to store them (like API tokens)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(
    *, uow: UnitOfWork, kind: SessionKind, user_id: uuid.UUID | None = None, subject_id: uuid.UUID | None = None
) -> IssuedSession:
    """Start a session for a signed-in user (staff) or for what a citizen's code opened (their letter)."""
    holder = user_id if kind is SessionKind.STAFF else subject_id
    if holder is None or (user_id is not None and subject_id is not None):
        raise ValueError("a staff session belongs to a user, a citizen's to a subject")
    secret = secrets.token_urlsafe(32)
    with uow:
        now = uow.now()
        expires_at = now + LIFETIMES[kind].absolute
        uow.sessions.add(
            SessionRow(
                id=uuid.uuid4(),
                secret_hash=_hash(secret),
                kind=kind.value,
                user_id=user_id,
                subject_id=subject_id,
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
            )
        )
        uow.commit()
    return IssuedSession(secret, expires_at)


def _live(uow: UnitOfWork, secret: str, kind: SessionKind) -> SessionRow | None:
    """The session of `secret` if it is of this kind and has not ended; renews its idle clock."""
    if not secret or len(secret) > SECRET_LIMIT:
        return None
    row = uow.sessions.by_hash(_hash(secret))
    if row is None or row.kind != kind.value or row.revoked_at is not None:
        return None
    now = uow.now()
    if now >= row.expires_at or now - row.last_seen_at >= LIFETIMES[kind].idle:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        uow.sessions.touch(row.id, now)
    return row


def check_session(*, uow: UnitOfWork, secret: str, kind: SessionKind) -> OpenSession | None:
    """The session a secret stands for, or None if it is unknown, of another kind, revoked or timed out."""
    with uow:
        row = _live(uow, secret, kind)
        if row is None:
            return None
        found = OpenSession(SessionKind(row.kind), row.user_id, row.subject_id, row.expires_at)
        uow.commit()
        return found


def session_principal(*, uow: UnitOfWork, secret: str) -> Principal | None:
    """The signed-in user of a staff session, or None if the session ended or the user was switched off."""
    with uow:
        row = _live(uow, secret, SessionKind.STAFF)
        if row is None or row.user_id is None:
            return None
        try:
            principal = load_principal(uow, row.user_id)
        except NotFound:  # switched off (their sessions were revoked too; this covers a race with it)
            return None
        uow.commit()
        return principal


def end_session(*, uow: UnitOfWork, secret: str) -> None:
    """Logout: the session stops working at once, wherever its secret was copied to."""
    if not secret or len(secret) > SECRET_LIMIT:
        return
    with uow:
        row = uow.sessions.by_hash(_hash(secret))
        if row is not None:
            uow.sessions.revoke(row.id, uow.now())
        uow.commit()


def end_user_sessions(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    """Inside the caller's transaction: end every session of a user (switched off); how many there were."""
    return uow.sessions.revoke_user(user_id, uow.now())
