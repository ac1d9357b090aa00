"""agent console: agents, sessions, notes, canned replies, claim/CSAT/callback fields

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('claimed_at', TZ, nullable=True))
        batch.add_column(sa.Column('resolution', sa.Text(), nullable=True))
        batch.add_column(sa.Column('csat_score', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('csat_asked_at', TZ, nullable=True))
        batch.add_column(sa.Column('csat_answered_at', TZ, nullable=True))
    with op.batch_alter_table('callbacks') as batch:
        batch.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('handled_by', sa.String(length=80), nullable=True))
        batch.add_column(sa.Column('done_at', TZ, nullable=True))
    op.create_table('agents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('agent_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.Column('expires_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id']),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('ticket_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', TZ, nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('canned_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', TZ, nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('canned_replies')
    op.drop_table('ticket_notes')
    op.drop_table('agent_sessions')
    op.drop_table('agents')
    with op.batch_alter_table('callbacks') as batch:
        for column in ('done_at', 'handled_by', 'note', 'attempts'):
            batch.drop_column(column)
    with op.batch_alter_table('tickets') as batch:
        for column in ('csat_answered_at', 'csat_asked_at', 'csat_score', 'resolution',
                       'claimed_at'):
            batch.drop_column(column)
