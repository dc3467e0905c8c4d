"""Read side of the misuse workflow: the lists and lookups of its pages. Constant query count per
page; relations a page does not show are guarded by ``raiseload``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload

from sep_portal.abuse.models import (
    CASE_STATUSES,
    OPEN_CASE_STATUSES,
    AbuseCase,
    AbuseCategory,
    AbuseReport,
    ReactivationRequest,
    ReplyFile,
    ReportEvidence,
    Strike,
    WarningLetter,
)
from sep_portal.accounts.models import User
from sep_portal.core import worklist
from sep_portal.core.pagination import Page, offset_page
from sep_portal.core.permissions import ADMIN_PENGELOLA, ASN, PEJABAT, SEKRETARIS, VERIFIKATOR
from sep_portal.core.security import hash_token
from sep_portal.tenants.models import Body

# The case list shows neither reports, notes nor warnings: loading them would be a query per row.
_CASE_ROW = (joinedload(AbuseCase.account), raiseload(AbuseCase.reports), raiseload(AbuseCase.notes),
             raiseload(AbuseCase.warnings), raiseload(AbuseCase.assigned_to))


# -- categories ------------------------------------------------------------------------------------

def categories(session: Session, *, active_only: bool = False) -> list[AbuseCategory]:
    """The built-in categories first, then the operator's, by name."""
    query = select(AbuseCategory).order_by(AbuseCategory.builtin.desc(), AbuseCategory.name)
    if active_only:
        query = query.where(AbuseCategory.active.is_(True))
    return list(session.scalars(query))


def categories_by_name(session: Session) -> list[AbuseCategory]:
    return list(session.scalars(select(AbuseCategory).order_by(AbuseCategory.name)))


# -- the case queue ----------------------------------------------------------------------------------

@dataclass
class CaseFilter:
    status: str = "open"  # "open" (every open status), a status, or anything else for all
    category_id: int | None = None
    body_code: str = ""
    opened_before: datetime | None = None
    assigned_to_id: int | None = None  # "assigned to me"
    reference: str = ""  # a case's (KSS-000012) or a report's (LPR-2026-000123): finds it whatever the rest


def normalize_reference(text: str | None) -> str:
    """A reference as people type or quote it (``lpr-2026-123``, spaces around) in its stored form."""
    text = (text or "").strip().upper()
    match = re.fullmatch(r"LPR-(\d{4})-0*(\d{1,9})", text)
    return f"LPR-{match.group(1)}-{int(match.group(2)):06d}" if match else text


def _case_reference(text: str) -> int | None:
    match = re.fullmatch(r"KSS-0*(\d{1,9})", text)
    return int(match.group(1)) if match else None


def case_queue(session: Session, flt: CaseFilter, *, reviewer_id: int, page: int, per_page: int) -> Page[AbuseCase]:
    """The reviewers' list of cases, oldest first. Nobody sees a case about their own account.
    A reference looks up one case (the case's own, or one of its reports'), and then the other
    filters do not apply: the reporter who quotes it does not know the case's status."""
    query = select(AbuseCase).where(AbuseCase.account_id != reviewer_id)
    reference = normalize_reference(flt.reference)
    if reference:
        case_id = _case_reference(reference)
        query = query.where(AbuseCase.id == case_id if case_id is not None else AbuseCase.id.in_(
            select(AbuseReport.case_id).where(AbuseReport.reference == reference)))
        return offset_page(session, query.order_by(AbuseCase.id), page=page, per_page=per_page, options=_CASE_ROW)
    if flt.status == "open":
        query = query.where(AbuseCase.status.in_(OPEN_CASE_STATUSES))
    elif flt.status in CASE_STATUSES:
        query = query.where(AbuseCase.status == flt.status)
    if flt.category_id:
        query = query.where(AbuseCase.category_id == flt.category_id)
    if flt.body_code:
        query = query.join(Body, Body.id == AbuseCase.body_id).where(Body.code == flt.body_code)
    if flt.opened_before is not None:
        query = query.where(AbuseCase.opened_at <= flt.opened_before)
    if flt.assigned_to_id is not None:
        query = query.where(AbuseCase.assigned_to_id == flt.assigned_to_id)
    return offset_page(session, query.order_by(AbuseCase.opened_at, AbuseCase.id), page=page, per_page=per_page,
                       options=_CASE_ROW)


def report_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    """The number of reports of each case, in one statement."""
    if not case_ids:
        return {}
    rows = session.execute(select(AbuseReport.case_id, func.count()).where(AbuseReport.case_id.in_(case_ids))
                           .group_by(AbuseReport.case_id))
    return {case_id: count for case_id, count in rows}


