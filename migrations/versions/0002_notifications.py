"""notifications: affected persons, campaigns, letters, attempts, print batches, citizens' responses

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Identity data is stored only as AES-GCM ciphertext (the *_sealed columns) with the key id that
sealed it; the BSN also as a keyed hash (bsn_hash) for matching.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('letter_senders',
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('postal_address', sa.Text(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('website', sa.String(length=200), nullable=False),
    sa.Column('signatory', sa.String(length=200), nullable=False),
    sa.Column('updated_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_letter_senders_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_letter_senders'))
    )
    op.create_table('affected_persons',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('bsn_hash', sa.String(length=64), nullable=True),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('bsn_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('name_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('address_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('email_sealed', sa.LargeBinary(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('consent_electronic', sa.Boolean(), nullable=False),
    sa.Column('has_email', sa.Boolean(), nullable=False),
    sa.Column('has_address', sa.Boolean(), nullable=False),
    sa.Column('created_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('affected','reporter')", name=op.f('ck_affected_persons_kind')),
    sa.CheckConstraint("language IN ('nl','en')", name=op.f('ck_affected_persons_language')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_affected_persons_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_affected_persons')),
    sa.UniqueConstraint('incident_id', 'bsn_hash', name=op.f('uq_affected_persons_incident_id_bsn_hash'))
    )
    with op.batch_alter_table('affected_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_affected_persons_incident_id_kind'), ['incident_id', 'kind'], unique=False)

    op.create_table('letter_campaigns',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('started_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by', sa.String(length=80), nullable=False),
    sa.Column('completed_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_letter_campaigns_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_campaigns'))
    )
    with op.batch_alter_table('letter_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_campaigns_incident_id'), ['incident_id'], unique=False)

    op.create_table('print_batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_print_batches_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_batches'))
    )
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_batches_incident_id'), ['incident_id'], unique=False)

    op.create_table('letters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lease_until', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('objection_last_day', sa.Date(), nullable=True),
    sa.Column('sent_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failed_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('failure', sa.String(length=200), nullable=True),
    sa.Column('print_batch_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email','post','berichtenbox')", name=op.f('ck_letters_channel')),
    sa.CheckConstraint("kind IN ('notification','unfounded')", name=op.f('ck_letters_kind')),
    sa.CheckConstraint("status IN ('queued','sending','sent','delivered','failed')", name=op.f('ck_letters_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['letter_campaigns.id'], name=op.f('fk_letters_campaign_id_letter_campaigns')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_letters_incident_id_incidents')),
    sa.ForeignKeyConstraint(['person_id'], ['affected_persons.id'], name=op.f('fk_letters_person_id_affected_persons')),
    sa.ForeignKeyConstraint(['print_batch_id'], ['print_batches.id'], name=op.f('fk_letters_print_batch_id_print_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letters')),
    sa.UniqueConstraint('incident_id', 'person_id', 'kind', name=op.f('uq_letters_incident_id_person_id_kind'))
    )
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letters_campaign_id_status'), ['campaign_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_letters_incident_id_status'), ['incident_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_letters_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letters_status_next_attempt_at'), ['status', 'next_attempt_at'], unique=False)

    op.create_table('citizen_responses',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('letter_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('key_id', sa.String(length=32), nullable=False),
    sa.Column('text_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('received_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.String(length=80), nullable=True),
    sa.Column('answer_sealed', sa.LargeBinary(), nullable=True),
    sa.CheckConstraint("kind IN ('question','objection','complaint','harm')", name=op.f('ck_citizen_responses_kind')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_citizen_responses_incident_id_incidents')),
    sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_citizen_responses_letter_id_letters')),
    sa.ForeignKeyConstraint(['person_id'], ['affected_persons.id'], name=op.f('fk_citizen_responses_person_id_affected_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizen_responses'))
    )
    with op.batch_alter_table('citizen_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citizen_responses_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_citizen_responses_person_id'), ['person_id'], unique=False)

    op.create_table('letter_attempts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('letter_id', sa.Uuid(), nullable=False),
    sa.Column('incident_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('started_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('print_batch_id', sa.Uuid(), nullable=True),
    sa.Column('batch_ref', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_letter_attempts_incident_id_incidents')),
    sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], name=op.f('fk_letter_attempts_letter_id_letters')),
    sa.ForeignKeyConstraint(['print_batch_id'], ['print_batches.id'], name=op.f('fk_letter_attempts_print_batch_id_print_batches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_attempts')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_letter_attempts_code_hash')),
    sa.UniqueConstraint('letter_id', 'number', name=op.f('uq_letter_attempts_letter_id_number'))
    )
    with op.batch_alter_table('letter_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_attempts_batch_ref'), ['batch_ref'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_attempts_incident_id_batch_ref'), ['incident_id', 'batch_ref'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('letter_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_attempts_incident_id_batch_ref'))
        batch_op.drop_index(batch_op.f('ix_letter_attempts_batch_ref'))

    op.drop_table('letter_attempts')
    with op.batch_alter_table('citizen_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citizen_responses_person_id'))
        batch_op.drop_index(batch_op.f('ix_citizen_responses_incident_id'))

    op.drop_table('citizen_responses')
    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letters_status_next_attempt_at'))
        batch_op.drop_index(batch_op.f('ix_letters_person_id'))
        batch_op.drop_index(batch_op.f('ix_letters_incident_id_status'))
        batch_op.drop_index(batch_op.f('ix_letters_campaign_id_status'))

    op.drop_table('letters')
    with op.batch_alter_table('print_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_batches_incident_id'))

    op.drop_table('print_batches')
    with op.batch_alter_table('letter_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_campaigns_incident_id'))

    op.drop_table('letter_campaigns')
    with op.batch_alter_table('affected_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_affected_persons_incident_id_kind'))

    op.drop_table('affected_persons')
    op.drop_table('letter_senders')
