"""decision letters: a letter may send the decision on a review request or an objection
(`decision-review`, `decision-objection`). Such a letter belongs to no campaign (`campaign_id` may be
NULL) and to one decision (`response_id`, unique: one letter per decision). The one-letter-per-person
rule of a campaign's kind holds for campaign letters only (a partial unique index), since one person
may receive several decisions. A review request is decided as granted, partly granted or refused.

Revision ID: 0013_decision_letters
Revises: 0012_letterhead
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_decision_letters"
down_revision = "0012_letterhead"
branch_labels = None
depends_on = None

KINDS_NEW = "kind IN ('notification', 'unfounded', 'decision-review', 'decision-objection')"
KINDS_OLD = "kind IN ('notification','unfounded')"
OUTCOMES_NEW = (
    "decision_outcome IS NULL OR decision_outcome IN "
    "('upheld', 'partly_upheld', 'dismissed', 'granted', 'partly_granted', 'refused')"
)
OUTCOMES_OLD = "decision_outcome IS NULL OR decision_outcome IN ('upheld', 'partly_upheld', 'dismissed')"
CAMPAIGN_LETTER = "uq_letters_campaign_letter"
OLD_UNIQUE = "uq_letters_incident_id_person_id_kind"


def upgrade() -> None:
    # SQLite cannot alter a column or a constraint: batch mode copies the table
    with op.batch_alter_table("letters", recreate="auto") as batch:
        batch.add_column(sa.Column("response_id", sa.Uuid(), nullable=True))
        batch.alter_column("campaign_id", existing_type=sa.Uuid(), nullable=True)
        batch.drop_constraint(op.f("ck_letters_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_letters_kind"), KINDS_NEW)
        batch.drop_constraint(op.f(OLD_UNIQUE), type_="unique")
        batch.create_unique_constraint(op.f("uq_letters_response_id"), ["response_id"])
    op.create_index(
        CAMPAIGN_LETTER,
        "letters",
        ["incident_id", "person_id", "kind"],
        unique=True,
        postgresql_where=sa.text("response_id IS NULL"),
        sqlite_where=sa.text("response_id IS NULL"),
    )
    if op.get_bind().dialect.name == "postgresql":  # SQLite has no such constraint (0009): the service checks
        op.drop_constraint(op.f("ck_citizen_responses_outcome"), "citizen_responses", type_="check")
        op.create_check_constraint(op.f("ck_citizen_responses_outcome"), "citizen_responses", OUTCOMES_NEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_citizen_responses_outcome"), "citizen_responses", type_="check")
    # review decisions have no older word: they are forgotten (the timeline keeps them)
    op.execute(
        "UPDATE citizen_responses SET decision_outcome = NULL, decision_reasons_sealed = NULL, decided_at = NULL,"
        " decided_by = NULL WHERE decision_outcome IN ('granted', 'partly_granted', 'refused')"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_check_constraint(op.f("ck_citizen_responses_outcome"), "citizen_responses", OUTCOMES_OLD)
    # decision letters cannot exist without their columns: their attempts, copies and links go with them
    decision_letters = "SELECT id FROM letters WHERE response_id IS NOT NULL"
    op.execute(f"UPDATE citizen_responses SET letter_id = NULL WHERE letter_id IN ({decision_letters})")  # noqa: S608
    op.execute(f"DELETE FROM letter_copies WHERE letter_id IN ({decision_letters})")  # noqa: S608
    op.execute(f"DELETE FROM letter_attempts WHERE letter_id IN ({decision_letters})")  # noqa: S608
    op.execute("DELETE FROM letters WHERE response_id IS NOT NULL")
    op.drop_index(CAMPAIGN_LETTER, table_name="letters")
    with op.batch_alter_table("letters", recreate="auto") as batch:
        batch.drop_constraint(op.f("uq_letters_response_id"), type_="unique")
        batch.create_unique_constraint(op.f(OLD_UNIQUE), ["incident_id", "person_id", "kind"])
        batch.drop_constraint(op.f("ck_letters_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_letters_kind"), KINDS_OLD)
        batch.alter_column("campaign_id", existing_type=sa.Uuid(), nullable=False)
        batch.drop_column("response_id")
