"""Browser tests: Playwright driving Debian's Chromium against a live server in a thread.

Chromium is installed with apt-get when it is missing (as root); only where that is impossible
are the tests skipped, with the reason printed.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from config import TestConfig
from sep_portal import create_app
from tests.conftest import free_port, migrate, reset_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def _ensure_chromium() -> str | None:
    """Path of Chromium, installing Debian's package if needed; None with a reason otherwise."""
    if os.path.exists(CHROMIUM):
        return None
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "Chromium is not installed and cannot be installed here (needs apt-get as root)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env, capture_output=True,
                       timeout=1200)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"installing Debian's chromium failed: {exc}"
    return None if os.path.exists(CHROMIUM) else "apt-get ran but /usr/bin/chromium is missing"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    problem = _ensure_chromium()
    if problem:
        message = f"BROWSER TESTS SKIPPED: {problem}"
        warnings.warn(message, stacklevel=2)
        print("\n" + "!" * 80 + f"\n{message}\n" + "!" * 80)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _browser_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.sqlite3'}"
    # A database of its own on the same server: the live server commits for real.
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{url.database}_browser"
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database,
                         password=url.password, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory, smtp_server: Any) -> Iterator[Any]:
    url = _browser_database_url(tmp_path_factory)
    reset_database(url)
    port = free_port()
    app = create_app(TestConfig, {
        "DATABASE_URL": url,
        "MAIL_PORT": smtp_server.port,
        "WTF_CSRF_ENABLED": True,
        "SEP_BASE_URL": f"http://127.0.0.1:{port}",
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("live-uploads")),
        "SEP_JOBS_INLINE": False,  # imports run in a background thread, as in production
    })
    migrate(app)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.base_url = f"http://127.0.0.1:{port}"
    yield app
    server.shutdown()
    thread.join(10)


AXE_VERSION = "4.14.1"
AXE_DIR = Path(__file__).resolve().parent / ".axe"  # installed here from the npm registry, never a CDN
AXE_FILE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


def _ensure_axe() -> str | None:
    """axe-core at its pinned version in tests/browser/.axe; None, or why it cannot be had."""
    installed = AXE_DIR / "node_modules" / "axe-core" / "package.json"
    if AXE_FILE.exists() and f'"version": "{AXE_VERSION}"' in installed.read_text(encoding="utf-8"):
        return None
    if shutil.which("npm") is None:
        return "npm is not installed: axe-core cannot be fetched from the npm registry"
    AXE_DIR.mkdir(exist_ok=True)
    try:
        subprocess.run(["npm", "install", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund", "--no-save",
                        f"axe-core@{AXE_VERSION}"], check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        return f"npm install axe-core@{AXE_VERSION} failed: {exc}"
    return None if AXE_FILE.exists() else "npm ran but axe.min.js is missing"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    problem = _ensure_axe()
    if problem:
        pytest.fail(f"ACCESSIBILITY CHECK UNAVAILABLE: {problem}")
    return AXE_FILE


@pytest.fixture
def page(browser: Any, live_server: Any, axe_script: Path) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.base_url, locale="id-ID")
    # Injected through the DevTools protocol before each page's own scripts: the portal's CSP
    # (scripts from 'self' only) stays as it is for the page under test.
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


SERIOUS = ("serious", "critical")


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA and
    best practice), one line each with the first elements concerned."""
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"],
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'])}"
            for v in found if v["impact"] in SERIOUS]


def assert_accessible(page: Any) -> None:
    problems = axe_violations(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def run_sweep(app: Any) -> None:
    """`flask sep sweep` against the live server's database (delivers the outbox by SMTP), again
    until nothing waits: the browser tests share one database, whose outbox may hold more than one
    sweep's batch."""
    from sqlalchemy import func, select

    from sep_portal.core import clock
    from sep_portal.core.outbox import OutboxMessage

    for _ in range(20):
        result = app.test_cli_runner().invoke(args=["sep", "sweep"])
        assert result.exit_code == 0, result.output
        with db_session(app) as session:
            if not session.scalar(select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= clock.now())):
                return


def db_session(app: Any) -> Any:
    from sep_portal.extensions import db

    return db.bound(app).factory()


def sign_in(page: Any, user: Any, *, secret: str | None = None) -> None:
    """Sign in through the form (with a TOTP code for staff), a fresh clock step each time.
    ``secret``: the TOTP secret when it was enrolled in the browser after ``user`` was loaded."""
    from datetime import timedelta

    import pyotp

    from sep_portal.core import clock
    from tests.factories import PASSWORD

    clock.advance(timedelta(seconds=30))
    page.context.clear_cookies()
    page.goto("/masuk")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    if secret or user.totp_secret:
        page.wait_for_url("**/masuk/kode")
        page.fill("#code", pyotp.TOTP(secret or user.totp_secret).at(clock.now()))
        page.click("main form button[type=submit]")
    page.wait_for_url("**/dasbor")


def submit(page: Any, selector: str) -> None:
    """Click a submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)
