"""Form helpers shared by every feature."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

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

