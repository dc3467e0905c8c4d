"""Sign-in pages. Views translate HTTP into operations, commit once, then redirect.

Registration, the password reset and the activation run through ``run_action``. The sign-in
steps (password, code, enrolment) do not, on purpose: a refused password or code must still be
counted towards the lockout, so their failures are committed, where ``run_action`` rolls back
whatever a refused operation wrote; and a finished enrolment answers with the recovery codes,
shown once, not with a redirect. An e-mailed link that cannot be used answers with the
link-problem page (400), as every e-mailed link of the portal does."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import segno
from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from sep_portal import safe_next
from sep_portal.accounts.models import User
from sep_portal.auth import bp
from sep_portal.auth import operations as ops
from sep_portal.auth.forms import (
    CodeForm,
    EmailForm,
    EnrolForm,
    LoginForm,
    NewPasswordForm,
    ReauthEnrolForm,
    RegisterForm,
)
from sep_portal.auth.models import UserSession
from sep_portal.core import clock
from sep_portal.core.actions import run_action
from sep_portal.core.errors import DomainError
from sep_portal.core.forms import ConfirmForm, apply_error
from sep_portal.core.security import hash_token, seal, unseal
from sep_portal.extensions import db, limit_from_config, limiter, login_manager

TOUCH_EVERY = timedelta(seconds=60)


# -- Flask-Login wiring: the cookie holds a session token, the database decides ----------------

@login_manager.user_loader
def _load_user(token: str) -> User | None:
    now = clock.now()
    _touch(token, now)
    loaded = ops.load_session(db.session, token, now)
    if loaded.expired_reason:
        db.session.commit()
        g.session_ended = loaded.expired_reason
        return None
    if loaded.user is None or loaded.row is None:
        return None
    user = loaded.user
    user._session_token = token
    user.current_session = loaded.row
    return user


def _touch(token: str, now: Any) -> None:
    """Record activity for the idle timeout, at most once a minute, in a transaction of its own
    (the request's session commits only what the view decides). Only a session that is still
    within its idle time is touched, so a touch never revives an idle one."""
    idle = timedelta(minutes=current_app.config["SEP_IDLE_TIMEOUT_MINUTES"])
    with db.new_session() as s:
        try:
            s.execute(
                update(UserSession)
                .where(UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None),
                       UserSession.last_seen_at > now - idle, UserSession.last_seen_at <= now - TOUCH_EVERY)
                .values(last_seen_at=now)
            )
            s.commit()
        except OperationalError:  # SQLite busy with a long write (an import): the touch can wait a minute
            s.rollback()


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    reason = g.get("session_ended")
    if reason == "idle":
        flash(_("You were signed out after %(n)d minutes without activity. Sign in again.",
                n=current_app.config["SEP_IDLE_TIMEOUT_MINUTES"]), "warning")
    elif reason:
        flash(_("Your session has ended. Sign in again."), "warning")
    else:
        flash(_("Sign in to open this page."), "info")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


_login_limit = limit_from_config("SEP_LOGIN_RATE_LIMIT")


# -- pending sign-in (between the password and the second factor) -------------------------

def _begin_pending(user: User, purpose: str, next_url: str | None) -> None:
    session.clear()  # nothing from before sign-in survives into the signed-in session
    minutes = current_app.config["SEP_PENDING_2FA_MINUTES"]
    session["pending"] = {"uid": user.id, "purpose": purpose, "next": next_url,
                          "exp": (clock.now() + timedelta(minutes=minutes)).timestamp()}


def _pending(purpose: str) -> tuple[User, dict[str, Any]] | None:
    data = session.get("pending")
    if not data or data.get("purpose") != purpose or data.get("exp", 0) < clock.now().timestamp():
        return None
    user = db.session.get(User, data["uid"])
    if user is None or not user.may_sign_in:
        return None
    return user, data


def _complete_login(user: User, next_url: str | None) -> Any:
    token = ops.start_session(db.session, user, now=clock.now(), ip=request.remote_addr,
                              user_agent=request.headers.get("User-Agent"))
    db.session.commit()
    session.clear()  # a new session cookie: rotation on sign-in
    user._session_token = token
    login_user(user)
    return redirect(safe_next(next_url) or url_for("main.dashboard"))


# -- pages ----------------------------------------------------------------------------------

@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    unverified = False
    if form.validate_on_submit():
        try:
            step = ops.check_password_step(db.session, form.email.data, form.password.data, clock.now())
        except DomainError as exc:
            db.session.commit()  # failure counters and lockouts must be kept
            apply_error(form, exc)
            unverified = exc.field == "email"
        else:
            db.session.commit()  # a password rehashed at the current Argon2 cost is kept
            next_url = safe_next(request.args.get("next"))
            if step.needs_enrolment:
                _begin_pending(step.user, "enrol", next_url)
                return redirect(url_for("auth.enrol"))
            if step.needs_totp:
                _begin_pending(step.user, "totp", next_url)
                return redirect(url_for("auth.totp"))
            return _complete_login(step.user, next_url)
    return render_template("auth/login.html", form=form, unverified=unverified)


@bp.route("/masuk/kode", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def totp() -> Any:
    pending = _pending("totp")
    if pending is None:
        session.pop("pending", None)
        flash(_("Sign in again: the sign-in took too long."), "warning")
        return redirect(url_for("auth.login"))
    user, data = pending
    form = CodeForm()
    if form.validate_on_submit():
        try:
            ops.check_totp_step(db.session, user, form.code.data, clock.now())
        except ops.LockedOut as exc:
            db.session.commit()
            session.pop("pending", None)
            flash(exc.message, "danger")
            return redirect(url_for("auth.login"))
        except DomainError as exc:
            db.session.commit()
            apply_error(form, exc)
        else:
            return _complete_login(user, data.get("next"))
    return render_template("auth/totp.html", form=form)


def _enrol_page(user: User, form: EnrolForm | ReauthEnrolForm, cancel_url: str) -> str:
    secret = session.get("enrol_secret")
    if not secret or request.method == "GET":
        secret = session["enrol_secret"] = ops.new_totp_secret()
    uri = ops.provisioning_uri(user, secret)
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff",
                                                   title=_("QR code for your authenticator app"))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("auth/enrol.html", form=form, qr_svg=qr_svg, secret=grouped, cancel_url=cancel_url)


@bp.route("/masuk/daftarkan-2fa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def enrol() -> Any:
    """TOTP enrolment during sign-in, for accounts that must have it and have not enrolled."""
    pending = _pending("enrol")
    if pending is None and current_user.is_authenticated:
        # Back on the page after enrolling (the browser's back button, a bookmark): nothing
        # timed out, the enrolment is done; its settings are on the security page.
        if current_user.totp_enabled:
            flash(_("Two-step verification is already on for your account."), "info")
            return redirect(url_for("accounts.security"))
        return redirect(url_for("auth.enrol_signed_in"))
    if pending is None:
        session.pop("pending", None)
        flash(_("Sign in again: the sign-in took too long."), "warning")
        return redirect(url_for("auth.login"))
    user, data = pending
    form = EnrolForm()
    if form.validate_on_submit() and session.get("enrol_secret"):
        try:
            codes = ops.confirm_totp_enrolment(db.session, user, session["enrol_secret"], form.code.data, clock.now())
        except DomainError as exc:
            db.session.commit()
            apply_error(form, exc)
        else:
            next_url = data.get("next")
            _complete_login(user, next_url)
            return show_recovery_codes(user, codes, next_url=safe_next(next_url) or url_for("main.dashboard"))
    return _enrol_page(user, form, url_for("auth.login"))


@bp.route("/akun/2fa", methods=["GET", "POST"])
@login_required
def enrol_signed_in() -> Any:
    """(Re-)enrolment by a signed-in user, e.g. an ASN who switches 2FA on, or a new phone."""
    form = ReauthEnrolForm()
    if form.validate_on_submit() and session.get("enrol_secret"):
        try:
            ops.confirm_password(db.session, current_user._get_current_object(), form.current_password.data,
                                 clock.now())
            codes = ops.confirm_totp_enrolment(db.session, current_user._get_current_object(),
                                               session["enrol_secret"], form.code.data, clock.now())
        except DomainError as exc:
            db.session.commit()
            apply_error(form, exc)
        else:
            db.session.commit()
            session.pop("enrol_secret", None)
            return show_recovery_codes(current_user._get_current_object(), codes, next_url=url_for("accounts.security"))
    return _enrol_page(current_user, form, url_for("accounts.security"))


# -- the recovery codes: shown once, printable, downloadable once ---------------------------

RECOVERY_FILE_KEY = "recovery_file"
RECOVERY_FILE_PURPOSE = "recovery-codes-file"
RECOVERY_FILE_MINUTES = 15
RECOVERY_FILE_ENDPOINT = "auth.recovery_codes_file"


def show_recovery_codes(user: User, codes: list[str], *, next_url: str) -> Any:
    """The page that shows new recovery codes, once (after an enrolment or on new codes). The
    codes are not stored in plain anywhere: for the one download of the page's text file they
    wait in this browser's signed session, encrypted (Fernet, a key derived from SECRET_KEY), tied
    to this person and this sign-in, for a few minutes at most, and only until the next page is
    opened. Neither the page nor the file may be kept by a browser or proxy."""
    now = clock.now()
    session[RECOVERY_FILE_KEY] = seal(RECOVERY_FILE_PURPOSE, {
        "uid": user.id, "sid": hash_token(user._session_token), "codes": codes, "at": now.isoformat()}, now)
    response = make_response(render_template("auth/recovery_codes.html", codes=codes, next_url=next_url,
                                             user=user, made_at=now))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def _forget_recovery_file() -> None:
    """Any other page than the download (and its stylesheets) means the person has left the page
    of their codes: the file is no longer on offer."""
    if RECOVERY_FILE_KEY in session and request.endpoint not in (RECOVERY_FILE_ENDPOINT, "static"):
        session.pop(RECOVERY_FILE_KEY, None)


@bp.route("/akun/2fa/kode-pemulihan.txt")
@login_required
def recovery_codes_file() -> Any:
    """The new recovery codes as a text file, once, right after they were shown. Afterwards (or
    in another browser or sign-in, or after the person went on) it is gone: 410 with a page that
    says how to get new codes."""
    from datetime import datetime

    sealed = session.pop(RECOVERY_FILE_KEY, None)
    data = unseal(RECOVERY_FILE_PURPOSE, sealed, max_age=timedelta(minutes=RECOVERY_FILE_MINUTES),
                  now=clock.now()) if sealed else None
    user = current_user._get_current_object()
    if (data is None or data.get("uid") != user.id or data.get("sid") != hash_token(user._session_token)
            or not isinstance(data.get("codes"), list)):
        response = make_response(render_template("auth/recovery_codes_gone.html"), 410)
        response.headers["Cache-Control"] = "no-store"
        return response
    text = render_template("auth/recovery_codes.txt", codes=data["codes"], user=user,
                           made_at=datetime.fromisoformat(data["at"]))
    response = make_response(text.replace("\n", "\r\n"))  # Notepad too shows one code a line
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = 'attachment; filename="kode-pemulihan-sep-portal.txt"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/keluar", methods=["POST"])
def logout() -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated and current_user.current_session is not None:
        ops.end_session(db.session, current_user.current_session, clock.now(), "logout")
        from sep_portal.core import audit

        audit.record(db.session, current_user, "auth.signed_out", current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


def _register_page(form: RegisterForm, status: int) -> Any:
    # The page comes back with the typed passwords in it: no browser or proxy may keep it.
    response = make_response(render_template("auth/register.html", form=form), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegisterForm()
    if request.method == "GET":
        return _register_page(form, 200)
    from flask_babel import get_locale

    # The same page whether or not the e-mail was already registered (the form reveals no accounts).
    return run_action(
        lambda: ops.register_sekretaris(
            db.session, name=form.name.data, email=form.email.data, nip=form.nip.data,
            position=form.position.data, organisation=form.organisation.data, password=form.password.data,
            locale=str(get_locale() or "id"), now=clock.now()),
        form=form, render=_register_page, redirect_to=url_for("auth.check_email"))


@bp.route("/daftar/periksa-email")
def check_email() -> Any:
    return render_template("auth/check_email.html", form=EmailForm())


@bp.route("/daftar/kirim-ulang", methods=["POST"])
@limiter.limit(_login_limit)
def resend_verification() -> Any:
    form = EmailForm()
    if form.validate_on_submit():
        ops.resend_verification(db.session, form.email.data, clock.now())
        db.session.commit()
        flash(_("If the address belongs to an account that is not yet confirmed, a new link is on its way."), "info")
    return redirect(url_for("auth.check_email"))


@bp.route("/verifikasi/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> Any:
    # GET only shows a button: mail scanners that open links must not use up the token.
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            ops.verify_email(db.session, token, clock.now())
        except DomainError as exc:
            db.session.rollback()
            return render_template("auth/link_problem.html", message=exc.message), 400
        db.session.commit()
        flash(_("Your e-mail address is confirmed. Sign in to continue."), "success")
        return redirect(url_for("auth.login"))
    if ops.peek_token(db.session, token, "verify_email", clock.now()) is None:
        return render_template("auth/link_problem.html",
                               message=_("This link is not valid, has expired or has already been used.")), 400
    return render_template("auth/verify_email.html", form=form)


@bp.route("/kata-sandi/lupa", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password() -> Any:
    form = EmailForm()
    if form.validate_on_submit():
        ops.request_password_reset(db.session, form.email.data, clock.now())
        db.session.commit()
        return render_template("auth/reset_sent.html",
                               minutes=current_app.config["SEP_PASSWORD_RESET_MINUTES"])
    return render_template("auth/forgot_password.html", form=form)


def _sign_out_here() -> None:
    """End the sign-in of this browser, if any, and start a fresh cookie session: after a new
    password nothing of the old session may carry on. Done before ``run_action`` flashes its
    message, which the fresh session then carries."""
    logout_user()
    session.clear()


@bp.route("/kata-sandi/atur/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> Any:
    if ops.peek_token(db.session, token, "reset_password", clock.now()) is None:
        return render_template("auth/link_problem.html",
                               message=_("This link is not valid, has expired or has already been used. "
                                         "Request a new one."), forgot=True), 400
    form = NewPasswordForm()

    def page(form: NewPasswordForm, status: int) -> Any:
        return render_template("auth/reset_password.html", form=form), status

    if request.method == "GET":
        return page(form, 200)

    def reset() -> None:
        ops.reset_password(db.session, token, form.password.data, clock.now())
        _sign_out_here()

    return run_action(reset, form=form, render=page, redirect_to=url_for("auth.login"),
                      success=_("Your password has been changed and every session of your account has ended. "
                                "Sign in."))


def _must_enrol(user: User) -> bool:
    return user.totp_required(current_app.config["SEP_TOTP_REQUIRED_FOR_ASN"]) and not user.totp_enabled


@bp.route("/aktivasi/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def activate(token: str) -> Any:
    """First password from an invitation link, then TOTP enrolment before the first sign-in.
    GET only shows the form: mail scanners that open links do not use up the token."""
    user = ops.peek_token(db.session, token, "activate", clock.now())
    if user is None:
        return render_template("auth/link_problem.html",
                               message=_("This activation link is not valid, has expired or has already been used. "
                                         "Ask the helpdesk for a new one.")), 400
    form = NewPasswordForm()

    def page(form: NewPasswordForm, status: int) -> Any:
        return render_template("auth/activate.html", form=form, user=user), status

    if request.method == "GET":
        return page(form, 200)

    def activate_account() -> User:
        activated = ops.activate_account(db.session, token, form.password.data, clock.now())
        if _must_enrol(activated):
            logout_user()
            _begin_pending(activated, "enrol", None)  # a fresh cookie session, holding the pending sign-in
        else:
            _sign_out_here()
        return activated

    def activated_message(activated: User) -> str:
        if _must_enrol(activated):
            return _("Your password is set. Now set up two-step verification to finish the activation.")
        return _("Your account is active. Sign in.")

    return run_action(
        activate_account, form=form, render=page, success=activated_message,
        redirect_to=lambda activated: url_for("auth.enrol") if _must_enrol(activated) else url_for("auth.login"))
