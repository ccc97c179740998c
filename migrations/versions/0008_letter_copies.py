"""letters as sent: a sealed copy of each attempt's letter, and its SHA-256 in the attempt's ledger line

Revision ID: 0008_letter_copies
Revises: 0007_deadline_enforcement
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_letter_copies"
down_revision = "0007_deadline_enforcement"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_attempts") as batch:
        batch.add_column(sa.Column("letter_sha256", sa.String(length=64), nullable=True))
    op.create_table(
        "letter_copies",
        sa.Column("letter_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("letter_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_key_id", sa.String(length=32), nullable=True),
        sa.Column("pdf_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name=op.f("fk_letter_copies_letter_id_letters")),
        sa.PrimaryKeyConstraint("letter_id", "number", name=op.f("pk_letter_copies")),
    )


def downgrade() -> None:
    op.drop_table("letter_copies")
    with op.batch_alter_table("letter_attempts") as batch:
        batch.drop_column("letter_sha256")
