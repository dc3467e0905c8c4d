"""The warning letter's reply window follows the calendar (core.deadlines): an open reply
deadline that has not passed is computed again from the letter's issue time when the operator
changes the calendar, audited, and the addressee is told the new date."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.abuse.models import WarningLetter
from sep_portal.core import deadlines
from sep_portal.core.calendar import WorkingCalendar
from sep_portal.core.db import lock_row


@deadlines.mover("abuse.reply")
def move_reply_deadlines(session: Session, cal: WorkingCalendar, actor: Any, now: datetime) -> int:
    days = current_app.config["SEP_REPLY_WORKING_DAYS"]
    moved = 0
    open_ids = session.scalars(select(WarningLetter.id).where(
        WarningLetter.status == "issued", WarningLetter.reply_due_at >= now).order_by(WarningLetter.id)).all()
    for warning_id in open_ids:
        warning = lock_row(session, WarningLetter, warning_id)
        if warning is None or warning.status != "issued":
            continue  # answered meanwhile: a decided matter never moves
        due = deadlines.new_due(warning.reply_due_at, cal.add_working_days(warning.issued_at, days), now)
        if due is None:
            continue
        deadlines.reschedule(session, actor, warning, "reply_due_at", due, person=warning.user,
                             what=warning.letter.number if warning.letter is not None else f"#{warning.id}",
                             path=f"/peringatan/{warning.id}")
        moved += 1
    return moved
