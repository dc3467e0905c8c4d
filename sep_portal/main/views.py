from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from sep_portal import safe_next
from sep_portal.accounts.operations import set_locale
from sep_portal.core import clock, worklist
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.permissions import ROLES
from sep_portal.extensions import db
from sep_portal.main import bp

DASHBOARD_ITEMS = 3  # of each kind of work on the dashboard
TASK_PAGE_ITEMS = 20  # of each kind on "Tugas saya"; the rest is in the kind's own list


@bp.route("/")
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dasbor")
@login_required
def dashboard() -> Any:
    """What waits on the person ("Tugas saya", the first few of each kind), below the warning
    letters still waiting for a reply; then each of their roles as a card of links."""
    from sep_portal.abuse import queries as abuse_queries

    roles = [r for r in ROLES if current_user.has_role(r)]
    open_warnings = [w for w in abuse_queries.warnings_of(db.session, current_user.id) if w.status == "issued"]
    work = worklist.work_for(db.session, current_user, clock.now(), limit=DASHBOARD_ITEMS)
    return render_template("main/dashboard.html", roles=roles, open_warnings=open_warnings, work=work)


@bp.route("/tugas")
@login_required
def tasks() -> Any:
    """"Tugas saya": everything that waits on the person, each kind with its first items and a
    link to its whole list."""
    work = worklist.work_for(db.session, current_user, clock.now(), limit=TASK_PAGE_ITEMS)
    return render_template("main/tasks.html", work=work)


@bp.route("/bahasa/<lang>", methods=["POST"])
def set_language(lang: str) -> Any:
    if lang not in current_app.config["SEP_LANGUAGES"] or not ConfirmForm().validate_on_submit():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        set_locale(db.session, current_user._get_current_object(), lang)
        db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz() -> Any:
    from sqlalchemy import text

    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
