"""Read side of tenants: the lists and lookups of the Admin Pengelola's, the Sekretaris' and
Ditjen's pages. Constant query count per page; relations a page does not show are guarded by
``raiseload``. Tenancy is in the query: every list here takes the body it belongs to."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, raiseload

from sep_portal.accounts.models import ACCOUNT_STATUSES, User
from sep_portal.core import worklist
from sep_portal.core.formatting import format_number
from sep_portal.core.pagination import KeysetPage, Page, keyset_page, offset_page
from sep_portal.core.permissions import ADMIN_PENGELOLA, PEJABAT, SEKRETARIS, VERIFIKATOR
from sep_portal.tenants.models import (
    RUNNING_IMPORT_STATUSES,
    AccountImport,
    AccountImportProblem,
    AdminAssignment,
    Body,
    SekretarisHandover,
    TembusanCopy,
    TenantStatusChange,
)

# -- accounts ------------------------------------------------------------------------------------

ACCOUNT_KEY = (User.name, User.id)  # served by ix_users_body_name
ACCOUNT_KEY_TYPES = (str, int)


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
                    limit: int = 50) -> KeysetPage[User]:
    """One page of a tenant's accounts ordered by (name, id), after ``cursor``. Keyset
    pagination: the hundredth page costs what the first does (index ix_users_body_name). The
    page and the API share it, and with it the form of the cursor."""
    query = select(User).where(User.body_id == body_id)
    condition = search_condition(q)
    if condition is not None:
        query = query.where(condition)
    if status in ACCOUNT_STATUSES:
        query = query.where(User.status == status)
    return keyset_page(session, query, ACCOUNT_KEY, cursor=cursor, limit=limit, types=ACCOUNT_KEY_TYPES)


def status_counts(session: Session, body_id: int) -> dict[str, int]:
    counts = dict(session.execute(
        select(User.status, func.count()).where(User.body_id == body_id).group_by(User.status)).all())
    return {status: counts.get(status, 0) for status in ACCOUNT_STATUSES}


def account_count(session: Session, body_id: int) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.body_id == body_id)) or 0


def current_admin(session: Session, body_id: int) -> User | None:
    assignment = AdminAssignment.open_for_body(session, body_id)
    return session.get(User, assignment.user_id) if assignment else None


def sekretaris_of(session: Session, body_id: int | None) -> list[User]:
    """The body's active Sekretaris BP (usually one)."""
    if body_id is None:
        return []
    from sep_portal.accounts.models import UserRole

    return list(session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.body_id == body_id, UserRole.role == SEKRETARIS, User.status == "active").order_by(User.id)))


def body_contacts(session: Session, body_id: int) -> list[User]:
    """Whom the portal tells of what happens to the body's tenancy: its Sekretaris BP and its
    Admin Pengelola, each once."""
    people = [*sekretaris_of(session, body_id), current_admin(session, body_id)]
    seen: set[int] = set()
    return [p for p in people if p is not None and not (p.id in seen or seen.add(p.id))]


# -- imports -------------------------------------------------------------------------------------

def running_import(session: Session, body_id: int) -> int | None:
    """The id of the body's import that is still queued or running, if any: one at a time."""
    return session.scalar(select(AccountImport.id).where(AccountImport.body_id == body_id,
                                                         AccountImport.status.in_(RUNNING_IMPORT_STATUSES)))


def imports_of(session: Session, body_id: int, *, limit: int = 20) -> list[AccountImport]:
    """The body's latest imports, newest first."""
    return list(session.scalars(select(AccountImport).where(AccountImport.body_id == body_id)
                                .order_by(AccountImport.id.desc()).limit(limit)))


def import_problems(session: Session, job: AccountImport, *, limit: int = 500) -> list[AccountImportProblem]:
    """The first problems of an import (already scoped to its body), by row."""
    return list(session.scalars(select(AccountImportProblem).where(AccountImportProblem.import_id == job.id)
                                .order_by(AccountImportProblem.row_number, AccountImportProblem.id).limit(limit)))


# -- the Sekretaris' body --------------------------------------------------------------------------

def tembusan_inbox(session: Session, body_id: int, *, limit: int = 50) -> list[TembusanCopy]:
    """The body's latest copies, newest first."""
    return list(session.scalars(select(TembusanCopy).where(TembusanCopy.body_id == body_id)
                                .order_by(TembusanCopy.id.desc()).limit(limit)))


def warning_of_copy(session: Session, copy: TembusanCopy) -> Any:
    """The warning letter a copy of a warning (or of its reply) is about, within the copy's body."""
    from sep_portal.abuse.models import WarningLetter

    if copy.letter_id is None or copy.kind not in ("warning_letter", "warning_reply"):
        return None
    return session.scalar(select(WarningLetter).where(WarningLetter.letter_id == copy.letter_id,
                                                      WarningLetter.body_id == copy.body_id))


