"""The signed-in user's own account: security settings and sessions."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from sep_portal.accounts import bp
from sep_portal.auth import operations as auth_ops
from sep_portal.auth.forms import ChangePasswordForm, ReauthForm
from sep_portal.auth.models import UserSession
from sep_portal.core import audit, clock
from sep_portal.core.errors import DomainError
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.extensions import db


def _security_page(password_form: ChangePasswordForm | None = None, reauth_form: ReauthForm | None = None) -> str:
    user = current_user._get_current_object()
    sessions = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > clock.now())
        .order_by(UserSession.last_seen_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "accounts/security.html",
        password_form=password_form or ChangePasswordForm(),
        reauth_form=reauth_form or ReauthForm(),
        confirm_form=ConfirmForm(),
        sessions=sessions,
        remaining_codes=auth_ops.remaining_recovery_codes(db.session, user) if user.totp_enabled else 0,
    )


@bp.route("/keamanan")
@login_required
def security() -> Any:
    return _security_page()


@bp.route("/keamanan/kata-sandi", methods=["POST"])
@login_required
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            auth_ops.change_password(db.session, current_user._get_current_object(), form.current_password.data,
                                     form.password.data, clock.now(), keep_session_id=current_user.current_session.id)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("Your password has been changed. Your other sessions have ended."), "success")
            return redirect(url_for("accounts.security"))
    return _security_page(form), 400


@bp.route("/keamanan/kode-pemulihan", methods=["POST"])
@login_required
def regenerate_codes() -> Any:
    form = ReauthForm()
    if not current_user.totp_enabled:
        return redirect(url_for("accounts.security"))
    if not form.validate_on_submit():
        return _security_page(reauth_form=form), 400
    user = current_user._get_current_object()
    try:
        auth_ops.confirm_password(db.session, user, form.current_password.data, clock.now())
    except DomainError as exc:
        db.session.commit()  # the failure counts towards lockout
        apply_error(form, exc)
        return _security_page(reauth_form=form), 400
    codes = auth_ops.regenerate_recovery_codes(db.session, user, clock.now())
    db.session.commit()
    return render_template("auth/recovery_codes.html", codes=codes, next_url=url_for("accounts.security"))


@bp.route("/keamanan/keluar-semua", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    if ConfirmForm().validate_on_submit():
        user = current_user._get_current_object()
        ended = auth_ops.end_all_sessions(db.session, user, clock.now(), "signed_out_everywhere",
                                          keep_id=current_user.current_session.id)
        audit.record(db.session, user, "auth.other_sessions_ended", user, after={"sessions_ended": ended})
        db.session.commit()
        flash(_("%(n)d other sessions have been signed out.", n=ended), "success")
    return redirect(url_for("accounts.security"))


@bp.route("/keamanan/keluar-di-mana-saja", methods=["POST"])
@login_required
def sign_out_everywhere() -> Any:
    """End every session of the account, this one included (a lost or shared device)."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.security"))
    from flask import session as flask_session
    from flask_login import logout_user

    user = current_user._get_current_object()
    ended = auth_ops.end_all_sessions(db.session, user, clock.now(), "signed_out_everywhere")
    audit.record(db.session, user, "auth.all_sessions_ended", user, after={"sessions_ended": ended})
    db.session.commit()
    logout_user()
    flask_session.clear()
    flash(_("You have been signed out on every device (%(n)d sessions).", n=ended), "success")
    return redirect(url_for("auth.login"))


@bp.route("/profil")
@login_required
def profile() -> Any:
    from sep_portal.tenants.models import Body

    user = current_user._get_current_object()
    body = db.session.get(Body, user.body_id) if user.body_id else None
    return render_template("accounts/profile.html", user=user, body=body)
