"""transparency log: every event a leaf of one Merkle tree, its complete subtrees, signed tree heads

Revision ID: 0004_transparency
Revises: 0003_chain
Create Date: 2026-12-04

The three tables are append-only like the events: triggers refuse UPDATE and DELETE (and
TRUNCATE on PostgreSQL). On SQLite also an INSERT over a stored key: `INSERT OR REPLACE` deletes
the old row without firing DELETE triggers. PostgreSQL needs no such trigger (a duplicate key is
refused, and `ON CONFLICT DO UPDATE` meets the UPDATE trigger), so the sequencer's bulk inserts
there pay nothing. See docs/timeline.md, "The transparency log".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types

revision = "0004_transparency"
down_revision = "0003_chain"
branch_labels = None
depends_on = None

TABLES = ("transparency_log", "log_nodes", "tree_heads")
# table -> when an inserted row would take a stored row's place (SQLite's INSERT OR REPLACE)
EXISTING = {
    "transparency_log": (
        "EXISTS (SELECT 1 FROM transparency_log WHERE log_index = NEW.log_index)"
        " OR EXISTS (SELECT 1 FROM transparency_log WHERE event_id = NEW.event_id)"
    ),
    "log_nodes": "EXISTS (SELECT 1 FROM log_nodes WHERE level = NEW.level AND position = NEW.position)",
    "tree_heads": "EXISTS (SELECT 1 FROM tree_heads WHERE size = NEW.size)",
}
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION herstel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'herstel: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def upgrade() -> None:
    op.create_table(
        "transparency_log",
        sa.Column("log_index", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.Column("leaf_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_transparency_log_event_id_events")),
        sa.PrimaryKeyConstraint("log_index", name=op.f("pk_transparency_log")),
        sa.UniqueConstraint("event_id", name=op.f("uq_transparency_log_event_id")),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("position", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("level", "position", name=op.f("pk_log_nodes")),
    )
    op.create_table(
        "tree_heads",
        sa.Column("size", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("root", sa.String(length=64), nullable=False),
        sa.Column("timestamp", protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_tree_heads")),
    )
    for table in TABLES:
        _append_only(table)


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION herstel_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION herstel_refuse_change()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'herstel: {operation} on {table} is refused: the table is append-only'); END"
            )
        op.execute(
            f"CREATE TRIGGER {table}_no_overwrite BEFORE INSERT ON {table} WHEN {EXISTING[table]} "
            f"BEGIN SELECT RAISE(ABORT, 'herstel: INSERT over a row of {table} is refused: the table is append-only'); "
            "END"
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_overwrite")
        op.drop_table(table)
