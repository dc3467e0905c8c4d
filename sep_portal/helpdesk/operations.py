"""Ticket operations along the lifecycle of helpdesk/states.py (new → assigned → in progress →
waiting on requester → resolved → closed, reopened by the requester within a configurable number
of working days), the service catalogue with its standar pelayanan, the SLA targets and the
agents' saved views. No HTTP here."""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.core import audit, calendar, outbox, storage, sweep
from sep_portal.core.db import add_unique, lock_row, stamp_once
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.identity import normalize_email
from sep_portal.core.permissions import HELPDESK, SUPERADMIN
from sep_portal.core.security import claim_emailed_link, hash_token, new_token
from sep_portal.helpdesk import notifications, sla
from sep_portal.helpdesk.models import (
    OPEN_STATUSES,
    SURVEY_ELEMENTS,
    TICKET_TYPES,
    HelpdeskService,
    SavedView,
    Ticket,
    TicketAttachment,
    TicketMessage,
    TicketRequest,
    TicketSurvey,
)
from sep_portal.helpdesk.states import INITIAL, ticket_machine

MAX_FILES = 5
MAX_UNCONFIRMED_PER_ADDRESS = 3

def _event(session: Session, ticket: Ticket, actor: object, action: str, before: str) -> None:
    """Move the ticket along its transition table (helpdesk/states.py) and audit the move; an
    action its status no longer allows (someone else moved it since the page was loaded) is a
    conflict with a message, not an error."""
    if not ticket_machine.allowed(before, action):
        raise ConflictError(_("This cannot be done while the ticket has its present status."))
    ticket.status = ticket_machine.transition(before, action).target
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


def _validated(session: Session, type_: str, service_id: int | None, subject: str,
               description: str) -> tuple[HelpdeskService, str, str]:
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
    return service, subject, description[:10000]


def _attach(session: Session, ticket: Ticket, message: TicketMessage | None, files: Collection[Any],
            actor: User | None) -> int:
    stored = storage.save_uploads(session, files, purpose="helpdesk:attachment", created_by=actor,
                                  max_files=MAX_FILES)
    for item in stored:
        session.add(TicketAttachment(ticket_id=ticket.id, message_id=message.id if message else None,
                                     file_id=item.id))
    return len(stored)


def open_ticket(session: Session, requester: User, *, type_: str, service_id: int | None, subject: str,
                description: str, impact: int = 3, urgency: int = 3, files: Collection[Any] = (),
                now: datetime) -> Ticket:
    service, subject, description = _validated(session, type_, service_id, subject, description)
    if impact not in (1, 2, 3) or urgency not in (1, 2, 3):
        raise DomainError("impact", _("Choose the impact and the urgency."))
    ticket = Ticket(type=type_, service_id=service.id, requester_id=requester.id, subject=subject,
                    description=description, impact=impact, urgency=urgency,
                    priority=sla.priority_for(impact, urgency), status=INITIAL, created_at=now)
    session.add(ticket)
    session.flush()
    attached = _attach(session, ticket, None, files, requester)
    session.flush()
    audit.record(session, requester, "ticket.opened", ticket, after={"priority": ticket.priority,
                                                                     "service": service.code, "files": attached})
    notifications.opened(session, ticket)
    return ticket


# -- people without an account ------------------------------------------------------------------------

