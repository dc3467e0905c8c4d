"""Extensions, created unbound and bound to an app in create_app."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool


@dataclass
class BoundDatabase:
    engine: Engine
    factory: sessionmaker[Session]


class Database:
    """The engine and the request-scoped session (SQLAlchemy 2 used directly).

    Each application has its own engine and session factory (``app.extensions["sep_db"]``);
    ``db.session`` is one session per application context (i.e. per request, per CLI command),
    removed when the context ends. Views and CLI commands commit; operations only flush.
    """

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(self._new_for_current_app, scopefunc=_app_ctx_id)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["sep_db"] = BoundDatabase(engine, sessionmaker(bind=engine, expire_on_commit=False))

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            self.session.remove()

    @staticmethod
    def bound(app: Flask | None = None) -> BoundDatabase:
        from flask import current_app

        return (app or current_app).extensions["sep_db"]

    @property
    def engine(self) -> Engine:
        return self.bound().engine

    def new_session(self) -> Session:
        """A session of its own, outside the request scope (sweeps, worker threads)."""
        return self.bound().factory()

    def _new_for_current_app(self) -> Session:
        return self.bound().factory()


def _app_ctx_id() -> Any:
    from flask import g

    # One session per application context; g lives exactly as long as the context.
    try:
        return id(g._get_current_object())
    except RuntimeError:
        return 0


def make_engine(url: str) -> Engine:
    """Create an engine with the per-dialect settings the portal relies on."""
    if url.startswith("sqlite"):
        kwargs: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        _make_sqlite_transactional(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _make_sqlite_transactional(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, emit BEGIN, so transactions and SAVEPOINTs behave as on
    PostgreSQL (SQLAlchemy's documented recipe); enforce foreign keys; allow concurrent readers."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except Exception:  # in-memory databases have no WAL; harmless
            pass
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def limit_from_config(key: str) -> Callable[[], str]:
    """A rate limit read from the app's configuration at each request (e.g. ``"20 per hour"``)."""
    from flask import current_app

    def limit() -> str:
        return current_app.config[key]

    return limit


def per_person() -> str:
    """Rate-limit key of a form for signed-in people: the person, whatever address they use;
    the client address otherwise."""
    from flask_login import current_user

    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{get_remote_address()}"

# Only for its per-view decorator (@talisman(frame_options=...)); create_app makes each app's own
# Talisman, since an instance keeps its options for one app.
talisman = Talisman()
