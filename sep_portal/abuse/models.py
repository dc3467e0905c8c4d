"""Abuse reports, cases, warning letters (surat peringatan), strikes and reactivation requests."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base, TenantScoped, sql_in
from sep_portal.core.letters import Letter
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, VERIFIKATOR
from sep_portal.core.storage import StoredFile

CASE_STATUSES = ("open", "dismissed", "substantiated", "warned", "replied", "closed", "deactivated")
OPEN_CASE_STATUSES = ("open", "substantiated", "warned", "replied")
PROPOSALS = ("warning", "permanent")
WARNING_STATUSES = ("issued", "replied", "accepted", "rejected", "expired")
REQUEST_STATUSES = ("pending", "approved", "rejected")
# A report's status as its reporter reads it (labels.REPORTER_STATUS_LABELS): not the case's.
REPORTER_STATUSES = ("received", "handled", "not_substantiated")
# Every report's reference, LPR-2026-000123: the year in WIB and a counter of that year
# (core.letters' counters, series REPORT_SERIES).
REPORT_SERIES = "abuse_report"
REPORT_REFERENCE = "LPR-{year}-{seq:06d}"


class AbuseCategory(Base):
    """Spam, fitnah, SARA, penipuan (built in) and the ones the operator adds."""

    __tablename__ = "abuse_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AbuseCase(Base):
    """Everything reported about one account, until it ends. At most one open case per account
    (a partial unique index): new reports join it."""

    __tablename__ = "abuse_cases"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(CASE_STATUSES)}", name="status"),
        CheckConstraint(f"proposal IS NULL OR proposal IN {sql_in(PROPOSALS)}", name="proposal"),
        CheckConstraint("status <> 'dismissed' OR outcome_reason IS NOT NULL", name="dismissed_has_reason"),
        Index("uq_abuse_cases_open_account", "account_id", unique=True,
              postgresql_where=text(f"status IN {sql_in(OPEN_CASE_STATUSES)}"),
              sqlite_where=text(f"status IN {sql_in(OPEN_CASE_STATUSES)}")),
        Index("ix_abuse_cases_status", "status", "opened_at"),
        Index("ix_abuse_cases_body", "body_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("abuse_categories.id"))
    status: Mapped[str] = mapped_column(String(20), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=clock.now)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    material: Mapped[str | None] = mapped_column(Text)  # what the case is about, as the verifier recorded it
    proposal: Mapped[str | None] = mapped_column(String(20))
    substantiated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    substantiated_at: Mapped[datetime | None]
    outcome_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    account: Mapped[User] = relationship(foreign_keys=[account_id])
    category: Mapped[AbuseCategory] = relationship(lazy="joined")
    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id])
    reports: Mapped[list[AbuseReport]] = relationship(back_populates="case", order_by="AbuseReport.id",
                                                      lazy="selectin")
    notes: Mapped[list[CaseNote]] = relationship(order_by="CaseNote.id", lazy="selectin")
    warnings: Mapped[list[WarningLetter]] = relationship(back_populates="case", order_by="WarningLetter.id",
                                                         lazy="selectin")

    @property
    def reference(self) -> str:
        return f"KSS-{self.id:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def current_warning(self) -> WarningLetter | None:
        return self.warnings[-1] if self.warnings else None

    def can_work(self, user: User) -> bool:
        return user.has_role(VERIFIKATOR) and user.id != self.account_id

    def can_view(self, user: User) -> bool:
        """Reviewers, except the reported person (a staff account may be reported too)."""
        return user.has_any_role(VERIFIKATOR, PEJABAT) and user.id != self.account_id

    def can_decide(self, user: User, *, allow_same: bool = False) -> bool:
        if not user.has_role(PEJABAT) or user.id == self.account_id:
            return False
        warning = self.current_warning
        evaluated_by = warning.evaluated_by_id if warning is not None else None
        return allow_same or user.id not in (self.substantiated_by_id, evaluated_by)


class AbuseReport(Base):
    """One report. ``case_id`` is empty when the named account does not exist (the reporter is
    not told: the form never reveals which accounts exist) or, for the public form, until the
    reporter's e-mail is verified."""

    __tablename__ = "abuse_reports"
    __table_args__ = (Index("ix_abuse_reports_case", "case_id", "id"),
                      Index("ix_abuse_reports_reporter", "reporter_id", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # REPORT_REFERENCE, what the reporter quotes
    case_id: Mapped[int | None] = mapped_column(ForeignKey("abuse_cases.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("abuse_categories.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reporter_email: Mapped[str | None] = mapped_column(String(254))  # public form only
    target: Mapped[str] = mapped_column(String(254))  # the e-mail or NIP as typed
    description: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    verify_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    verified_at: Mapped[datetime | None]
    # The public reporter's status link (/lapor/status/<token>), made when the e-mail is confirmed.
    status_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    case: Mapped[AbuseCase | None] = relationship(back_populates="reports")
    category: Mapped[AbuseCategory] = relationship(lazy="joined")
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="joined")
    evidence: Mapped[list[ReportEvidence]] = relationship(lazy="selectin")

    @property
    def reporter_status(self) -> str:
        """The status of the report in the reporter's words (one of REPORTER_STATUSES), from its
        case: "received" until the case ends, then substantiated (closed or deactivated, the
        measure itself not told) or not. Nothing in between: a report without a case (an account
        that does not exist, or a permanently deactivated one) must read like any open one, or the
        page would tell the reporter whether the account exists before the matter ends."""
        case = self.case
        if case is not None and case.status == "dismissed":
            return "not_substantiated"
        if case is not None and case.status in ("closed", "deactivated"):
            return "handled"
        return "received"

    @property
    def reporter_status_at(self) -> datetime | None:
        """When the matter ended, for a report whose status is final."""
        return self.case.closed_at if self.reporter_status in ("handled", "not_substantiated") and self.case else None


class ReportEvidence(Base):
    __tablename__ = "report_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("abuse_reports.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    file: Mapped[StoredFile] = relationship(lazy="joined")


class CaseNote(Base):
    """An internal note of the reviewers: never shown to the account, the reporter or the body."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("abuse_cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    author: Mapped[User] = relationship(lazy="joined")


class WarningLetter(TenantScoped, Base):
    """A surat peringatan and the user's one reply. The reply and the deadline sweep race for
    the same row: both move it out of ``issued`` with a conditional UPDATE, so exactly one wins.
    It belongs to the warned person's body (none for an account without one)."""

    __tablename__ = "warning_letters"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(WARNING_STATUSES)}", name="status"),
        CheckConstraint("status = 'issued' OR status = 'expired' OR replied_at IS NOT NULL", name="reply_has_time"),
        CheckConstraint("replied_at IS NULL OR reply_text IS NOT NULL", name="reply_has_text"),
        Index("ix_warning_letters_due", "status", "reply_due_at"),
        Index("ix_warning_letters_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("abuse_cases.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))  # type: ignore[assignment]
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime]
    reply_due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="issued")
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None]
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    evaluated_at: Mapped[datetime | None]
    evaluation_reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[AbuseCase] = relationship(back_populates="warnings")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    letter: Mapped[Letter] = relationship(lazy="joined")
    reply_files: Mapped[list[ReplyFile]] = relationship(lazy="selectin")

    def can_read(self, user: User) -> bool:
        """The letter and the reply's files: the warned user, the reviewers, and the Sekretaris of
        the user's body, who has the tembusan."""
        return (user.id == self.user_id or user.has_any_role(VERIFIKATOR, PEJABAT)
                or (user.has_role(SEKRETARIS) and user.body_id is not None and user.body_id == self.body_id))


class ReplyFile(Base):
    __tablename__ = "warning_reply_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("warning_letters.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))

    file: Mapped[StoredFile] = relationship(lazy="joined")


class Strike(Base):
    """A substantiated misuse on the account's record (after an accepted reply, or a deactivation)."""

    __tablename__ = "strikes"
    __table_args__ = (Index("ix_strikes_user", "user_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("abuse_cases.id"), unique=True)
    recorded_at: Mapped[datetime]


class ReactivationRequest(TenantScoped, Base):
    """The Sekretaris BP asks for a temporarily deactivated account of its body to come back."""

    __tablename__ = "reactivation_requests"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(REQUEST_STATUSES)}", name="status"),
        Index("uq_reactivation_requests_pending", "user_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    statement: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    file: Mapped[StoredFile | None] = relationship()
