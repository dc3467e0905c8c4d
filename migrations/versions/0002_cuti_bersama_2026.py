"""Seed the official cuti bersama of 2026.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Source: SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1497 Tahun 2025,
Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 tentang Hari Libur Nasional dan Cuti Bersama Tahun 2026
(signed 19 September 2025). The same eight days are in the `holidays` package (category
"government"); keeping them as operator rows records their legal basis and keeps them if the
package changes. Operators correct the calendar at /admin/kalender or with `flask sep calendar`.
"""
from datetime import date, datetime, UTC
from typing import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = ("SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1497 Tahun 2025, "
          "Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 (19 September 2025)")
DAYS = (
    (date(2026, 2, 16), "Cuti bersama Tahun Baru Imlek 2577 Kongzili"),
    (date(2026, 3, 18), "Cuti bersama Hari Suci Nyepi Tahun Baru Saka 1948"),
    (date(2026, 3, 20), "Cuti bersama Idulfitri 1447 H"),
    (date(2026, 3, 23), "Cuti bersama Idulfitri 1447 H"),
    (date(2026, 3, 24), "Cuti bersama Idulfitri 1447 H"),
    (date(2026, 5, 15), "Cuti bersama Kenaikan Yesus Kristus"),
    (date(2026, 5, 28), "Cuti bersama Iduladha 1447 H"),
    (date(2026, 12, 24), "Cuti bersama Kelahiran Yesus Kristus"),
)

calendar_days = sa.table(
    "calendar_days",
    sa.column("day", sa.Date),
    sa.column("kind", sa.String),
    sa.column("description", sa.String),
    sa.column("source", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # A fixed timestamp: migrations must give the same database every time.
    created = datetime(2026, 11, 24, tzinfo=UTC)
    if op.get_bind().dialect.name == "sqlite":
        created = created.replace(tzinfo=None)
    op.bulk_insert(calendar_days, [
        {"day": day, "kind": "cuti_bersama", "description": text, "source": SOURCE, "created_at": created}
        for day, text in DAYS
    ])


def downgrade() -> None:
    op.execute(calendar_days.delete().where(calendar_days.c.source == SOURCE))
