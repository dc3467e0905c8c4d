"""Account security operations. No HTTP here: the actor, the time and the client address are
passed in, so every rule is tested as a plain function."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.auth.models import AuthToken, LoginThrottle, RecoveryCode, UserSession
from sep_portal.core import audit, outbox, sweep
from sep_portal.core.errors import DomainError
from sep_portal.core.identity import email_key, ensure_good_password, normalize_email
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import SEKRETARIS
from sep_portal.core.security import (
    burn_time,
    hash_identifier,
    hash_password,
    hash_token,
    needs_rehash,
    new_token,
    verify_password,
)

RECOVERY_CODE_COUNT = 10
TOTP_STEP = 30


class LockedOut(DomainError):
    def __init__(self, until: datetime) -> None:
        from sep_portal.core.formatting import format_datetime

        super().__init__(None, _("Too many failed sign-in attempts. Try again after %(time)s.",
                                 time=format_datetime(until)))
        self.until = until


def refusal_message(user: User) -> str:
    """Why the owner of ``user`` (who gave the right password) cannot sign in, and whom to contact."""
    base = current_app.config["SEP_BASE_URL"].rstrip("/")
    helpdesk = _("the helpdesk (%(email)s or %(url)s)", email=current_app.config["SEP_HELPDESK_EMAIL"],
                 url=f"{base}/tiket/publik")
    body = user.body.name if user.body is not None else None
    if user.status == "disabled":
        if body:
            return _("Your account has been disabled by the Admin Pengelola of %(body)s. Contact your Admin "
                     "Pengelola to have it enabled again.", body=body)
        return _("Your account has been disabled. Contact %(helpdesk)s.", helpdesk=helpdesk)
    if user.status == "deactivated":
        return _("Your account was deactivated by Ditjen Aptika after a warning letter. The Sekretaris BP of your "
                 "body can ask for its reactivation at %(url)s; for questions contact %(helpdesk)s.",
                 url=f"{base}/badan/reaktivasi", helpdesk=helpdesk)
    if user.status == "permanently_deactivated":
        return _("Your account was deactivated permanently by Ditjen Aptika. For questions contact %(helpdesk)s.",
                 helpdesk=helpdesk)
    if user.body is not None and user.body.tenant_status == "suspended":
        return _("The SEP tenancy of %(body)s is suspended by Ditjen Aptika: none of its accounts can sign in "
                 "until it is lifted. Your Sekretaris BP or Admin Pengelola can contact %(helpdesk)s.",
                 body=body, helpdesk=helpdesk)
    return str(generic_sign_in_error().message)


def generic_sign_in_error() -> DomainError:
    # One message for an unknown e-mail, a wrong password, a wrong code and an account that may
    # not sign in: nobody learns from it which accounts exist.
    return DomainError(None, _("The e-mail, password or code is not correct, or the account cannot sign in."))


# -- tokens ---------------------------------------------------------------------------------

def issue_token(session: Session, user: User, purpose: str, lifetime: timedelta, now: datetime) -> str:
    """Create a single-use link token (earlier unused tokens of the same purpose stop working)."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose, AuthToken.used_at.is_(None))
        .values(used_at=now)
    )
    token, digest = new_token()
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=digest, created_at=now,
                          expires_at=now + lifetime))
    session.flush()
    return token


def consume_token(session: Session, token: str, purpose: str, now: datetime) -> User:
    """Use a link token exactly once. The conditional UPDATE makes two simultaneous uses of the
    same link impossible: only one of them changes the row."""
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == hash_token(token or ""),
                                                 AuthToken.purpose == purpose))
    if row is None or row.used_at is not None:
        raise DomainError(None, _("This link is not valid or has already been used."))
    if row.expires_at <= now:
        raise DomainError(None, _("This link has expired. Request a new one."))
    result = session.execute(
        update(AuthToken).where(AuthToken.id == row.id, AuthToken.used_at.is_(None)).values(used_at=now)
    )
    if result.rowcount != 1:
        raise DomainError(None, _("This link is not valid or has already been used."))
    session.refresh(row)
    return row.user


