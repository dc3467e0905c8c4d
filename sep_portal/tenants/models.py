from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

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
    kind: Mapped[str] = mapped_column(String(20))
    tenant_status: Mapped[str] = mapped_column(String(20), default="none")

    def __repr__(self) -> str:
        return f"<Body {self.id} {self.code}>"
