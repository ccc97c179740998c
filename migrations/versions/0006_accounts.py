"""accounts: invitations, and an append-only audit log of user management

Revision ID: 0006_accounts
Revises: 0005_sessions
Create Date: 2026-12-04

Users are no longer created with a password by someone else: an invitation is accepted by the
invitee, who sets their own. Every change to accounts is recorded in user_audit, which triggers
keep append-only on PostgreSQL and SQLite (as 0001 does for the events).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import protocol.storage.types

revision = "0006_accounts"
down_revision = "0005_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column(
            "roles", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], name=op.f("fk_invitations_accepted_by_users")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_invitations_organisation_id_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_invitations_secret_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitations_email"), ["email"], unique=False)
    op.create_table(
        "user_audit",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("invitation_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_audit")),
    )
    with op.batch_alter_table("user_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_audit_organisation_id_at"), ["organisation_id", "at"], unique=False)
    _append_only("user_audit")


# the same function 0001 creates (CREATE OR REPLACE: harmless if it exists)
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION herstel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'herstel: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION herstel_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION herstel_refuse_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'herstel: {operation} on {table} is refused: the table is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS user_audit_append_only ON user_audit")
        op.execute("DROP TRIGGER IF EXISTS user_audit_no_truncate ON user_audit")
    else:
        op.execute("DROP TRIGGER IF EXISTS user_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS user_audit_no_delete")
    with op.batch_alter_table("user_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_audit_organisation_id_at"))
    op.drop_table("user_audit")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitations_email"))
    op.drop_table("invitations")
