"""Read side of the operator's pages: the calendar's own days, the audit log, the outbox, the
integration API and the account console. Constant query count per page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from sep_portal.accounts.models import User, UserRole
from sep_portal.core.audit import BODY_FIELDS, PERSON_FIELDS, AuditEntry
from sep_portal.core.calendar import CalendarDay
from sep_portal.core.identity import email_key
from sep_portal.core.nip import normalize_nip
from sep_portal.core.outbox import OutboxMessage
from sep_portal.core.pagination import KeysetPage, keyset_page
from sep_portal.core.permissions import ROLES


def _newest_first(session: Session, query: Any, key: InstrumentedAttribute[int], *, before: int | None,
                  limit: int) -> KeysetPage[Any]:
    """The ``limit`` rows of ``query`` with ``key`` below ``before``, the highest first: one
    statement, the same cost on any page of a log of millions of rows. The cursor is the plain
    number of the last row shown (``?sebelum=``), as the addresses of these pages always were."""
    if before:
        query = query.where(key < before)
    rows = list(session.scalars(query.order_by(key.desc()).limit(limit + 1)))
    next_cursor = str(getattr(rows[limit - 1], key.key)) if len(rows) > limit else None
    return KeysetPage(rows[:limit], next_cursor, str(before) if before else None)


# -- the calendar -----------------------------------------------------------------------------------

def calendar_days(session: Session, year: int) -> dict[date, CalendarDay]:
    """The operator's own entries of ``year`` (cuti bersama, closures, cancelled holidays) by day."""
    rows = session.scalars(select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    return {row.day: row for row in rows}


# -- the audit log ----------------------------------------------------------------------------------

@dataclass
class AuditFilter:
    action: str = ""  # a prefix: "bimtek." for every bimtek action
    actor_id: int | None = None
    target_type: str = ""
    target_id: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def audit_entries(session: Session, flt: AuditFilter, *, before: int | None, limit: int) -> KeysetPage[AuditEntry]:
    """The log, newest first, by keyset on its sequence."""
    query = select(AuditEntry)
    if flt.action:
        query = query.where(AuditEntry.action.startswith(flt.action))
    if flt.actor_id is not None:
        query = query.where(AuditEntry.actor_id == flt.actor_id)
    if flt.target_type:
        query = query.where(AuditEntry.target_type == flt.target_type)
    if flt.target_id:
        query = query.where(AuditEntry.target_id == flt.target_id)
    if flt.since is not None:
        query = query.where(AuditEntry.occurred_at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEntry.occurred_at < flt.until)
    return _newest_first(session, query, AuditEntry.seq, before=before, limit=limit)


@dataclass(frozen=True)
class AuditNames:
    """The names of the people and bodies some audit entries mention, by id."""

    people: dict[int, str]
    bodies: dict[int, str]


def _mentioned(entries: list[AuditEntry], fields: frozenset[str]) -> set[int]:
    ids: set[int] = set()
    for entry in entries:
        for side in (entry.before, entry.after):
            if isinstance(side, dict):
                ids.update(value for key, value in side.items()
                           if key in fields and isinstance(value, int) and not isinstance(value, bool))
    return ids


def audit_names(session: Session, entries: list[AuditEntry]) -> AuditNames:
    """The names of the people who acted in ``entries`` or are their object or named in their details,
    and of the bodies named there: two statements at most. The log keeps no foreign key (it outlives
    what it describes): a removed account or body is simply missing here."""
    from sep_portal.tenants.models import Body

    people = {e.actor_id for e in entries if e.actor_id is not None} | _mentioned(entries, PERSON_FIELDS)
    people |= {int(e.target_id) for e in entries
               if e.target_type == User.__tablename__ and e.target_id and e.target_id.isdigit()}
    bodies = _mentioned(entries, BODY_FIELDS)
    return AuditNames(
        dict(session.execute(select(User.id, User.name).where(User.id.in_(people))).all()) if people else {},
        dict(session.execute(select(Body.id, Body.name).where(Body.id.in_(bodies))).all()) if bodies else {},
    )


# -- the outbox -------------------------------------------------------------------------------------

def outbox_messages(session: Session, *, status: str | None, before: int | None,
                    limit: int) -> KeysetPage[OutboxMessage]:
    query = select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    return _newest_first(session, query, OutboxMessage.id, before=before, limit=limit)


def outbox_counts(session: Session) -> dict[str, int]:
    """Messages per status."""
    return dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())


# -- the integration API ----------------------------------------------------------------------------

