"""Dates and times as Indonesian civil servants write them: ``24 November 2026 10.00 WIB``."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from flask_babel import get_locale

from sep_portal.core.clock import WIB


def current_language() -> str:
    try:
        locale = get_locale()
    except RuntimeError:  # outside a request: the portal's language
        return "id"
    return str(locale) if locale else "id"


def format_datetime(value: datetime | None, *, locale: str | None = None) -> str:
    if value is None:
        return "–"
    locale = locale or current_language()
    pattern = "d MMMM yyyy HH.mm" if locale == "id" else "d MMMM yyyy HH:mm"
    return f"{_babel_format_datetime(value.astimezone(WIB), pattern, tzinfo=WIB, locale=locale)} WIB"


def format_date(value: date | datetime | None, *, locale: str | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(WIB).date()
    return _babel_format_date(value, "d MMMM yyyy", locale=locale or current_language())


def format_day(value: date, *, locale: str | None = None) -> str:
    """``Selasa, 24 November 2026``."""
    return _babel_format_date(value, "EEEE, d MMMM yyyy", locale=locale or current_language())


def format_working_time(value: timedelta | None) -> str:
    """A span of working time: ``3 jam 20 menit kerja``; past a target: ``lewat 1 jam 5 menit``."""
    from flask_babel import gettext as _

    if value is None:
        return "–"
    minutes = int(abs(value.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    span = (_("%(h)d h %(m)d min", h=hours, m=minutes) if hours else _("%(m)d min", m=minutes))
    if value.total_seconds() < 0:
        return _("overdue by %(span)s", span=span)
    return _("%(span)s of working time", span=span)
