"""SEP Portal: the Flask application factory."""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, has_request_context, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError

from sep_portal.extensions import babel, csrf, db, limiter, login_manager, mail

ROOT = Path(__file__).resolve().parent.parent

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: Any = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Build the portal from a Config class (default: the one SEP_ENV names), with optional
    overrides on top (tests)."""
    from config import Config, config_from_env

    config_class: type[Config] = config or config_from_env()
    config_class.check()

    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(Path(app.root_path) / "translations"))
    if app.config["DATABASE_URL"].startswith("sqlite:///") and ":memory:" not in app.config["DATABASE_URL"]:
        Path(app.config["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)

    if app.config.get("SEP_PROXY_COUNT"):
        # Behind a reverse proxy: take the client address and scheme from its X-Forwarded-*
        # headers (audit log, rate limits), trusting exactly that many proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["SEP_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from sep_portal.core import logging as sep_logging

    sep_logging.install()
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    _register_errors(app)

    from sep_portal.cli import sep_cli

    app.cli.add_command(sep_cli)
    return app


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["SEP_LANGUAGES"]
    if not has_request_context():  # CLI, sweep: the portal's language (mail uses force_locale)
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    lang = session.get("lang")
    if lang in languages:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: "Asia/Jakarta")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # sessions are server-side rows; see auth.views
    # One Talisman per app (its options are per instance); views use extensions.talisman's
    # decorator only to mark per-view options, which every instance reads.
    Talisman(
        app,
        force_https=app.config["SEP_FORCE_HTTPS"],
        strict_transport_security=app.config["SEP_FORCE_HTTPS"],
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )


def _register_blueprints(app: Flask) -> None:
    from sep_portal.abuse import bp as abuse_bp
    from sep_portal.abuse import deadlines as _abuse_deadlines  # noqa: F401  (the reply window follows the calendar)
    from sep_portal.abuse import views as _abuse_views  # noqa: F401  (attaches the routes)
    from sep_portal.accounts import bp as accounts_bp
    from sep_portal.admin import bp as admin_bp
    from sep_portal.api import bp as api_bp
    from sep_portal.api import views as _api_views  # noqa: F401  (attaches the routes)
    from sep_portal.applications import bp as applications_bp
    from sep_portal.auth import bp as auth_bp
    from sep_portal.bimtek import bp as bimtek_bp
    from sep_portal.bimtek import operations as _bimtek_ops  # noqa: F401  (registers its sweep task)
    from sep_portal.bimtek import views as _bimtek_views  # noqa: F401  (attaches the routes)
    from sep_portal.helpdesk import bp as helpdesk_bp
    from sep_portal.helpdesk import views as _helpdesk_views  # noqa: F401  (attaches the routes)
    from sep_portal.helpdesk.dashboard import bp as helpdesk_dashboard_bp
    from sep_portal.knowledge import bp as knowledge_bp
    from sep_portal.knowledge import views as _knowledge_views  # noqa: F401  (attaches the routes)
    from sep_portal.main import bp as main_bp
    from sep_portal.tenants import bp as tenants_bp
    from sep_portal.tenants import views as _tenant_views  # noqa: F401  (attaches the routes)

    for bp in (main_bp, auth_bp, accounts_bp, admin_bp, applications_bp, tenants_bp, api_bp, abuse_bp,
               helpdesk_bp, knowledge_bp, bimtek_bp,
               helpdesk_dashboard_bp):
        app.register_blueprint(bp)


def _register_hooks(app: Flask) -> None:
    from sep_portal.core.formatting import (
        format_date,
        format_datetime,
        format_day,
        format_decimal,
        format_filesize,
        format_number,
        format_working_time,
    )
    from sep_portal.core.permissions import ROLES, role_label

    app.jinja_env.filters["dt"] = format_datetime
    app.jinja_env.filters["d"] = format_date
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["worktime"] = format_working_time
    app.jinja_env.filters["number"] = format_number  # {{ n|number }}: 1.234
    app.jinja_env.filters["decimal"] = format_decimal  # {{ avg|decimal(1) }}: 3,8
    app.jinja_env.filters["filesize"] = format_filesize  # {{ bytes|filesize }}: 5,0 MB
    app.jinja_env.filters["role_label"] = role_label
    app.jinja_env.globals["ALL_ROLES"] = ROLES
    from sep_portal.core import clock

    app.jinja_env.globals["now"] = clock.now
    from sep_portal.core.pagination import page_url

    app.jinja_env.globals["page_url"] = page_url
    from sep_portal.core.calendar import working_days_left

    app.jinja_env.globals["working_days_left"] = lambda due: working_days_left(due) if due is not None else None
    app.jinja_env.globals["work_count"] = _work_count
    app.jinja_env.globals["has_warnings"] = _has_warnings

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "id"), "languages": app.config["SEP_LANGUAGES"]}

    @app.after_request
    def _no_store(response: Any) -> Any:
        # Pages of signed-in users must not be kept by browsers or proxies.
        if (current_user and current_user.is_authenticated) or request.path.startswith(("/tiket/publik/",
                                                                                        "/lapor/status/")):
            response.headers["Cache-Control"] = "no-store"  # a public ticket's or report's page is private too
        return response


def _work_count() -> int:
    """How many things wait on the signed-in person (the number beside "Tugas saya" in the menu),
    counted once per request and only on the pages that show it."""
    from flask import g

    from sep_portal.core import clock, worklist
    from sep_portal.extensions import db

    if "work_count" not in g:
        g.work_count = worklist.count_for(db.session, current_user, clock.now())
    return int(g.work_count)


def _has_warnings() -> bool:
    """Whether the signed-in person ever received a warning letter (the menu then links to them)."""
    from flask import g

    from sep_portal.abuse.queries import has_warnings
    from sep_portal.extensions import db

    if "has_warnings" not in g:
        g.has_warnings = has_warnings(db.session, current_user.id)
    return bool(g.has_warnings)


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _register_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str) -> tuple[str, int]:
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        return page(400, _("Form expired"), _("The form has expired or is not valid. Reload the page and try again."))

    @app.errorhandler(400)
    def _bad_request(exc: Any) -> Any:
        return page(400, _("Bad request"), _("The request could not be understood."))

    @app.errorhandler(403)
    def _forbidden(exc: Any) -> Any:
        return page(403, _("Not allowed"), _("You do not have access to this page."))

    @app.errorhandler(404)
    def _not_found(exc: Any) -> Any:
        return page(404, _("Page not found"), _("The page you are looking for does not exist or has moved."))

    @app.errorhandler(405)
    def _method(exc: Any) -> Any:
        return page(405, _("Not allowed"), _("This action is not available here."))

    @app.errorhandler(413)
    def _too_large(exc: Any) -> Any:
        return page(413, _("File too large"), _("The file is larger than the limit. Upload a smaller file."))

    @app.errorhandler(429)
    def _too_many(exc: Any) -> Any:
        return page(429, _("Too many requests"), _("Too many requests from your address. Wait a minute and try again."))

    @app.errorhandler(500)
    def _server_error(exc: Any) -> Any:
        db.session.rollback()
        return page(500, _("Something went wrong"), _("An error occurred. Nothing was saved. Try again later."))
