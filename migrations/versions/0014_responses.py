"""citizens' responses: a reference number each (R-2026-000123), the answerer's role, sealed
attachments, and the notices (receipt, "there is an answer") sent once each by e-mail or post

Existing responses get their reference here, numbered per year in the order they arrived.

Revision ID: 0014_responses
Revises: 0013_decision_letters
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0014_responses"
down_revision = "0013_decision_letters"
branch_labels = None
depends_on = None

WHEN = protocol.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("citizen_responses") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("answered_role", sa.String(length=20), nullable=True))
        batch.create_unique_constraint(op.f("uq_citizen_responses_reference"), ["reference"])
    op.create_table(
        "response_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_response_counters")),
    )
    op.create_table(
        "response_attachments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("filename_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("content_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["citizen_responses.id"],
            name=op.f("fk_response_attachments_response_id_citizen_responses"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_response_attachments_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_attachments")),
    )
    op.create_index(op.f("ix_response_attachments_response_id"), "response_attachments", ["response_id"])
    op.create_table(
        "response_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("response_id", sa.Uuid(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", WHEN, nullable=False),
        sa.Column("lease_until", WHEN, nullable=True),
        sa.Column("sent_at", WHEN, nullable=True),
        sa.Column("print_batch_id", sa.Uuid(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.CheckConstraint("purpose IN ('receipt','answer')", name=op.f("ck_response_notices_purpose")),
        sa.CheckConstraint("status IN ('queued','sending','sent','failed')", name=op.f("ck_response_notices_status")),
        sa.CheckConstraint("channel IN ('email','post')", name=op.f("ck_response_notices_channel")),
        sa.ForeignKeyConstraint(
            ["response_id"], ["citizen_responses.id"], name=op.f("fk_response_notices_response_id_citizen_responses")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_response_notices_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_notices")),
        sa.UniqueConstraint("response_id", "purpose", name=op.f("uq_response_notices_response_id_purpose")),
    )
    op.create_index(op.f("ix_response_notices_status_available_at"), "response_notices", ["status", "available_at"])
    _number_existing()


def _number_existing() -> None:
    """Every response already there gets its reference, per year in the order received."""
    bind = op.get_bind()
    responses = sa.table(
        "citizen_responses",
        sa.column("id", sa.Uuid()),
        sa.column("received_at", WHEN),
        sa.column("reference", sa.String()),
    )
    counters = sa.table("response_counters", sa.column("year", sa.Integer()), sa.column("last", sa.Integer()))
    rows = bind.execute(
        sa.select(responses.c.id, responses.c.received_at).order_by(responses.c.received_at, responses.c.id)
    )
    last: Counter[int] = Counter()
    for response_id, received_at in rows.all():
        year = received_at.year
        last[year] += 1
        bind.execute(
            responses.update().where(responses.c.id == response_id).values(reference=f"R-{year}-{last[year]:06d}")
        )
    for year, number in last.items():
        bind.execute(counters.insert().values(year=year, last=number))


def downgrade() -> None:
    op.drop_index(op.f("ix_response_notices_status_available_at"), table_name="response_notices")
    op.drop_table("response_notices")
    op.drop_index(op.f("ix_response_attachments_response_id"), table_name="response_attachments")
    op.drop_table("response_attachments")
    op.drop_table("response_counters")
    with op.batch_alter_table("citizen_responses") as batch:
        batch.drop_constraint(op.f("uq_citizen_responses_reference"), type_="unique")
        batch.drop_column("answered_role")
        batch.drop_column("reference")
