"""Load the reference list of government bodies (sep_portal/tenants/data/bodies.csv).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Ministries (Perpres 139/2024 and its 2025 changes), agencies, the 38 provinces and the
regencies/cities with their Kemendagri codes (Kepmendagri 300.2.2-2138 Tahun 2025); see
sep_portal/tenants/data/README.md. Later corrections: `flask sep bodies load`.
"""
from typing import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from sep_portal.core import clock
    from sep_portal.tenants import reference

    reference.load(op.get_bind(), clock.now())


def downgrade() -> None:
    # Reference rows may be referred to by applications and tenants by now: they stay.
    pass
