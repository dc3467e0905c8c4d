from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import clock
from sep_portal.core.db import Base, TenantScoped, TimestampMixin, sql_in
from sep_portal.core.permissions import SEKRETARIS

BODY_KINDS = ("kementerian", "lembaga", "provinsi", "kabupaten", "kota", "lainnya")
TENANT_STATUSES = ("none", "active", "suspended")


class Body(TimestampMixin, Base):
    """A government body (badan pemerintahan). It becomes a tenant when its application is approved."""

    __tablename__ = "bodies"
    __table_args__ = (
        CheckConstraint(f"kind IN {BODY_KINDS!r}", name="kind"),
        CheckConstraint(f"tenant_status IN {TENANT_STATUSES!r}", name="tenant_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(32))
    # Where the row came from: the reference list's source, or "usulan" for a body proposed by
    # an applicant and confirmed by a verifier.
    source: Mapped[str | None] = mapped_column(String(200))
    tenant_status: Mapped[str] = mapped_column(String(20), default="none")
    # Why the tenant was last suspended or reactivated (shown to Ditjen; the audit log keeps all).
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]

    @property
    def is_suspended(self) -> bool:
        return self.tenant_status == "suspended"

    def __repr__(self) -> str:
        return f"<Body {self.id} {self.code}>"


class AdminAssignment(Base):
    """Who is (or was) the Admin Pengelola of a body. At most one open assignment per body,
    enforced by a partial unique index: two approvals racing for one body cannot both succeed."""

    __tablename__ = "admin_assignments"
    __table_args__ = (
        Index("uq_admin_assignments_open_body", "body_id", unique=True,
              postgresql_where=text("ended_at IS NULL"), sqlite_where=text("ended_at IS NULL")),
        Index("ix_admin_assignments_user", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    @classmethod
    def open_for_body(cls, session: Session, body_id: int) -> AdminAssignment | None:
        return session.scalar(select(cls).where(cls.body_id == body_id, cls.ended_at.is_(None)))


TEMBUSAN_KINDS = ("warning_letter", "warning_reply", "other")


class TembusanCopy(TenantScoped, Base):
    """A copy (tembusan) of a letter or reply for the Sekretaris BP of a body: warning letters
    to the body's users and their replies (DESIGN §4) land here and by e-mail."""

    __tablename__ = "tembusan_copies"
    __table_args__ = (
        CheckConstraint(f"kind IN {TEMBUSAN_KINDS!r}", name="kind"),
        Index("ix_tembusan_copies_body", "body_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    about_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def can_read(self, user: Any) -> bool:
        """The copies of a body are for its Sekretaris BP (who also marks them read)."""
        return user.has_role(SEKRETARIS) and user.body_id is not None and user.body_id == self.body_id


IMPORT_STATUSES = ("queued_check", "checking", "checked", "invalid", "queued_import", "importing", "imported",
                   "failed")
RUNNING_IMPORT_STATUSES = ("queued_check", "checking", "queued_import", "importing")


class AccountImport(TenantScoped, Base):
    """A bulk import of ASN accounts from CSV/XLSX: checked first (dry run), then imported
    all-or-nothing. Worked on in the background; the page shows its progress."""

    __tablename__ = "account_imports"
    __table_args__ = (
        CheckConstraint(f"status IN {IMPORT_STATUSES!r}", name="status"),
        Index("ix_account_imports_body", "body_id", "id"),
        Index("ix_account_imports_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(20), default="queued_check")
    total_rows: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    imported_rows: Mapped[int] = mapped_column(default=0)
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    message: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]

    @property
    def running(self) -> bool:
        return self.status in RUNNING_IMPORT_STATUSES


class AccountImportProblem(Base):
    """One problem found in a row (the first few thousand are kept for the page; the downloadable
    report has every row)."""

    __tablename__ = "account_import_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("account_imports.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int]
    field: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(300))


TENANT_CHANGE_ACTIONS = ("suspend", "reactivate")
TENANT_CHANGE_STATUSES = ("proposed", "confirmed", "refused")


class TenantStatusChange(Base):
    """A suspension or reactivation of a tenant, proposed by one official and confirmed (or
    refused) by another: four eyes on an act that locks a whole body out. At most one open
    proposal per body, enforced by a partial unique index."""

    __tablename__ = "tenant_status_changes"
    __table_args__ = (
        CheckConstraint(f"action IN {sql_in(TENANT_CHANGE_ACTIONS)}", name="action"),
        CheckConstraint(f"status IN {sql_in(TENANT_CHANGE_STATUSES)}", name="status"),
        Index("uq_tenant_status_changes_open_body", "body_id", unique=True,
              postgresql_where=text("status = 'proposed'"), sqlite_where=text("status = 'proposed'")),
        Index("ix_tenant_status_changes_status", "status", "proposed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    action: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    reason: Mapped[str] = mapped_column(Text)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    @classmethod
    def open_for_body(cls, session: Session, body_id: int) -> TenantStatusChange | None:
        return session.scalar(select(cls).where(cls.body_id == body_id, cls.status == "proposed"))


HANDOVER_STATUSES = ("pending", "confirmed", "refused", "withdrawn")


class SekretarisHandover(Base):
    """A Sekretaris BP without a body asks to become the Sekretaris of an existing tenant, with the
    SK of their appointment; a verifier confirms (the link moves from the previous Sekretaris) or
    refuses with a reason. At most one open request per person and one per body, enforced by
    partial unique indexes: two requests racing cannot both be open."""

    __tablename__ = "sekretaris_handovers"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(HANDOVER_STATUSES)}", name="status"),
        CheckConstraint("status NOT IN ('confirmed', 'refused') OR (decided_by_id IS NOT NULL AND "
                        "decided_at IS NOT NULL)", name="decided_has_decider"),
        CheckConstraint("status <> 'refused' OR decision_reason IS NOT NULL", name="refused_has_reason"),
        Index("uq_sekretaris_handovers_open_body", "body_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("uq_sekretaris_handovers_open_requester", "requested_by_id", unique=True,
              postgresql_where=text("status = 'pending'"), sqlite_where=text("status = 'pending'")),
        Index("ix_sekretaris_handovers_status", "status", "requested_at"),
        Index("ix_sekretaris_handovers_requester", "requested_by_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    position: Mapped[str] = mapped_column(String(200))
    sk_file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id"))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Who held the link when the handover was confirmed (the audit log has each of them).
    previous_ids: Mapped[list[int] | None] = mapped_column(JSON)

    @property
    def reference(self) -> str:
        return f"STS-{self.id:06d}"

    def can_read_file(self, user: Any) -> bool:
        """The SK is the requester's and the reviewers' (it is a personal document)."""
        from sep_portal.core.permissions import PEJABAT, VERIFIKATOR

        return user.id == self.requested_by_id or user.has_any_role(VERIFIKATOR, PEJABAT)

    def can_decide(self, user: Any) -> bool:
        from sep_portal.core.permissions import VERIFIKATOR

        return user.has_role(VERIFIKATOR) and user.id != self.requested_by_id
