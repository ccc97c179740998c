"""incidents: a revision for what the aggregate shows, so appending alone leaves the read model good

Revision ID: 0019_incident_revision
Revises: 0018_incident_views
Create Date: 2026-12-06

`incidents.revision` counts the saves that changed the incident itself (its columns, steps,
approvals, deadlines or assignments), not only its chain. The read model's document was good for
the chain length it was written at, so every batch of letters recorded on the chain made it stale
and it was written again at every commit (1.4 ms of a 4.9 ms append transaction). It is now good
for the version and revision it was written at. A document current at this migration (written at
the incident's present chain length) stays good: revision 0 on both sides; the others are stale
(-1) and are written again at the incident's next change, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_incident_revision"
down_revision = "0018_incident_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # not in batch mode: on SQLite that copies the table, and the tables that refer to incidents
    # refuse its DROP; SQLite adds (and from 3.35 drops) a plain column in place
    op.add_column("incidents", sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("incident_views") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE incident_views SET revision = CASE WHEN last_seq ="
        " (SELECT last_seq FROM incidents WHERE incidents.id = incident_views.incident_id) THEN 0 ELSE -1 END"
    )
    with op.batch_alter_table("incident_views") as batch:
        batch.alter_column("revision", existing_type=sa.Integer(), nullable=False)
        batch.drop_column("last_seq")


def downgrade() -> None:
    with op.batch_alter_table("incident_views") as batch:
        batch.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="-1"))  # all stale
        batch.drop_column("revision")
    with op.batch_alter_table("incident_views") as batch:
        batch.alter_column("last_seq", existing_type=sa.Integer(), server_default=None)
    op.drop_column("incidents", "revision")
