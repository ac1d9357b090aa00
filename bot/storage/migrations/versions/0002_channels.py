"""channels: outbox chunk progress and delivery status, web-chat sessions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('platform_message_id', type_=sa.String(length=1000),
                           existing_type=sa.String(length=128), existing_nullable=True)
        batch.add_column(sa.Column('parts_sent', sa.Integer(), server_default='0',
                                   nullable=False))
        batch.add_column(sa.Column('delivery_status', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('delivery_status_at', sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_table('webchat_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('visitor_id', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash'),
    sa.UniqueConstraint('visitor_id')
    )
    op.create_index('ix_outbox_platform_id', 'outbox', ['channel', 'platform_message_id'])


def downgrade() -> None:
    op.drop_index('ix_outbox_platform_id', table_name='outbox')
    op.drop_table('webchat_sessions')
    with op.batch_alter_table('outbox') as batch:
        batch.drop_column('delivery_status_at')
        batch.drop_column('delivery_status')
        batch.drop_column('parts_sent')
        batch.alter_column('platform_message_id', type_=sa.String(length=128),
                           existing_type=sa.String(length=1000), existing_nullable=True)
