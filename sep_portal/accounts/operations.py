"""Account administration operations."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.auth.operations import end_all_sessions
from sep_portal.core import audit
from sep_portal.core.errors import DomainError
from sep_portal.core.identity import ensure_good_password, normalize_email
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import ROLES
from sep_portal.core.security import hash_password


def create_staff_user(session: Session, actor: object, *, email: str, name: str, roles: list[str],
                      password: str, nip: str | None = None, now: datetime) -> User:
    """Create an active account with the given roles (bootstrap of Ditjen staff, by the operator).
    Roles that need TOTP enrol it at first sign-in."""
    email = normalize_email(email)
    unknown = [r for r in roles if r not in ROLES]
    if not roles or unknown:
        raise DomainError("role", _("Unknown role: %(roles)s.", roles=", ".join(unknown) or "-"))
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