def access_token(ticket: Ticket) -> str:
    """The secret of a public ticket's link, derived from the app's key (so every e-mail about the
    ticket can carry the link); only its SHA-256 is stored, to find the ticket."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"ticket-access:{ticket.id}:{ticket.requester_email}".encode(), hashlib.sha256)
    return digest.hexdigest()


def ticket_for_token(session: Session, ticket_id: int, token: str) -> Ticket | None:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.requester_id is not None or not ticket.access_token_hash:
        return None
    if not hmac.compare_digest(access_token(ticket), token or ""):
        return None
    return ticket


def request_public_ticket(session: Session, *, email: str, name: str, type_: str, service_id: int | None,
                          subject: str, description: str, now: datetime) -> TicketRequest:
    """The public form: nothing opens until the sender confirms the address by the e-mailed link."""
    email = normalize_email(email or "")
    if "@" not in email:
        raise DomainError("email", _("Enter a valid e-mail address."))
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DomainError("name", _("Write your name."))
    service, subject, description = _validated(session, type_, service_id, subject, description)
    recent = session.scalar(select(func.count()).select_from(TicketRequest).where(
        TicketRequest.email == email, TicketRequest.confirmed_at.is_(None),
        TicketRequest.created_at > now - timedelta(hours=24)))
    if recent >= MAX_UNCONFIRMED_PER_ADDRESS:  # the form must not become a way to mail someone
        raise DomainError("email", _("Several requests from this address wait for confirmation. Open the "
                                     "link in the e-mail we sent, or try again tomorrow."))
    token, digest = new_token()
    pending = TicketRequest(email=email, name=name, type=type_, service_id=service.id, subject=subject,
                            description=description, token_hash=digest, created_at=now)
    session.add(pending)
    session.flush()
    notifications.public_verify(session, email, token)
    return pending


def confirm_public_ticket(session: Session, token: str, *, now: datetime) -> tuple[Ticket, str]:
    """Open the ticket of a confirmed public request (once); returns it with its link's secret."""
    pending = claim_emailed_link(session, TicketRequest, "token_hash", "confirmed_at", token, now,
                                 expired_message=_("This link has expired. Send the form again."))
    ticket = Ticket(type=pending.type, service_id=pending.service_id, requester_email=pending.email,
                    requester_name=pending.name, subject=pending.subject, description=pending.description,
                    priority=sla.priority_for(3, 3), status=INITIAL, created_at=now)
    session.add(ticket)
    session.flush()
    secret = access_token(ticket)
    ticket.access_token_hash = hash_token(secret)
    pending.ticket_id = ticket.id
    session.flush()
    audit.record(session, "public", "ticket.opened", ticket, after={"priority": ticket.priority, "public": True})
    notifications.opened(session, ticket, secret)
    return ticket, secret


def _check_requester(ticket: Ticket, requester: User | None) -> None:
    """``requester`` None stands for the holder of a public ticket's link (checked by the view)."""
    if requester is None:
        if ticket.requester_id is not None:
            raise NotPermitted("requester")
    elif requester.id != ticket.requester_id:
        raise NotPermitted("requester")


def _actor(ticket: Ticket, requester: User | None) -> object:
    return requester if requester is not None else "public"


def assign(session: Session, ticket_id: int, actor: User, assignee_id: int, *, now: datetime) -> Ticket:
    ticket = _lock(session, ticket_id)
    _agent(actor)
    assignee = session.get(User, assignee_id)
    if assignee is None or not assignee.has_role(HELPDESK) or assignee.status != "active":
        raise DomainError("assignee_id", _("Choose a helpdesk agent."))
    before = ticket.status
    ticket.assignee_id = assignee.id
    _event(session, ticket, actor, "assign", before)
    session.refresh(ticket, ["assignee"])
    if assignee.id != actor.id:
        notifications.assigned(session, ticket)
    return ticket


def set_priority(session: Session, ticket_id: int, actor: User, *, impact: int, urgency: int) -> Ticket:
    """An agent corrects the requester's impact and urgency; the priority follows the matrix."""
    ticket = _lock(session, ticket_id)
    _agent(actor)
    if not ticket.is_open:
        raise ConflictError(_("The priority of a resolved or closed ticket stays as it was."))
    if impact not in (1, 2, 3) or urgency not in (1, 2, 3):
        raise DomainError("impact", _("Choose the impact and the urgency."))
    before = {"impact": ticket.impact, "urgency": ticket.urgency, "priority": ticket.priority}
    ticket.impact, ticket.urgency, ticket.priority = impact, urgency, sla.priority_for(impact, urgency)
    session.flush()
    audit.record(session, actor, "ticket.priority_set", ticket, before=before,
                 after={"impact": impact, "urgency": urgency, "priority": ticket.priority})
    return ticket