def letters_of_body(session: Session, body_id: int) -> list[tuple[Any, int]]:
    """The decision letters of the body's applications with the application's id, newest first."""
    from sep_portal.applications.models import Application
    from sep_portal.core.letters import Letter

    return [(letter, application_id) for letter, application_id in session.execute(
        select(Letter, Application.id).join(Application, Application.letter_id == Letter.id)
        .where(Application.body_id == body_id).order_by(Letter.id.desc()))]


def open_replacement(session: Session, body_id: int) -> int | None:
    """The id of the body's replacement request (penggantian) still in progress, if any."""
    from sep_portal.applications.models import OPEN_STATUSES, Application

    return session.scalar(select(Application.id).where(
        Application.body_id == body_id, Application.kind == "penggantian",
        Application.status.in_(("draft", *OPEN_STATUSES))))


# -- Ditjen ----------------------------------------------------------------------------------------

@dataclass
class TenantFilter:
    q: str = ""
    status: str = "tenants"  # "tenants" (active or suspended), a tenant status, or anything else for all


@dataclass
class TenantRow:
    body: Body
    admin: User | None
    accounts: int


def tenant_list(session: Session, flt: TenantFilter, *, page: int, per_page: int) -> Page[TenantRow]:
    """Bodies for Ditjen with their admin and number of accounts: four queries per page, whatever
    its size (the count, the bodies, their accounts, their admins)."""
    query = select(Body)
    if flt.q.strip():
        pattern = flt.q.strip().lower()
        query = query.where(or_(func.lower(Body.name).contains(pattern, autoescape=True),
                                func.lower(Body.code).startswith(pattern, autoescape=True)))
    if flt.status in ("none", "active", "suspended"):
        query = query.where(Body.tenant_status == flt.status)
    elif flt.status == "tenants":
        query = query.where(Body.tenant_status != "none")
    bodies = offset_page(session, query.order_by(Body.tenant_status.desc(), Body.name, Body.id), page=page,
                         per_page=per_page)
    ids = [b.id for b in bodies]
    counts = dict(session.execute(select(User.body_id, func.count()).where(User.body_id.in_(ids))
                                  .group_by(User.body_id)).all()) if ids else {}
    admins = {row.body_id: row.User for row in session.execute(
        select(AdminAssignment.body_id, User).join(User, User.id == AdminAssignment.user_id)
        .where(AdminAssignment.body_id.in_(ids), AdminAssignment.ended_at.is_(None)))} if ids else {}
    rows = [TenantRow(b, admins.get(b.id), counts.get(b.id, 0)) for b in bodies]
    return Page(rows, bodies.total, bodies.page, bodies.per_page)


def body_applications(session: Session, body_id: int) -> list[Any]:
    """The body's applications, newest first (their reference, status and decision date)."""
    from sep_portal.applications.models import Application

    return list(session.scalars(select(Application).where(Application.body_id == body_id)
                                .options(raiseload(Application.documents), raiseload(Application.events))
                                .order_by(Application.id.desc())))


@dataclass
class History:
    """A body's latest audit entries, newest first, and the names of the people and bodies they mention."""

    entries: list[Any]
    names: Any  # admin.queries.AuditNames


def body_history(session: Session, body_id: int, *, limit: int = 50) -> History:
    """Read through the audit log's one reader (admin.queries): two queries."""
    from sep_portal.admin.queries import AuditFilter, audit_entries, audit_names

    entries = audit_entries(session, AuditFilter(target_type=Body.__tablename__, target_id=str(body_id)),
                            before=None, limit=limit).rows
    return History(entries, audit_names(session, entries))


# -- "Tugas saya" ------------------------------------------------------------------------------

@worklist.kind("tenants.tembusan", _l("Unread tembusan of my body"), SEKRETARIS, needs_body=True,
               list_url=lambda: url_for("tenants.my_body"))
