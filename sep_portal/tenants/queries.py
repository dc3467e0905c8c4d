"""Read-side queries for tenants: account lists by keyset, counts, the Ditjen tenant list."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session

from sep_portal.accounts.models import ACCOUNT_STATUSES, User
from sep_portal.tenants.models import AdminAssignment, Body


def encode_cursor(name: str, user_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([name, user_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[str, int] | None:
    if not cursor or len(cursor) > 600:
        return None
    try:
        name, user_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return str(name), int(user_id)
    except (ValueError, TypeError, RecursionError):
        return None


@dataclass
class AccountPage:
    rows: list[User]
    next_cursor: str | None


def search_condition(q: str) -> Any:
    """Digits: NIP prefix; with @: e-mail prefix; otherwise name or unit containing the words."""
    q = q.strip()
    if not q:
        return None
    digits = q.replace(" ", "")
    if digits.isdigit():
        return User.nip.startswith(digits, autoescape=True)
    if "@" in q:
        return User.email.startswith(q.lower(), autoescape=True)
    pattern = q.lower()
    return or_(func.lower(User.name).contains(pattern, autoescape=True),
               func.lower(User.unit).contains(pattern, autoescape=True))


def tenant_accounts(session: Session, body_id: int, *, q: str = "", status: str = "", cursor: str | None = None,
                    limit: int = 50) -> AccountPage:
    """One page of a tenant's accounts ordered by (name, id), after ``cursor``. Keyset
    pagination: the hundredth page costs what the first does (index ix_users_body_name)."""
    query = select(User).where(User.body_id == body_id)
    condition = search_condition(q)
    if condition is not None:
        query = query.where(condition)
    if status in ACCOUNT_STATUSES:
        query = query.where(User.status == status)
    after = decode_cursor(cursor)
    if after is not None:
        query = query.where(tuple_(User.name, User.id) > tuple_(*after))
    rows = list(session.scalars(query.order_by(User.name, User.id).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].name, rows[limit - 1].id) if len(rows) > limit else None
    return AccountPage(rows[:limit], next_cursor)


def status_counts(session: Session, body_id: int) -> dict[str, int]:
    counts = dict(session.execute(
        select(User.status, func.count()).where(User.body_id == body_id).group_by(User.status)).all())
    return {status: counts.get(status, 0) for status in ACCOUNT_STATUSES}


def current_admin(session: Session, body_id: int) -> User | None:
    assignment = AdminAssignment.open_for_body(session, body_id)
    return session.get(User, assignment.user_id) if assignment else None


@dataclass
class TenantRow:
    body: Body
    admin: User | None
    accounts: int


def tenant_list(session: Session, *, q: str = "", status: str = "", page: int = 1,
                per_page: int = 50) -> tuple[list[TenantRow], int]:
    """Bodies for Ditjen with their admin and number of accounts: three queries per page."""
    query = select(Body)
    if q.strip():
        pattern = q.strip().lower()
        query = query.where(or_(func.lower(Body.name).contains(pattern, autoescape=True),
                                func.lower(Body.code).startswith(pattern, autoescape=True)))
    if status in ("none", "active", "suspended"):
        query = query.where(Body.tenant_status == status)
    elif status == "tenants":
        query = query.where(Body.tenant_status != "none")
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    bodies = list(session.scalars(query.order_by(Body.tenant_status.desc(), Body.name, Body.id)
                                  .limit(per_page).offset((page - 1) * per_page)))
    ids = [b.id for b in bodies]
    counts = dict(session.execute(select(User.body_id, func.count()).where(User.body_id.in_(ids))
                                  .group_by(User.body_id)).all()) if ids else {}
    admins = {a.body_id: a for a in session.execute(
        select(AdminAssignment.body_id, User).join(User, User.id == AdminAssignment.user_id)
        .where(AdminAssignment.body_id.in_(ids), AdminAssignment.ended_at.is_(None))).all()} if ids else {}
    return [TenantRow(b, admins[b.id].User if b.id in admins else None, counts.get(b.id, 0)) for b in bodies], total