def reply(session: Session, ticket_id: int, actor: User, body: str, *, public: bool, now: datetime,
          files: Collection[Any] = (), then: str | None = None) -> TicketMessage:
    """An agent's public reply (the first one stops the first-response clock) or internal note,
    then optionally ``then`` = "wait" (on the requester) or "resolve". The requester gets one
    e-mail for a public reply, whatever follows it (after "resolve", the resolution e-mail holding
    the reply, the survey and the reopen deadline); never one for an internal note."""
    ticket = _lock(session, ticket_id)
    _agent(actor)
    body = (body or "").strip()
    if not body:
        raise DomainError("body", _("Write the message."))
    if ticket.status == "closed":
        raise ConflictError(_("This ticket is closed."))
    if then not in (None, "wait", "resolve"):
        raise DomainError("then", _("Choose what happens after the reply."))
    if then and not public:
        raise DomainError("then", _("Only a public reply can wait on the requester or resolve the ticket."))
    message = TicketMessage(ticket_id=ticket.id, author_id=actor.id, public=public, body=body[:10000],
                            created_at=now)
    session.add(message)
    session.flush()
    attached = _attach(session, ticket, message, files, actor)
    if public and ticket.first_response_at is None:
        ticket.first_response_at = now
        targets = sla.targets_for(session, ticket.service_id, ticket.priority)
        used = calendar.get_calendar().working_time_between(ticket.created_at, now)
        ticket.response_met = used <= targets.first_response
    if public and ticket_machine.allowed(ticket.status, "start"):
        if ticket.assignee_id is None:
            ticket.assignee_id = actor.id
        _event(session, ticket, actor, "start", ticket.status)
    session.flush()
    audit.record(session, actor, "ticket.replied" if public else "ticket.noted", ticket,
                 after={"message_id": message.id, "files": attached})
    if then == "wait":
        _wait(session, ticket, actor, now)
    elif then == "resolve":
        _resolve(session, ticket, actor, now)
        # One e-mail: the reply, then the resolution with the survey and the reopen deadline.
        notifications.resolved(session, ticket, reopen_until(ticket), message=message)
        return message
    if public:
        notifications.agent_replied(session, ticket, message)
    return message


def _wait(session: Session, ticket: Ticket, actor: User, now: datetime) -> None:
    before = ticket.status
    if not ticket_machine.allowed(before, "wait"):
        raise ConflictError(_("The ticket cannot wait on the requester now."))
    ticket.paused_since = now
    _event(session, ticket, actor, "wait", before)


def wait_on_requester(session: Session, ticket_id: int, actor: User, *, now: datetime) -> Ticket:
    """Stop the SLA clock until the requester answers."""
    ticket = _lock(session, ticket_id)
    _agent(actor)
    _wait(session, ticket, actor, now)
    notifications.waiting(session, ticket)
    return ticket


def requester_reply(session: Session, ticket_id: int, requester: User | None, body: str, *, now: datetime,
                    files: Collection[Any] = ()) -> Ticket:
    """The requester writes; a waiting ticket's clock runs again and the assignee is told."""
    ticket = _lock(session, ticket_id)
    _check_requester(ticket, requester)
    body = (body or "").strip()
    if not body:
        raise DomainError("body", _("Write the message."))
    if ticket.status in ("resolved", "closed"):
        raise ConflictError(_("This ticket is no longer open. Reopen it, or open a new one."))
    message = TicketMessage(ticket_id=ticket.id, author_id=requester.id if requester else None, public=True,
                            body=body[:10000], created_at=now)
    session.add(message)
    session.flush()
    attached = _attach(session, ticket, message, files, requester)
    if ticket.status == "waiting":
        _restart_clock(ticket, now)
        _event(session, ticket, _actor(ticket, requester), "requester_replied", "waiting")
    session.flush()
    audit.record(session, _actor(ticket, requester), "ticket.requester_replied", ticket,
                 after={"message_id": message.id, "files": attached})
    notifications.requester_replied(session, ticket, message)
    return ticket


def _resolve(session: Session, ticket: Ticket, actor: User, now: datetime) -> None:
    before = ticket.status
    if not ticket_machine.allowed(before, "resolve"):
        raise ConflictError(_("The ticket cannot be resolved now."))
    targets = sla.targets_for(session, ticket.service_id, ticket.priority)  # (a query: before any change)
    _restart_clock(ticket, now)
    ticket.resolved_at = now
    ticket.resolution_met = sla.resolution_left(ticket, calendar.get_calendar(), targets, now) >= timedelta(0)
    ticket.paused_since = now  # the time until a reopen does not count against the target
    _event(session, ticket, actor, "resolve", before)


