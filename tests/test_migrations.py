"""The Alembic revisions build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sep_portal.models import metadata


def test_upgraded_schema_matches_the_models(connection):
    # The session database was built by `alembic upgrade head` (see conftest).
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = compare_metadata(context, metadata)
    assert diff == [], diff


def test_revisions_are_numbered_and_linear():
    from alembic.script import ScriptDirectory

    from sep_portal.cli import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert [r.revision for r in reversed(revisions)] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]
    assert len(script.get_heads()) == 1
