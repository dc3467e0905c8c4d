"""The Alembic revisions build exactly the schema the models describe."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sep_portal.models import metadata

# Indexes whose expression carries a collation: PostgreSQL's reflection gives the expression
# without it, so Alembic reads a change that is not there. Compared by their definition instead.
COLLATED_INDEXES = {"ix_users_name_prefix": 'lower((name)::text) COLLATE "C", id'}


def _changed_index(entry) -> str | None:  # noqa: ANN001
    for op in entry if isinstance(entry, list) else [entry]:
        if op[0] in ("add_index", "remove_index") and op[1].name in COLLATED_INDEXES:
            return op[1].name
    return None


def test_upgraded_schema_matches_the_models(connection):
    # The session database was built by `alembic upgrade head` (see conftest).
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diff = [entry for entry in compare_metadata(context, metadata) if _changed_index(entry) is None]
    assert diff == [], diff
    if connection.dialect.name == "postgresql":
        from sqlalchemy import text

        for name, columns in COLLATED_INDEXES.items():
            definition = connection.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"),
                                            {"n": name}).scalar()
            assert definition and definition.endswith(f"({columns})"), definition


def test_revisions_are_numbered_and_linear():
    from alembic.script import ScriptDirectory

    from sep_portal.cli import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revisions = list(script.walk_revisions())
    assert [r.revision for r in reversed(revisions)] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]
    assert len(script.get_heads()) == 1


def test_an_existing_sqlite_database_with_data_upgrades(tmp_path):
    """A development database made by an earlier version (with rows other rows refer to) upgrades
    to head: SQLite's table copies in batch mode must not trip over foreign keys."""
    import sqlite3

    from alembic import command

    from sep_portal.cli import alembic_config

    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "0004")
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA foreign_keys=ON")
        raw.execute("INSERT INTO users (id, email, name, status, is_demo, created_at, updated_at, email_verified_at) "
                    "VALUES (1, 'a@b.go.id', 'A', 'active', 0, '2026-01-01', '2026-01-01', '2026-01-01')")
        raw.execute("INSERT INTO stored_files (id, stored_name, original_name, kind, content_type, size, sha256, "
                    "purpose, created_at) VALUES (1, 'x', 'a.pdf', 'pdf', 'application/pdf', 1, '0', 't', "
                    "'2026-01-01')")
        raw.execute("INSERT INTO letters (id, series, year, seq, number, kind, subject, letter_date, recipient, "
                    "verify_code, file_id, created_at) VALUES (1, 'd', 2026, 1, 'N1', 'k', 's', '2026-01-01', 'r', "
                    "'c', 1, '2026-01-01')")
        raw.execute("INSERT INTO outbox (id, created_at, template, recipients, subject, body_text, status, attempts, "
                    "next_attempt_at) VALUES (1, '2026-01-01', 't', '[]', 's', 'b', 'pending', 0, '2026-01-01')")
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT channel FROM outbox").fetchall() == [("email",)]
        assert raw.execute("SELECT count(*) FROM letters").fetchone() == (1,)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_service_catalogue_says_portal_sep_in_indonesian(connection):
    """The seeded service texts are Indonesian: the portal is "Portal SEP" there, as on every page."""
    from sqlalchemy import text

    rows = connection.execute(text("SELECT code, description, access FROM helpdesk_services")).all()
    assert rows
    assert not [code for code, description, access in rows if "SEP Portal" in f"{description} {access}"]
    assert any("Portal SEP" in f"{description} {access}" for _code, description, access in rows)


def test_reports_made_before_references_get_them_in_order_per_wib_year(tmp_path):
    """0015 numbers the reports already there, by year in WIB, and sets the year's counter after
    them: the next report continues the sequence."""
    import sqlite3

    from alembic import command

    from sep_portal.cli import alembic_config

    path = tmp_path / "old.sqlite3"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "0014")
    with sqlite3.connect(path) as raw:
        category = raw.execute("SELECT id FROM abuse_categories WHERE code = 'spam'").fetchone()[0]
        # UTC: the second is already 1 January 2027 in WIB.
        for report_id, created in ((1, "2026-12-31 10:00:00.000000"), (2, "2026-12-31 18:00:00.000000"),
                                   (3, "2026-12-31 11:00:00.000000")):
            raw.execute("INSERT INTO abuse_reports (id, category_id, reporter_email, target, description, created_at)"
                        " VALUES (?, ?, 'w@contoh.id', 't@kab.go.id', 'x', ?)", (report_id, category, created))
    command.upgrade(alembic_config(url), "head")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT id, reference FROM abuse_reports ORDER BY id").fetchall() == [
            (1, "LPR-2026-000001"), (2, "LPR-2027-000001"), (3, "LPR-2026-000002")]
        assert raw.execute("SELECT year, last FROM letter_counters WHERE series = 'abuse_report' ORDER BY year"
                           ).fetchall() == [(2026, 2), (2027, 1)]
    command.downgrade(alembic_config(url), "0014")
