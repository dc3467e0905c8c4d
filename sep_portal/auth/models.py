"""Sign-in state: server-side sessions, single-use tokens, recovery codes, failure counters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base

TOKEN_PURPOSES = ("verify_email", "reset_password", "activate")


class AuthToken(Base):
    """A single-use, expiring link token. Only its SHA-256 is stored."""

    __tablename__ = "auth_tokens"
    __table_args__ = (
        CheckConstraint(f"purpose IN {TOKEN_PURPOSES!r}", name="purpose"),
        Index("ix_auth_tokens_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class UserSession(Base):
    """A signed-in browser session. The cookie carries the token; the row decides whether it is
    still valid (revoked at logout, password reset, deactivation; idle and absolute timeouts)."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(default=clock.now)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One of a user's ten single-use TOTP recovery codes (stored as SHA-256: each code carries
    80 random bits, so a fast hash is safe and lets all ten be checked at once)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed sign-in attempts per identifier (SHA-256 of the normalised e-mail, so unknown
    addresses are throttled exactly like known ones and no address is stored)."""

    __tablename__ = "login_throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(default=clock.now)
    locked_until: Mapped[datetime | None]
