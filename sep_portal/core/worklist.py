""""Tugas saya": everything that waits on one person, across features.

Each feature registers the kinds of work it hands out with ``@kind(...)`` in its ``queries.py``:
a function that, for one person, counts the items of that kind and returns the first ``limit``
of them, most urgent first, in two queries whatever the number of items. The dashboard, the
page ``/tugas`` and the counts in the menu all read this one registry, so a new kind of work
appears in all three at once.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class WorkItem:
    title: str
    url: str
    due_at: datetime | None = None  # a deadline: shown in WIB with the working days left
    since: datetime | None = None  # no deadline: how long it has waited
    note: str = ""


@dataclass
class WorkGroup:
    code: str
    label: str
    total: int
    items: list[WorkItem] = field(default_factory=list)
    list_url: str | None = None

    @property
    def more(self) -> int:
        return self.total - len(self.items)


Provider = Callable[[Session, Any, datetime, int], tuple[int, list[WorkItem]]]


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # a lazy string
    roles: frozenset[str]
    provider: Provider
    list_url: Callable[[], str] | None = None  # where the whole list of this kind lives
    needs_body: bool = False  # only for a person who belongs to a body (Sekretaris, Admin Pengelola)
    quiet: bool = False  # work that concerns few people (a warning letter): listed only when there is some


_KINDS: dict[str, Kind] = {}


def kind(code: str, label: Any, *roles: str, list_url: Callable[[], str] | None = None,
         needs_body: bool = False, quiet: bool = False) -> Callable[[Provider], Provider]:
    """Register ``fn(session, user, now, limit) -> (count, first items)`` as work of ``code``
    for the holders of ``roles``. The order of registration is the order on the page."""
    def decorator(fn: Provider) -> Provider:
        _KINDS[code] = Kind(code, label, frozenset(roles), fn, list_url, needs_body, quiet)
        return fn

    return decorator


def kinds_for(user: Any) -> list[Kind]:
    return [k for k in _KINDS.values()
            if user.roles & k.roles and (not k.needs_body or getattr(user, "body_id", None))]


def count_and_first(session: Session, query: Select[Any], limit: int) -> tuple[int, list[Any]]:
    """The number of rows of ``query`` and its first ``limit`` rows: two queries at most."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if not total or limit <= 0:
        return total, []
    return total, list(session.execute(query.limit(limit)).unique().all())


def work_for(session: Session, user: Any, now: datetime, *, limit: int = 10) -> list[WorkGroup]:
    """Every kind of work of this person, with its count and first items (empty kinds too: the
    page says that there is nothing of that kind)."""
    groups = []
    for k in kinds_for(user):
        total, items = k.provider(session, user, now, limit)
        if total or not k.quiet:
            groups.append(WorkGroup(k.code, str(k.label), total, items, k.list_url() if k.list_url else None))
    return groups


def count_for(session: Session, user: Any, now: datetime) -> int:
    """How many things wait on this person (the number in the menu): counts only."""
    return sum(k.provider(session, user, now, 0)[0] for k in kinds_for(user))
