"""chain: an insert may not overwrite an event or a checkpoint

Revision ID: 0003_chain
Revises: 0002
Create Date: 2026-12-04

0001 refuses UPDATE and DELETE on the append-only tables, but on SQLite `INSERT OR REPLACE` with an
existing event id replaced the event: REPLACE deletes the old row without firing DELETE triggers
(unless `PRAGMA recursive_triggers` is on, which is per connection and so up to whoever connects).
A BEFORE INSERT trigger fires for every form of INSERT, so it refuses an insert whose id, or whose
(incident, seq), is already taken, before any conflict resolution runs. PostgreSQL has no REPLACE,
and `ON CONFLICT DO UPDATE` is an UPDATE the 0001 trigger refuses; the same insert trigger there
makes the refusal say why, whatever the statement.
"""

from __future__ import annotations

from alembic import op

revision = "0003_chain"
down_revision = "0002"
branch_labels = None
depends_on = None

# table -> the conditions under which an inserted row would take the place of a stored one
EXISTING = {
    "events": (
        "EXISTS (SELECT 1 FROM events WHERE id = NEW.id)"
        " OR EXISTS (SELECT 1 FROM events WHERE incident_id = NEW.incident_id AND seq = NEW.seq)"
    ),
    "checkpoints": "EXISTS (SELECT 1 FROM checkpoints WHERE id = NEW.id)",
}


def _message(table: str) -> str:
    return f"herstel: INSERT over an existing row of {table} is refused: the table is append-only"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, existing in EXISTING.items():
        if postgres:
            op.execute(
                f"CREATE OR REPLACE FUNCTION herstel_refuse_{table}_overwrite() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$\nBEGIN\n    IF {existing} THEN\n"
                f"        RAISE EXCEPTION '{_message(table)}' USING ERRCODE = 'insufficient_privilege';\n"
                "    END IF;\n    RETURN NEW;\nEND;\n$$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_overwrite BEFORE INSERT ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION herstel_refuse_{table}_overwrite()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {table}_no_overwrite BEFORE INSERT ON {table} WHEN {existing} "
                f"BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in EXISTING:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_overwrite ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS herstel_refuse_{table}_overwrite()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_overwrite")
