"""Read side of the helpdesk: the lists and lookups of its pages (the agents' queue, a requester's
tickets, one ticket's authors and files, the service catalogue, the SLA targets). Constant query
count per page; relations a page does not show are guarded by ``raiseload``."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload, raiseload

from sep_portal.accounts.models import User
from sep_portal.core import calendar, worklist
from sep_portal.core.pagination import Page, offset_page
from sep_portal.core.permissions import ADMIN_PENGELOLA, ASN, HELPDESK, SEKRETARIS
from sep_portal.helpdesk.models import (
    OPEN_STATUSES,
    STATUSES,
    TICKET_TYPES,
    HelpdeskService,
    SavedView,
    SlaTarget,
    Ticket,
    TicketAttachment,
)

# A list of tickets shows neither the conversation, the files nor the survey: loading them would
# be a query per row.
_TICKET_ROW = (raiseload(Ticket.messages), raiseload(Ticket.attachments), raiseload(Ticket.survey))
MAX_SEARCH = 100  # characters of the queue's search text
MAX_REFERENCE_DIGITS = 9  # a longer number is not a ticket number (and beyond the id column)


# -- the service catalogue ---------------------------------------------------------------------------

def services(session: Session, *, active_only: bool = False) -> list[HelpdeskService]:
    """The catalogue in the order its entries were made; ``active_only``: those new tickets may choose."""
    query = select(HelpdeskService).order_by(HelpdeskService.id)
    if active_only:
        query = query.where(HelpdeskService.active.is_(True))
    return list(session.scalars(query))


def service_by_code(session: Session, code: str) -> HelpdeskService | None:
    return session.scalar(select(HelpdeskService).where(HelpdeskService.code == code))


# -- SLA targets ---------------------------------------------------------------------------------------

def sla_rows(session: Session, service_id: int | None) -> dict[int, SlaTarget]:
    """The targets set for one service (``service_id`` None: the general ones), by priority."""
    condition = SlaTarget.service_id.is_(None) if service_id is None else SlaTarget.service_id == service_id
    return {row.priority: row for row in session.scalars(select(SlaTarget).where(condition))}


# -- the requester's tickets ---------------------------------------------------------------------------

def tickets_of(session: Session, requester_id: int, *, page: int, per_page: int) -> Page[Ticket]:
    """A requester's own tickets, the newest first."""
    query = select(Ticket).where(Ticket.requester_id == requester_id).order_by(Ticket.id.desc())
    return offset_page(session, query, page=page, per_page=per_page,
                       options=(*_TICKET_ROW, raiseload(Ticket.requester), raiseload(Ticket.assignee)))


# -- the agents' queue ---------------------------------------------------------------------------------

@dataclass
class TicketFilter:
    status: str = "open"  # "open" (every open status), a status, or anything else for all
    priority: int | None = None
    service_id: int | None = None
    type: str = ""
    assignee_id: int | None = None
    unassigned: bool = False  # nobody has the ticket yet
    text: str = ""  # a ticket number (TKT-000123 or 123) or words of the subject


def _search(query: Select[tuple[Ticket]], text: str) -> Select[tuple[Ticket]]:
    text = " ".join(text.split())[:MAX_SEARCH]
    if not text:
        return query
    reference = text.upper().removeprefix("TKT-")
    if len(reference) > MAX_REFERENCE_DIGITS:
        reference = ""
    if reference.isdigit() and text.upper().startswith("TKT-"):  # a ticket number: that ticket only
        return query.where(Ticket.id == int(reference))
    conditions = [Ticket.subject.ilike(f"%{text}%")]
    if reference.isdigit():
        conditions.append(Ticket.id == int(reference))
    return query.where(or_(*conditions))


