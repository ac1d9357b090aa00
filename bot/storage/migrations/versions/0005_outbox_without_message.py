"""outbox rows without a conversation message (pages to the on-call agent)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('message_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE message_id IS NULL")
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('message_id', existing_type=sa.Integer(), nullable=False)
