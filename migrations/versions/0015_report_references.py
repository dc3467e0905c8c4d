"""report references: every misuse report a number the reporter quotes (LPR-2026-000123), and the
public reporter's private status link (its hash)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 13:30:00

"""
from datetime import UTC, datetime, timedelta, timezone
from typing import Sequence

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0015'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WIB = timezone(timedelta(hours=7))
SERIES = "abuse_report"  # sep_portal.abuse.models.REPORT_SERIES, as it was written


def _year(created_at) -> int:
    if isinstance(created_at, str):  # SQLite
        created_at = datetime.fromisoformat(created_at)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)  # stored as UTC
    return created_at.astimezone(WIB).year


def upgrade() -> None:
    with op.batch_alter_table('abuse_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('status_token_hash', sa.String(length=64), nullable=True))

    # The reports made before: numbered in the order they came, per year (WIB), and the year's
    # counter set after the last of them so that new reports go on from there.
    conn = op.get_bind()
    reports = sa.table('abuse_reports', sa.column('id', sa.Integer()), sa.column('created_at'),
                       sa.column('reference', sa.String()))
    counters = sa.table('letter_counters', sa.column('series', sa.String()), sa.column('year', sa.Integer()),
                        sa.column('last', sa.Integer()))
    last: dict[int, int] = {}
    for row in conn.execute(sa.select(reports.c.id, reports.c.created_at).order_by(reports.c.id)).all():
        year = _year(row.created_at)
        last[year] = last.get(year, 0) + 1
        conn.execute(reports.update().where(reports.c.id == row.id)
                     .values(reference=f"LPR-{year}-{last[year]:06d}"))
    for year, seq in last.items():
        conn.execute(counters.delete().where(counters.c.series == SERIES, counters.c.year == year))
        conn.execute(counters.insert().values(series=SERIES, year=year, last=seq))

    with op.batch_alter_table('abuse_reports', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_abuse_reports_reference'), ['reference'])
        batch_op.create_unique_constraint(batch_op.f('uq_abuse_reports_status_token_hash'), ['status_token_hash'])
        batch_op.create_index('ix_abuse_reports_reporter', ['reporter_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('abuse_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_abuse_reports_reporter')
        batch_op.drop_constraint(batch_op.f('uq_abuse_reports_status_token_hash'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_abuse_reports_reference'), type_='unique')
        batch_op.drop_column('status_token_hash')
        batch_op.drop_column('reference')
    op.execute(sa.text("DELETE FROM letter_counters WHERE series = 'abuse_report'"))