def reopen_until(ticket: Ticket) -> datetime | None:
    if ticket.status != "resolved" or ticket.resolved_at is None:
        return None
    return calendar.add_working_days(ticket.resolved_at, current_app.config["SEP_TICKET_REOPEN_WORKING_DAYS"])


def resolve(session: Session, ticket_id: int, actor: User, *, now: datetime) -> Ticket:
    ticket = _lock(session, ticket_id)
    _agent(actor)
    _resolve(session, ticket, actor, now)
    notifications.resolved(session, ticket, reopen_until(ticket))
    return ticket


def reopen(session: Session, ticket_id: int, requester: User | None, *, now: datetime) -> Ticket:
    """The requester reopens a resolved ticket, within SEP_TICKET_REOPEN_WORKING_DAYS."""
    ticket = _lock(session, ticket_id)
    _check_requester(ticket, requester)
    limit = reopen_until(ticket)
    if limit is None:
        raise ConflictError(_("Only a resolved ticket can be reopened."))
    if now > limit:
        raise ConflictError(_("The time to reopen this ticket has passed; open a new one."))
    _restart_clock(ticket, now)
    ticket.resolved_at = None
    ticket.resolution_met = None
    _event(session, ticket, _actor(ticket, requester), "reopen", "resolved")
    notifications.reopened(session, ticket)
    return ticket


def rate(session: Session, ticket_id: int, requester: User | None, scores: Mapping[str, int | None],
         comment: str | None, *, now: datetime) -> TicketSurvey:
    """The satisfaction survey, once per ticket, after it is resolved."""
    ticket = _lock(session, ticket_id)
    _check_requester(ticket, requester)
    if ticket.status not in ("resolved", "closed"):
        raise ConflictError(_("The service can be rated once the ticket is resolved."))
    if ticket.survey is not None:
        raise ConflictError(_("You have already rated this ticket. Thank you."))
    values = {}
    for element in SURVEY_ELEMENTS:
        value = scores.get(element)
        if value not in (1, 2, 3, 4):
            raise DomainError(element, _("Choose a rating from 1 to 4."))
        values[f"score_{element}"] = value
    survey = TicketSurvey(ticket_id=ticket.id, service_id=ticket.service_id, submitted_at=now,
                          comment=(comment or "").strip()[:2000] or None, **values)
    session.add(survey)
    session.flush()
    audit.record(session, _actor(ticket, requester), "ticket.rated", ticket, after=values)
    return survey


# -- the service catalogue and its standar pelayanan ---------------------------------------------------

SERVICE_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")  # part of the page's address: /layanan/<code>
SERVICE_FIELDS = ("name", "description", "provider", "manager", "technical_manager", "access",
                  "availability_target", "requirements", "procedure", "time_limit", "cost", "product", "complaints")
REQUIRED_SERVICE_FIELDS = ("name", "description")


def update_service(session: Session, actor: User, service_id: int, fields: dict[str, Any], *,
                   now: datetime) -> HelpdeskService:
    """The operator changes a catalogue entry and its standar pelayanan."""
    if not actor.has_role(SUPERADMIN):
        raise NotPermitted("service")
    service = lock_row(session, HelpdeskService, service_id)
    if service is None:
        raise DomainError(None, _("The service no longer exists."))
    clean = {k: (fields.get(k) or "").strip() or None for k in SERVICE_FIELDS}
    for key in REQUIRED_SERVICE_FIELDS:
        if not clean[key]:
            raise DomainError(key, _("This field is required."))
    before = {k: getattr(service, k) for k in SERVICE_FIELDS if getattr(service, k) != clean[k]}
    if not before:
        return service
    for key in before:
        setattr(service, key, clean[key])
    session.flush()
    audit.record(session, actor, "helpdesk.service_updated", service, before=before,
                 after={k: clean[k] for k in before})
    return service


