"""Helpdesk tickets, the services they are about and the SLA targets per priority."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base, sql_in
from sep_portal.core.storage import StoredFile

TICKET_TYPES = ("service_request", "incident", "question")
STATUSES = ("new", "assigned", "in_progress", "waiting", "resolved", "closed")
OPEN_STATUSES = ("new", "assigned", "in_progress", "waiting")



class HelpdeskService(Base):
    """An entry of the service catalogue (SEP application, account activation, 2FA help, …)."""

    __tablename__ = "helpdesk_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    provider: Mapped[str | None] = mapped_column(String(200))
    manager: Mapped[str | None] = mapped_column(String(200))
    technical_manager: Mapped[str | None] = mapped_column(String(200))
    access: Mapped[str | None] = mapped_column(Text)
    availability_target: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Standar pelayanan (the public service standard), shown at /layanan/<code>.
    requirements: Mapped[str | None] = mapped_column(Text)
    procedure: Mapped[str | None] = mapped_column(Text)
    time_limit: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[str | None] = mapped_column(Text)  # empty: no charge
    product: Mapped[str | None] = mapped_column(Text)
    complaints: Mapped[str | None] = mapped_column(Text)

    def can_view(self, user: Any) -> bool:
        """A service switched off is gone for everyone but the operator, who may switch it on again."""
        from sep_portal.core.permissions import SUPERADMIN

        return self.active or (getattr(user, "is_authenticated", False) and user.has_role(SUPERADMIN))


class SlaTarget(Base):
    """Working minutes to the first response and to the resolution, per priority (1 = critical),
    for one service or (service empty) for every service without its own."""

    __tablename__ = "sla_targets"
    __table_args__ = (
        UniqueConstraint("service_id", "priority"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint("first_response_minutes > 0 AND resolution_minutes >= first_response_minutes",
                        name="minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("helpdesk_services.id"))
    priority: Mapped[int]
    first_response_minutes: Mapped[int]
    resolution_minutes: Mapped[int]


class Ticket(Base):
    """A request for help. The SLA clock runs in working hours and stops while the ticket waits
    on the requester (``paused_since``; the working time already paused is kept)."""

    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint(f"type IN {sql_in(TICKET_TYPES)}", name="type"),
        CheckConstraint("impact BETWEEN 1 AND 3 AND urgency BETWEEN 1 AND 3", name="impact_urgency"),
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint("requester_id IS NOT NULL OR requester_email IS NOT NULL", name="has_requester"),
        CheckConstraint("status <> 'waiting' OR paused_since IS NOT NULL", name="waiting_is_paused"),
        Index("ix_tickets_status", "status", "created_at"),
        Index("ix_tickets_requester", "requester_id", "id"),
        Index("ix_tickets_assignee", "assignee_id", "status"),
        # The monthly figures read tickets by when they were opened, answered and resolved.
        Index("ix_tickets_created_at", "created_at"),
        Index("ix_tickets_first_response_at", "first_response_at"),
        Index("ix_tickets_resolved_at", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[int] = mapped_column(ForeignKey("helpdesk_services.id"))
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requester_email: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    impact: Mapped[int] = mapped_column(default=3)
    urgency: Mapped[int] = mapped_column(default=3)
    priority: Mapped[int] = mapped_column(default=4)
    status: Mapped[str] = mapped_column(String(20), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    paused_since: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(default=0)  # working time spent waiting, so far
    response_warned_at: Mapped[datetime | None]
    warned_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # Someone without an account, who opened the ticket by the public form, follows it by a link.
    requester_name: Mapped[str | None] = mapped_column(String(200))
    access_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Whether the targets were met, recorded when the first response and the resolution happen.
    response_met: Mapped[bool | None]
    resolution_met: Mapped[bool | None]

    service: Mapped[HelpdeskService] = relationship(lazy="joined")
    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    messages: Mapped[list[TicketMessage]] = relationship(order_by="TicketMessage.id")
    attachments: Mapped[list[TicketAttachment]] = relationship(order_by="TicketAttachment.id")
    survey: Mapped[TicketSurvey | None] = relationship(back_populates="ticket")

    @property
    def reference(self) -> str:
        return f"TKT-{self.id:06d}"

    @property
    def contact_email(self) -> str | None:
        return self.requester.email if self.requester is not None else self.requester_email

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_view(self, user: User) -> bool:
        from sep_portal.core.permissions import HELPDESK

        return user.id == self.requester_id or user.has_role(HELPDESK)


class TicketMessage(Base):
    """A public reply (the requester sees it) or an internal note (only the helpdesk)."""

    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class TicketAttachment(Base):
    """A file sent with the ticket or with one of its messages (through the storage module)."""

    __tablename__ = "ticket_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    file: Mapped[StoredFile] = relationship(lazy="joined")
    message: Mapped[TicketMessage | None] = relationship()

    def can_download(self, actor: User | None) -> bool:
        """Files of an internal note stay inside the helpdesk; the others are for whoever may see
        the ticket (``actor`` None: the holder of a public ticket's link). The ticket itself is
        checked first, by its page: ``Ticket.can_view``, or the public link's token."""
        if self.message is not None and not self.message.public:
            from sep_portal.core.permissions import HELPDESK

            return actor is not None and actor.has_role(HELPDESK)
        return True


class TicketRequest(Base):
    """A ticket sent by the public form, waiting until its sender confirms the e-mail address."""

    __tablename__ = "ticket_requests"
    __table_args__ = (CheckConstraint(f"type IN {sql_in(TICKET_TYPES)}", name="type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[int] = mapped_column(ForeignKey("helpdesk_services.id"))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    confirmed_at: Mapped[datetime | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


SURVEY_ELEMENTS = ("speed", "competence", "clarity", "courtesy")


class TicketSurvey(Base):
    """The requester's rating after resolution: each service element on the 1–4 scale of the
    community satisfaction survey (PermenPANRB 14/2017), and a comment."""

    __tablename__ = "ticket_surveys"
    __table_args__ = (
        CheckConstraint(" AND ".join(f"score_{e} BETWEEN 1 AND 4" for e in SURVEY_ELEMENTS), name="scores"),
        Index("ix_ticket_surveys_service_month", "service_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("helpdesk_services.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    score_speed: Mapped[int]
    score_competence: Mapped[int]
    score_clarity: Mapped[int]
    score_courtesy: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)

    ticket: Mapped[Ticket] = relationship(back_populates="survey")

    @property
    def average(self) -> float:
        return sum(getattr(self, f"score_{e}") for e in SURVEY_ELEMENTS) / len(SURVEY_ELEMENTS)


class SavedView(Base):
    """An agent's named queue filter."""

    __tablename__ = "helpdesk_saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(500))
