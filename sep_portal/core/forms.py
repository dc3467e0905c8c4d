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


def paginate(session: Any, query: Any, *options: Any) -> tuple[list[Any], int, int, int]:
    """One page of an ordered ``query`` for ``?page=`` (``options``: loader options for the rows
    only): (rows, page, pages, total), at SEP_PAGE_SIZE rows a page."""
    from flask import current_app
    from sqlalchemy import func, select

    per_page = current_app.config["SEP_PAGE_SIZE"]
    page = page_number()
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = list(session.scalars(query.options(*options).limit(per_page).offset((page - 1) * per_page)))
    return rows, page, max(1, -(-total // per_page)), total