def create_service(session: Session, actor: User, *, code: str, name: str, description: str) -> HelpdeskService:
    """A new entry of the service catalogue (it uses the general SLA targets until it has its own)."""
    if not actor.has_role(SUPERADMIN):
        raise NotPermitted("service")
    code = (code or "").strip().lower()
    if not SERVICE_CODE.match(code):
        raise DomainError("code", _("Use lower-case letters, digits and hyphens (at most 40)."))
    if session.scalar(select(HelpdeskService.id).where(HelpdeskService.code == code)) is not None:
        raise DomainError("code", _("This code is already used."))
    name, description = " ".join((name or "").split())[:200], (description or "").strip()[:4000]
    if not name:
        raise DomainError("name", _("This field is required."))
    if not description:
        raise DomainError("description", _("This field is required."))
    service = HelpdeskService(code=code, name=name, description=description, active=True)
    if not add_unique(session, service):
        raise DomainError("code", _("This code is already used."))
    audit.record(session, actor, "helpdesk.service_created", service, after={"code": code, "name": name})
    return service


def set_service_active(session: Session, actor: User, service_id: int, active: bool) -> HelpdeskService:
    """Switch a service off (no new tickets; existing ones go on) or on again."""
    if not actor.has_role(SUPERADMIN):
        raise NotPermitted("service")
    service = lock_row(session, HelpdeskService, service_id)
    if service is None:
        raise DomainError(None, _("The service no longer exists."))
    if service.active != active:
        service.active = active
        session.flush()
        audit.record(session, actor, "helpdesk.service_switched", service, before={"active": not active},
                     after={"active": active})
    return service


# -- the operator's SLA targets ------------------------------------------------------------------------

MAX_TARGET_MINUTES = 60 * 24 * 30  # a month of working minutes at most


def set_sla_targets(session: Session, actor: User, service_id: int | None,
                    targets: Mapping[int, tuple[int | None, int | None]]) -> None:
    """The working minutes to the first response and to the resolution per priority, for every
    service (``service_id`` None: all four priorities required) or for one service (a priority
    left empty uses the general target). They apply at once, also to open tickets."""
    from sep_portal.helpdesk.models import SlaTarget

    if not actor.has_role(SUPERADMIN):
        raise NotPermitted("sla")
    if service_id is not None and session.get(HelpdeskService, service_id) is None:
        raise DomainError(None, _("The service no longer exists."))
    rows = {r.priority: r for r in session.scalars(select(SlaTarget).where(
        SlaTarget.service_id.is_(None) if service_id is None else SlaTarget.service_id == service_id)
        .with_for_update())}
    before = {p: (r.first_response_minutes, r.resolution_minutes) for p, r in rows.items()}
    after: dict[int, tuple[int, int]] = {}
    for priority in (1, 2, 3, 4):
        first, resolution = targets.get(priority) or (None, None)
        field = f"p{priority}_first"
        if first is None and resolution is None and service_id is not None:
            continue
        if first is None or resolution is None:
            raise DomainError(field, _("Give both targets of priority %(p)d.", p=priority))
        if not (0 < first <= MAX_TARGET_MINUTES and 0 < resolution <= MAX_TARGET_MINUTES):
            raise DomainError(field, _("A target is between 1 and %(n)d working minutes.", n=MAX_TARGET_MINUTES))
        if resolution < first:
            raise DomainError(field, _("The resolution cannot come before the first response."))
        after[priority] = (first, resolution)
    if before == after:
        return
    for priority in (1, 2, 3, 4):
        row, wanted = rows.get(priority), after.get(priority)
        if wanted is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SlaTarget(service_id=service_id, priority=priority, first_response_minutes=wanted[0],
                                  resolution_minutes=wanted[1]))
        else:
            row.first_response_minutes, row.resolution_minutes = wanted
    session.flush()
    audit.record(session, actor, "helpdesk.sla_targets_set",
                 ("helpdesk_service", service_id) if service_id else ("sla_targets", 0),
                 before={str(p): list(v) for p, v in before.items()},
                 after={str(p): list(v) for p, v in after.items()})


# -- the agents' saved queue views ----------------------------------------------------------------------

def save_view(session: Session, agent: User, name: str, query: str) -> SavedView:
    _agent(agent)
    name = " ".join((name or "").split())[:80]
    if not name:
        raise DomainError("name", _("Give the view a name."))
    view = session.scalar(select(SavedView).where(SavedView.user_id == agent.id, SavedView.name == name))
    if view is None:
        view = SavedView(user_id=agent.id, name=name, query=query[:500])
        session.add(view)
    else:
        view.query = query[:500]
    session.flush()
    audit.record(session, agent, "helpdesk.view_saved", view, after={"name": name, "query": view.query})
    return view


