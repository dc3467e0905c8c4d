"""tenant status changes: a suspension or reactivation proposed by one official, confirmed by another

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 03:50:00

"""
from typing import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tenant_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("action IN ('suspend', 'reactivate')", name=op.f('ck_tenant_status_changes_action')),
    sa.CheckConstraint("status IN ('proposed', 'confirmed', 'refused')", name=op.f('ck_tenant_status_changes_status')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_tenant_status_changes_body_id_bodies')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_tenant_status_changes_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_tenant_status_changes_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_status_changes'))
    )
    with op.batch_alter_table('tenant_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_tenant_status_changes_status', ['status', 'proposed_at'], unique=False)
        batch_op.create_index('uq_tenant_status_changes_open_body', ['body_id'], unique=True,
                              postgresql_where=sa.text("status = 'proposed'"),
                              sqlite_where=sa.text("status = 'proposed'"))


def downgrade() -> None:
    with op.batch_alter_table('tenant_status_changes', schema=None) as batch_op:
        batch_op.drop_index('uq_tenant_status_changes_open_body')
        batch_op.drop_index('ix_tenant_status_changes_status')
    op.drop_table('tenant_status_changes')
