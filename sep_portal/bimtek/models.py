"""Bimtek sessions and the registrations of the people who take part."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.db import Base, sql_in
from sep_portal.core.permissions import HELPDESK, SUPERADMIN
from sep_portal.core.storage import StoredFile

MODES = ("in_person", "online")
SESSION_STATUSES = ("scheduled", "cancelled", "held")
REGISTRATION_STATUSES = ("registered", "waitlisted", "cancelled", "attended", "absent")
ACTIVE_STATUSES = ("registered", "waitlisted")  # still waiting for the session
SEATED_STATUSES = ("registered", "attended", "absent")  # holds (or held) a seat
MAX_CAPACITY = 1000
ORGANISER = "Direktorat Jenderal Aplikasi Informatika"


def can_manage(user: User) -> bool:
    """Helpdesk agents and the platform operator run bimtek sessions."""
    return user.has_any_role(HELPDESK, SUPERADMIN)


class BimtekSession(Base):
    """One scheduled session: a topic, a time (stored UTC, shown WIB), a place or an online link
    and a number of seats."""

    __tablename__ = "bimtek_sessions"
    __table_args__ = (
        CheckConstraint(f"status IN {sql_in(SESSION_STATUSES)}", name="status"),
        CheckConstraint(f"mode IN {sql_in(MODES)}", name="mode"),
        CheckConstraint(f"capacity BETWEEN 1 AND {MAX_CAPACITY}", name="capacity"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("mode <> 'online' OR online_url IS NOT NULL", name="online_has_link"),
        CheckConstraint("mode <> 'in_person' OR place IS NOT NULL", name="in_person_has_place"),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="cancelled_has_time"),
        Index("ix_bimtek_sessions_status_starts", "status", "starts_at"),
        Index("ix_bimtek_sessions_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(20))
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    attendance_recorded_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()

    @property
    def reference(self) -> str:
        return f"BTK-{self.id:05d}"

    @property
    def location(self) -> str:
        return (self.online_url if self.mode == "online" else self.place) or ""

    def is_open_for_registration(self, now: datetime) -> bool:
        return self.status == "scheduled" and now < self.starts_at

    def can_edit(self, now: datetime) -> bool:
        """Its details may change while it is scheduled and has not started."""
        from sep_portal.bimtek.states import session_machine

        return session_machine.allowed(self.status, "update") and now < self.starts_at

    def can_cancel(self) -> bool:
        from sep_portal.bimtek.states import session_machine

        return session_machine.allowed(self.status, "cancel")

    def can_record_attendance(self, now: datetime) -> bool:
        """Attendance is recorded (and corrected) once the session has started, unless it was cancelled."""
        from sep_portal.bimtek.states import session_machine

        return session_machine.allowed(self.status, "record_attendance") and now >= self.starts_at

    def can_manage(self, user: User) -> bool:
        return can_manage(user)


class BimtekRegistration(Base):
    """A person's place in a session: a seat, or a numbered place on the waiting list."""

    __tablename__ = "bimtek_registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint(f"status IN {sql_in(REGISTRATION_STATUSES)}", name="status"),
        CheckConstraint("(status = 'waitlisted') = (position IS NOT NULL)", name="waitlisted_has_position"),
        CheckConstraint("status <> 'attended' OR attended_at IS NOT NULL", name="attended_has_time"),
        CheckConstraint("certificate_file_id IS NULL OR status = 'attended'", name="certificate_only_attended"),
        Index("ix_bimtek_registrations_session_status", "session_id", "status", "position"),
        Index("ix_bimtek_registrations_user", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("bimtek_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    position: Mapped[int | None]  # order on the waiting list (only while waitlisted)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    cancelled_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    attended_at: Mapped[datetime | None]
    certificate_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"))
    certificate_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    session: Mapped[BimtekSession] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
    certificate_file: Mapped[StoredFile | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_seat(self) -> bool:
        return self.status in ("registered", "attended")

    @property
    def waiting_rank(self) -> int | None:
        """The place in the waiting list now (1 = next to get a seat); positions themselves keep
        the gaps that cancellations and promotions leave."""
        if self.status != "waitlisted" or self.position is None:
            return None
        return object_session(self).scalar(select(func.count()).select_from(BimtekRegistration).where(
            BimtekRegistration.session_id == self.session_id, BimtekRegistration.status == "waitlisted",
            BimtekRegistration.position <= self.position))

    def can_download_certificate(self, user: User) -> bool:
        """Only the participant, and the people who run bimtek; only after attendance."""
        return self.status == "attended" and (user.id == self.user_id or can_manage(user))
