"""handoff lifecycle: agent teams, availability and capacity; ticket team, timeout, reopen

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agents') as batch:
        batch.add_column(sa.Column('teams', sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))
        batch.add_column(sa.Column('available', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('away_since', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('max_concurrent', sa.Integer(), nullable=True))
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('team', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('timeout_offered_at', sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column('reopened_count', sa.Integer(), nullable=False,
                                   server_default='0'))
        batch.add_column(sa.Column('closed_by', sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        for column in ('closed_by', 'reopened_count', 'timeout_offered_at', 'team'):
            batch.drop_column(column)
    with op.batch_alter_table('agents') as batch:
        for column in ('max_concurrent', 'away_since', 'available', 'teams'):
            batch.drop_column(column)
