from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core.db import Base, TimestampMixin

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
