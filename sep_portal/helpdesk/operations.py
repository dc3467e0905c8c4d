"""Ticket lifecycle: new → assigned → in progress → waiting on requester → resolved → closed,
reopened by the requester within a configurable number of working days. No HTTP here."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.core import audit, calendar, outbox, sweep
from sep_portal.core.db import lock_row, stamp_once
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.permissions import HELPDESK, SUPERADMIN
from sep_portal.core.states import StateMachine, Transition
from sep_portal.helpdesk import sla
from sep_portal.helpdesk.models import OPEN_STATUSES, STATUSES, TICKET_TYPES, HelpdeskService, Ticket, TicketMessage

machine = StateMachine("ticket", STATUSES, [
    Transition("new", "assign", "assigned"),
    Transition("assigned", "assign", "assigned"),
    Transition("in_progress", "assign", "in_progress"),
    Transition("assigned", "start", "in_progress"),
    Transition("new", "start", "in_progress"),
    Transition("new", "wait", "waiting"),
    Transition("assigned", "wait", "waiting"),
    Transition("in_progress", "wait", "waiting"),
    Transition("waiting", "requester_replied", "in_progress"),
    Transition("new", "resolve", "resolved"),
    Transition("assigned", "resolve", "resolved"),
    Transition("in_progress", "resolve", "resolved"),
    Transition("waiting", "resolve", "resolved"),
    Transition("resolved", "reopen", "in_progress"),
    Transition("resolved", "close", "closed"),
])


def _event(session: Session, ticket: Ticket, actor: object, action: str, before: str) -> None:
    ticket.status = machine.transition(before, action).target
    session.flush()
    audit.record(session, actor, f"ticket.{action}", ticket, before={"status": before},
                 after={"status": ticket.status})


def _lock(session: Session, ticket_id: int) -> Ticket:
    ticket = lock_row(session, Ticket, ticket_id)
    if ticket is None:
        raise DomainError(None, _("This ticket does not exist."))
    return ticket


def _restart_clock(ticket: Ticket, now: datetime) -> None:
    """End a wait on the requester: the working time it lasted no longer counts against the SLA."""
    if ticket.paused_since is not None:
        ticket.paused_seconds = int(sla.paused(ticket, calendar.get_calendar(), now).total_seconds())
        ticket.paused_since = None


def _agent(actor: User) -> None:
    if not actor.has_role(HELPDESK):
        raise NotPermitted("helpdesk")


def open_ticket(session: Session, requester: User, *, type_: str, service_id: int | None, subject: str,
                description: str, impact: int = 3, urgency: int = 3, now: datetime) -> Ticket:
    if type_ not in TICKET_TYPES:
        raise DomainError("type", _("Choose the kind of request."))
    service = session.get(HelpdeskService, service_id) if service_id else None
    if service is None or not service.active:
        raise DomainError("service_id", _("Choose the service your request is about."))
    subject, description = " ".join((subject or "").split())[:200], (description or "").strip()
    if not subject:
        raise DomainError("subject", _("Write a short subject."))
    if not description:
        raise DomainError("description", _("Describe what you need or what went wrong."))
    if impact not in (1, 2, 3) or urgency not in (1, 2, 3):
        raise DomainError("impact", _("Choose the impact and the urgency."))
    ticket = Ticket(type=type_, service_id=service.id, requester_id=requester.id, subject=subject,
                    description=description[:10000], impact=impact, urgency=urgency,
                    priority=sla.priority_for(impact, urgency), status="new", created_at=now)
    session.add(ticket)
    session.flush()
    audit.record(session, requester, "ticket.opened", ticket, after={"priority": ticket.priority,
                                                                     "service": service.code})
    return ticket


def assign(session: Session, ticket_id: int, actor: User, assignee_id: int, *, now: datetime) -> Ticket:
    ticket = _lock(session, ticket_id)
    _agent(actor)
    assignee = session.get(User, assignee_id)
    if assignee is None or not assignee.has_role(HELPDESK) or assignee.status != "active":
        raise DomainError("assignee_id", _("Choose a helpdesk agent."))
    before = ticket.status
    ticket.assignee_id = assignee.id
    _event(session, ticket, actor, "assign", before)
    return ticket


def reply(session: Session, ticket_id: int, actor: User, body: str, *, public: bool, now: datetime) -> TicketMessage:
    """An agent's public reply (the first one stops the first-response clock) or internal note."""
    ticket = _lock(session, ticket_id)
    _agent(actor)
    body = (body or "").strip()
    if not body:
        raise DomainError("body", _("Write the message."))
    if ticket.status == "closed":
        raise ConflictError(_("This ticket is closed."))
    message = TicketMessage(ticket_id=ticket.id, author_id=actor.id, public=public, body=body[:10000],
                            created_at=now)
    session.add(message)
    if public and ticket.first_response_at is None:
        ticket.first_response_at = now
        targets = sla.targets_for(session, ticket.service_id, ticket.priority)
        ticket.response_met = calendar.get_calendar().working_time_between(ticket.created_at, now) <= targets.first_response
    if public and ticket.status in ("new", "assigned"):
        if ticket.assignee_id is None:
            ticket.assignee_id = actor.id
        _event(session, ticket, actor, "start", ticket.status)
    session.flush()
    return message


