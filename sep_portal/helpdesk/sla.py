"""The SLA clock of a ticket, in working hours (DESIGN §5, §7). Pure functions of the ticket,
the working calendar and the time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.core.calendar import WorkingCalendar
from sep_portal.helpdesk.models import SlaTarget, Ticket

# Impact (1 high … 3 low) × urgency (1 high … 3 low) → priority (1 critical … 4 low).
PRIORITY_MATRIX = {
    (1, 1): 1, (1, 2): 2, (2, 1): 2,
    (1, 3): 3, (2, 2): 3, (3, 1): 3,
    (2, 3): 4, (3, 2): 4, (3, 3): 4,
}
WARN_AT_SHARE = 0.2  # warn the assignee when a fifth of the target is left


def priority_for(impact: int, urgency: int) -> int:
    return PRIORITY_MATRIX[(impact, urgency)]


@dataclass(frozen=True)
class Targets:
    first_response: timedelta
    resolution: timedelta

    @property
    def first_response_minutes(self) -> int:
        return int(self.first_response.total_seconds() // 60)

    @property
    def resolution_minutes(self) -> int:
        return int(self.resolution.total_seconds() // 60)


class TargetTable:
    """Every SLA target, read once (a small table), for pages that show many tickets."""

    def __init__(self, session: Session) -> None:
        self._rows = {(r.service_id, r.priority): Targets(timedelta(minutes=r.first_response_minutes),
                                                          timedelta(minutes=r.resolution_minutes))
                      for r in session.scalars(select(SlaTarget))}

    def __call__(self, service_id: int, priority: int) -> Targets:
        """The service's own targets for the priority, else the general ones."""
        return self._rows.get((service_id, priority)) or self._rows[(None, priority)]

    def of_service(self, service_id: int) -> list[tuple[int, Targets]]:
        """Every priority with the targets that apply to the service."""
        return [(p, self(service_id, p)) for p in sorted({p for _s, p in self._rows})]


def targets_for(session: Session, service_id: int, priority: int) -> Targets:
    return TargetTable(session)(service_id, priority)


def paused(ticket: Ticket, cal: WorkingCalendar, now: datetime) -> timedelta:
    """Working time spent waiting on the requester, the current wait included."""
    total = timedelta(seconds=ticket.paused_seconds)
    if ticket.paused_since is not None:
        total += cal.working_time_between(ticket.paused_since, now)
    return total


def response_due(ticket: Ticket, cal: WorkingCalendar, targets: Targets) -> datetime:
    return cal.add_working_time(ticket.created_at, targets.first_response)


def resolution_due(ticket: Ticket, cal: WorkingCalendar, targets: Targets) -> datetime | None:
    """When the resolution target is reached; None while the clock is stopped (waiting)."""
    if ticket.paused_since is not None:
        return None
    return cal.add_working_time(ticket.created_at, targets.resolution + timedelta(seconds=ticket.paused_seconds))


def resolution_left(ticket: Ticket, cal: WorkingCalendar, targets: Targets, now: datetime) -> timedelta:
    """Working time left to the resolution target (negative once breached); frozen while waiting."""
    used = cal.working_time_between(ticket.created_at, now) - paused(ticket, cal, now)
    return targets.resolution - used


def response_left(ticket: Ticket, cal: WorkingCalendar, targets: Targets, now: datetime) -> timedelta | None:
    if ticket.first_response_at is not None:
        return None
    return targets.first_response - cal.working_time_between(ticket.created_at, now)
