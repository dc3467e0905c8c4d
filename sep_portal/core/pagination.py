"""One way to page through a list: by offset (numbered pages, for lists of at most a few thousand
rows) or by keyset (a cursor after the last row, for lists of any length: the hundredth page costs
what the first does). Queries come in ordered; the page's rows and its links go out. The pager
macro (``pager`` in ``templates/_macros/lists.html``) draws both and keeps every active filter."""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PAGE = 10_000  # a huge page number would overflow the database's OFFSET
MAX_CURSOR = 600  # characters; a longer one is not ours


def page_number() -> int:
    """The ``?page=`` of a list page: from 1, and capped; anything that is not a number is the
    first page."""
    from flask import request

    return min(max(1, request.args.get("page", 1, type=int) or 1), MAX_PAGE)


def page_size() -> int:
    from flask import current_app

    return int(current_app.config["SEP_PAGE_SIZE"])


@dataclass
class Page(Generic[T]):
    """One numbered page of a list."""

    rows: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def offset_page(session: Session, query: Select[Any], *, page: int, per_page: int,
                options: Sequence[Any] = (), unique: bool = False) -> Page[Any]:
    """One page of an ordered ``query``: two statements (the count and the rows), whatever the
    page size. ``options`` are loader options for the rows only (not the count); ``unique`` for
    queries whose joined eager loads repeat rows."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    result = session.scalars(query.options(*options).limit(per_page).offset((page - 1) * per_page))
    rows = list(result.unique() if unique else result)
    return Page(rows, total, page, per_page)


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor for the key of the last row shown (JSON, URL-safe base64)."""
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The key values of ``cursor`` converted to ``types``; None for no cursor or one that was not
    made by :func:`encode_cursor` for this key (the list then starts at its first page)."""
    if not cursor or len(cursor) > MAX_CURSOR:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(types):
            return None
        return tuple(kind(value) for kind, value in zip(types, values, strict=True))
    except (ValueError, TypeError, RecursionError):
        return None


@dataclass
class KeysetPage(Generic[T]):
    """One page of a list read by keyset: the rows and the cursor of the next page (None at the end)."""

    rows: list[T]
    next_cursor: str | None
    cursor: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_first(self) -> bool:
        return self.cursor is None

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(session: Session, query: Select[Any], key: Sequence[Any], *, cursor: str | None,
                limit: int, types: Sequence[type],
                values: Callable[[Any], Sequence[Any]] | None = None) -> KeysetPage[Any]:
    """The ``limit`` rows of ``query`` ordered by the columns ``key`` (ascending, unique together,
    served by an index) that come after ``cursor``. One statement: one row more than the page is
    read to know whether a next page exists. A key of expressions rather than columns gives
    ``values``: a row's key as the database computes it, for the next page's cursor."""
    after = decode_cursor(cursor, types)
    if after is not None:
        query = query.where(tuple_(*key) > tuple_(*after))
    rows = list(session.scalars(query.order_by(*key).limit(limit + 1)))
    if values is None:
        def values(row: Any) -> Sequence[Any]:
            return [getattr(row, column.key) for column in key]
    next_cursor = encode_cursor(list(values(rows[limit - 1]))) if len(rows) > limit else None
    return KeysetPage(rows[:limit], next_cursor, cursor if after is not None else None)


def page_url(**changes: Any) -> str:
    """The address of this page with every query argument kept, except ``changes`` (None removes
    one): the pager's links, so page 2 keeps the filters of page 1."""
    from flask import request, url_for

    args: dict[str, Any] = {key: request.args.getlist(key) for key in request.args}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)
