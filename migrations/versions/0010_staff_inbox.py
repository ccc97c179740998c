"""the staff inbox: notifications per (event, user), the staff mail outbox, and each user's choice
between a mail per notification and a daily digest

Revision ID: 0010_staff_inbox
Revises: 0009_owners
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0010_staff_inbox"
down_revision = "0009_owners"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("notification_mail", sa.String(length=16), nullable=False, server_default="each"))
    op.create_table(
        "staff_notifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", protocol.storage.types.BigId, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("details", protocol.storage.types.JSONType, nullable=False),
        sa.Column("created_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mail_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_staff_notifications_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_staff_notifications_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_staff_notifications_event_id_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_notifications")),
        sa.UniqueConstraint("event_id", "user_id", name=op.f("uq_staff_notifications_event_id_user_id")),
    )
    op.create_index(
        op.f("ix_staff_notifications_incident_id"), "staff_notifications", ["incident_id"], unique=False
    )
    op.create_index(
        op.f("ix_staff_notifications_user_id_created_at"), "staff_notifications", ["user_id", "created_at"]
    )
    op.create_index(op.f("ix_staff_notifications_user_id_read_at"), "staff_notifications", ["user_id", "read_at"])
    op.create_table(
        "staff_mail_outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=True),
        sa.Column("digest_day", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_mail_outbox_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_mail_outbox")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_staff_mail_outbox_notification_id")),
        sa.UniqueConstraint("user_id", "digest_day", name=op.f("uq_staff_mail_outbox_user_id_digest_day")),
    )
    op.create_index(op.f("ix_staff_mail_outbox_status_available_at"), "staff_mail_outbox", ["status", "available_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_mail_outbox_status_available_at"), table_name="staff_mail_outbox")
    op.drop_table("staff_mail_outbox")
    op.drop_index(op.f("ix_staff_notifications_user_id_read_at"), table_name="staff_notifications")
    op.drop_index(op.f("ix_staff_notifications_user_id_created_at"), table_name="staff_notifications")
    op.drop_index(op.f("ix_staff_notifications_incident_id"), table_name="staff_notifications")
    op.drop_table("staff_notifications")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("notification_mail")
