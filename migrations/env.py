"""Alembic environment: the schema is the portal's models (sep_portal.models.metadata)."""
from __future__ import annotations

import os
from logging.config import fileConfig

from alembic import context

from sep_portal.extensions import make_engine
from sep_portal.models import metadata

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write portal column types as plain SQLAlchemy types, so revisions never import app code."""
    from sep_portal.core.db import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        from config import config_from_env

        url = config_from_env().DATABASE_URL
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True, compare_type=True, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True, render_item=render_item)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it (batch mode); with foreign keys enforced, dropping
            # the old copy of a table that other rows refer to would fail. Switch enforcement off
            # for the migration (outside any transaction, as SQLite requires) and check after.
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True, compare_type=True,
                          render_item=render_item)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            problems = conn.connection.driver_connection.execute("PRAGMA foreign_key_check").fetchall()
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
            if problems:
                raise RuntimeError(f"foreign keys broken by the migration: {problems[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