def peek_token(session: Session, token: str, purpose: str, now: datetime) -> User | None:
    """The user of a still-usable token, without using it (to show the form behind a link)."""
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == hash_token(token or ""),
                                                 AuthToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    return row.user


# -- registration -----------------------------------------------------------------------------

def register_sekretaris(session: Session, *, name: str, email: str, nip: str, position: str, organisation: str,
                        password: str, locale: str, now: datetime) -> User | None:
    """Self-registration of a Sekretaris BP. Sends the verification link.

    If the e-mail is already registered, nothing is created and the owner of that address is told
    by e-mail; the caller shows the same page either way, so the form reveals no accounts.
    Returns the new user, or None in that case.
    """
    email = normalize_email(email)
    nip = normalize_nip(nip)
    problem = nip_problem(nip)
    if problem:
        raise DomainError("nip", problem)
    name, position, organisation = name.strip(), position.strip(), organisation.strip()
    if not name:
        raise DomainError("name", _("Enter your full name."))
    if not organisation:
        raise DomainError("organisation", _("Enter the government body you are secretary of."))
    if not position:
        raise DomainError("position", _("Enter your position."))
    ensure_good_password(password, email=email, nip=nip)

    existing = User.by_email(session, email)
    if existing is not None:
        outbox.enqueue(session, "auth/already_registered", [email], {"user": existing}, locale=locale)
        return None
    taken = session.scalar(select(User.status).where(User.nip == nip))
    if taken == "permanently_deactivated":
        # Said plainly, but without telling an anonymous visitor about someone's sanction.
        raise DomainError("nip", _("This NIP cannot be registered. Contact the helpdesk if you think this is a "
                                   "mistake."))
    if taken is not None:
        raise DomainError("nip", _("This NIP is already registered. If this is your NIP, sign in or "
                                   "reset your password; otherwise contact the helpdesk."))
    user = User(email=email, name=name, nip=nip, position=position, organisation=organisation,
                password_hash=hash_password(password), password_changed_at=now, status="pending", locale=locale)
    user.add_role(SEKRETARIS)
    try:
        with session.begin_nested():  # (begin_nested flushes what is pending: add inside it)
            session.add(user)
            session.flush()
    except IntegrityError:  # a registration with the same e-mail or NIP committed just now
        raise DomainError("email", _("This e-mail or NIP was registered a moment ago. Try signing in.")) from None
    send_verification(session, user, now)
    audit.record(session, user, "account.registered", user,
                 after={"status": user.status, "roles": sorted(user.roles)})
    return user


def send_verification(session: Session, user: User, now: datetime) -> None:
    hours = current_app.config["SEP_EMAIL_VERIFY_HOURS"]
    token = issue_token(session, user, "verify_email", timedelta(hours=hours), now)
    outbox.enqueue(session, "auth/verify_email", [user.email], {"user": user, "token": token, "hours": hours},
                   locale=user.locale)


def resend_verification(session: Session, email: str, now: datetime) -> None:
    """Send a new verification link if ``email`` belongs to an unverified account; silent otherwise."""
    try:
        email = normalize_email(email)
    except DomainError:
        return
    user = User.by_email(session, email)
    if user is not None and user.status == "pending" and user.email_verified_at is None:
        send_verification(session, user, now)


def verify_email(session: Session, token: str, now: datetime) -> User:
    user = consume_token(session, token, "verify_email", now)
    before = {"status": user.status}
    user.email_verified_at = now
    if user.status == "pending":
        user.status = "active"
    audit.record(session, user, "account.email_verified", user, before=before, after={"status": user.status})
    return user


# -- activation (accounts created for someone: the Admin Pengelola, later ASN) -----------------

def send_activation(session: Session, user: User, now: datetime, *, template: str = "auth/activation",
                    context: dict | None = None) -> None:
    """E-mail a single-use activation link; earlier links of the account stop working."""
    days = current_app.config["SEP_ACTIVATION_DAYS"]
    token = issue_token(session, user, "activate", timedelta(days=days), now)
    outbox.enqueue(session, template, [user.email], {"user": user, "token": token, "days": days, **(context or {})},
                   locale=user.locale)


