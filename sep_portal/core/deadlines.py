"""Deadlines that follow the calendar (DESIGN §7): when the operator changes the working-day
calendar, every open deadline that has not passed yet is computed again from its start.

Each feature registers, with ``@mover("name")``, a function ``fn(session, cal, actor, now)``
that walks its open deadlines and calls ``reschedule`` for each; the calendar operations call
``move_open_deadlines`` once after the change. A deadline that has passed, or whose matter is
decided, never moves; nor is a deadline moved into the past (restoring a working day never makes
an open deadline pass at once). Each move is audited and the person it concerns is told the new
date by e-mail (a deadline that concerns the person themself goes through the outbox directly,
as in ``core.notices``).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from sep_portal.core import audit, outbox

Mover = Callable[[Session, Any, Any, datetime], int]
_MOVERS: dict[str, Mover] = {}

# What each kind of deadline is called in the audit log and the e-mail.
DEADLINE_LABELS = {
    "decision_due_at": _l("Decision due"),
    "verification_due_at": _l("Verification due"),
    "completion_due_at": _l("Completion due"),
    "reply_due_at": _l("Reply due"),
}


def mover(name: str) -> Callable[[Mover], Mover]:
    def decorator(fn: Mover) -> Mover:
        _MOVERS[name] = fn
        return fn

    return decorator


def new_due(old: datetime | None, recomputed: datetime, now: datetime) -> datetime | None:
    """The deadline to set, or None if it stays: a passed deadline never moves, and none moves
    into the past."""
    if old is None or old < now or recomputed == old or recomputed < now:
        return None
    return recomputed


def reschedule(session: Session, actor: Any, target: Any, field: str, due: datetime, *, person: Any,
               what: Any, path: str) -> None:
    """Set ``target.field`` to ``due``, audit the move and tell ``person`` (a User, or None)."""
    old = getattr(target, field)
    setattr(target, field, due)
    session.flush()
    audit.record(session, actor, "deadline.moved", target, before={field: old}, after={field: due})
    if person is not None and person.status == "active":
        outbox.enqueue(session, "work/deadline_moved", [person.email],
                       {"user": person, "what": what, "kind": DEADLINE_LABELS.get(field, field),
                        "old": old, "new": due, "path": path}, locale=person.locale)


def move_open_deadlines(session: Session, actor: Any, now: datetime) -> int:
    """Compute every open deadline again with the calendar as it now is; returns how many moved."""
    from sep_portal.core.calendar import load_calendar

    cal = load_calendar(session, None, "id")
    return sum(fn(session, cal, actor, now) for _name, fn in sorted(_MOVERS.items()))
