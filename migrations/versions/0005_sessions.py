"""sessions: server-side sessions of staff and citizens, so that logout and switching a user off end them

Revision ID: 0005_sessions
Revises: 0004_transparency
Create Date: 2026-12-04

Only the SHA-256 of a session's secret is stored; the cookie or bearer token holds the secret.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import protocol.storage.types


revision = '0005_sessions'
down_revision = '0004_transparency'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sessions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('subject_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', protocol.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(kind = 'staff' AND user_id IS NOT NULL) OR (kind = 'citizen' AND subject_id IS NOT NULL)", name=op.f('ck_sessions_holder')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_sessions_secret_hash'))
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_user_id'))

    op.drop_table('sessions')
