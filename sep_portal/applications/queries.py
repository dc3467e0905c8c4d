"""Read-side queries of the application workflow. Constant query count per page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, raiseload

from sep_portal.applications.models import OPEN_STATUSES, STATUSES, Application
from sep_portal.core.pagination import Page, offset_page
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
