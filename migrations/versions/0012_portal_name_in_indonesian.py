"""The portal's name in the Indonesian texts of the service catalogue: "Portal SEP", as every page says.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:40:00

The seeded descriptions and service standards said "SEP Portal" (the English name) inside Indonesian
sentences. Only that phrase changes; whatever else the operator has written stays.
"""
from typing import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("description", "access", "requirements", "procedure", "time_limit", "cost", "product", "complaints")


def _rename(old: str, new: str) -> None:
    for column in COLUMNS:
        op.execute(f"UPDATE helpdesk_services SET {column} = REPLACE({column}, '{old}', '{new}') "
                   f"WHERE {column} LIKE '%{old}%'")


def upgrade() -> None:
    _rename("SEP Portal", "Portal SEP")


def downgrade() -> None:
    _rename("Portal SEP", "SEP Portal")
