"""Declarative base, column types and mixins shared by every model."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self

from sqlalchemy import DateTime, MetaData, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from sep_portal.core import clock

# Stable constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    PostgreSQL stores timestamptz; SQLite has no time zones, so values are stored as naive UTC
    and given back their zone on load. Naive input is a programming error and is refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use core.clock.now()")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def lock_row(session: Any, model: Any, row_id: int) -> Any:
    """The row, fresh from the database and locked until the transaction ends (PostgreSQL
    ``SELECT … FOR UPDATE OF`` its own table, so joined eager loads may come along), or None.
    Every workflow transition starts here: of two people acting at once, the second waits and
    then sees the first one's change."""
    from sqlalchemy import select

    return session.execute(select(model).where(model.id == row_id).with_for_update(of=model)
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def add_unique(session: Any, row: Any) -> bool:
    """Insert ``row`` inside a savepoint; False (and nothing inserted) if a unique constraint
    refuses it, e.g. a code that someone else took at the same moment."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True


def stamp_once(session: Any, model: Any, row_id: int, column: str, now: datetime, *conditions: Any) -> bool:
    """Set ``column`` to ``now`` if it is still empty (and ``conditions`` hold): a claim that only
    one of several concurrent sweeps wins. True for the winner."""
    from sqlalchemy import update

    field = getattr(model, column)
    result = session.execute(update(model).where(model.id == row_id, field.is_(None), *conditions)
                             .values({column: now}), execution_options={"synchronize_session": False})
    return result.rowcount == 1


def sql_in(values: tuple[str, ...]) -> str:
    """``('a', 'b')`` for a CHECK constraint: ``status IN {sql_in(STATUSES)}``."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class TimestampMixin:
    # Callables, evaluated per row: never a value computed once at import.
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class TenantScoped:
    """Mixin for rows that belong to one government body (tenant).

    Every tenant lookup goes through get_for_tenant, which answers 404 for another tenant's
    object: tenant isolation is enforced in the query, never only in a template.
    """

    body_id: Mapped[int]

    @classmethod
    def get_for_tenant(cls, session: Any, object_id: int, body_id: int) -> Self:
        from werkzeug.exceptions import NotFound

        obj = session.scalar(select(cls).where(cls.id == object_id, cls.body_id == body_id))  # type: ignore[attr-defined]
        if obj is None:
            raise NotFound()
        return obj


def bulk_insert(session: Any, table: Any, rows: list[dict[str, Any]], *, json_columns: tuple[str, ...] = ()) -> None:
    """Insert many rows at once, in the session's transaction. PostgreSQL: COPY (several times
    faster than INSERT for tens of thousands of rows); elsewhere: one executemany INSERT. Values
    are given as the database stores them (UTC datetimes; ``json_columns`` as Python objects)."""
    if not rows:
        return
    columns = list(rows[0])
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        from sqlalchemy import insert

        connection.execute(insert(table), rows)
        return
    import json

    raw = connection.connection.driver_connection  # psycopg 3, inside SQLAlchemy's transaction
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c], separators=(",", ":"), ensure_ascii=False, default=str)
                            if c in json_columns and row[c] is not None else row[c] for c in columns])


def reserve_ids(session: Any, table: Any, count: int) -> list[int]:
    """``count`` new primary keys for ``table`` (PostgreSQL: from its sequence, so rows can be
    COPYed with their ids). Elsewhere returns [] and the caller inserts with RETURNING."""
    from sqlalchemy import text

    if session.get_bind().dialect.name != "postgresql" or count == 0:
        return []
    sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
    return list(session.scalars(text("SELECT nextval(:s) FROM generate_series(1, :n)"), {"s": sequence, "n": count}))
