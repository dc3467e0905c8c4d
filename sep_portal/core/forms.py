"""Form helpers shared by every feature."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm

from sep_portal.core.calendar import END_OF_DAY
from sep_portal.core.clock import WIB
from sep_portal.core.errors import DomainError


def apply_error(form: FlaskForm, error: DomainError) -> None:
    """Put an operation's DomainError on the form field it names (or on the form as a whole)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors) if isinstance(field.errors, (list, tuple)) else []
        errors.append(error.message)
        field.errors = errors
    else:
        form.form_errors.append(error.message)


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons."""


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value



def end_of_day(value: str | None) -> datetime | None:
    """A filter's ``2026-11-30`` → the last second of that day in WIB; None for nothing or not a date."""
    if not value:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, END_OF_DAY, tzinfo=WIB)
