"""the sequencer's queue: events not yet in the transparency log, written with the event

Revision ID: 0015_sequencer_queue
Revises: 0014_responses
Create Date: 2026-12-05

The sequencer used to find new events by an anti-join over the whole events table on every run
(its cost grew with the log, not with what was new). Now each event's transaction also writes a
`log_queue` row, as it writes its outbox row, and the sequencer deletes the rows it sequences in
the transaction that writes their leaves. The upgrade queues every event the log does not hold
yet. See docs/timeline.md, "The transparency log".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_sequencer_queue"
down_revision = "0014_responses"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_queue",
        sa.Column("event_id", BIG_ID, autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_log_queue_event_id_events")),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_log_queue")),
    )
    op.execute(
        "INSERT INTO log_queue (event_id) SELECT id FROM events"
        " WHERE NOT EXISTS (SELECT 1 FROM transparency_log WHERE transparency_log.event_id = events.id)"
    )


def downgrade() -> None:
    op.drop_table("log_queue")
