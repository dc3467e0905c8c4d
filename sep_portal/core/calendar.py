"""The one working-day calendar: every deadline in the portal is computed here.

A working day is Monday to Friday in Asia/Jakarta, minus national holidays and *cuti bersama*
(the ``holidays`` package, country ID, categories ``public`` and ``government``), corrected by
what the operator keeps in the database: extra days off (cuti bersama, ad-hoc closures) and
days that are working days after all (a decree moved a holiday).

The functions on ``WorkingCalendar`` are pure; ``get_calendar()`` builds one from the database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays as holidays_lib
from sqlalchemy import CheckConstraint, Date, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import clock
from sep_portal.core.clock import UTC, WIB
from sep_portal.core.db import Base

DAY_KINDS = ("cuti_bersama", "closure", "working_day")
END_OF_DAY = time(23, 59, 59)

# Working hours of ASN (WIB): Monday–Thursday 07:30–16:00, Friday 07:30–16:30.
DEFAULT_WORKING_HOURS: dict[int, tuple[time, time]] = {
    0: (time(7, 30), time(16, 0)),
    1: (time(7, 30), time(16, 0)),
    2: (time(7, 30), time(16, 0)),
    3: (time(7, 30), time(16, 0)),
    4: (time(7, 30), time(16, 30)),
}

# The official 2026 cuti bersama are seeded, with their decree, by migration 0002.


class CalendarDay(Base):
    """An operator's correction to the holiday data: a day off added, or a working day restored."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(f"kind IN {DAY_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class CalendarYear(Base):
    """A year whose days from the ``holidays`` package the operator has checked against the decree
    (the SKB on national holidays and cuti bersama): until then those days are estimates."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    decree: Mapped[str] = mapped_column(String(300))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=clock.now)


@lru_cache(maxsize=128)
def _package_holidays(year: int, language: str = "id") -> Mapping[date, str]:
    data = holidays_lib.country_holidays("ID", years=year, categories=("public", "government"),
                                         language="en_US" if language == "en" else "id")
    return dict(data.items())


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    reason: str | None  # "weekend", holiday name, or None for a working day
    source: str | None  # "holidays" (package), or the operator's source text
    # A day of the package in a year the operator has not confirmed against its decree: the
    # package's cuti bersama (and holidays that follow the moon) of a coming year are estimates.
    estimated: bool = False


@dataclass
class WorkingCalendar:
    days_off: dict[date, tuple[str, str]] = field(default_factory=dict)  # day -> (description, source)
    working_days: dict[date, tuple[str, str]] = field(default_factory=dict)
    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: DEFAULT_WORKING_HOURS)
    language: str = "id"  # of the holiday names only; the days are the same in every language
    confirmed_years: dict[int, str] = field(default_factory=dict)  # year -> decree
    # Working seconds per day of a year, summed up (built on first use; a calendar is rebuilt
    # whenever the operator changes it): long spans cost a lookup, not a walk over every day.
    _prefix: dict[int, list[int]] = field(default_factory=dict, repr=False, compare=False)

    # -- days -----------------------------------------------------------------------------
    def describe(self, day: date) -> DayInfo:
        if day in self.working_days:
            desc, source = self.working_days[day]
            return DayInfo(day, True, None, source)
        if day in self.days_off:
            desc, source = self.days_off[day]
            return DayInfo(day, False, desc, source)
        name = _package_holidays(day.year, self.language).get(day)
        if name is not None:
            return DayInfo(day, False, name, "holidays", estimated=day.year not in self.confirmed_years)
        if day.weekday() >= 5:
            return DayInfo(day, False, "weekend", None)
        return DayInfo(day, True, None, None)

    def is_working_day(self, day: date) -> bool:
        return self.describe(day).working

    def add_working_days(self, t: datetime, n: int) -> datetime:
        """End (23:59:59 WIB) of the n-th working day after the calendar day of ``t``.

        The day of ``t`` itself never counts, whether or not it is a working day. Returns UTC.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        day = t.astimezone(WIB).date()
        counted = 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return datetime.combine(day, END_OF_DAY, tzinfo=WIB).astimezone(UTC)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days after the day of ``start`` up to and including the day of ``end``
        (so ``add_working_days(t, n)`` is exactly n working days after t). Negative if end < start."""
        a, b = start.astimezone(WIB).date(), end.astimezone(WIB).date()
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count

    def year(self, year: int) -> list[DayInfo]:
        """Every day of ``year`` that is not an ordinary working day, plus restored working days."""
        day, out = date(year, 1, 1), []
        while day.year == year:
            info = self.describe(day)
            if day in self.working_days or (not info.working and info.reason != "weekend"):
                out.append(info)
            day += timedelta(days=1)
        return out

    # -- working hours (helpdesk SLAs) -----------------------------------------------------
    def _intervals(self, day: date) -> tuple[datetime, datetime] | None:
        if not self.is_working_day(day):
            return None
        hours = self.hours.get(day.weekday())
        if hours is None:
            return None
        start, end = hours
        return datetime.combine(day, start, tzinfo=WIB), datetime.combine(day, end, tzinfo=WIB)

    def is_working_time(self, t: datetime) -> bool:
        """Within working hours of a working day (helpdesk notices are sent only then)."""
        local = t.astimezone(WIB)
        span = self._intervals(local.date())
        return span is not None and span[0] <= local < span[1]

    def _day_seconds(self, day: date) -> int:
        span = self._intervals(day)
        return int((span[1] - span[0]).total_seconds()) if span is not None else 0

    def _year_prefix(self, year: int) -> list[int]:
        """``prefix[i]``: working seconds of the first i days of ``year``."""
        prefix = self._prefix.get(year)
        if prefix is None:
            prefix, day, total = [0], date(year, 1, 1), 0
            while day.year == year:
                total += self._day_seconds(day)
                prefix.append(total)
                day += timedelta(days=1)
            self._prefix[year] = prefix
        return prefix

    def _full_days_between(self, a: date, b: date) -> int:
        """Working seconds of the whole days after ``a`` and before ``b``."""
        if b <= a + timedelta(days=1):
            return 0
        first, last = a.timetuple().tm_yday, (b - timedelta(days=1))
        if a.year == last.year:
            prefix = self._year_prefix(a.year)
            return prefix[last.timetuple().tm_yday] - prefix[first]
        head = self._year_prefix(a.year)
        total = head[-1] - head[first]
        for year in range(a.year + 1, last.year):
            total += self._year_prefix(year)[-1]
        return total + self._year_prefix(last.year)[last.timetuple().tm_yday]

    def _within(self, day: date, start: datetime, end: datetime) -> timedelta:
        span = self._intervals(day)
        if span is None:
            return timedelta(0)
        lo, hi = max(span[0], start), min(span[1], end)
        return hi - lo if hi > lo else timedelta(0)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time (within working hours, on working days) between two instants."""
        if end <= start:
            return timedelta(0)
        first, last = start.astimezone(WIB).date(), end.astimezone(WIB).date()
        if first == last:
            return self._within(first, start, end)
        return (self._within(first, start, end) + timedelta(seconds=self._full_days_between(first, last))
                + self._within(last, start, end))

    def add_working_time(self, t: datetime, amount: timedelta) -> datetime:
        """The instant when ``amount`` of working time has passed after ``t``. Returns UTC."""
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        remaining = amount
        current = t.astimezone(WIB)
        day = current.date()
        for _ in range(3660):  # ten years of days: a guard against a calendar with no working time
            span = self._intervals(day)
            if span is not None:
                lo = max(span[0], current)
                if lo < span[1]:
                    available = span[1] - lo
                    if remaining <= available:
                        if remaining == timedelta(0) and lo > current:
                            return lo.astimezone(UTC)
                        return (lo + remaining).astimezone(UTC)
                    remaining -= available
            day += timedelta(days=1)
            current = datetime.combine(day, time(0), tzinfo=WIB)
        raise RuntimeError("no working time in the next ten years")