def wait_on_requester(session: Session, ticket_id: int, actor: User, *, now: datetime) -> Ticket:
    """Stop the SLA clock until the requester answers."""
    ticket = _lock(session, ticket_id)
    _agent(actor)
    before = ticket.status
    if not machine.allowed(before, "wait"):
        raise ConflictError(_("The ticket cannot wait on the requester now."))
    ticket.paused_since = now
    _event(session, ticket, actor, "wait", before)
    return ticket


def requester_reply(session: Session, ticket_id: int, actor: User, body: str, *, now: datetime) -> Ticket:
    """The requester writes; a waiting ticket's clock runs again."""
    ticket = _lock(session, ticket_id)
    if actor.id != ticket.requester_id:
        raise NotPermitted("requester")
    body = (body or "").strip()
    if not body:
        raise DomainError("body", _("Write the message."))
    if ticket.status == "closed":
        raise ConflictError(_("This ticket is closed."))
    session.add(TicketMessage(ticket_id=ticket.id, author_id=actor.id, public=True, body=body[:10000],
                              created_at=now))
    if ticket.status == "waiting":
        _restart_clock(ticket, now)
        _event(session, ticket, actor, "requester_replied", "waiting")
    session.flush()
    return ticket


def resolve(session: Session, ticket_id: int, actor: User, *, now: datetime) -> Ticket:
    ticket = _lock(session, ticket_id)
    _agent(actor)
    before = ticket.status
    if not machine.allowed(before, "resolve"):
        raise ConflictError(_("The ticket cannot be resolved now."))
    _restart_clock(ticket, now)
    ticket.resolved_at = now
    targets = sla.targets_for(session, ticket.service_id, ticket.priority)
    ticket.resolution_met = sla.resolution_left(ticket, calendar.get_calendar(), targets, now) >= timedelta(0)
    _event(session, ticket, actor, "resolve", before)
    return ticket


def reopen(session: Session, ticket_id: int, actor: User, *, now: datetime) -> Ticket:
    """The requester reopens a resolved ticket, within SEP_TICKET_REOPEN_WORKING_DAYS."""
    ticket = _lock(session, ticket_id)
    if actor.id != ticket.requester_id:
        raise NotPermitted("requester")
    if ticket.status != "resolved" or ticket.resolved_at is None:
        raise ConflictError(_("Only a resolved ticket can be reopened."))
    limit = calendar.add_working_days(ticket.resolved_at, current_app.config["SEP_TICKET_REOPEN_WORKING_DAYS"])
    if now > limit:
        raise ConflictError(_("The time to reopen this ticket has passed; open a new one."))
    ticket.resolved_at = None
    _event(session, ticket, actor, "reopen", "resolved")
    return ticket


@sweep.task("helpdesk.sla")
def sla_notices(now: datetime) -> int:
    """Warn the assignee before a resolution breach and escalate to the helpdesk leads at the
    breach, each once, and only during working hours (never at night or on a holiday: the next
    sweep in working hours sends them). Resolved tickets close after the reopen window."""
    from sep_portal.extensions import db

    sent = 0
    with db.new_session() as session:
        cal = calendar.load_calendar(session, calendar.parse_working_hours(current_app.config["SEP_WORKING_HOURS"]))
        if cal.is_working_time(now):
            open_tickets = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATUSES),
                                                                Ticket.paused_since.is_(None),
                                                                Ticket.escalated_at.is_(None))).all()
            leads = current_app.config["SEP_HELPDESK_LEADS"] or User.emails_with_role(session, SUPERADMIN)
            for ticket in open_tickets:
                targets = sla.targets_for(session, ticket.service_id, ticket.priority)
                left = sla.resolution_left(ticket, cal, targets, now)
                if left <= timedelta(0) and stamp_once(session, Ticket, ticket.id, "escalated_at", now):
                    if leads:
                        outbox.enqueue(session, "helpdesk/escalation", leads, {"ticket": ticket})
                    audit.record(session, "system:sweep", "ticket.escalated", ticket)
                    sent += 1
                elif (0 < left.total_seconds() <= targets.resolution.total_seconds() * sla.WARN_AT_SHARE
                      and ticket.assignee is not None and stamp_once(session, Ticket, ticket.id, "warned_at", now)):
                    outbox.enqueue(session, "helpdesk/breach_warning", [ticket.assignee.email],
                                   {"ticket": ticket, "left_minutes": int(left.total_seconds() // 60)})
                    sent += 1
        days = current_app.config["SEP_TICKET_REOPEN_WORKING_DAYS"]
        for ticket in session.scalars(select(Ticket).where(Ticket.status == "resolved")).all():
            if ticket.resolved_at and now > cal.add_working_days(ticket.resolved_at, days):
                if session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status == "resolved")
                                   .values(status="closed", closed_at=now),
                                   execution_options={"synchronize_session": False}).rowcount:
                    audit.record(session, "system:sweep", "ticket.closed", ticket, after={"status": "closed"})
                    sent += 1
        session.commit()
    return sent

