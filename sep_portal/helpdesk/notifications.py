"""E-mails of the helpdesk, all through the outbox in the caller's transaction. The requester
hears of every public reply, a wait on them and the resolution; the assignee hears of the
requester's answers and of being given a ticket. Internal notes are never sent to the requester."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from sep_portal.core import notices, outbox
from sep_portal.core.permissions import HELPDESK
from sep_portal.helpdesk.models import Ticket, TicketMessage

NEW_TICKET = notices.kind("helpdesk.new_ticket", _l("A new ticket nobody has taken"), HELPDESK)


def _to_requester(session: Session, template: str, ticket: Ticket, context: dict[str, Any],
                  access_token: str | None = None) -> None:
    address = ticket.contact_email
    if not address:
        return
    if ticket.requester_id is None and access_token is None:
        from sep_portal.helpdesk.operations import access_token as token_of

        access_token = token_of(ticket)
    locale = ticket.requester.locale if ticket.requester is not None else None
    outbox.enqueue(session, f"helpdesk/{template}", [address],
                   {"ticket": ticket, "access_token": access_token, **context}, locale=locale)


def opened(session: Session, ticket: Ticket, access_token: str | None = None) -> None:
    """The requester's receipt, and the agents' notice of a ticket nobody has taken yet."""
    from sep_portal.accounts.models import User

    _to_requester(session, "opened", ticket, {}, access_token)
    notices.notify(session, NEW_TICKET, User.active_with_role(session, HELPDESK),
                   title=_l("%(ref)s: %(subject)s (priority %(p)d)", ref=ticket.reference, subject=ticket.subject,
                           p=ticket.priority), path=f"/tiket/{ticket.id}")


def agent_replied(session: Session, ticket: Ticket, message: TicketMessage) -> None:
    _to_requester(session, "agent_reply", ticket, {"message": message})


def waiting(session: Session, ticket: Ticket) -> None:
    _to_requester(session, "waiting", ticket, {})


def resolved(session: Session, ticket: Ticket, reopen_until: Any, message: TicketMessage | None = None) -> None:
    """The resolution (with the agent's last reply when it came with it), the survey link and
    until when the ticket can be reopened."""
    _to_requester(session, "resolved", ticket, {"reopen_until": reopen_until, "message": message})


def requester_replied(session: Session, ticket: Ticket, message: TicketMessage) -> None:
    if ticket.assignee is not None and ticket.assignee.email:
        outbox.enqueue(session, "helpdesk/requester_reply", [ticket.assignee.email],
                       {"ticket": ticket, "message": message}, locale=ticket.assignee.locale)


def reopened(session: Session, ticket: Ticket) -> None:
    if ticket.assignee is not None and ticket.assignee.email:
        outbox.enqueue(session, "helpdesk/reopened", [ticket.assignee.email], {"ticket": ticket},
                       locale=ticket.assignee.locale)


def assigned(session: Session, ticket: Ticket) -> None:
    if ticket.assignee is not None and ticket.assignee.email:
        outbox.enqueue(session, "helpdesk/assigned", [ticket.assignee.email], {"ticket": ticket},
                       locale=ticket.assignee.locale)


def public_verify(session: Session, email: str, token: str) -> None:
    """The text typed into the form is not repeated: the form must not send anyone's words."""
    outbox.enqueue(session, "helpdesk/public_verify", [email],
                   {"token": token, "hours": current_app.config["SEP_EMAIL_VERIFY_HOURS"]})