# -- one case ------------------------------------------------------------------------------------------

def cases_of_account(session: Session, account_id: int, *, except_case_id: int | None = None) -> list[AbuseCase]:
    """The account's cases, newest first (its record on a case page, or for a reactivation)."""
    query = select(AbuseCase).where(AbuseCase.account_id == account_id)
    if except_case_id is not None:
        query = query.where(AbuseCase.id != except_case_id)
    return list(session.scalars(query.order_by(AbuseCase.id.desc())
                                .options(raiseload(AbuseCase.reports), raiseload(AbuseCase.notes),
                                         raiseload(AbuseCase.warnings))))


def strikes_of(session: Session, user_id: int) -> list[Strike]:
    return list(session.scalars(select(Strike).where(Strike.user_id == user_id).order_by(Strike.recorded_at.desc())))


def evidence_of_case(session: Session, case_id: int, evidence_id: int) -> ReportEvidence | None:
    """An evidence file, only through a report of this case."""
    return session.scalar(select(ReportEvidence).join(AbuseReport, AbuseReport.id == ReportEvidence.report_id)
                          .where(ReportEvidence.id == evidence_id, AbuseReport.case_id == case_id))


# -- the reporter's own reports ------------------------------------------------------------------------

# A reporter's page shows a report and its case's status columns, nothing else of the case.
_OWN_REPORT = (joinedload(AbuseReport.case).raiseload("*"), raiseload(AbuseReport.reporter))


def reports_of(session: Session, reporter_id: int, *, page: int, per_page: int) -> Page[AbuseReport]:
    """The reports a signed-in person sent, newest first."""
    query = select(AbuseReport).where(AbuseReport.reporter_id == reporter_id).order_by(AbuseReport.id.desc())
    return offset_page(session, query, page=page, per_page=per_page,
                       options=(*_OWN_REPORT, raiseload(AbuseReport.evidence)))


def own_report(session: Session, reporter_id: int, reference: str) -> AbuseReport | None:
    """The report of ``reference`` if ``reporter_id`` sent it; None for anyone else's (or none)."""
    return session.scalar(select(AbuseReport).where(AbuseReport.reference == normalize_reference(reference),
                                                    AbuseReport.reporter_id == reporter_id).options(*_OWN_REPORT))


def report_by_status_token(session: Session, token: str) -> AbuseReport | None:
    """The public report whose private status link carries ``token``, or None."""
    if not token or len(token) > 100:
        return None
    return session.scalar(select(AbuseReport).where(AbuseReport.status_token_hash == hash_token(token),
                                                    AbuseReport.reporter_id.is_(None)).options(*_OWN_REPORT))


# -- warning letters -------------------------------------------------------------------------------------

def warnings_of(session: Session, user_id: int) -> list[WarningLetter]:
    """The user's own warning letters, newest first."""
    return list(session.scalars(select(WarningLetter).where(WarningLetter.user_id == user_id)
                                .options(raiseload(WarningLetter.reply_files), raiseload(WarningLetter.case))
                                .order_by(WarningLetter.id.desc())))


def has_warnings(session: Session, user_id: int) -> bool:
    return session.scalar(select(WarningLetter.id).where(WarningLetter.user_id == user_id).limit(1)) is not None


def reply_file(session: Session, warning_id: int, file_id: int) -> ReplyFile | None:
    return session.scalar(select(ReplyFile).where(ReplyFile.warning_id == warning_id, ReplyFile.file_id == file_id))


# -- reactivation ----------------------------------------------------------------------------------------

def deactivated_accounts(session: Session, body_id: int) -> list[User]:
    """The body's temporarily deactivated accounts, which its Sekretaris may ask back."""
    return list(session.scalars(select(User).where(User.body_id == body_id, User.status == "deactivated")
                                .order_by(User.name)))


def requests_of_body(session: Session, body_id: int, *, limit: int = 20) -> list[ReactivationRequest]:
    return list(session.scalars(select(ReactivationRequest).where(ReactivationRequest.body_id == body_id)
                                .options(joinedload(ReactivationRequest.user))
                                .order_by(ReactivationRequest.id.desc()).limit(limit)))


def reactivation_requests(session: Session, *, limit: int = 100) -> list[ReactivationRequest]:
    """The pejabat's list: the pending requests first, then the newest."""
    return list(session.scalars(select(ReactivationRequest).options(joinedload(ReactivationRequest.user))
                                .order_by((ReactivationRequest.status == "pending").desc(),
                                          ReactivationRequest.id.desc()).limit(limit)))


# -- "Tugas saya" ------------------------------------------------------------------------------

