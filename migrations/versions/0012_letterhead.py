"""the letterhead: the signing official's function and the organisation's logo, kept by digest

Revision ID: 0012_letterhead
Revises: 0011_review_response_kind
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0012_letterhead"
down_revision = "0011_review_response_kind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "letterhead_logos",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("media_type IN ('image/png', 'image/jpeg')", name=op.f("ck_letterhead_logos_media_type")),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_letterhead_logos")),
    )
    with op.batch_alter_table("letter_senders") as batch:
        batch.add_column(sa.Column("signatory_title", sa.String(length=200), nullable=False, server_default=""))
        batch.add_column(sa.Column("logo_sha256", sa.String(length=64), nullable=True))
        batch.create_foreign_key(
            op.f("fk_letter_senders_logo_sha256_letterhead_logos"), "letterhead_logos", ["logo_sha256"], ["sha256"]
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_senders") as batch:
        batch.drop_constraint(op.f("fk_letter_senders_logo_sha256_letterhead_logos"), type_="foreignkey")
        batch.drop_column("logo_sha256")
        batch.drop_column("signatory_title")
    op.drop_table("letterhead_logos")
