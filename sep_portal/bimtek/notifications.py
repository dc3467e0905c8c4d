"""E-mails about bimtek, all through the outbox in the caller's transaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from sep_portal.core import outbox


def _send(session: Session, template: str, person: Any, context: dict[str, Any]) -> None:
    if person.email:
        outbox.enqueue(session, f"bimtek/{template}", [person.email], {**context, "user": person},
                       locale=person.locale)


def registered(session: Session, registration: Any) -> None:
    """A seat is confirmed, or the person is told their place on the waiting list."""
    template = "waitlisted" if registration.status == "waitlisted" else "registered"
    _send(session, template, registration.user, {"bimtek": registration.session, "registration": registration})


def promoted(session: Session, registration: Any) -> None:
    _send(session, "promoted", registration.user, {"bimtek": registration.session, "registration": registration})


def session_cancelled(session: Session, bimtek: Any, people: list[Any]) -> None:
    for person in people:
        _send(session, "session_cancelled", person, {"bimtek": bimtek})


def session_changed(session: Session, bimtek: Any, registrations: list[Any]) -> None:
    for registration in registrations:
        _send(session, "session_changed", registration.user, {"bimtek": bimtek, "registration": registration})


def reminder(session: Session, registration: Any) -> None:
    _send(session, "reminder", registration.user, {"bimtek": registration.session, "registration": registration})
