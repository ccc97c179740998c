"""ownership: every incident has an owner and every citizen's response an assignee; the decision
on an objection is recorded (it, not an answer, meets the objection's deadline)

Revision ID: 0009_owners
Revises: 0008_letter_copies
Create Date: 2026-12-04
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0009_owners"
down_revision = "0008_letter_copies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ADD COLUMN with an inline reference works on both: SQLite needs no table rebuild (the incidents
    # table is referenced by every child table), PostgreSQL adds the named constraint.
    _add_user_reference("incidents", "owner_id", "fk_incidents_owner_id_users")
    op.create_index(op.f("ix_incidents_owner_id"), "incidents", ["owner_id"], unique=False)
    _add_user_reference("citizen_responses", "assigned_to", "fk_citizen_responses_assigned_to_users")
    op.add_column("citizen_responses", sa.Column("decision_outcome", sa.String(length=16), nullable=True))
    op.add_column("citizen_responses", sa.Column("decision_reasons_sealed", sa.LargeBinary(), nullable=True))
    op.add_column(
        "citizen_responses",
        sa.Column("decided_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column("citizen_responses", sa.Column("decided_by", sa.String(length=80), nullable=True))
    op.create_index(op.f("ix_citizen_responses_assigned_to"), "citizen_responses", ["assigned_to"], unique=False)
    if op.get_bind().dialect.name == "postgresql":  # SQLite cannot add a constraint to a table; the service checks
        op.create_check_constraint(
            op.f("ck_citizen_responses_outcome"),
            "citizen_responses",
            "decision_outcome IS NULL OR decision_outcome IN ('upheld', 'partly_upheld', 'dismissed')",
        )
    _owners_from_reporters()


def _add_user_reference(table: str, column: str, name: str) -> None:
    """A nullable column referring to a user. SQLite can add a column with an inline REFERENCES but
    no constraint afterwards (Alembic would rebuild the table, which every child table refers to)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} CHAR(32) REFERENCES users (id)")
    else:
        op.add_column(table, sa.Column(column, sa.Uuid(), nullable=True))
        op.create_foreign_key(name, table, "users", [column], ["id"])


def _owners_from_reporters() -> None:
    """Incidents reported before owners existed: their reporter owns them, if still an officer or
    coordinator of the organisation (else they stay without an owner, for a coordinator to name)."""
    bind = op.get_bind()
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("owner_id", sa.Uuid()),
    )
    events = sa.table(
        "events", sa.column("incident_id", sa.Uuid()), sa.column("seq", sa.Integer()), sa.column("actor", sa.String())
    )
    memberships = sa.table(
        "memberships",
        sa.column("user_id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("role", sa.String()),
    )
    reporters = bind.execute(
        sa.select(incidents.c.id, incidents.c.organisation_id, events.c.actor)
        .join(events, sa.and_(events.c.incident_id == incidents.c.id, events.c.seq == 1))
        .where(incidents.c.owner_id.is_(None))
    ).all()
    staff = {
        (row.user_id, row.organisation_id)
        for row in bind.execute(
            sa.select(memberships.c.user_id, memberships.c.organisation_id).where(
                memberships.c.role.in_(("officer", "coordinator"))
            )
        )
    }
    for incident_id, organisation_id, actor in reporters:
        if not actor.startswith("user:"):
            continue
        try:
            user_id = uuid.UUID(actor.removeprefix("user:"))
        except ValueError:
            continue
        if (user_id, organisation_id) in staff:
            bind.execute(sa.update(incidents).where(incidents.c.id == incident_id).values(owner_id=user_id))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_citizen_responses_outcome"), "citizen_responses", type_="check")
    op.drop_index(op.f("ix_citizen_responses_assigned_to"), table_name="citizen_responses")
    op.drop_index(op.f("ix_incidents_owner_id"), table_name="incidents")
    with op.batch_alter_table("citizen_responses") as batch:
        if op.get_bind().dialect.name == "postgresql":
            batch.drop_constraint("fk_citizen_responses_assigned_to_users", type_="foreignkey")
        for column in ("decided_by", "decided_at", "decision_reasons_sealed", "decision_outcome", "assigned_to"):
            batch.drop_column(column)
    with op.batch_alter_table("incidents") as batch:
        if op.get_bind().dialect.name == "postgresql":
            batch.drop_constraint("fk_incidents_owner_id_users", type_="foreignkey")
        batch.drop_column("owner_id")