def service_accounts(session: Session) -> list[Any]:
    from sep_portal.api.models import ServiceAccount

    return list(session.scalars(select(ServiceAccount).options(joinedload(ServiceAccount.body))
                                .order_by(ServiceAccount.id.desc())))


def webhook_endpoints(session: Session) -> list[Any]:
    from sep_portal.api.models import WebhookEndpoint

    return list(session.scalars(select(WebhookEndpoint).options(joinedload(WebhookEndpoint.body))
                                .order_by(WebhookEndpoint.id.desc())))


def failed_webhooks(session: Session) -> dict[int, int]:
    """Failed deliveries per webhook endpoint."""
    return dict(session.execute(
        select(OutboxMessage.endpoint_id, func.count()).where(OutboxMessage.channel == "webhook",
                                                              OutboxMessage.status == "failed")
        .group_by(OutboxMessage.endpoint_id)).all())


def body_id_by_code(session: Session, code: str) -> int | None:
    from sep_portal.tenants.models import Body

    return session.scalar(select(Body.id).where(Body.code == code))


# -- the account console ----------------------------------------------------------------------------

ACCOUNT_KEY = (User.name, User.id)  # ix_users_name
ACCOUNT_KEY_TYPES = (str, int)


@dataclass
class AccountSearch:
    """What the operator looks for: ``q`` is a NIP (digits: exactly that NIP), an e-mail address
    (with @: exactly that address) or the start of a name (``anywhere``: a part of the name);
    ``role`` limits the list to the holders of a role, and alone lists them all."""

    q: str = ""
    role: str = ""
    anywhere: bool = False

    @property
    def kind(self) -> str:
        q = self.q.strip()
        if not q:
            return ""
        if normalize_nip(q).isdigit():
            return "nip"
        return "email" if "@" in q else "name"

    @property
    def empty(self) -> bool:
        return not self.kind and self.role not in ROLES


def find_accounts(session: Session, search: AccountSearch, *, cursor: str | None,
                  limit: int) -> KeysetPage[User]:
    """One page of the accounts ``search`` finds, by name then id (keyset: any page costs what the
    first does). Every lookup is served by an index: the NIP and the e-mail by their unique ones,
    the start of a name by one range of ix_users_name_prefix (listed by the folded name), a role
    by ix_user_roles_role; a part of a name walks ix_users_name in order and stops at a page.
    Nothing is listed for an empty search."""
    if search.empty:
        return KeysetPage([], None)
    query, key, values = select(User), ACCOUNT_KEY, None
    q = search.q.strip()
    if search.kind == "nip":
        query = query.where(User.nip == normalize_nip(q))
    elif search.kind == "email":
        query = query.where(User.email == email_key(q))
    elif search.kind == "name" and search.anywhere:
        words = " ".join(q.lower().split())
        query = query.where(func.lower(User.name).contains(words, autoescape=True))
    elif search.kind == "name":
        # The start of a name: listed in the order of the folded name, so that one range of
        # ix_users_name_prefix both finds and orders the page (in name order, a common start like
        # "siti" would walk every name before it).
        words = " ".join(q.lower().split())
        folded = func.lower(User.name)
        if session.get_bind().dialect.name == "postgresql":
            folded = folded.collate("C")
        query = query.where(folded.startswith(words, autoescape=True))
        key = (folded, User.id)
        values = _folded_key
    if search.role in ROLES:
        query = query.where(exists().where(UserRole.user_id == User.id, UserRole.role == search.role))
    return keyset_page(session, query, key, cursor=cursor, limit=limit, types=ACCOUNT_KEY_TYPES, values=values)


def _folded_key(user: User) -> tuple[str, int]:
    """The prefix search's key of a row, for the next page's cursor (Python's lower() is the
    database's for the names people have; a rare letter folded otherwise only moves a page
    boundary)."""
    return user.name.lower(), user.id


@dataclass(frozen=True)
class AccountFacts:
    """What the operator's page of one account shows beside the account itself."""

    sessions: int
    recovery_codes: int
    history: KeysetPage[AuditEntry]
    names: AuditNames


def account_facts(session: Session, user: User, now: datetime, *, limit: int = 20) -> AccountFacts:
    """The account's open sessions and unused recovery codes (counts), and the latest entries of
    the audit log about it with the names they mention."""
    from sep_portal.auth.models import RecoveryCode, UserSession

    sessions = session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None), UserSession.expires_at > now)) or 0
    codes = session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    history = audit_entries(session, AuditFilter(target_type=User.__tablename__, target_id=str(user.id)),
                            before=None, limit=limit)
    return AccountFacts(sessions, codes, history, audit_names(session, history.rows))
