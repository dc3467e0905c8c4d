"""Bimtek: sessions, registration with a waiting list, reminders, attendance and certificates.
No HTTP here: the actor and the time are passed in, the caller commits.

Every change to the seats of a session starts by locking the session row (``lock_row``), so two
people can never take the last seat and a promotion from the waiting list happens exactly once.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.bimtek import notifications
from sep_portal.bimtek.models import (
    ACTIVE_STATUSES,
    MAX_CAPACITY,
    MODES,
    ORGANISER,
    SEATED_STATUSES,
    BimtekRegistration,
    BimtekSession,
    can_manage,
)
from sep_portal.bimtek.queries import registration_of
from sep_portal.bimtek.states import NOT_REGISTERED, registration_machine, session_machine
from sep_portal.core import audit, letters, storage, sweep
from sep_portal.core.db import lock_row, stamp_once
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted


@dataclass(frozen=True)
class SessionDetails:
    """What an agent types for a session (times already combined and in UTC or WIB)."""

    topic: str
    description: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    place: str | None
    online_url: str | None
    capacity: int


def _manager(actor: User) -> None:
    if not can_manage(actor):
        raise NotPermitted("bimtek")


def _lock(session: Session, session_id: int) -> BimtekSession:
    bimtek = lock_row(session, BimtekSession, session_id)
    if bimtek is None:
        raise DomainError(None, _("This bimtek session does not exist."))
    return bimtek


def _move(registration: BimtekRegistration, action: str) -> str:
    """Move a registration along its table (IllegalTransition if not allowed); the status before."""
    before = registration.status
    registration.status = registration_machine.transition(before, action).target
    return before


def _clean(details: SessionDetails, now: datetime) -> SessionDetails:
    """Check the details and return them tidied; raises DomainError on the field at fault."""
    topic = " ".join((details.topic or "").split())
    if not topic:
        raise DomainError("topic", _("Write the topic of the session."))
    if len(topic) > 200:
        raise DomainError("topic", _("The topic is too long (at most 200 characters)."))
    description = (details.description or "").strip()
    if not description:
        raise DomainError("description", _("Describe what participants will learn."))
    if details.starts_at is None or details.ends_at is None:
        raise DomainError("date", _("Enter the date and the start and end times."))
    if details.starts_at <= now:
        raise DomainError("date", _("The session must start in the future."))
    if details.ends_at <= details.starts_at:
        raise DomainError("end_time", _("The session must end after it starts."))
    if details.mode not in MODES:
        raise DomainError("mode", _("Choose whether the session is in person or online."))
    place = " ".join((details.place or "").split()) or None
    online_url = (details.online_url or "").strip() or None
    if details.mode == "in_person":
        if not place:
            raise DomainError("place", _("Enter the place of the session."))
        online_url = None
    else:
        parts = urlsplit(online_url or "")
        if (parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in online_url or "")
                or len(online_url or "") > 500):
            raise DomainError("online_url", _("Enter the meeting link as a full https:// address."))
        place = None
    if place and len(place) > 300:
        raise DomainError("place", _("The place is too long (at most 300 characters)."))
    if not isinstance(details.capacity, int) or not 1 <= details.capacity <= MAX_CAPACITY:
        raise DomainError("capacity", _("The capacity must be between 1 and %(max)d.", max=MAX_CAPACITY))
    return SessionDetails(topic=topic, description=description[:10000], starts_at=details.starts_at,
                          ends_at=details.ends_at, mode=details.mode, place=place, online_url=online_url,
                          capacity=details.capacity)


def _snapshot(bimtek: BimtekSession) -> dict[str, Any]:
    return {"topic": bimtek.topic, "starts_at": bimtek.starts_at, "ends_at": bimtek.ends_at, "mode": bimtek.mode,
            "place": bimtek.place, "online_url": bimtek.online_url, "capacity": bimtek.capacity,
            "status": bimtek.status}


def create_session(session: Session, actor: User, details: SessionDetails, *, now: datetime) -> BimtekSession:
    """Schedule a new session."""
    _manager(actor)
    clean = _clean(details, now)
    bimtek = BimtekSession(topic=clean.topic, description=clean.description, starts_at=clean.starts_at,
                           ends_at=clean.ends_at, mode=clean.mode, place=clean.place, online_url=clean.online_url,
                           capacity=clean.capacity, status="scheduled", created_by_id=actor.id, created_at=now)
    session.add(bimtek)
    session.flush()
    audit.record(session, actor, "bimtek.session_created", bimtek, after=_snapshot(bimtek))
    return bimtek


def update_session(session: Session, session_id: int, actor: User, details: SessionDetails, *,
                   now: datetime) -> BimtekSession:
    """Change a session that has not started. More seats fill from the waiting list; fewer seats
    than people already registered are refused. A new start time gets a new reminder."""
    _manager(actor)
    bimtek = _lock(session, session_id)
    if not bimtek.can_edit(now):
        raise ConflictError(_("Only a scheduled session that has not started can be changed."))
    clean = _clean(details, now)
    seated = _count(session, bimtek.id, "registered")
    if clean.capacity < seated:
        raise DomainError("capacity", _("%(num)d people already hold a seat: the capacity cannot be lower.",
                                        num=seated))
    before = _snapshot(bimtek)
    moved = clean.starts_at != bimtek.starts_at
    told = moved or (clean.ends_at, clean.mode, clean.place, clean.online_url) != (
        bimtek.ends_at, bimtek.mode, bimtek.place, bimtek.online_url)
    for name in ("topic", "description", "starts_at", "ends_at", "mode", "place", "online_url", "capacity"):
        setattr(bimtek, name, getattr(clean, name))
    bimtek.status = session_machine.transition(bimtek.status, "update").target
    if moved:
        for registration in _registrations(session, bimtek.id, ("registered",)):
            registration.reminder_sent_at = None
    session.flush()
    audit.record(session, actor, "bimtek.session_updated", bimtek, before=before, after=_snapshot(bimtek))
    if told:  # a new time or place: everyone still coming or waiting hears of it
        notifications.session_changed(session, bimtek, _registrations(session, bimtek.id, ACTIVE_STATUSES))
    _fill_seats(session, bimtek, actor, now)
    return bimtek


def cancel_session(session: Session, session_id: int, actor: User, *, reason: str, now: datetime) -> BimtekSession:
    """Cancel a scheduled session; everyone registered or waiting is told by e-mail."""
    _manager(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reason for the cancellation; participants receive it."))
    bimtek = _lock(session, session_id)
    if not bimtek.can_cancel():
        raise ConflictError(_("This session is no longer scheduled."))
    bimtek.status = session_machine.transition(bimtek.status, "cancel").target
    bimtek.cancelled_at = now
    bimtek.cancel_reason = reason[:4000]
    people = []
    for registration in _registrations(session, bimtek.id, ACTIVE_STATUSES):
        _move(registration, "session_cancelled")
        registration.position = None
        registration.cancelled_at = now
        people.append(registration.user)
    session.flush()
    audit.record(session, actor, "bimtek.session_cancelled", bimtek, before={"status": "scheduled"},
                 after={"status": "cancelled", "reason": bimtek.cancel_reason, "people": len(people)})
    notifications.session_cancelled(session, bimtek, people)
    return bimtek


# -- registration ----------------------------------------------------------------------------------

def _count(session: Session, session_id: int, status: str) -> int:
    return session.scalar(select(func.count()).select_from(BimtekRegistration).where(
        BimtekRegistration.session_id == session_id, BimtekRegistration.status == status)) or 0


def _registrations(session: Session, session_id: int, statuses: Iterable[str]) -> list[BimtekRegistration]:
    return list(session.scalars(select(BimtekRegistration).where(
        BimtekRegistration.session_id == session_id, BimtekRegistration.status.in_(tuple(statuses)))
        .order_by(BimtekRegistration.position, BimtekRegistration.id)))


def register(session: Session, session_id: int, user: User, *, now: datetime) -> BimtekRegistration:
    """Take a seat, or the next place on the waiting list when the session is full. The session
    row is locked first, so of two people asking for the last seat one gets it and the other
    waits, then joins the waiting list."""
    bimtek = _lock(session, session_id)
    if not bimtek.is_open_for_registration(now):
        raise ConflictError(_("Registration for this session is closed."))
    registration = registration_of(session, bimtek.id, user.id)
    if registration is not None and registration.is_active:
        raise ConflictError(_("You are already registered for this session."))
    full = _count(session, bimtek.id, "registered") >= bimtek.capacity
    position = None
    if full:
        last = session.scalar(select(func.max(BimtekRegistration.position))
                              .where(BimtekRegistration.session_id == bimtek.id))
        position = (last or 0) + 1
    if registration is None:
        registration = BimtekRegistration(session_id=bimtek.id, user_id=user.id, status=NOT_REGISTERED,
                                          created_at=now)
        session.add(registration)
    _move(registration, "join_waitlist" if full else "take_seat")
    status = registration.status
    registration.position = position
    registration.created_at = now  # a new registration queues from now, not from an earlier one
    registration.cancelled_at = None
    registration.reminder_sent_at = None
    session.flush()
    audit.record(session, user, f"bimtek.{status}", registration,
                 after={"session": bimtek.id, "status": status, "position": position})
    notifications.registered(session, registration)
    return registration


def cancel_registration(session: Session, session_id: int, user: User, *, now: datetime) -> BimtekRegistration:
    """Give up a seat (the first on the waiting list takes it, and is told) or a place on the
    waiting list."""
    bimtek = _lock(session, session_id)
    registration = registration_of(session, bimtek.id, user.id)
    if registration is None or not registration.is_active:
        raise ConflictError(_("You are not registered for this session."))
    if bimtek.status != "scheduled" or bimtek.starts_at <= now:
        raise ConflictError(_("The session has started; the registration can no longer be cancelled."))
    before = _move(registration, "cancel")
    registration.position = None
    registration.cancelled_at = now
    session.flush()
    audit.record(session, user, "bimtek.registration_cancelled", registration, before={"status": before},
                 after={"status": "cancelled", "session": bimtek.id})
    if before == "registered":
        _fill_seats(session, bimtek, "system:bimtek", now)
    return registration


def _fill_seats(session: Session, bimtek: BimtekSession, actor: Any, now: datetime) -> list[BimtekRegistration]:
    """Promote from the head of the waiting list while seats are free (caller holds the lock)."""
    free = bimtek.capacity - _count(session, bimtek.id, "registered")
    promoted: list[BimtekRegistration] = []
    if free <= 0:
        return promoted
    for registration in _registrations(session, bimtek.id, ("waitlisted",))[:free]:
        position = registration.position
        _move(registration, "promote")
        registration.position = None
        session.flush()
        audit.record(session, actor, "bimtek.promoted", registration, before={"status": "waitlisted",
                                                                              "position": position},
                     after={"status": "registered", "session": bimtek.id})
        notifications.promoted(session, registration)
        promoted.append(registration)
    return promoted


# -- attendance and certificates ------------------------------------------------------------------

def record_attendance(session: Session, session_id: int, actor: User, attended_ids: Iterable[int], *,
                      now: datetime) -> BimtekSession:
    """Mark who came (registration ids in ``attended_ids``) and who did not (every other seated
    registration), in one go; the session becomes held. May be corrected later: a correction
    from attended to absent withdraws the certificate."""
    _manager(actor)
    bimtek = _lock(session, session_id)
    if not session_machine.allowed(bimtek.status, "record_attendance"):
        raise ConflictError(_("This session was cancelled."))
    if not bimtek.can_record_attendance(now):
        raise ConflictError(_("Attendance can be recorded once the session has started."))
    attended = set(attended_ids)
    seated = _registrations(session, bimtek.id, SEATED_STATUSES)
    unknown = attended - {r.id for r in seated}
    if unknown:
        raise DomainError(None, _("The list of participants has changed; reload the page and try again."))
    changes = 0
    for registration in seated:
        target = "attended" if registration.id in attended else "absent"
        if registration.status == target:
            continue
        before = _move(registration, "mark_attended" if target == "attended" else "mark_absent")
        registration.attended_at = now if target == "attended" else None
        if target == "absent":
            registration.certificate_file_id = None
        session.flush()
        audit.record(session, actor, f"bimtek.{target}", registration, before={"status": before},
                     after={"status": target, "session": bimtek.id})
        changes += 1
    # Whoever still waits for a seat will not get one now: the waiting list closes.
    for registration in _registrations(session, bimtek.id, ("waitlisted",)):
        _move(registration, "close_waitlist")
        registration.position, registration.cancelled_at = None, now
        session.flush()
        audit.record(session, actor, "bimtek.waitlist_closed", registration, after={"session": bimtek.id})
    bimtek.status = session_machine.transition(bimtek.status, "record_attendance").target
    bimtek.attendance_recorded_at = now
    session.flush()
    audit.record(session, actor, "bimtek.attendance_recorded", bimtek,
                 after={"status": "held", "attended": len(attended), "seated": len(seated), "changes": changes})
    return bimtek


def issue_certificate(session: Session, registration_id: int, actor: User, *, now: datetime) -> storage.StoredFile:
    """The certificate of attendance as a stored PDF, made the first time it is asked for and
    kept (the registration row is locked, so two clicks make one file)."""
    registration = lock_row(session, BimtekRegistration, registration_id)
    if registration is None or not registration.can_download_certificate(actor):
        raise NotPermitted("certificate")
    if registration.certificate_file_id is not None:
        return session.get(storage.StoredFile, registration.certificate_file_id)
    if registration.certificate_code is None:
        registration.certificate_code = secrets.token_hex(12)
    bimtek = registration.session
    verify_url = f"{current_app.config['SEP_BASE_URL'].rstrip('/')}/bimtek/verifikasi/{registration.certificate_code}"
    pdf = letters.render_pdf("bimtek_certificate", {
        "registration": registration, "bimtek": bimtek, "participant": registration.user, "organiser": ORGANISER,
        "qr": letters.qr_data_uri(verify_url), "verify_url": verify_url, "issued_on": now,
    })
    stored = storage.save_generated(session, pdf, kind="pdf", filename=f"sertifikat-{bimtek.reference}.pdf",
                                    purpose="bimtek:certificate", created_by=actor)
    registration.certificate_file_id = stored.id
    session.flush()
    audit.record(session, actor, "bimtek.certificate_issued", registration,
                 after={"file": stored.id, "sha256": stored.sha256, "session": bimtek.id})
    return stored


# -- the sweep -----------------------------------------------------------------------------------------

def reminder_lead() -> timedelta:
    return timedelta(hours=current_app.config["SEP_BIMTEK_REMINDER_HOURS"])


@sweep.task("bimtek.reminders")
def send_reminders(now: datetime) -> int:
    """One reminder per registered person, once the session is less than a day away (configurable).
    Each is claimed with stamp_once, so sweeps running at once on several servers send it once."""
    from sep_portal.extensions import db

    sent = 0
    with db.new_session() as session:
        due = session.scalars(select(BimtekRegistration).join(BimtekSession, BimtekSession.id ==
                                                              BimtekRegistration.session_id)
                              .where(BimtekSession.status == "scheduled", BimtekSession.starts_at > now,
                                     BimtekSession.starts_at <= now + reminder_lead(),
                                     BimtekRegistration.status == "registered",
                                     BimtekRegistration.reminder_sent_at.is_(None))
                              .order_by(BimtekRegistration.id)).all()
        for registration in due:
            if stamp_once(session, BimtekRegistration, registration.id, "reminder_sent_at", now,
                          BimtekRegistration.status == "registered"):
                notifications.reminder(session, registration)
                sent += 1
        session.commit()
    return sent

