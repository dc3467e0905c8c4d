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


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


MAX_PAGE = 10_000


def page_number() -> int:
    """The ``?page=`` of a list page: from 1, and capped (a huge number would overflow the
    database's OFFSET); anything that is not a number is the first page."""
    from flask import request

    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)
