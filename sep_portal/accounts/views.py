"""The signed-in user's own account: security settings and sessions.
Views translate HTTP into operations (through ``run_action``) and queries; no SQL here."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sep_portal.accounts import bp, queries
from sep_portal.accounts import operations as ops
from sep_portal.auth import operations as auth_ops
from sep_portal.auth.forms import ChangePasswordForm, ReauthForm
from sep_portal.core import clock
from sep_portal.core.actions import run_action
from sep_portal.core.errors import DomainError
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.core.permissions import current_actor
from sep_portal.extensions import db


def _security_page(password_form: ChangePasswordForm | None = None, reauth_form: ReauthForm | None = None) -> str:
    user = current_actor()
    return render_template(
        "accounts/security.html",
        password_form=password_form or ChangePasswordForm(),
        reauth_form=reauth_form or ReauthForm(),
        confirm_form=ConfirmForm(),
        sessions=queries.active_sessions(db.session, user.id, clock.now()),
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
    return run_action(
        lambda: auth_ops.change_password(db.session, current_actor(), form.current_password.data, form.password.data,
                                         clock.now(), keep_session_id=current_user.current_session.id),
        form=form, render=lambda form, status: (_security_page(form), status),
        success=_("Your password has been changed. Your other sessions have ended."),
        redirect_to=url_for("accounts.security"))


@bp.route("/keamanan/kode-pemulihan", methods=["POST"])
@login_required
def regenerate_codes() -> Any:
    """Not ``run_action``: a wrong password is committed (it counts towards the lockout), and the
    new codes are shown once on the answer itself, never through a redirect."""
    form = ReauthForm()
    if not current_user.totp_enabled:
        return redirect(url_for("accounts.security"))
    if not form.validate_on_submit():
        return _security_page(reauth_form=form), 400
    user = current_actor()
    try:
        auth_ops.confirm_password(db.session, user, form.current_password.data, clock.now())
    except DomainError as exc:
        db.session.commit()  # the failure counts towards lockout
        apply_error(form, exc)
        return _security_page(reauth_form=form), 400
    codes = auth_ops.regenerate_recovery_codes(db.session, user, clock.now())
    db.session.commit()
    from sep_portal.auth.views import show_recovery_codes

    return show_recovery_codes(user, codes, next_url=url_for("accounts.security"))


@bp.route("/keamanan/keluar-semua", methods=["POST"])
@login_required
def end_other_sessions() -> Any:
    return run_action(
        lambda: ops.end_other_sessions(db.session, current_actor(), keep_id=current_user.current_session.id,
                                       now=clock.now()),
        success=lambda ended: _("%(n)d other sessions have been signed out.", n=ended),
        redirect_to=url_for("accounts.security"))


@bp.route("/keamanan/keluar-di-mana-saja", methods=["POST"])
@login_required
def sign_out_everywhere() -> Any:
    """End every session of the account, this one included (a lost or shared device). Not
    ``run_action``: after the commit the browser is signed out as well."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("accounts.security"))
    from flask import session as flask_session
    from flask_login import logout_user

    ended = ops.end_every_session(db.session, current_actor(), now=clock.now())
    db.session.commit()
    logout_user()
    flask_session.clear()
    flash(_("You have been signed out on every device (%(n)d sessions).", n=ended), "success")
    return redirect(url_for("auth.login"))


@bp.route("/profil")
@login_required
def profile() -> Any:
    from sep_portal.tenants.models import Body

    user = current_actor()
    body = db.session.get(Body, user.body_id) if user.body_id else None
    return render_template("accounts/profile.html", user=user, body=body)


# -- notices of new work ----------------------------------------------------------------------------

def _notice_form(user: Any) -> Any:
    """One choice (at once, daily digest, off) per kind of new work this person may be told of."""
    from flask_wtf import FlaskForm
    from wtforms import RadioField

    from sep_portal.core import notices

    current = notices.modes_of(db.session, user.id)
    choices = [(mode, str(label)) for mode, label in notices.MODE_LABELS.items()]

    class NoticeForm(FlaskForm):
        pass

    kinds = notices.kinds_for(user)
    for notice in kinds:
        setattr(NoticeForm, notice.code.replace(".", "__"),
                RadioField(str(notice.label), choices=choices, default=current.get(notice.code, "now")))
    return NoticeForm(), kinds


@bp.route("/notifikasi", methods=["GET", "POST"])
@login_required
def notifications() -> Any:
    from sep_portal.core import notices

    user = current_actor()
    form, kinds = _notice_form(user)

    def render(f: Any, status: int = 200) -> Any:
        return render_template("accounts/notifications.html", form=f, kinds=kinds), status

    if not form.is_submitted():
        return render(form)
    return run_action(
        lambda: notices.set_modes(db.session, user, {k.code: form[k.code.replace(".", "__")].data for k in kinds}),
        form=form, render=render, redirect_to=url_for("accounts.notifications"),
        success=_("Your choices are saved."))
