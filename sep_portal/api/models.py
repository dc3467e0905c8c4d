"""Integration API credentials and webhook endpoints."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.core import clock
from sep_portal.core.db import Base
from sep_portal.tenants.models import Body

SCOPES = ("read", "tenant")


class ServiceAccount(Base):
    """A system that calls /api/v1 (SEP itself, a body's HR system). Its bearer token is shown
    once; only its SHA-256 is stored. Scope ``read``: every tenant; ``tenant``: one body."""

    __tablename__ = "service_accounts"
    __table_args__ = (
        CheckConstraint(f"scope IN {SCOPES!r}", name="scope"),
        CheckConstraint("scope <> 'tenant' OR body_id IS NOT NULL", name="tenant_has_body"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(10))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    body: Mapped[Body | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def can_see_body(self, body_id: int | None) -> bool:
        """Scope ``read`` sees every tenant, scope ``tenant`` only its own body; an account of no
        body is seen by none (the API answers 404 for anything else, as if it did not exist)."""
        return body_id is not None and (self.scope == "read" or body_id == self.body_id)


class WebhookEndpoint(Base):
    """Where account events are POSTed, signed with HMAC-SHA256 under ``secret``. The secret must
    be readable to sign, so it is stored as is (only the superadmin sees it, once)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(64))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))  # None: events of every body
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    body: Mapped[Body | None] = relationship()