def activate_account(session: Session, token: str, password: str, now: datetime) -> User:
    """Set the first password from an activation link. The link proves the address; TOTP
    enrolment follows at once (the caller starts it)."""
    user = peek_token(session, token, "activate", now)
    if user is not None:
        ensure_good_password(password, email=user.email, nip=user.nip)
    user = consume_token(session, token, "activate", now)
    if user.status not in ("pending", "active"):
        raise DomainError(None, _("This account cannot be activated. Contact the helpdesk."))
    before = {"status": user.status}
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    user.email_verified_at = user.email_verified_at or now
    user.status = "active"
    end_all_sessions(session, user, now, "activated")
    audit.record(session, user, "account.activated", user, before=before, after={"status": user.status})
    return user


# -- sign-in ----------------------------------------------------------------------------------

def _throttle(session: Session, email: str, now: datetime) -> LoginThrottle:
    key = hash_identifier(email)
    row = session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key_hash=key, failures=0, window_started_at=now)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            row = session.get(LoginThrottle, key, populate_existing=True)
    return row


def check_not_locked(session: Session, email: str, now: datetime) -> None:
    row = session.get(LoginThrottle, hash_identifier(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise LockedOut(row.locked_until)


def record_failure(session: Session, email: str, now: datetime, user: User | None) -> None:
    cfg = current_app.config
    row = _throttle(session, email, now)
    session.refresh(row, with_for_update=True)
    window = timedelta(minutes=cfg["SEP_LOGIN_FAILURE_WINDOW_MINUTES"])
    if row.window_started_at + window <= now or (row.locked_until is not None and row.locked_until <= now):
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= cfg["SEP_LOGIN_MAX_FAILURES"]:
        row.locked_until = now + timedelta(minutes=cfg["SEP_LOGIN_LOCKOUT_MINUTES"])
        if user is not None:
            audit.record(session, "system:auth", "auth.locked_out", user,
                         after={"locked_until": row.locked_until, "failures": row.failures})
            outbox.enqueue(session, "auth/locked_out", [user.email], {"user": user, "until": row.locked_until},
                           locale=user.locale)
    session.flush()


def clear_failures(session: Session, email: str) -> None:
    row = session.get(LoginThrottle, hash_identifier(email))
    if row is not None:
        session.delete(row)
        session.flush()


@dataclass
class PasswordStep:
    user: User
    needs_totp: bool
    needs_enrolment: bool


def check_password_step(session: Session, email: str, password: str, now: datetime) -> PasswordStep:
    """First sign-in step. Raises LockedOut, or the generic error, or asks to verify the e-mail."""
    email = email_key(email)
    check_not_locked(session, email, now)
    user = User.by_email(session, email) if email else None
    if user is None:
        burn_time()
        record_failure(session, email, now, None)
        raise generic_sign_in_error()
    if not verify_password(user.password_hash, password):
        record_failure(session, email, now, user)
        raise generic_sign_in_error()
    if user.status == "pending" and user.email_verified_at is None:
        raise DomainError("email", _("Confirm your e-mail address first: open the link we sent you. "
                                     "You can ask for a new link below."))
    if not user.may_sign_in:  # disabled, deactivated, or a suspended tenant
        record_failure(session, email, now, user)
        # The password was right: the owner learns why and whom to ask (a wrong password above
        # keeps the one generic message, so nobody else learns an account's status).
        raise DomainError(None, refusal_message(user))
    if needs_rehash(user.password_hash):
        # The Argon2 settings were raised since this hash was made: the plain password is only
        # here now, so this is the moment to store it at the current cost.
        user.password_hash = hash_password(password)
        session.flush()
    required = user.totp_required(current_app.config["SEP_TOTP_REQUIRED_FOR_ASN"])
    return PasswordStep(user=user, needs_totp=user.totp_enabled,
                        needs_enrolment=required and not user.totp_enabled)


def _totp_counter_for(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The time-step at which ``code`` is valid (±1 step for clock drift), if later than ``after``."""
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // TOTP_STEP
    for counter in (current - 1, current, current + 1):
        if after is not None and counter <= after:
            continue
        if secrets.compare_digest(totp.at(counter * TOTP_STEP), code):
            return counter
    return None


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    normalized = code.replace("-", "").replace(" ", "").upper()
    if len(normalized) != 16:
        return False
    digest = hash_token(normalized)
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    if result.rowcount == 1:
        audit.record(session, user, "auth.recovery_code_used", user,
                     after={"remaining": remaining_recovery_codes(session, user)})
        return True
    return False


def remaining_recovery_codes(session: Session, user: User) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def check_totp_step(session: Session, user: User, code: str, now: datetime) -> None:
    """Second sign-in step: a TOTP code not used before, or an unused recovery code."""
    check_not_locked(session, user.email, now)
    if not user.may_sign_in or not user.totp_enabled:
        raise generic_sign_in_error()
    # Lock the user row so two requests with the same code cannot both pass the replay check.
    last_counter = session.scalar(select(User.totp_last_counter).where(User.id == user.id).with_for_update())
    counter = _totp_counter_for(user.totp_secret or "", code, now, last_counter)
    if counter is not None:
        user.totp_last_counter = counter
        session.flush()
        return
    if _use_recovery_code(session, user, code, now):
        return
    record_failure(session, user.email, now, user)
    raise DomainError("code", _("The code is not correct or has already been used. Wait for the next code."))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SEP_TOTP_ISSUER"])


def confirm_totp_enrolment(session: Session, user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Store the TOTP secret once the user proved their app shows the right code; returns ten
    new recovery codes (shown once, stored hashed)."""
    counter = _totp_counter_for(secret, code, now, None)
    if counter is None:
        record_failure(session, user.email, now, user)
        raise DomainError("code", _("The code does not match. Check the time on your phone and try the next code."))
    had_totp = user.totp_enabled
    user.totp_secret = secret
    user.totp_enrolled_at = now
    user.totp_last_counter = counter
    codes = _replace_recovery_codes(session, user, now)
    audit.record(session, user, "auth.totp_reenrolled" if had_totp else "auth.totp_enrolled", user)
    return codes


def regenerate_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    codes = _replace_recovery_codes(session, user, now)
    audit.record(session, user, "auth.recovery_codes_regenerated", user)
    return codes


def _replace_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)).values(used_at=now)
    )
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(alphabet) for _j in range(16))  # 80 bits
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(raw), created_at=now))
        codes.append("-".join(raw[k:k + 4] for k in range(0, 16, 4)))
    session.flush()
    return codes