def delete_view(session: Session, agent: User, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != agent.id:
        raise NotPermitted("view")
    audit.record(session, agent, "helpdesk.view_deleted", view, before={"name": view.name})
    session.delete(view)
    session.flush()


@sweep.task("helpdesk.sla")
def sla_notices(now: datetime) -> int:
    """Warn the assignee before a resolution breach and escalate to the helpdesk leads at the
    breach; warn the assignee (the leads while nobody has the ticket) when the first response is
    near its target or past it; each once, and only during working hours (never at night or on a holiday: the next
    sweep in working hours sends them). Resolved tickets close after the reopen window."""
    from sep_portal.extensions import db

    sent = 0
    with db.new_session() as session:
        cal = calendar.load_calendar(session, calendar.parse_working_hours(current_app.config["SEP_WORKING_HOURS"]))
        if cal.is_working_time(now):
            targets_of = sla.TargetTable(session)
            open_tickets = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATUSES),
                                                                Ticket.paused_since.is_(None),
                                                                Ticket.escalated_at.is_(None))).all()
            leads = current_app.config["SEP_HELPDESK_LEADS"] or User.emails_with_role(session, SUPERADMIN)
            for ticket in open_tickets:
                targets = targets_of(ticket.service_id, ticket.priority)
                left = sla.resolution_left(ticket, cal, targets, now)
                if left <= timedelta(0) and stamp_once(session, Ticket, ticket.id, "escalated_at", now):
                    if leads:
                        outbox.enqueue(session, "helpdesk/escalation", leads, {"ticket": ticket})
                    audit.record(session, "system:sweep", "ticket.escalated", ticket)
                    sent += 1
                    continue  # the escalation says all: no warning besides
                if (0 < left.total_seconds() <= targets.resolution.total_seconds() * sla.WARN_AT_SHARE
                      and ticket.assignee is not None and stamp_once(session, Ticket, ticket.id, "warned_at", now)):
                    outbox.enqueue(session, "helpdesk/breach_warning", [ticket.assignee.email],
                                   {"ticket": ticket, "left_minutes": int(left.total_seconds() // 60)})
                    sent += 1
                response_left = sla.response_left(ticket, cal, targets, now)
                if (response_left is not None
                        and response_left.total_seconds() <= targets.first_response.total_seconds() * sla.WARN_AT_SHARE
                        and stamp_once(session, Ticket, ticket.id, "response_warned_at", now)):
                    # Nobody has answered yet: the assignee, or the leads while nobody has it.
                    to = [ticket.assignee.email] if ticket.assignee is not None else leads
                    if to:
                        outbox.enqueue(session, "helpdesk/response_warning", to,
                                       {"ticket": ticket, "left_minutes": int(response_left.total_seconds() // 60)})
                        sent += 1
        days = current_app.config["SEP_TICKET_REOPEN_WORKING_DAYS"]
        # N working days are at least N calendar days: only older resolutions can be due.
        for ticket in session.scalars(select(Ticket).where(Ticket.status == "resolved",
                                                           Ticket.resolved_at < now - timedelta(days=days))).all():
            if ticket.resolved_at and now > cal.add_working_days(ticket.resolved_at, days):
                # A conditional UPDATE: a reopen at the same moment wins, and the ticket stays open.
                if session.execute(update(Ticket).where(Ticket.id == ticket.id, Ticket.status == "resolved")
                                   .values(status=ticket_machine.transition("resolved", "close").target,
                                           closed_at=now),
                                   execution_options={"synchronize_session": False}).rowcount:
                    audit.record(session, "system:sweep", "ticket.closed", ticket, after={"status": "closed"})
                    sent += 1
        session.commit()
    return sent



@sweep.task("helpdesk.requests")
def forget_unconfirmed_requests(now: datetime) -> int:
    """Public requests never confirmed are deleted a day after their link expired: an address
    nobody confirmed is not kept."""
    from sqlalchemy import delete

    from sep_portal.extensions import db

    cutoff = now - timedelta(hours=current_app.config["SEP_EMAIL_VERIFY_HOURS"] + 24)
    with db.new_session() as session:
        deleted = session.execute(delete(TicketRequest).where(TicketRequest.confirmed_at.is_(None),
                                                              TicketRequest.created_at < cutoff)).rowcount
        session.commit()
    return deleted