def ticket_queue(session: Session, flt: TicketFilter, *, page: int, per_page: int) -> Page[Ticket]:
    """The agents' queue: the highest priority first, then the oldest."""
    query = select(Ticket)
    if flt.status == "open":
        query = query.where(Ticket.status.in_(OPEN_STATUSES))
    elif flt.status in STATUSES:
        query = query.where(Ticket.status == flt.status)
    if flt.priority in (1, 2, 3, 4):
        query = query.where(Ticket.priority == flt.priority)
    if flt.service_id:
        query = query.where(Ticket.service_id == flt.service_id)
    if flt.type in TICKET_TYPES:
        query = query.where(Ticket.type == flt.type)
    if flt.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    elif flt.assignee_id is not None:
        query = query.where(Ticket.assignee_id == flt.assignee_id)
    query = _search(query, flt.text)
    return offset_page(session, query.order_by(Ticket.priority, Ticket.created_at, Ticket.id), page=page,
                       per_page=per_page,
                       options=(*_TICKET_ROW, joinedload(Ticket.requester).lazyload("*"),
                                joinedload(Ticket.assignee).lazyload("*")))


def saved_views(session: Session, user_id: int) -> list[SavedView]:
    """An agent's own saved queue views, by name."""
    return list(session.scalars(select(SavedView).where(SavedView.user_id == user_id).order_by(SavedView.name)))


# -- one ticket ------------------------------------------------------------------------------------------

def users_by_id(session: Session, ids: Collection[int]) -> dict[int, User]:
    """The authors of a ticket's messages, in one statement."""
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(set(ids))))}


def attachment_of(session: Session, ticket_id: int, attachment_id: int) -> TicketAttachment | None:
    """A file, only through its own ticket."""
    return session.scalar(select(TicketAttachment).where(TicketAttachment.id == attachment_id,
                                                         TicketAttachment.ticket_id == ticket_id))


# -- "Tugas saya" ------------------------------------------------------------------------------

def _tickets(session: Session, query: Any, limit: int, due: str) -> tuple[int, list[worklist.WorkItem]]:
    """Most urgent first: by priority, then age. ``due``: which SLA target the item shows."""
    from sep_portal.helpdesk import sla

    query = query.options(*_TICKET_ROW, raiseload(Ticket.requester), raiseload(Ticket.assignee)).order_by(
        Ticket.priority, Ticket.created_at, Ticket.id)
    total, rows = worklist.count_and_first(session, query, limit)
    if not rows:
        return total, []
    targets, cal = sla.TargetTable(session), calendar.get_calendar()
    items = []
    for (ticket,) in rows:
        target = targets(ticket.service_id, ticket.priority)
        due_at = (sla.response_due(ticket, cal, target) if due == "response"
                  else sla.resolution_due(ticket, cal, target))
        items.append(worklist.WorkItem(f"{ticket.reference} · {ticket.subject}",
                                       url_for("helpdesk.ticket", ticket_id=ticket.id), due_at=due_at,
                                       since=ticket.created_at, note=_("Priority %(p)d", p=ticket.priority)))
    return total, items


@worklist.kind("helpdesk.unassigned", _l("New tickets nobody has taken"), HELPDESK,
               list_url=lambda: url_for("helpdesk.queue", status="new", assignee="none"))
def _unassigned(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = select(Ticket).where(Ticket.status == "new", Ticket.assignee_id.is_(None))
    return _tickets(session, query, limit, "response")


@worklist.kind("helpdesk.mine", _l("Tickets assigned to me"), HELPDESK,
               list_url=lambda: url_for("helpdesk.queue", assignee="me"))
def _assigned(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    """Mine and moving: a ticket waiting on its requester waits on nobody here."""
    query = select(Ticket).where(Ticket.assignee_id == user.id, Ticket.status.in_(("new", "assigned", "in_progress")))
    return _tickets(session, query, limit, "resolution")


@worklist.kind("helpdesk.my_answer", _l("My tickets waiting for my answer"), ASN, SEKRETARIS, ADMIN_PENGELOLA,
               list_url=lambda: url_for("helpdesk.my_tickets"), quiet=True)
def _awaiting_me(session: Session, user: Any, now: datetime, limit: int) -> tuple[int, list[worklist.WorkItem]]:
    query = (select(Ticket).where(Ticket.requester_id == user.id, Ticket.status == "waiting")
             .options(*_TICKET_ROW, raiseload(Ticket.requester), raiseload(Ticket.assignee))
             .order_by(Ticket.paused_since, Ticket.id))
    total, rows = worklist.count_and_first(session, query, limit)
    return total, [worklist.WorkItem(f"{t.reference} · {t.subject}", url_for("helpdesk.ticket", ticket_id=t.id),
                                     since=t.paused_since) for (t,) in rows]