def _cases(session: Session, query: Any, limit: int, note: Any = None) -> tuple[int, list[worklist.WorkItem]]:
    total, rows = worklist.count_and_first(session, query.options(*_CASE_ROW, joinedload(AbuseCase.category)),
                                           limit)
    return total, [worklist.WorkItem(f"{c.reference} · {c.account.name} · {c.category.name}",
                                     url_for("abuse.case", case_id=c.id), since=c.opened_at,
                                     note=note(c) if note else "") for (c,) in rows]


def _case_list(status: str) -> Any:
    return lambda: url_for("abuse.cases", status=status)


@worklist.kind("abuse.triage", _l("Misuse cases to examine"), VERIFIKATOR, list_url=_case_list("open"))
def _to_triage(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Open cases nobody has taken, and those I took."""
    query = (select(AbuseCase).where(AbuseCase.status == "open",
                                     or_(AbuseCase.assigned_to_id.is_(None), AbuseCase.assigned_to_id == user.id))
             .order_by(AbuseCase.opened_at, AbuseCase.id))
    return _cases(session, query, limit, lambda c: _("Taken by you") if c.assigned_to_id == user.id else "")


def _with_warning(status: str) -> Any:
    return (select(AbuseCase, WarningLetter).join(WarningLetter, WarningLetter.case_id == AbuseCase.id)
            .where(WarningLetter.status == status))


def _warning_items(rows: list[Any], **item: Any) -> list[worklist.WorkItem]:
    return [worklist.WorkItem(f"{c.reference} · {c.account.name} · {w.letter.number}",
                              url_for("abuse.case", case_id=c.id), since=w.replied_at, **item) for c, w in rows]


@worklist.kind("abuse.evaluate", _l("Replies to warnings to evaluate"), VERIFIKATOR, list_url=_case_list("replied"))
def _to_evaluate(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (_with_warning("replied").where(AbuseCase.status == "replied")
             .options(*_CASE_ROW, raiseload(WarningLetter.reply_files))
             .order_by(WarningLetter.replied_at, AbuseCase.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, _warning_items(rows)


@worklist.kind("abuse.warn", _l("Substantiated cases: issue a warning"), PEJABAT,
               list_url=_case_list("substantiated"))
def _to_warn(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = select(AbuseCase).where(AbuseCase.status == "substantiated").order_by(AbuseCase.substantiated_at,
                                                                                  AbuseCase.id)
    return _cases(session, query, limit)


@worklist.kind("abuse.deactivate", _l("Rejected replies: decide on deactivation"), PEJABAT,
               list_url=_case_list("replied"))
def _to_deactivate(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (_with_warning("rejected").where(AbuseCase.status == "replied")
             .options(*_CASE_ROW, raiseload(WarningLetter.reply_files))
             .order_by(WarningLetter.evaluated_at, AbuseCase.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, _warning_items(rows)


@worklist.kind("abuse.reactivation", _l("Reactivation requests to decide"), PEJABAT,
               list_url=lambda: url_for("abuse.reactivations"))
def _to_reactivate(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(ReactivationRequest, User.name, Body.name)
             .join(User, User.id == ReactivationRequest.user_id).join(Body, Body.id == ReactivationRequest.body_id)
             .where(ReactivationRequest.status == "pending")
             .order_by(ReactivationRequest.created_at, ReactivationRequest.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(f"{name} · {body}", url_for("abuse.reactivation", request_id=r.id),
                                     since=r.created_at) for r, name, body in rows]


@worklist.kind("abuse.reply", _l("Warning letters to reply to"), ASN, SEKRETARIS, ADMIN_PENGELOLA, quiet=True)
def _to_reply(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(WarningLetter).where(WarningLetter.user_id == user.id, WarningLetter.status == "issued")
             .options(raiseload(WarningLetter.reply_files)).order_by(WarningLetter.reply_due_at, WarningLetter.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(w.letter.number, url_for("abuse.warning", warning_id=w.id),
                                     due_at=w.reply_due_at) for (w,) in rows]


@worklist.kind("abuse.body_warnings", _l("Accounts of my body under a warning"), ADMIN_PENGELOLA, needs_body=True)
def _body_warnings(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(WarningLetter, User).join(User, User.id == WarningLetter.user_id)
             .options(raiseload(WarningLetter.reply_files), raiseload(WarningLetter.letter))
             .where(WarningLetter.body_id == user.body_id, WarningLetter.status == "issued")
             .order_by(WarningLetter.reply_due_at, WarningLetter.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(account.name, url_for("tenants.account", account_id=account.id),
                                     due_at=w.reply_due_at, note=_("Reply due")) for w, account in rows]
