"""The permohonan (application to use SEP) and its documents and history."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base, TimestampMixin, sql_in
from sep_portal.core.letters import Letter
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, SUPERADMIN, VERIFIKATOR
from sep_portal.core.storage import StoredFile
from sep_portal.tenants.models import Body

KINDS = ("baru", "penggantian")
STATUSES = ("draft", "submitted", "returned", "complete", "approved", "rejected", "withdrawn", "lapsed")
OPEN_STATUSES = ("submitted", "returned", "complete")
IDENTITY_DOCS = ("kpns", "sk_pengangkatan")
DOC_TYPES = ("surat_kuasa", *IDENTITY_DOCS)
GROUNDS = ("a", "b", "c")
# The grounds a verifier may propose for a rejection at verification, before "complete": a file that
# plainly fails the requirements (a) or does not come from a government body (b).
VERIFICATION_GROUNDS = ("a", "b")
DECISIONS = ("approve", "reject")
REVIEWER_ROLES = frozenset({VERIFIKATOR, PEJABAT, SUPERADMIN})



class Application(TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(STATUSES)}", name="status"),
        CheckConstraint(f"kind IN {sql_in(KINDS)}", name="kind"),
        CheckConstraint(f"identity_doc_type IS NULL OR identity_doc_type IN {sql_in(IDENTITY_DOCS)}",
                        name="identity_doc_type"),
        CheckConstraint(f"recommendation IS NULL OR recommendation IN {sql_in(DECISIONS)}", name="recommendation"),
        CheckConstraint("status IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL", name="submitted_has_time"),
        CheckConstraint("status = 'draft' OR body_id IS NOT NULL OR proposed_body_name IS NOT NULL",
                        name="has_body"),
        CheckConstraint("status <> 'complete' OR (complete_at IS NOT NULL AND decision_due_at IS NOT NULL "
                        "AND body_id IS NOT NULL)", name="complete_has_due"),
        CheckConstraint("status NOT IN ('approved', 'rejected') OR (decided_by_id IS NOT NULL AND "
                        "decided_at IS NOT NULL AND letter_id IS NOT NULL)", name="decided_has_letter"),
        CheckConstraint("status <> 'rejected' OR decision_grounds IS NOT NULL", name="rejected_has_grounds"),
        CheckConstraint("status <> 'approved' OR admin_user_id IS NOT NULL", name="approved_has_admin"),
        CheckConstraint("status <> 'submitted' OR verification_due_at IS NOT NULL", name="submitted_has_due"),
        CheckConstraint("status <> 'returned' OR (returned_at IS NOT NULL AND completion_due_at IS NOT NULL)",
                        name="returned_has_due"),
        Index("ix_applications_status_due", "status", "decision_due_at"),
        Index("ix_applications_applicant", "applicant_id", "id"),
        Index("ix_applications_body", "body_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="baru")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    proposed_body_name: Mapped[str | None] = mapped_column(String(300))
    proposed_body_kind: Mapped[str | None] = mapped_column(String(20))

    admin_name: Mapped[str | None] = mapped_column(String(200))
    admin_nip: Mapped[str | None] = mapped_column(String(18), index=True)
    admin_email: Mapped[str | None] = mapped_column(String(254))
    admin_position: Mapped[str | None] = mapped_column(String(200))
    identity_doc_type: Mapped[str | None] = mapped_column(String(20))

    submitted_at: Mapped[datetime | None]
    # Every step has its time limit in working days (DESIGN §3): the verification after each
    # (re)submission, the applicant's completion after a return, the decision after "complete".
    verification_due_at: Mapped[datetime | None]
    verification_reminded_at: Mapped[datetime | None]
    verification_escalated_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    completion_due_at: Mapped[datetime | None]
    lapsed_at: Mapped[datetime | None]
    checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    complete_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_due_at: Mapped[datetime | None]

    recommendation: Mapped[str | None] = mapped_column(String(10))
    recommendation_grounds: Mapped[list[str] | None] = mapped_column(JSON)
    recommendation_note: Mapped[str | None] = mapped_column(Text)
    recommended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recommended_at: Mapped[datetime | None]

    decision_grounds: Mapped[list[str] | None] = mapped_column(JSON)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    admin_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    reminder_sent_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    body: Mapped[Body | None] = relationship()
    letter: Mapped[Letter | None] = relationship()
    recommended_by: Mapped[User | None] = relationship(foreign_keys=[recommended_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", order_by="ApplicationDocument.id", lazy="selectin")
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id", lazy="selectin")

    @property
    def reference(self) -> str:
        return f"PRM-{self.id:06d}"

    @property
    def body_label(self) -> str:
        if self.body is not None:
            return self.body.name
        return self.proposed_body_name or "—"

    def current_document(self, doc_type: str) -> ApplicationDocument | None:
        for doc in self.documents:
            if doc.doc_type == doc_type and doc.replaced_at is None:
                return doc
        return None

    @property
    def current_documents(self) -> list[ApplicationDocument]:
        return [d for d in self.documents if d.replaced_at is None]

    @property
    def current_due_at(self) -> datetime | None:
        """The time limit of the step the application is in (None when no step is open)."""
        return {"submitted": self.verification_due_at, "returned": self.completion_due_at,
                "complete": self.decision_due_at}.get(self.status)

    @property
    def is_overdue(self) -> bool:
        return self.status == "complete" and self.decision_due_at is not None and clock.now() > self.decision_due_at

    @property
    def step_overdue(self) -> bool:
        """The open step (verification, completion or decision) is past its time limit."""
        due = self.current_due_at
        return due is not None and clock.now() > due

    # Permission questions: views ask, operations re-check.
    def can_view(self, user: User) -> bool:
        """The applicant always; Ditjen reviewers (and the operator, for oversight) once submitted."""
        if user.id == self.applicant_id:
            return True
        return self.status != "draft" and user.has_any_role(*REVIEWER_ROLES)

    def can_view_letter(self, user: User) -> bool:
        """The decision letter: whoever sees the application, and the body's Sekretaris BP as it is
        now (after a handover the new one finds the body's letters on its page)."""
        if self.can_view(user):
            return True
        return (self.status in ("approved", "rejected") and user.has_role(SEKRETARIS) and user.body_id is not None
                and user.body_id == self.body_id)

    def can_view_documents(self, user: User) -> bool:
        """Identity documents are for the applicant and the people who verify and decide only."""
        if user.id == self.applicant_id:
            return True
        return self.status != "draft" and user.has_any_role(VERIFIKATOR, PEJABAT)

    def can_edit(self, user: User) -> bool:
        return user.id == self.applicant_id and user.has_role(SEKRETARIS) and self.status in ("draft", "returned")

    def can_withdraw(self, user: User) -> bool:
        return user.id == self.applicant_id and self.status in ("draft", "submitted", "returned", "complete")

    def can_verify(self, user: User) -> bool:
        return user.has_role(VERIFIKATOR) and user.id != self.applicant_id

    def can_decide(self, user: User, *, allow_same: bool = False) -> bool:
        if not user.has_role(PEJABAT) or user.id == self.applicant_id:
            return False
        return allow_same or self.recommended_by_id != user.id


class ApplicationDocument(Base):
    """One uploaded version of a document. A replacement adds a row and marks the old one
    replaced: old versions are kept, never overwritten."""

    __tablename__ = "application_documents"
    __table_args__ = (
        CheckConstraint(f"doc_type IN {sql_in(DOC_TYPES)}", name="doc_type"),
        Index("uq_application_documents_current", "application_id", "doc_type", unique=True,
              postgresql_where=text("replaced_at IS NULL"), sqlite_where=text("replaced_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    doc_type: Mapped[str] = mapped_column(String(20))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    replaced_at: Mapped[datetime | None]

    application: Mapped[Application] = relationship(back_populates="documents")
    file: Mapped[StoredFile] = relationship(lazy="joined")


class ApplicationEvent(Base):
    """The application's history as the applicant and reviewers see it (the audit log keeps the
    full record)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
