"""Read side of the signed-in person's own account pages."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.auth.models import UserSession


def active_sessions(session: Session, user_id: int, now: datetime, *, limit: int = 50) -> list[UserSession]:
    """The person's sessions that are neither ended nor expired, the most recently used first."""
    return list(session.scalars(select(UserSession)
                                .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
                                       UserSession.expires_at > now)
                                .order_by(UserSession.last_seen_at.desc()).limit(limit)))
