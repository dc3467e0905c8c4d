"""Account administration operations."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User, UserRole
from sep_portal.auth.operations import clear_totp, end_all_sessions
from sep_portal.core import audit, outbox
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.identity import ensure_good_password, normalize_email
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import (
    ADMIN_PENGELOLA,
    DITJEN_ROLES,
    HELPDESK,
    PEJABAT,
    ROLES,
    SEKRETARIS,
    SUPERADMIN,
    VERIFIKATOR,
)
from sep_portal.core.security import hash_password

# The roles of Ditjen's own staff, in the order the operator's pages list them: what the operator
# grants and withdraws (the tenant roles come with a tenancy, never by hand).
STAFF_ROLES: tuple[str, ...] = (VERIFIKATOR, PEJABAT, HELPDESK, SUPERADMIN)
assert set(STAFF_ROLES) == DITJEN_ROLES

# Whose two-step verification the operator resets: the roles that must have it (an ASN's is reset
# by the Admin Pengelola of the body).
TOTP_RESET_ROLES = frozenset({SEKRETARIS, ADMIN_PENGELOLA}) | DITJEN_ROLES


def check_roles(roles: list[str], allowed: tuple[str, ...] = ROLES) -> None:
    """The roles one may give: known, and among ``allowed``. The one rule for the command line
    (``flask sep user create``/``grant-role``) and the operator's console."""
    unknown = [r for r in roles if r not in allowed]
    if not roles or unknown:
        raise DomainError("role", _("Unknown role: %(roles)s.", roles=", ".join(unknown) or "-"))


def create_staff_user(session: Session, actor: object, *, email: str, name: str, roles: list[str],
                      password: str, nip: str | None = None, now: datetime) -> User:
    """Create an active account with the given roles (bootstrap of Ditjen staff, by the operator).
    Roles that need TOTP enrol it at first sign-in."""
    email = normalize_email(email)
    check_roles(roles)
    if not name.strip():
        raise DomainError("name", _("Enter your full name."))
    if nip:
        nip = normalize_nip(nip)
        problem = nip_problem(nip)
        if problem:
            raise DomainError("nip", problem)
        if session.scalar(select(User.id).where(User.nip == nip)) is not None:
            raise DomainError("nip", _("This NIP is already registered."))
    ensure_good_password(password, email=email, nip=nip)
    if User.by_email(session, email) is not None:
        raise DomainError("email", _("An account with this e-mail already exists."))
    user = User(email=email, name=name.strip(), nip=nip or None, status="active", email_verified_at=now,
                password_hash=hash_password(password), password_changed_at=now)
    for role in roles:
        user.add_role(role)
    session.add(user)
    session.flush()
    audit.record(session, actor, "account.created", user, after={"roles": sorted(roles), "status": "active"})
    return user


def end_other_sessions(session: Session, user: User, *, keep_id: int | None, now: datetime) -> int:
    """Sign the person out everywhere but this session (``keep_id``); the number ended."""
    ended = end_all_sessions(session, user, now, "signed_out_everywhere", keep_id=keep_id)
    audit.record(session, user, "auth.other_sessions_ended", user, after={"sessions_ended": ended})
    return ended


def end_every_session(session: Session, user: User, *, now: datetime) -> int:
    """Sign the person out everywhere, this session included (a lost or shared device)."""
    ended = end_all_sessions(session, user, now, "signed_out_everywhere")
    audit.record(session, user, "auth.all_sessions_ended", user, after={"sessions_ended": ended})
    return ended


def set_locale(session: Session, user: User, locale: str) -> None:
    user.locale = locale
    session.flush()


# -- the operator's console: staff roles, staff accounts, two-step verification ------------------

def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reason: it is recorded and sent to the person."))
    return reason[:2000]


def _ensure_operator(actor: object) -> None:
    """A person acting must be a superadmin; the command line (a string actor) is the operator too."""
    if isinstance(actor, User) and not actor.has_role(SUPERADMIN):
        raise NotPermitted("operator console")


def _is_self(actor: object, user: User) -> bool:
    return isinstance(actor, User) and actor.id == user.id


def _ensure_another_superadmin(session: Session, user: User) -> None:
    """``user`` may lose the operator role (or be disabled) only while another active superadmin
    remains: the superadmin rows are locked first (PostgreSQL), so two operators removing each
    other at the same moment cannot both pass and leave the portal without one."""
    holders = list(session.scalars(select(UserRole.user_id).where(UserRole.role == SUPERADMIN)
                                   .order_by(UserRole.user_id).with_for_update()))
    others = [uid for uid in holders if uid != user.id]
    if not others or not session.scalar(select(User.id).where(User.id.in_(others), User.status == "active")
                                        .limit(1)):
        raise ConflictError(_("This is the last active platform operator: grant the role to someone else first."))


def _tell(session: Session, user: User, template: str, **context: object) -> None:
    outbox.enqueue(session, f"accounts/{template}", [user.email], {"user": user, **context}, locale=user.locale)


