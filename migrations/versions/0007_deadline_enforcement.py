"""deadline enforcement: the scheduler lease, so that one scheduler runs however many are started;
deadline states that tell the truth (met_late, waived, not_applicable)

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
    # Deadlines recorded under the old states: a waived step's deadline said "met" (or "missed" with
    # a met_at), a step that did not apply said "withdrawn", a late completion stayed "missed".
    waived_step = (
        "EXISTS (SELECT 1 FROM steps WHERE steps.incident_id = deadlines.incident_id"
        " AND steps.key = deadlines.step AND steps.state = 'waived')"
    )
    op.execute(f"UPDATE deadlines SET state = 'waived', met_at = NULL WHERE state = 'met' AND {waived_step}")
    op.execute(f"UPDATE deadlines SET met_at = NULL WHERE state = 'missed' AND {waived_step}")
    op.execute("UPDATE deadlines SET state = 'met_late' WHERE state = 'missed' AND met_at IS NOT NULL")
    op.execute("UPDATE deadlines SET state = 'not_applicable' WHERE state = 'withdrawn'")


def downgrade() -> None:
    op.execute("UPDATE deadlines SET state = 'withdrawn' WHERE state = 'not_applicable'")
    op.execute("UPDATE deadlines SET state = 'missed' WHERE state = 'met_late'")
    op.execute("UPDATE deadlines SET state = 'met' WHERE state = 'waived'")
    op.drop_table("scheduler_lease")
