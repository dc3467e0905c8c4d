"""Dates, times and numbers as Indonesian civil servants write them: ``24 November 2026 10.00 WIB``,
``1.234 akun``, ``3,8 dari 4``, ``5,0 MB`` (and as English readers do: ``1,234``, ``3.8``, ``5.0 MB``).
Pages and messages format numbers here; exports (CSV/XLSX) keep machine numbers."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_decimal as _babel_format_decimal
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


# -- numbers ------------------------------------------------------------------------------------------

def format_number(value: int | float | None, *, locale: str | None = None) -> str:
    """A count with the reader's grouping: ``1.234`` (id), ``1,234`` (en)."""
    if value is None:
        return "–"
    return _babel_format_decimal(value, "#,##0", locale=locale or current_language())


def format_decimal(value: float | Decimal | None, places: int = 1, *, locale: str | None = None) -> str:
    """A number with exactly ``places`` decimals: ``3,8`` (id), ``3.8`` (en)."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return _babel_format_decimal(value, pattern, locale=locale or current_language(), decimal_quantization=True)


def format_filesize(size: int | None, *, locale: str | None = None) -> str:
    """Bytes as a person reads them: ``5,0 MB`` from a megabyte on, else ``820 KB`` (at least 1 KB)."""
    if size is None:
        return "–"
    if size >= 1024 * 1024:
        return f"{format_decimal(size / (1024 * 1024), 1, locale=locale)} MB"
    return f"{format_number(max(1, size // 1024), locale=locale)} KB"
