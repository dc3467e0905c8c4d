"""account search: indexes for the operator's lookup of any account by name

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 13:30:00

"""
from typing import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0017'
down_revision: str | Sequence[str] | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_name', ['name', 'id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index('ix_users_name_prefix', 'users', [sa.text('lower(name) COLLATE "C"'), 'id'], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_users_name_prefix', table_name='users')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_name')