def grant_staff_role(session: Session, actor: object, user: User, role: str, *, reason: str,
                     now: datetime) -> User:
    """Give ``user`` one of Ditjen's staff roles, with the reason (audited, told to the person).
    A person without two-step verification is signed out: the role needs it, so they set it up at
    the next sign-in before using the role."""
    _ensure_operator(actor)
    check_roles([role], STAFF_ROLES)
    reason = _reason(reason)
    user = User.lock(session, user.id)
    if user.status in ("deactivated", "permanently_deactivated"):
        raise ConflictError(_("This account is deactivated; it cannot be given a role."))
    if user.has_role(role):
        raise ConflictError(_("The account already has this role."))
    before = {"roles": sorted(user.roles)}
    user.add_role(role)
    ended = 0 if user.totp_enabled else end_all_sessions(session, user, now, "role_granted")
    session.flush()
    audit.record(session, actor, "account.role_granted", user, before=before,
                 after={"roles": sorted(user.roles), "role": role, "reason": reason, "sessions_ended": ended})
    _tell(session, user, "role_granted", role=role, reason=reason)
    return user


def revoke_staff_role(session: Session, actor: object, user: User, role: str, *, reason: str,
                      now: datetime) -> User:
    """Withdraw one of Ditjen's staff roles, with the reason (audited, told to the person); every
    session of the person ends, so no page opened with the role stays usable. Nobody withdraws
    their own operator role, and the last active operator keeps it."""
    _ensure_operator(actor)
    check_roles([role], STAFF_ROLES)
    reason = _reason(reason)
    user = User.lock(session, user.id)
    if not user.has_role(role):
        raise ConflictError(_("The account does not have this role (any more)."))
    if role == SUPERADMIN:
        if _is_self(actor, user):
            raise ConflictError(_("You cannot withdraw your own operator role; another operator can."))
        _ensure_another_superadmin(session, user)
    before = {"roles": sorted(user.roles)}
    user.remove_role(role)
    ended = end_all_sessions(session, user, now, "role_revoked")
    session.flush()
    audit.record(session, actor, "account.role_revoked", user, before=before,
                 after={"roles": sorted(user.roles), "role": role, "reason": reason, "sessions_ended": ended})
    _tell(session, user, "role_revoked", role=role, reason=reason)
    return user


def _ensure_staff(user: User) -> None:
    if not user.has_any_role(*STAFF_ROLES):
        raise ConflictError(_("Only an account of Ditjen staff is disabled here; the account of a government "
                              "body is disabled by its Admin Pengelola."))


def disable_staff_account(session: Session, actor: object, user: User, *, reason: str, now: datetime) -> User:
    """The account of a staff member cannot sign in any more and its sessions end at once; the
    reason is recorded and told to the person. Not one's own, nor the last active operator."""
    _ensure_operator(actor)
    reason = _reason(reason)
    user = User.lock(session, user.id)
    _ensure_staff(user)
    if _is_self(actor, user):
        raise ConflictError(_("You cannot disable your own account."))
    if user.status == "disabled":
        raise ConflictError(_("The account is already disabled."))
    if user.status not in ("active", "pending"):
        raise ConflictError(_("This account is deactivated; its status is not changed here."))
    if user.has_role(SUPERADMIN):
        _ensure_another_superadmin(session, user)
    before = {"status": user.status}
    user.status = "disabled"
    ended = end_all_sessions(session, user, now, "disabled")
    session.flush()
    audit.record(session, actor, "account.disabled", user, before=before,
                 after={"status": user.status, "reason": reason, "sessions_ended": ended})
    _tell(session, user, "disabled", reason=reason)
    return user


def enable_staff_account(session: Session, actor: object, user: User, *, reason: str, now: datetime) -> User:
    """Lift the disabling of a staff account, with the reason (audited, told to the person)."""
    _ensure_operator(actor)
    reason = _reason(reason)
    user = User.lock(session, user.id)
    _ensure_staff(user)
    if user.status != "disabled":
        raise ConflictError(_("Only a disabled account can be enabled again."))
    before = {"status": user.status}
    user.status = "active" if user.password_hash and user.email_verified_at else "pending"
    session.flush()
    audit.record(session, actor, "account.enabled", user, before=before,
                 after={"status": user.status, "reason": reason})
    _tell(session, user, "enabled", reason=reason)
    return user


def reset_two_step(session: Session, actor: object, user: User, *, reason: str, now: datetime) -> User:
    """Switch off the two-step verification of a Sekretaris, an Admin Pengelola or a staff member
    (a lost phone): every session ends and the person sets it up again at the next sign-in, before
    anything else. The operator never sees a secret. Audited with the reason; the person told."""
    _ensure_operator(actor)
    reason = _reason(reason)
    user = User.lock(session, user.id)
    if not user.has_any_role(*TOTP_RESET_ROLES):
        raise ConflictError(_("The two-step verification of a civil servant (ASN) is reset by the Admin Pengelola "
                              "of their body."))
    if _is_self(actor, user):
        raise ConflictError(_("You cannot reset your own two-step verification here; set it up again on your "
                              "security page."))
    if user.status == "permanently_deactivated":
        raise ConflictError(_("This account was deactivated permanently and cannot be changed."))
    had, ended = clear_totp(session, user, now)
    audit.record(session, actor, "account.totp_reset", user,
                 after={"had_totp": had, "sessions_ended": ended, "reason": reason})
    _tell(session, user, "totp_reset", reason=reason)
    return user
