"""Read side of bimtek: the lists and lookups of its pages. Constant query count per page;
relations a page does not show are guarded by ``raiseload``."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased, raiseload

from sep_portal.bimtek.models import ACTIVE_STATUSES, SEATED_STATUSES, BimtekRegistration, BimtekSession
from sep_portal.core import worklist
from sep_portal.core.pagination import Page, offset_page
from sep_portal.core.permissions import ROLES

# Lists of sessions show neither who created them nor (beyond a count) who registered.
_SESSION_ROW = (raiseload(BimtekSession.created_by),)
# Lists of registrations show the person and the session, not the certificate file.
_REGISTRATION_ROW = (raiseload(BimtekRegistration.certificate_file),)


def upcoming_sessions(session: Session, now: datetime, *, page: int, per_page: int) -> Page[BimtekSession]:
    """Sessions open for registration, soonest first."""
    query = (select(BimtekSession).where(BimtekSession.status == "scheduled", BimtekSession.starts_at > now)
             .order_by(BimtekSession.starts_at, BimtekSession.id))
    return offset_page(session, query, page=page, per_page=per_page, options=_SESSION_ROW)


def all_sessions(session: Session, *, page: int, per_page: int) -> Page[BimtekSession]:
    """Every session for the people who run them, the latest first."""
    query = select(BimtekSession).order_by(BimtekSession.starts_at.desc(), BimtekSession.id.desc())
    return offset_page(session, query, page=page, per_page=per_page, options=_SESSION_ROW)


def seats_taken(session: Session, session_ids: list[int]) -> dict[int, int]:
    """Registered people per session, in one statement (for lists)."""
    if not session_ids:
        return {}
    return dict(session.execute(select(BimtekRegistration.session_id, func.count())
                                .where(BimtekRegistration.session_id.in_(session_ids),
                                       BimtekRegistration.status == "registered")
                                .group_by(BimtekRegistration.session_id)).all())


def registration_of(session: Session, session_id: int, user_id: int) -> BimtekRegistration | None:
    return session.scalar(select(BimtekRegistration).where(BimtekRegistration.session_id == session_id,
                                                           BimtekRegistration.user_id == user_id))


def registrations_of_user(session: Session, user_id: int, *, limit: int = 20) -> list[BimtekRegistration]:
    """The person's own registrations, newest first."""
    return list(session.scalars(select(BimtekRegistration).where(BimtekRegistration.user_id == user_id)
                                .options(*_REGISTRATION_ROW)
                                .order_by(BimtekRegistration.created_at.desc(), BimtekRegistration.id.desc())
                                .limit(limit)))


def waiting_ranks(session: Session, registrations: list[BimtekRegistration]) -> dict[int, int]:
    """The place on the waiting list now (1 = next to get a seat) of each waitlisted registration
    in ``registrations``, in one statement (``BimtekRegistration.waiting_rank`` for many)."""
    ids = [r.id for r in registrations if r.status == "waitlisted"]
    if not ids:
        return {}
    mine, ahead = aliased(BimtekRegistration), aliased(BimtekRegistration)
    rows = session.execute(select(mine.id, func.count(ahead.id))
                           .join(ahead, and_(ahead.session_id == mine.session_id, ahead.status == "waitlisted",
                                             ahead.position <= mine.position))
                           .where(mine.id.in_(ids)).group_by(mine.id))
    return {registration_id: rank for registration_id, rank in rows}


def seated(session: Session, session_id: int) -> list[BimtekRegistration]:
    """The people holding (or who held) a seat, in the order they registered."""
    return list(session.scalars(select(BimtekRegistration).where(
        BimtekRegistration.session_id == session_id, BimtekRegistration.status.in_(SEATED_STATUSES))
        .options(*_REGISTRATION_ROW).order_by(BimtekRegistration.created_at, BimtekRegistration.id)))


def waiting(session: Session, session_id: int) -> list[BimtekRegistration]:
    """The waiting list, the next to get a seat first."""
    return list(session.scalars(select(BimtekRegistration).where(
        BimtekRegistration.session_id == session_id, BimtekRegistration.status == "waitlisted")
        .options(*_REGISTRATION_ROW).order_by(BimtekRegistration.position)))


def by_certificate_code(session: Session, code: str) -> BimtekRegistration | None:
    """The attended registration a certificate's QR code names (the public verification page)."""
    if not code or len(code) > 32:
        return None
    return session.scalar(select(BimtekRegistration).where(BimtekRegistration.certificate_code == code,
                                                           BimtekRegistration.status == "attended"))


# -- "Tugas saya" ------------------------------------------------------------------------------

@worklist.kind("bimtek.registered", _l("Bimtek sessions I registered for"), *ROLES,
               list_url=lambda: url_for("bimtek.index"), quiet=True)
def _my_sessions(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(BimtekRegistration).join(BimtekSession, BimtekSession.id == BimtekRegistration.session_id)
             .where(BimtekRegistration.user_id == user.id, BimtekRegistration.status.in_(ACTIVE_STATUSES),
                    BimtekSession.status == "scheduled", BimtekSession.starts_at > now)
             .options(*_REGISTRATION_ROW, raiseload(BimtekRegistration.user))
             .order_by(BimtekSession.starts_at, BimtekRegistration.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(r.session.topic, url_for("bimtek.detail", session_id=r.session_id),
                                     due_at=r.session.starts_at,
                                     note=_("On the waiting list") if r.status == "waitlisted" else "")
                   for (r,) in rows]
