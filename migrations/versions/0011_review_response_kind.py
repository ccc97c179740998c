"""a citizen's response may be a request for review (`review`): a notification letter is not a
decision, so what the reader asks for after it is a review of the decisions taken about them with
the algorithm, not an objection. Stored objections stay readable: `objection` remains allowed.

Revision ID: 0011_review_response_kind
Revises: 0010_staff_inbox
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0011_review_response_kind"
down_revision = "0010_staff_inbox"
branch_labels = None
depends_on = None

CONSTRAINT = "ck_citizen_responses_kind"
WITH_REVIEW = "kind IN ('question', 'review', 'objection', 'complaint', 'harm')"
WITHOUT_REVIEW = "kind IN ('question', 'objection', 'complaint', 'harm')"


def _replace(condition: str) -> None:
    # SQLite cannot alter a constraint: batch mode copies the table (nothing refers to its rows)
    with op.batch_alter_table("citizen_responses", recreate="auto") as batch:
        batch.drop_constraint(op.f(CONSTRAINT), type_="check")
        batch.create_check_constraint(op.f(CONSTRAINT), condition)


def upgrade() -> None:
    _replace(WITH_REVIEW)


def downgrade() -> None:
    op.execute("UPDATE citizen_responses SET kind = 'question' WHERE kind = 'review'")  # no older kind fits better
    _replace(WITHOUT_REVIEW)
