"""sekretaris handovers: a Sekretaris without a body asks to become the Sekretaris of an existing tenant

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 13:20:00

"""
from typing import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sekretaris_handovers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('sk_file_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('previous_ids', sa.JSON(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'refused', 'withdrawn')",
                       name=op.f('ck_sekretaris_handovers_status')),
    sa.CheckConstraint("status NOT IN ('confirmed', 'refused') OR (decided_by_id IS NOT NULL AND "
                       "decided_at IS NOT NULL)", name=op.f('ck_sekretaris_handovers_decided_has_decider')),
    sa.CheckConstraint("status <> 'refused' OR decision_reason IS NOT NULL",
                       name=op.f('ck_sekretaris_handovers_refused_has_reason')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_sekretaris_handovers_body_id_bodies')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_sekretaris_handovers_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_sekretaris_handovers_requested_by_id_users')),
    sa.ForeignKeyConstraint(['sk_file_id'], ['stored_files.id'],
                            name=op.f('fk_sekretaris_handovers_sk_file_id_stored_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sekretaris_handovers'))
    )
    with op.batch_alter_table('sekretaris_handovers', schema=None) as batch_op:
        batch_op.create_index('ix_sekretaris_handovers_status', ['status', 'requested_at'], unique=False)
        batch_op.create_index('ix_sekretaris_handovers_requester', ['requested_by_id', 'id'], unique=False)
        batch_op.create_index('uq_sekretaris_handovers_open_body', ['body_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))
        batch_op.create_index('uq_sekretaris_handovers_open_requester', ['requested_by_id'], unique=True,
                              postgresql_where=sa.text("status = 'pending'"),
                              sqlite_where=sa.text("status = 'pending'"))


def downgrade() -> None:
    with op.batch_alter_table('sekretaris_handovers', schema=None) as batch_op:
        batch_op.drop_index('uq_sekretaris_handovers_open_requester')
        batch_op.drop_index('uq_sekretaris_handovers_open_body')
        batch_op.drop_index('ix_sekretaris_handovers_requester')
        batch_op.drop_index('ix_sekretaris_handovers_status')
    op.drop_table('sekretaris_handovers')
