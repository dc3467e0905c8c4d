"""Settings, read from the environment.

Every setting has a safe development default; ProductionConfig refuses to start without a real
SECRET_KEY and a real database. Portal-specific settings are prefixed SEP_.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sep_portal.sqlite3'}")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))

    # Mail (Flask-Mail). Every message goes through the outbox; these only configure delivery.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "SEP Portal <noreply-sep@kominfo.go.id>")
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", False)
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 15)

    # Sessions and cookies
    SESSION_COOKIE_NAME = "sep_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = 0
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the (idle-limited) session
    # One file per request: a request larger than the file limit plus the form is refused with
    # 413 from its Content-Length, before its body is read.
    SEP_MAX_UPLOAD_BYTES = _int("SEP_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
    MAX_CONTENT_LENGTH = SEP_MAX_UPLOAD_BYTES + 64 * 1024
    SEP_MAX_IMAGE_PIXELS = _int("SEP_MAX_IMAGE_PIXELS", 40_000_000)

    # Language
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    SEP_LANGUAGES = ("id", "en")

    # Rate limiting (Flask-Limiter): use a shared store (redis://...) when running several servers.
    RATELIMIT_STORAGE_URI = os.environ.get("SEP_RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = _bool("SEP_RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    SEP_LOGIN_RATE_LIMIT = os.environ.get("SEP_LOGIN_RATE_LIMIT", "30 per minute")

    # Portal behaviour
    SEP_BASE_URL = os.environ.get("SEP_BASE_URL", "http://127.0.0.1:5000")
    SEP_FORCE_HTTPS = _bool("SEP_FORCE_HTTPS", False)
    SEP_PROXY_COUNT = _int("SEP_PROXY_COUNT", 0)  # reverse proxies in front of the app servers
    SEP_IDLE_TIMEOUT_MINUTES = _int("SEP_IDLE_TIMEOUT_MINUTES", 30)
    SEP_SESSION_MAX_HOURS = _int("SEP_SESSION_MAX_HOURS", 12)
    SEP_LOGIN_MAX_FAILURES = _int("SEP_LOGIN_MAX_FAILURES", 5)
    SEP_LOGIN_FAILURE_WINDOW_MINUTES = _int("SEP_LOGIN_FAILURE_WINDOW_MINUTES", 15)
    SEP_LOGIN_LOCKOUT_MINUTES = _int("SEP_LOGIN_LOCKOUT_MINUTES", 15)
    SEP_PENDING_2FA_MINUTES = _int("SEP_PENDING_2FA_MINUTES", 5)
    SEP_EMAIL_VERIFY_HOURS = _int("SEP_EMAIL_VERIFY_HOURS", 48)
    SEP_PASSWORD_RESET_MINUTES = _int("SEP_PASSWORD_RESET_MINUTES", 60)
    SEP_PASSWORD_MIN_LENGTH = _int("SEP_PASSWORD_MIN_LENGTH", 12)
    SEP_TOTP_REQUIRED_FOR_ASN = _bool("SEP_TOTP_REQUIRED_FOR_ASN", False)
    SEP_TOTP_ISSUER = os.environ.get("SEP_TOTP_ISSUER", "SEP Portal")
    SEP_GOV_EMAIL_DOMAINS = _list("SEP_GOV_EMAIL_DOMAINS", "go.id")
    SEP_OUTBOX_MAX_ATTEMPTS = _int("SEP_OUTBOX_MAX_ATTEMPTS", 10)
    SEP_OUTBOX_BATCH = _int("SEP_OUTBOX_BATCH", 100)
    SEP_OUTBOX_SHOW_BODY = _bool("SEP_OUTBOX_SHOW_BODY", False)
    SEP_PAGE_SIZE = _int("SEP_PAGE_SIZE", 50)
    # Helpdesk working hours (WIB); holidays come from the working-day calendar.
    SEP_WORKING_HOURS = os.environ.get("SEP_WORKING_HOURS", "mon-thu 07:30-16:00; fri 07:30-16:30")
    SEP_DEMO_DATA = False

    # Applications (permohonan)
    SEP_DECISION_WORKING_DAYS = _int("SEP_DECISION_WORKING_DAYS", 4)
    # The other steps' limits (service standards): the verification after each (re)submission, and the
    # applicant's completion after a return, after which the application lapses.
    SEP_VERIFICATION_WORKING_DAYS = _int("SEP_VERIFICATION_WORKING_DAYS", 3)
    SEP_COMPLETION_WORKING_DAYS = _int("SEP_COMPLETION_WORKING_DAYS", 10)
    SEP_ALLOW_SAME_RECOMMENDER_DECIDER = _bool("SEP_ALLOW_SAME_RECOMMENDER_DECIDER", False)
    SEP_ACTIVATION_DAYS = _int("SEP_ACTIVATION_DAYS", 7)

    # Tenant administration and the integration API
    SEP_MAX_IMPORT_BYTES = _int("SEP_MAX_IMPORT_BYTES", 50 * 1024 * 1024)  # 100 000 rows are about 12 MB
    SEP_IMPORT_MAX_ROWS = _int("SEP_IMPORT_MAX_ROWS", 200_000)
    SEP_JOBS_INLINE = _bool("SEP_JOBS_INLINE", False)  # run imports in the request (tests), not a thread
    SEP_WEBHOOK_TIMEOUT = _int("SEP_WEBHOOK_TIMEOUT", 10)
    # Webhooks to private/loopback addresses are refused (SSRF) unless allowed (development, tests).
    SEP_WEBHOOK_ALLOW_PRIVATE = _bool("SEP_WEBHOOK_ALLOW_PRIVATE", False)
    SEP_API_RATE_LIMIT = os.environ.get("SEP_API_RATE_LIMIT", "600 per minute")

    # Misuse: warning letters and deactivation (DESIGN §4)
    SEP_REPLY_WORKING_DAYS = _int("SEP_REPLY_WORKING_DAYS", 5)
    SEP_STRIKE_WINDOW_DAYS = _int("SEP_STRIKE_WINDOW_DAYS", 730)  # a strike counts this long
    SEP_STRIKES_FOR_PERMANENT = _int("SEP_STRIKES_FOR_PERMANENT", 1)  # strikes before "permanent" is proposed
    SEP_PUBLIC_ABUSE_FORM = _bool("SEP_PUBLIC_ABUSE_FORM", False)
    SEP_REPORT_RATE_LIMIT = os.environ.get("SEP_REPORT_RATE_LIMIT", "20 per hour")  # per signed-in user
    SEP_PUBLIC_REPORT_RATE_LIMIT = os.environ.get("SEP_PUBLIC_REPORT_RATE_LIMIT", "5 per hour")
    SEP_TICKET_RATE_LIMIT = os.environ.get("SEP_TICKET_RATE_LIMIT", "20 per hour")  # signed-in, per person
    SEP_LETTER_CHECK_RATE_LIMIT = os.environ.get("SEP_LETTER_CHECK_RATE_LIMIT", "30 per hour")  # per client IP
    SEP_PUBLIC_TICKET_RATE_LIMIT = os.environ.get("SEP_PUBLIC_TICKET_RATE_LIMIT", "5 per hour")  # per client IP
    SEP_ADMIN_SEES_WARNING_CONTENT = _bool("SEP_ADMIN_SEES_WARNING_CONTENT", False)
    # Helpdesk (DESIGN §5)
    SEP_TICKET_REOPEN_WORKING_DAYS = _int("SEP_TICKET_REOPEN_WORKING_DAYS", 5)
    SEP_HELPDESK_LEADS = _list("SEP_HELPDESK_LEADS", "")  # escalations; empty: the superadmins
    SEP_HELPDESK_EMAIL = os.environ.get("SEP_HELPDESK_EMAIL", "helpdesk-sep@kominfo.go.id")  # public contact
    SEP_SUGGEST_RATE_LIMIT = os.environ.get("SEP_SUGGEST_RATE_LIMIT", "60 per minute")  # article suggestions
    SEP_BIMTEK_REMINDER_HOURS = _int("SEP_BIMTEK_REMINDER_HOURS", 24)  # bimtek reminder, hours before the start
    SEP_LETTER_PATTERN_WARNING = os.environ.get("SEP_LETTER_PATTERN_WARNING",
                                                "SP-{seq:04d}/DJAI/SEP.02/{month:02d}/{year}")

    # Letters: number patterns per series ({seq}, {year}, {month}, {roman_month}), gap-free per year.
    SEP_LETTER_PATTERN_DECISION = os.environ.get("SEP_LETTER_PATTERN_DECISION",
                                                 "B-{seq:04d}/DJAI/SEP.01/{month:02d}/{year}")
    SEP_LETTER_ISSUER = os.environ.get("SEP_LETTER_ISSUER", "Direktorat Jenderal Aplikasi Informatika")
    SEP_LETTER_SIGNER_TITLE = os.environ.get("SEP_LETTER_SIGNER_TITLE", "Direktur Jenderal Aplikasi Informatika")

    # Argon2id parameters (RFC 9106 "second recommended" profile by default).
    SEP_ARGON2_TIME_COST = _int("SEP_ARGON2_TIME_COST", 3)
    SEP_ARGON2_MEMORY_COST = _int("SEP_ARGON2_MEMORY_COST", 64 * 1024)
    SEP_ARGON2_PARALLELISM = _int("SEP_ARGON2_PARALLELISM", 4)

    @classmethod
    def check(cls) -> None:
        """Raise if this configuration must not be used. Called by create_app."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the Werkzeug debugger is never on by default: it executes code
    # No SMTP server on a developer's machine: messages stay in the outbox, readable by the
    # superadmin at /admin/outbox.
    MAIL_SUPPRESS_SEND = _bool("MAIL_SUPPRESS_SEND", True)
    SEP_OUTBOX_SHOW_BODY = _bool("SEP_OUTBOX_SHOW_BODY", True)
    SEP_WEBHOOK_ALLOW_PRIVATE = _bool("SEP_WEBHOOK_ALLOW_PRIVATE", True)
    SEP_DEMO_DATA = True


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SEP_JOBS_INLINE = True
    SEP_WEBHOOK_ALLOW_PRIVATE = True  # the tests' receiver listens on 127.0.0.1
    WTF_CSRF_ENABLED = False  # switched on by the tests that check it (and in the browser test)
    SECRET_KEY = "test-secret-key"
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or "sqlite:///:memory:"
    RATELIMIT_ENABLED = False
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 1
    MAIL_SUPPRESS_SEND = False
    MAIL_TIMEOUT = 5
    SEP_BASE_URL = "http://localhost"
    SEP_OUTBOX_SHOW_BODY = True
    # Cheap hashes keep the suite fast; the algorithm is the same.
    SEP_ARGON2_TIME_COST = 1
    SEP_ARGON2_MEMORY_COST = 8
    SEP_ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    SEP_FORCE_HTTPS = _bool("SEP_FORCE_HTTPS", True)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)

    @classmethod
    def check(cls) -> None:
        key = os.environ.get("SECRET_KEY", "")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production (postgresql+psycopg://...).")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("SEP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SEP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
