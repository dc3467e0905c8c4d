"""Read side of the integration API: the lookups its endpoints answer."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.tenants.models import Body


def account_by_identifier(session: Session, *, nip: str = "", email: str = "") -> User | None:
    """The account with this NIP, else with this (already lower-cased) e-mail address."""
    if nip:
        return session.scalar(select(User).where(User.nip == nip))
    return session.scalar(select(User).where(User.email == email)) if email else None


def body_by_code(session: Session, code: str) -> Body | None:
    return session.scalar(select(Body).where(Body.code == code))
