"""step deadlines: verification and completion time limits, lapsed applications, confirmed calendar years

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 14:15:00

Open applications get their new deadlines computed from their start with the default limits
(verification 3 working days after submission, completion 10 after the latest return). The year
2026 is confirmed by the SKB already seeded in 0002.
"""
from datetime import UTC, datetime
from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = "('draft', 'submitted', 'returned', 'complete', 'approved', 'rejected', 'withdrawn')"
NEW_STATUSES = "('draft', 'submitted', 'returned', 'complete', 'approved', 'rejected', 'withdrawn', 'lapsed')"
SKB_2026 = ("SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1497 Tahun 2025, "
            "Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 (19 September 2025)")


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


def _stored(bind: sa.engine.Connection, t: datetime) -> datetime:
    return t.replace(tzinfo=None) if bind.dialect.name == "sqlite" else t


def upgrade() -> None:
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('decree', sa.String(length=300), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_calendar_years_confirmed_by_id_users')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        for name in ('verification_due_at', 'verification_reminded_at', 'verification_escalated_at', 'returned_at',
                     'completion_due_at', 'lapsed_at'):
            batch_op.add_column(sa.Column(name, sa.DateTime(timezone=True), nullable=True))

    bind = op.get_bind()
    from sep_portal.core.calendar import build_calendar

    days = sa.table('calendar_days', sa.column('day', sa.Date), sa.column('kind', sa.String),
                    sa.column('description', sa.String), sa.column('source', sa.String))
    cal = build_calendar(bind.execute(sa.select(days)).all())
    apps = sa.table('applications', sa.column('id', sa.Integer), sa.column('status', sa.String),
                    sa.column('submitted_at', sa.DateTime(timezone=True)),
                    sa.column('updated_at', sa.DateTime(timezone=True)),
                    sa.column('verification_due_at', sa.DateTime(timezone=True)),
                    sa.column('returned_at', sa.DateTime(timezone=True)),
                    sa.column('completion_due_at', sa.DateTime(timezone=True)))
    events = sa.table('application_events', sa.column('application_id', sa.Integer), sa.column('action', sa.String),
                      sa.column('occurred_at', sa.DateTime(timezone=True)))
    for app_id, submitted_at in bind.execute(sa.select(apps.c.id, apps.c.submitted_at)
                                             .where(apps.c.status == 'submitted')).all():
        due = cal.add_working_days(_aware(submitted_at), 3)
        bind.execute(apps.update().where(apps.c.id == app_id).values(verification_due_at=_stored(bind, due)))
    for app_id, updated_at in bind.execute(sa.select(apps.c.id, apps.c.updated_at)
                                           .where(apps.c.status == 'returned')).all():
        returned = bind.execute(sa.select(sa.func.max(events.c.occurred_at)).where(
            events.c.application_id == app_id, events.c.action == 'return')).scalar() or updated_at
        returned = _aware(returned) if isinstance(returned, datetime) else _aware(datetime.fromisoformat(returned))
        bind.execute(apps.update().where(apps.c.id == app_id).values(
            returned_at=_stored(bind, returned),
            completion_due_at=_stored(bind, cal.add_working_days(returned, 10))))

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_applications_status'), f"status IN {NEW_STATUSES}")
        batch_op.create_check_constraint(op.f('ck_applications_submitted_has_due'),
                                         "status <> 'submitted' OR verification_due_at IS NOT NULL")
        batch_op.create_check_constraint(op.f('ck_applications_returned_has_due'), "status <> 'returned' OR (returned_at IS NOT NULL "
                                                             "AND completion_due_at IS NOT NULL)")

    years = sa.table('calendar_years', sa.column('year', sa.Integer), sa.column('decree', sa.String),
                     sa.column('confirmed_at', sa.DateTime(timezone=True)))
    op.bulk_insert(years, [{'year': 2026, 'decree': SKB_2026,
                            'confirmed_at': _stored(bind, datetime(2026, 11, 24, tzinfo=UTC))}])


def downgrade() -> None:
    op.execute("UPDATE applications SET status = 'withdrawn' WHERE status = 'lapsed'")
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_returned_has_due'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_submitted_has_due'), type_='check')
        batch_op.drop_constraint(op.f('ck_applications_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_applications_status'), f"status IN {OLD_STATUSES}")
        for name in ('lapsed_at', 'completion_due_at', 'returned_at', 'verification_escalated_at',
                     'verification_reminded_at', 'verification_due_at'):
            batch_op.drop_column(name)
    op.drop_table('calendar_years')