def clear_totp(session: Session, user: User, now: datetime) -> tuple[bool, int]:
    """Switch off the two-step verification of ``user`` (its secret and recovery codes gone, every
    session ended): the person enrols again at the next sign-in. Returns whether it was on and
    the number of sessions ended. The caller checks who may, audits and tells the person."""
    had = user.totp_enabled
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_counter = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = end_all_sessions(session, user, now, "totp_reset")
    session.flush()
    return had, ended


# -- sessions -------------------------------------------------------------------------------

def start_session(session: Session, user: User, *, now: datetime, ip: str | None, user_agent: str | None) -> str:
    """Open a new server-side session after both sign-in steps; returns the cookie token."""
    token, digest = new_token()
    hours = current_app.config["SEP_SESSION_MAX_HOURS"]
    session.add(UserSession(user_id=user.id, token_hash=digest, created_at=now, last_seen_at=now,
                            expires_at=now + timedelta(hours=hours), ip=ip, user_agent=(user_agent or "")[:200]))
    user.last_login_at = now
    clear_failures(session, user.email)
    session.flush()
    audit.record(session, user, "auth.signed_in", user, ip=ip)
    return token


@dataclass
class LoadedSession:
    user: User | None
    row: UserSession | None
    expired_reason: str | None = None


def load_session(session: Session, token: str, now: datetime) -> LoadedSession:
    """Resolve a session cookie token: None if revoked, idle too long, past its maximum age, or the
    account is no longer active (in which case the session is ended now)."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return LoadedSession(None, None)
    idle = timedelta(minutes=current_app.config["SEP_IDLE_TIMEOUT_MINUTES"])
    reason = None
    if row.last_seen_at + idle <= now:
        reason = "idle"
    elif row.expires_at <= now:
        reason = "expired"
    elif not row.user.may_sign_in:
        reason = "account_inactive"
    if reason:
        row.revoked_at, row.revoked_reason = now, reason
        session.flush()
        return LoadedSession(None, row, reason)
    return LoadedSession(row.user, row)


def end_session(session: Session, row: UserSession, now: datetime, reason: str = "logout") -> None:
    if row.revoked_at is None:
        row.revoked_at, row.revoked_reason = now, reason
        session.flush()


def end_all_sessions(session: Session, user: User, now: datetime, reason: str, *, keep_id: int | None = None) -> int:
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    return session.execute(query.values(revoked_at=now, revoked_reason=reason)).rowcount


@sweep.task("auth.end_stale_sessions")
def end_stale_sessions(now: datetime) -> int:
    """Mark sessions that are idle too long or past their maximum age as ended, so the session
    list shows the truth (sign-in already refuses them). Idempotent."""
    from sep_portal.extensions import db

    idle = timedelta(minutes=current_app.config["SEP_IDLE_TIMEOUT_MINUTES"])
    with db.new_session() as session:
        ended = 0
        for reason, condition in (("idle", UserSession.last_seen_at <= now - idle),
                                  ("expired", UserSession.expires_at <= now)):
            ended += session.execute(
                update(UserSession).where(UserSession.revoked_at.is_(None), condition)
                .values(revoked_at=now, revoked_reason=reason)
            ).rowcount
        session.commit()
    return ended


# -- passwords ------------------------------------------------------------------------------

def request_password_reset(session: Session, email: str, now: datetime) -> None:
    """Send a reset link if the address belongs to an account that may sign in; silent otherwise."""
    try:
        email = normalize_email(email)
    except DomainError:
        return
    user = User.by_email(session, email)
    if user is None or user.status not in ("active", "pending"):
        return
    minutes = current_app.config["SEP_PASSWORD_RESET_MINUTES"]
    token = issue_token(session, user, "reset_password", timedelta(minutes=minutes), now)
    outbox.enqueue(session, "auth/password_reset", [user.email], {"user": user, "token": token, "minutes": minutes},
                   locale=user.locale)
    audit.record(session, None, "auth.password_reset_requested", user)


def reset_password(session: Session, token: str, password: str, now: datetime) -> User:
    """Set a new password from a reset link; ends every session of the account."""
    user = peek_token(session, token, "reset_password", now)
    if user is not None:
        ensure_good_password(password, email=user.email, nip=user.nip)
    user = consume_token(session, token, "reset_password", now)
    _set_password(session, user, password, now)
    if user.status == "pending" and user.email_verified_at is None:
        # The link reached the inbox, so the address is proven.
        user.email_verified_at = now
        user.status = "active"
    ended = end_all_sessions(session, user, now, "password_reset")
    clear_failures(session, user.email)
    audit.record(session, user, "auth.password_reset", user, after={"sessions_ended": ended})
    return user


def confirm_password(session: Session, user: User, password: str, now: datetime) -> None:
    """Ask for the password again before a sensitive change; failures count towards lockout."""
    check_not_locked(session, user.email, now)
    if not verify_password(user.password_hash, password):
        record_failure(session, user.email, now, user)
        raise DomainError("current_password", _("The current password is not correct."))


def change_password(session: Session, user: User, current: str, new: str, now: datetime,
                    keep_session_id: int | None) -> None:
    if not verify_password(user.password_hash, current):
        raise DomainError("current_password", _("The current password is not correct."))
    ensure_good_password(new, email=user.email, nip=user.nip)
    _set_password(session, user, new, now)
    ended = end_all_sessions(session, user, now, "password_changed", keep_id=keep_session_id)
    audit.record(session, user, "auth.password_changed", user, after={"other_sessions_ended": ended})


def _set_password(session: Session, user: User, password: str, now: datetime) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    outbox.enqueue(session, "auth/password_changed", [user.email], {"user": user, "when": now}, locale=user.locale)
    session.flush()