def parse_working_hours(text: str | None) -> dict[int, tuple[time, time]]:
    """Parse ``"mon-thu 07:30-16:00; fri 07:30-16:30"`` (the SEP_WORKING_HOURS setting)."""
    if not text:
        return dict(DEFAULT_WORKING_HOURS)
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    out: dict[int, tuple[time, time]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, span = part.split()
        first, _, last = days.partition("-")
        a, b = names.index(first.lower()), names.index((last or first).lower())
        start, end = (time.fromisoformat(x) for x in span.split("-"))
        if end <= start:
            raise ValueError(f"working hours end before they start: {part}")
        for weekday in range(a, b + 1):
            out[weekday] = (start, end)
    return out


def build_calendar(rows: Iterable[CalendarDay], hours: Mapping[int, tuple[time, time]] | None = None,
                   language: str = "id", confirmed_years: Mapping[int, str] | None = None) -> WorkingCalendar:
    cal = WorkingCalendar(hours=hours or DEFAULT_WORKING_HOURS, language=language,
                          confirmed_years=dict(confirmed_years or {}))
    for row in rows:
        target = cal.working_days if row.kind == "working_day" else cal.days_off
        target[row.day] = (row.description, row.source)
    return cal


def load_calendar(session: Session, hours: Mapping[int, tuple[time, time]] | None = None,
                  language: str = "id") -> WorkingCalendar:
    confirmed = dict(session.execute(select(CalendarYear.year, CalendarYear.decree)).all())
    return build_calendar(session.scalars(select(CalendarDay)), hours, language, confirmed)


def get_calendar() -> WorkingCalendar:
    """The calendar for this request or command (database corrections included), built once per
    application context."""
    from flask import current_app, g

    from sep_portal.extensions import db

    cal = g.get("_sep_calendar")
    if cal is None:
        from sep_portal.core.formatting import current_language

        hours = parse_working_hours(current_app.config.get("SEP_WORKING_HOURS"))
        cal = g._sep_calendar = load_calendar(db.session, hours, current_language())
    return cal


def invalidate() -> None:
    from flask import g

    g.pop("_sep_calendar", None)


def add_working_days(t: datetime, n: int) -> datetime:
    """DESIGN §7: end (23:59:59 WIB) of the n-th working day after the calendar day of ``t``."""
    return get_calendar().add_working_days(t, n)


def working_days_left(due: datetime, now: datetime | None = None) -> int:
    """Working days from today up to the due day (0 on the due day, negative when overdue)."""
    return get_calendar().working_days_between(now or clock.now(), due)


# -- operations (superadmin page and `flask sep calendar`) -----------------------------------

def add_calendar_day(session: Session, actor: object, day: date, kind: str, description: str,
                     source: str) -> CalendarDay:
    """Add a day off (cuti bersama, closure) or restore a working day. Audited."""
    from flask_babel import gettext as _

    from sep_portal.core import audit
    from sep_portal.core.errors import DomainError

    if kind not in DAY_KINDS:
        raise DomainError("kind", _("Unknown kind of day."))
    description, source = description.strip(), source.strip()
    if not description:
        raise DomainError("description", _("Describe the day."))
    if not source:
        raise DomainError("source", _("Name the decree or notice this day comes from."))
    if session.scalar(select(CalendarDay).where(CalendarDay.day == day)) is not None:
        raise DomainError("day", _("This date already has an entry; remove it first."))
    base = build_calendar([]).describe(day)
    if kind == "working_day" and base.working:
        raise DomainError("day", _("This date is already a working day."))
    if kind != "working_day" and not base.working and base.reason != "weekend":
        raise DomainError("day", _("This date is already a holiday (%(name)s).", name=base.reason))
    row = CalendarDay(day=day, kind=kind, description=description[:200], source=source[:300],
                      created_by_id=getattr(actor, "id", None))
    session.add(row)
    session.flush()
    audit.record(session, actor, "calendar.day_added", row,
                 after={"day": day, "kind": kind, "description": description, "source": source})
    _forget_cached_calendar()
    _move_deadlines(session, actor)
    return row


def remove_calendar_day(session: Session, actor: object, day: date) -> None:
    """Remove the operator's entry for ``day`` (the package's holidays cannot be removed this way:
    restore a working day instead). Audited."""
    from flask_babel import gettext as _

    from sep_portal.core import audit
    from sep_portal.core.errors import DomainError

    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        raise DomainError("day", _("There is no entry for this date."))
    before = {"day": row.day, "kind": row.kind, "description": row.description, "source": row.source}
    session.delete(row)
    session.flush()
    audit.record(session, actor, "calendar.day_removed", ("calendar_days", row.id), before=before)
    _forget_cached_calendar()
    _move_deadlines(session, actor)


def _move_deadlines(session: Session, actor: object) -> int:
    """Every open deadline follows the change (core.deadlines), in the same transaction."""
    from sep_portal.core.deadlines import move_open_deadlines

    return move_open_deadlines(session, actor, clock.now())


def _forget_cached_calendar() -> None:
    from flask import has_app_context

    if has_app_context():
        invalidate()


def confirm_calendar_year(session: Session, actor: object, year: int, decree: str) -> CalendarYear:
    """The operator has checked the package's days of ``year`` against the decree (its number and
    date in ``decree``): they are no longer marked as estimates. Audited; a confirmation is kept
    (a later decree changes single days with add/remove, each with its own source)."""
    from flask_babel import gettext as _

    from sep_portal.core import audit
    from sep_portal.core.errors import DomainError

    decree = " ".join((decree or "").split())
    if not decree:
        raise DomainError("decree", _("Enter the number and date of the decree."))
    if not 2000 <= year <= 2100:
        raise DomainError("year", _("Enter a year between 2000 and 2100."))
    if session.get(CalendarYear, year) is not None:
        raise DomainError("year", _("The year %(year)d is already confirmed.", year=year))
    row = CalendarYear(year=year, decree=decree[:300], confirmed_by_id=getattr(actor, "id", None),
                       confirmed_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor, "calendar.year_confirmed", ("calendar_years", year),
                 after={"year": year, "decree": decree[:300]})
    _forget_cached_calendar()
    return row
