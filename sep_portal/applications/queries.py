"""Read-side queries of the application workflow. Constant query count per page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload, raiseload

from sep_portal.applications.models import OPEN_STATUSES, STATUSES, Application, ApplicationEvent
from sep_portal.core import worklist
from sep_portal.core.pagination import Page, offset_page
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, VERIFIKATOR
from sep_portal.tenants.models import BODY_KINDS, Body


@dataclass
class QueueFilter:
    status: str = "open"
    kind: str = ""
    due_before: datetime | None = None
    overdue: bool = False


def review_queue(session: Session, flt: QueueFilter, *, now: datetime, page: int, per_page: int) -> Page[Application]:
    query = select(Application).where(Application.status != "draft")
    if flt.status == "open":
        query = query.where(Application.status.in_(OPEN_STATUSES))
    elif flt.status in STATUSES:
        query = query.where(Application.status == flt.status)
    if flt.kind in BODY_KINDS:
        query = query.outerjoin(Body, Body.id == Application.body_id).where(
            (Body.kind == flt.kind) | (Application.proposed_body_kind == flt.kind))
    if flt.due_before is not None:
        query = query.where(Application.decision_due_at <= flt.due_before)
    if flt.overdue:
        query = query.where(Application.status == "complete", Application.decision_due_at < now)
    return offset_page(
        session,
        query.order_by(Application.decision_due_at.is_(None), Application.decision_due_at, Application.submitted_at,
                       Application.id),
        page=page, per_page=per_page, unique=True,
        options=(joinedload(Application.body), joinedload(Application.applicant),
                 raiseload(Application.documents), raiseload(Application.events)))


def applications_of(session: Session, user_id: int) -> list[Application]:
    return list(session.scalars(
        select(Application).where(Application.applicant_id == user_id)
        .options(joinedload(Application.body), raiseload(Application.documents), raiseload(Application.events))
        .order_by(Application.id.desc())
    ).unique())


def body_choices(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Bodies grouped by kind for the select list (about 650 rows)."""
    groups: dict[str, list[tuple[int, str]]] = {kind: [] for kind in BODY_KINDS}
    for body_id, name, kind in session.execute(select(Body.id, Body.name, Body.kind).order_by(Body.name)):
        groups.setdefault(kind, []).append((body_id, name))
    return [(kind, rows) for kind, rows in groups.items() if rows]


def queue_counts(session: Session, now: datetime) -> dict[str, int]:
    """Counts for the reviewers' dashboard: to verify, awaiting decision, overdue."""
    rows = dict(session.execute(
        select(Application.status, func.count()).where(Application.status.in_(("submitted", "complete")))
        .group_by(Application.status)).all())
    overdue = session.scalar(select(func.count()).select_from(Application).where(
        Application.status == "complete", Application.decision_due_at < now)) or 0
    return {"submitted": rows.get("submitted", 0), "complete": rows.get("complete", 0), "overdue": overdue}


# -- "Tugas saya" ------------------------------------------------------------------------------

def _work(session: Session, query: Any, limit: int, item: Any) -> tuple[int, list[worklist.WorkItem]]:
    query = query.options(joinedload(Application.body), raiseload(Application.documents),
                          raiseload(Application.events))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [item(*row) for row in rows]


def _title(application: Application) -> str:
    return f"{application.reference} · {application.body_label}"


def _detail(application: Application) -> str:
    return url_for("applications.detail", application_id=application.id)


@worklist.kind("applications.verify", _l("Applications to check"), VERIFIKATOR,
               list_url=lambda: url_for("applications.queue", status="submitted"))
def _to_verify(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Submitted (first time or again after a return), oldest first."""
    resubmitted = exists().where(ApplicationEvent.application_id == Application.id,
                                 ApplicationEvent.action == "resubmit").label("resubmitted")
    query = (select(Application, resubmitted).where(Application.status == "submitted")
             .order_by(Application.verification_due_at, Application.submitted_at, Application.id))
    return _work(session, query, limit, lambda a, again: worklist.WorkItem(
        _title(a), _detail(a), due_at=a.verification_due_at,
        note=(_("Rejection proposed: the pejabat decides") if a.recommendation == "reject"
              else _("Resubmitted after a return") if again else "")))


@worklist.kind("applications.recommend", _l("Complete applications to recommend"), VERIFIKATOR,
               list_url=lambda: url_for("applications.queue", status="complete"))
def _to_recommend(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(Application).where(Application.status == "complete", Application.recommendation.is_(None))
             .order_by(Application.decision_due_at, Application.id))
    return _work(session, query, limit, lambda a: worklist.WorkItem(_title(a), _detail(a), due_at=a.decision_due_at))


@worklist.kind("applications.decide", _l("Applications to decide"), PEJABAT,
               list_url=lambda: url_for("applications.queue", status="complete"))
def _to_decide(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    # A rejection proposed at verification waits on the pejabat too, with the verification's deadline.
    proposed = (Application.status == "submitted") & (Application.recommendation == "reject")
    query = (select(Application).where((Application.status == "complete") & Application.recommendation.is_not(None)
                                       | proposed)
             .order_by(func.coalesce(Application.decision_due_at, Application.verification_due_at), Application.id))
    return _work(session, query, limit, lambda a: worklist.WorkItem(
        _title(a), _detail(a), due_at=a.current_due_at,
        note=_("Rejection proposed at verification") if a.status == "submitted" else ""))


@worklist.kind("applications.mine", _l("My applications to complete"), SEKRETARIS,
               list_url=lambda: url_for("applications.my_applications"))
def _to_complete(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Drafts not yet sent, and applications returned for completion."""
    query = (select(Application).where(Application.applicant_id == user.id,
                                       Application.status.in_(("draft", "returned")))
             .order_by(Application.status.desc(), Application.id))
    return _work(session, query, limit, lambda a: worklist.WorkItem(
        _title(a), _detail(a), due_at=a.completion_due_at if a.status == "returned" else None,
        note=_("Returned: complete and send again") if a.status == "returned"
        else _("Draft: not sent yet")))
