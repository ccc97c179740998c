"""affected persons: the decisions made about them with the algorithm, sealed with their identity

Revision ID: 0016_person_decisions
Revises: 0015_sequencer_queue
Create Date: 2026-12-05

A persons file may name, per person, the decisions the algorithm was used for (reference, date,
subject). They are personal data like the name and address, so they are sealed the same way, in one
AES-GCM value bound to ``affected_persons/<id>/decisions``. Rows imported before have none (NULL):
their letters say in general words which kind of decision it was, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_person_decisions"
down_revision = "0015_sequencer_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("affected_persons") as batch:
        batch.add_column(sa.Column("decisions_sealed", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("affected_persons") as batch:
        batch.drop_column("decisions_sealed")