def _unread_tembusan(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(TembusanCopy).where(TembusanCopy.body_id == user.body_id, TembusanCopy.read_at.is_(None))
             .order_by(TembusanCopy.created_at, TembusanCopy.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(c.subject, url_for("tenants.tembusan", copy_id=c.id), since=c.created_at)
                   for (c,) in rows]


@worklist.kind("tenants.imports", _l("Checked imports waiting to be run"), ADMIN_PENGELOLA, needs_body=True,
               list_url=lambda: url_for("tenants.imports"))
def _imports_waiting(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(AccountImport).where(AccountImport.body_id == user.body_id, AccountImport.status == "checked")
             .order_by(AccountImport.created_at, AccountImport.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(_("Import of %(rows)s rows", rows=format_number(job.total_rows)),
                                     url_for("tenants.import_job", job_id=job.id), since=job.finished_at)
                   for (job,) in rows]


@worklist.kind("tenants.expired_activation", _l("Accounts whose activation link expired"), ADMIN_PENGELOLA,
               needs_body=True, list_url=lambda: url_for("tenants.accounts", status="pending"))
def _expired_activation(session: Session, user: Any, now: datetime,
                        limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Not yet activated, and no activation link of theirs still works: send a new one."""
    from sep_portal.auth.models import AuthToken

    valid_link = exists().where(AuthToken.user_id == User.id, AuthToken.purpose == "activate",
                                AuthToken.used_at.is_(None), AuthToken.expires_at > now)
    query = (select(User.id, User.name).where(User.body_id == user.body_id, User.status == "pending", ~valid_link)
             .order_by(User.name, User.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(name, url_for("tenants.account", account_id=account_id),
                                     note=_("Send a new activation link")) for account_id, name in rows]


# -- Ditjen: tenant status changes (four eyes) ---------------------------------------------------

def open_status_change(session: Session, body_id: int) -> tuple[TenantStatusChange, str] | None:
    """The body's proposal waiting for a second official, with the proposer's name."""
    row = session.execute(select(TenantStatusChange, User.name)
                          .join(User, User.id == TenantStatusChange.proposed_by_id)
                          .where(TenantStatusChange.body_id == body_id, TenantStatusChange.status == "proposed")
                          ).first()
    return (row[0], row[1]) if row else None


@worklist.kind("tenants.status_change", _l("Tenant suspensions and reactivations to confirm"), PEJABAT)
def _status_changes(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Proposals of other officials (one's own waits on someone else)."""
    query = (select(TenantStatusChange, Body.name).join(Body, Body.id == TenantStatusChange.body_id)
             .where(TenantStatusChange.status == "proposed", TenantStatusChange.proposed_by_id != user.id)
             .order_by(TenantStatusChange.proposed_at, TenantStatusChange.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(_("Suspension of %(body)s to confirm", body=name) if c.action == "suspend"
                                     else _("Reactivation of %(body)s to confirm", body=name),
                                     url_for("tenants.tenant", body_id=c.body_id), since=c.proposed_at)
                   for c, name in rows]



# -- a new Sekretaris of an existing tenant (the handover) ------------------------------------------

def tenant_choices(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """The active tenants grouped by kind, for the body picker of a handover request."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for body_id, name, kind in session.execute(select(Body.id, Body.name, Body.kind)
                                               .where(Body.tenant_status == "active").order_by(Body.name)):
        groups.setdefault(kind, []).append((body_id, name))
    return list(groups.items())


@dataclass
class HandoverRow:
    handover: SekretarisHandover
    body: Body
    requester: User


def _handover_rows(session: Session, query: Any) -> list[HandoverRow]:
    return [HandoverRow(h, b, u) for h, b, u in session.execute(query)]


def _handover_query() -> Any:
    return (select(SekretarisHandover, Body, User).join(Body, Body.id == SekretarisHandover.body_id)
            .join(User, User.id == SekretarisHandover.requested_by_id))


def handovers_of(session: Session, user_id: int, *, limit: int = 20) -> list[HandoverRow]:
    """The requester's own requests, newest first."""
    return _handover_rows(session, _handover_query().where(SekretarisHandover.requested_by_id == user_id)
                          .order_by(SekretarisHandover.id.desc()).limit(limit))


def handover_list(session: Session, *, status: str = "pending", limit: int = 100) -> list[HandoverRow]:
    """The verifiers' list: the waiting requests oldest first, or the decided ones newest first."""
    query = _handover_query()
    if status == "pending":
        query = query.where(SekretarisHandover.status == "pending").order_by(SekretarisHandover.requested_at,
                                                                              SekretarisHandover.id)
    else:
        query = query.where(SekretarisHandover.status != "pending").order_by(SekretarisHandover.id.desc())
    return _handover_rows(session, query.limit(limit))


def handover_row(session: Session, handover_id: int) -> HandoverRow | None:
    rows = _handover_rows(session, _handover_query().where(SekretarisHandover.id == handover_id))
    return rows[0] if rows else None


def sekretaris_any_status(session: Session, body_id: int) -> list[User]:
    """Everyone linked to the body as its Sekretaris, whatever the account's status: whom a
    confirmed handover unlinks (the verifier sees them before deciding)."""
    from sep_portal.accounts.models import UserRole

    return list(session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.body_id == body_id, UserRole.role == SEKRETARIS).order_by(User.id)))


def people_named(session: Session, ids: list[int]) -> list[User]:
    """The accounts of ``ids`` (a handover's previous Sekretaris, its verifier), by name."""
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name, User.id)))


@worklist.kind("tenants.sekretaris_handover", _l("Requests to become the Sekretaris BP of a tenant"), VERIFIKATOR,
               list_url=lambda: url_for("tenants.handovers"))
def _handovers_to_verify(session: Session, user: Any, now: datetime,
                         limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(SekretarisHandover, Body.name, User.name).join(Body, Body.id == SekretarisHandover.body_id)
             .join(User, User.id == SekretarisHandover.requested_by_id)
             .where(SekretarisHandover.status == "pending", SekretarisHandover.requested_by_id != user.id)
             .order_by(SekretarisHandover.requested_at, SekretarisHandover.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(_("%(name)s for %(body)s", name=person, body=body),
                                     url_for("tenants.handover", handover_id=h.id), since=h.requested_at)
                   for h, body, person in rows]
