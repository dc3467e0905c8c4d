from __future__ import annotations

from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from sep_portal import safe_next
from sep_portal.accounts.operations import set_locale
from sep_portal.core import clock
from sep_portal.core.forms import ConfirmForm
from sep_portal.core.permissions import ROLES
from sep_portal.extensions import db
from sep_portal.main import bp


@bp.route("/")
def index() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dasbor")
@login_required
def dashboard() -> Any:
    """Each of the person's roles as a card, below the warning letters still waiting for a reply.
    The figures come from the features' own queries; no SQL here."""
    from sep_portal.abuse import queries as abuse_queries
    from sep_portal.applications import queries as app_queries

    roles = [r for r in ROLES if current_user.has_role(r)]
    open_warnings = [w for w in abuse_queries.warnings_of(db.session, current_user.id) if w.status == "issued"]
    context: dict[str, Any] = {"roles": roles, "open_warnings": open_warnings}
    if current_user.has_role("sekretaris"):
        context["my_applications"] = app_queries.applications_of(db.session, current_user.id)[:5]
    if current_user.has_role("admin_pengelola") and current_user.body_id:
        from sep_portal.tenants import queries as tenant_queries

        context["tenant_counts"] = tenant_queries.status_counts(db.session, current_user.body_id)
    if current_user.has_any_role("verifikator", "pejabat"):
        context["queue_counts"] = app_queries.queue_counts(db.session, clock.now())
    return render_template("main/dashboard.html", **context)


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
