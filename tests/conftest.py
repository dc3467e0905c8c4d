"""Test fixtures.

The schema is built once per test session by the Alembic migrations (so they are tested too),
on SQLite, or on PostgreSQL when TEST_DATABASE_URL is set. Each test runs inside a transaction
that is rolled back (SQLAlchemy 2's "join an external transaction" recipe): the application's
own commits only release savepoints. Tests that need real commits from several connections
(races on PostgreSQL) use ``committed`` instead.
"""
from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from config import TestConfig
from sep_portal import create_app
from sep_portal.core import clock
from sep_portal.extensions import db, make_engine
from tests.factories import Factories
from tests.smtp import SmtpServer

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
START = datetime(2026, 11, 24, 10, 0, tzinfo=clock.WIB)  # a Tuesday


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reset_database(url: str) -> None:
    """Empty the test database so the migrations build it from nothing."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate(app: Any) -> None:
    from alembic import command

    from sep_portal.cli import alembic_config

    with app.app_context():
        command.upgrade(alembic_config(app.config["DATABASE_URL"]), "head")


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str, smtp_server: SmtpServer, tmp_path_factory: pytest.TempPathFactory) -> Any:
    reset_database(database_url)
    app = create_app(TestConfig, {"DATABASE_URL": database_url, "MAIL_PORT": smtp_server.port,
                                  "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads"))})
    migrate(app)
    return app


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    """Every test starts at Tuesday 24 November 2026 10.00 WIB; move time with clock.advance."""
    clock.freeze(START)
    yield clock
    clock.unfreeze()


@contextmanager
def rolled_back(app: Any) -> Iterator[Any]:
    """One connection in a transaction that is rolled back at the end; the application's sessions
    work inside it on savepoints, so their commits stay in it."""
    bound = db.bound(app)
    conn = bound.engine.connect()
    outer = conn.begin()
    bound.factory.configure(bind=conn, join_transaction_mode="create_savepoint")
    db.session.remove()
    try:
        yield conn
    finally:
        db.session.remove()
        bound.factory.configure(bind=bound.engine, join_transaction_mode="conditional_savepoint")
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def connection(app: Any) -> Iterator[Any]:
    with rolled_back(app) as conn:
        yield conn


@pytest.fixture
def session(app: Any, connection: Any) -> Iterator[Session]:
    """A plain session on the test transaction, for factories and assertions in page tests.

    Factories commit after each object and objects keep their loaded values (no expiry on commit),
    so this session never holds a savepoint open while ``ctx``'s session works on the same
    connection: interleaved savepoints of two sessions would unwind each other."""
    s = db.bound(app).factory(expire_on_commit=False)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def ctx(app: Any, connection: Any) -> Iterator[Session]:
    """An application context and its request-scoped session, for testing operations as plain
    functions. Do not combine with ``client`` (a pushed context would be shared by requests)."""
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        yield db.session


@pytest.fixture
def factories(app: Any, session: Session) -> Factories:
    return Factories(app, session)


@pytest.fixture
def client(app: Any, connection: Any) -> Any:
    return app.test_client()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> SmtpServer:
    smtp_server.clear()
    return smtp_server


@pytest.fixture
def committed(app: Any) -> Iterator[Any]:
    """Real commits on the real database (for races); tables are emptied afterwards."""
    engine = db.bound(app).engine
    yield engine
    tables = ["bimtek_registrations", "bimtek_sessions",
              "helpdesk_saved_views", "ticket_surveys", "ticket_attachments", "ticket_requests", "ticket_messages",
              "tickets", "warning_reply_files", "strikes", "warning_letters", "case_notes",
              "report_evidence", "abuse_reports",
              "abuse_cases", "reactivation_requests", "sekretaris_handovers", "tembusan_copies",
              "account_import_problems",
              "account_imports", "application_events", "application_documents", "admin_assignments", "applications",
              "letters",
              "letter_counters", "stored_files", "outbox", "user_sessions", "auth_tokens", "recovery_codes",
              "login_throttles", "user_roles", "users"]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM bodies WHERE source IS NULL"))  # the reference list stays


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if TEST_DATABASE_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL (as .ci/run does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def ctx_free_codes(app: Any, factories: Factories, session: Session) -> tuple[Any, list[str]]:
    """A staff user with TOTP and ten recovery codes (made by the real operation)."""
    from sep_portal.auth.operations import regenerate_recovery_codes

    user = factories.user(roles=("verifikator",))
    with app.test_request_context():
        codes = regenerate_recovery_codes(session, session.get(type(user), user.id), clock.now())
        session.commit()
    return user, codes


@pytest.fixture
def count_queries(connection: Any) -> Any:
    """``with count_queries() as statements:`` lists the SQL run on the test connection inside."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def listener(*args: Any) -> None:
            statements.append(args[2])

        event.listen(connection, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            event.remove(connection, "before_cursor_execute", listener)

    return counting


@pytest.fixture
def assert_constant_queries(app: Any, client: Any, count_queries: Any, monkeypatch: Any) -> Any:
    """``assert_constant_queries(url)``: the page runs as many queries for 2 rows as for 6."""

    def check(url: str) -> None:
        counts = []
        for size in (2, 6):
            monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", size)
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], counts

    return check


# -- races (PostgreSQL: SQLite ignores FOR UPDATE) -------------------------------------------------

@pytest.fixture
def real(app: Any, committed: Any) -> Iterator[tuple[Factories, Session]]:
    """Factories that really commit (for races), and their session."""
    with db.bound(app).factory(expire_on_commit=False) as session:
        yield Factories(app, session), session


@pytest.fixture
def race(app: Any) -> Callable[[list[Callable[[Session], Any]]], list[Any]]:
    """``race(jobs)``: run each job in its own thread, request context and connection, all released
    at once; each job's result, or the exception it raised."""

    def run_all(jobs: list[Callable[[Session], Any]]) -> list[Any]:
        results: list[Any] = [None] * len(jobs)
        barrier = threading.Barrier(len(jobs))
        now = clock.now()

        def run(i: int) -> None:
            with app.test_request_context("/"):
                clock.freeze(now)
                try:
                    barrier.wait()
                    results[i] = jobs[i](db.session)
                    db.session.commit()
                except Exception as exc:
                    db.session.rollback()
                    results[i] = exc

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        return results

    return run_all
