"""deadline enforcement: the scheduler lease, so that one scheduler runs however many are started

Revision ID: 0007_deadline_enforcement
Revises: 0006_accounts
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0007_deadline_enforcement"
down_revision = "0006_accounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("heartbeat_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_lease")),
    )


def downgrade() -> None:
    op.drop_table("scheduler_lease")
