"""incident views: the incident as every reader sees it, kept in the transaction that saves it

Revision ID: 0018_incident_views
Revises: 0017_algorithm_domain
Create Date: 2026-12-05

A read model for GET /incidents/{id} (issue #12): one row per incident with the JSON document the
API answers, less the parts that depend on the caller (the actions open to them, whether a deadline
is overdue now, the algorithm and owner as they are today). It is written by the unit of work when
an incident is saved and is good for the version and chain length it was written at; incidents
saved before this migration have none and are read from the aggregate until their next action.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_incident_views"
down_revision = "0017_algorithm_domain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_views",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_incident_views_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_views")),
    )


def downgrade() -> None:
    op.drop_table("incident_views")
