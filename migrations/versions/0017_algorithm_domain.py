"""algorithms: the policy domain they decide in, for the letters' example of a consequence

Revision ID: 0017_algorithm_domain
Revises: 0016_person_decisions
Create Date: 2026-12-05

An algorithm may name its domain from a closed list (protocol.domains: benefits, allowances, taxes,
parking_traffic, …). A notification letter then tells the reader what a wrong decision may have meant
for them in that domain. Algorithms registered before have none (NULL) and their letters keep the
neutral wording. Letters already sent are kept as sent; only new ones change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_algorithm_domain"
down_revision = "0016_person_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("algorithms") as batch:
        batch.add_column(sa.Column("domain", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("algorithms") as batch:
        batch.drop_column("domain")
