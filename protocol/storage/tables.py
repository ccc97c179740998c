"""The tables of the protocol side: organisations, users, algorithms, incidents and their timeline.

Rows are plain records; the repositories translate them to and from the domain objects, so the
domain never sees SQLAlchemy.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from protocol.storage.types import BigId, JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
    }


DEFAULT_ORGANISATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


class OrganisationRow(Base):
    __tablename__ = "organisations"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    reference_prefix: Mapped[str] = mapped_column(String(16), unique=True)
    next_incident_number: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    notification_mail: Mapped[str] = mapped_column(String(16), default="each", server_default="each")  # or "daily"


class MembershipRow(Base):
    __tablename__ = "memberships"
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    __table_args__ = (
        CheckConstraint("role IN ('officer','coordinator','investigator','oversight','admin')", name="role"),
    )


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class SessionRow(Base):
    """A signed-in session: a staff login, or a citizen's letter code. The cookie (or the citizen's
    bearer token) holds a random secret; only its SHA-256 is kept, so a copy of this table opens nothing.
    A session ends at `expires_at` (its absolute lifetime), after its kind's idle time since
    `last_seen_at`, or when `revoked_at` is set (logout, the user switched off)."""

    __tablename__ = "sessions"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # what a citizen's session opens: their letter
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff' AND user_id IS NOT NULL) OR (kind = 'citizen' AND subject_id IS NOT NULL)", name="holder"
        ),
    )


class InvitationRow(Base):
    """An invitation into an organisation with roles; the invitee accepts it and sets their own password.

    The secret travels only in the link sent to the invitee; the table keeps its SHA-256 (like API
    tokens). Single use: `accepted_at` is set once.
    """

    __tablename__ = "invitations"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[Any]]
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class UserAuditRow(Base):
    """Who changed which account: invitations, roles granted and removed, users switched off and on.

    Append-only, like the events: triggers refuse UPDATE and DELETE. Accounts are named by id only.
    """

    __tablename__ = "user_audit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # None: the whole installation
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    role: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (Index(None, "organisation_id", "at"),)


class ProtocolDefinitionRow(Base):
    __tablename__ = "protocol_definitions"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    digest: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("key", "version"),)


class AlgorithmRow(Base):
    __tablename__ = "algorithms"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    lars: Mapped[str | None] = mapped_column(String(8))
    register_status: Mapped[str | None] = mapped_column(String(40))
    publication_category: Mapped[str | None] = mapped_column(String(1))
    domain: Mapped[str | None] = mapped_column(String(40))  # protocol.domains; NULL: registered before 0017
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended_at: Mapped[datetime | None]
    suspended_by_incident_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime]
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)


class IncidentRow(Base):
    __tablename__ = "incidents"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    algorithm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("algorithms.id"), index=True)
    reference: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))
    detected_at: Mapped[datetime]
    reported_at: Mapped[datetime]
    protected_grounds: Mapped[list[Any]]
    protocol_key: Mapped[str] = mapped_column(String(64))
    protocol_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    facts: Mapped[dict[str, Any]]
    closed_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    head_hash: Mapped[str] = mapped_column(String(64))
    # How many saves have changed the aggregate itself (the incident, its steps, approvals, deadlines
    # or assignments), not only its chain: what the read model's documents are good for.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Who carries the incident: a staff user of its organisation (OwnerAssigned on the timeline).
    owner_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference"),
        Index(None, "organisation_id", "state", "reported_at"),
    )


class StepRow(Base):
    __tablename__ = "steps"
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None]
    started_by: Mapped[str | None] = mapped_column(String(80))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(80))
    start_evidence: Mapped[dict[str, Any]]
    evidence: Mapped[dict[str, Any]]
    justification: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(80))
    __table_args__ = (Index(None, "key", "state"),)


class ApprovalRow(Base):
    __tablename__ = "approvals"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    step: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class DeadlineRow(Base):
    __tablename__ = "deadlines"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(80))
    step: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[datetime]
    due_at: Mapped[datetime]
    last_day: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))
    met_at: Mapped[datetime | None]
    missed_at: Mapped[datetime | None]
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None]
    # The scheduler's sweep: open deadlines whose next check is due.
    __table_args__ = (Index(None, "state", "next_check_at"),)


class AssignmentRow(Base):
    __tablename__ = "incident_assignments"
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20), default="investigator")
    assigned_at: Mapped[datetime]


class EventRow(Base):
    """The timeline. Append-only: the application never updates or deletes, and triggers refuse it."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON text, exactly as hashed
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("incident_id", "seq"), Index(None, "type", "at"))


class OutboxRow(Base):
    """Committed events not yet handed to the workers; the relay deletes a row once it is sent."""

    __tablename__ = "outbox"
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    available_at: Mapped[datetime] = mapped_column(index=True)


class HandledEventRow(Base):
    """Which handler has already acted on which event, so that redelivery has no second effect."""

    __tablename__ = "handled_events"
    handler: Mapped[str] = mapped_column(String(100), primary_key=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), primary_key=True)
    handled_at: Mapped[datetime]


class CheckpointRow(Base):
    """Signed digests of the chain heads; append-only like the events."""

    __tablename__ = "checkpoints"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime]
    heads: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)


class DocumentRow(Base):
    """A file belonging to an incident (an investigation report); content is stored in the database."""

    __tablename__ = "documents"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime]


class NoticeRow(Base):
    """Something waiting for a role in an organisation: an approval to give, a deadline missed."""

    __tablename__ = "notices"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), index=True)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"))
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("event_id", "role"),
        Index(None, "organisation_id", "role", "resolved_at"),
    )


class LogEntryRow(Base):
    """The transparency log: the event at each leaf index of the installation's Merkle tree. Append-only."""

    __tablename__ = "transparency_log"
    log_index: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), unique=True)
    leaf_hash: Mapped[str] = mapped_column(String(64))  # hex SHA-256(0x00 || event hash bytes)


class LogQueueRow(Base):
    """Events not yet in the transparency log: written in the event's own transaction (like the
    outbox), deleted by the sequencer in the transaction that gives the event its leaf index."""

    __tablename__ = "log_queue"
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id"), primary_key=True)


class LogNodeRow(Base):
    """The hash of each complete subtree of the log: 2**level leaves from position * 2**level. Append-only."""

    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class TreeHeadRow(Base):
    """A signed tree head of the log (one per size). Append-only."""

    __tablename__ = "tree_heads"
    size: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))


class SchedulerLeaseRow(Base):
    """Who runs the scheduler's jobs: one row per lease, held until `expires_at` unless renewed.

    A scheduler takes the lease when nobody holds it or its holder let it expire (died), and renews it
    on every heartbeat; only the holder enqueues the sweep, checkpoints and recovery."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    heartbeat_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class IncidentViewRow(Base):
    """An incident as every reader sees it, written in the transaction that saves the incident.

    A read model (protocol.storage.incident_views): the document is good for the incident's
    `version` and `revision` it was written at; a reader that finds the incident moved on reads the
    aggregate. Appending to the chain alone (letters recorded, a note) leaves it good."""

    __tablename__ = "incident_views"
    incident_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # JSON, as the API answers it but for the caller's parts
