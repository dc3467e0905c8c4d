"""Notices of new work: "a new application waits on you", by e-mail through the outbox.

Each feature declares the kinds of notice it sends with ``kind(...)`` (in its
``notifications.py``) and sends them with ``notify``. Each person chooses per kind how they are
told: at once (the default), in one daily digest at 07:30 WIB on working days, or not at all.
A deadline that concerns the person themself (a warning letter's reply date, an activation link)
is not a notice of new work: it goes through the outbox directly and always reaches them.

The digest is a sweep task: at the first sweep at or after 07:30 WIB of a working day, every
entry made before 07:30 goes out, one e-mail a person, and is marked sent in the same
transaction; entries are claimed with FOR UPDATE SKIP LOCKED, so two sweeps never send one twice.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import audit, clock, outbox, sweep
from sep_portal.core.db import Base, sql_in

MODES = ("now", "digest", "off")
MODE_LABELS = {"now": _l("At once"), "digest": _l("Daily digest at 07:30 WIB"), "off": _l("Off")}
DIGEST_TIME = time(7, 30)


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: Any  # a lazy string: what the person reads on the settings page and in the digest
    roles: frozenset[str]  # who may receive it (and sees it on the settings page)


_KINDS: dict[str, NoticeKind] = {}


def kind(code: str, label: Any, *roles: str) -> NoticeKind:
    _KINDS[code] = NoticeKind(code, label, frozenset(roles))
    return _KINDS[code]


def kinds_for(user: Any) -> list[NoticeKind]:
    return [k for k in _KINDS.values() if user.roles & k.roles]


class NoticeSetting(Base):
    """How one person is told of one kind of new work; no row means at once."""

    __tablename__ = "notice_settings"
    __table_args__ = (CheckConstraint(f"mode IN {sql_in(MODES)}", name="mode"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10))


class DigestEntry(Base):
    """One notice waiting for its person's next digest."""

    __tablename__ = "digest_entries"
    __table_args__ = (Index("ix_digest_entries_pending", "sent_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(500))
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None]


def modes_of(session: Session, user_id: int) -> dict[str, str]:
    return dict(session.execute(select(NoticeSetting.kind, NoticeSetting.mode)
                                .where(NoticeSetting.user_id == user_id)).tuples().all())


def set_modes(session: Session, user: Any, modes: dict[str, str]) -> None:
    """Save the person's choices (only kinds they may receive; unknown modes refused)."""
    allowed = {k.code for k in kinds_for(user)}
    before = modes_of(session, user.id)
    for code, mode in modes.items():
        if code not in allowed or mode not in MODES:
            raise ValueError(f"no notice {code!r} in mode {mode!r} for this person")
        row = session.get(NoticeSetting, (user.id, code))
        if row is None:
            session.add(NoticeSetting(user_id=user.id, kind=code, mode=mode))
        else:
            row.mode = mode
    after = {**before, **modes}
    if after != before:
        audit.record(session, user, "notices.settings", user, before={"notices": before}, after={"notices": after})


def notify(session: Session, notice: NoticeKind, recipients: Sequence[Any], *, title: Any, path: str,
           due_at: datetime | None = None, template: str = "work/new_work",
           context: dict[str, Any] | None = None) -> int:
    """Tell each active recipient that ``title`` (a lazy string: each reads it in their own
    language; at the portal address ``path``) waits on them,
    as they chose for this kind: at once by e-mail (``template``, the feature's own if it has
    one, with ``context``), in the next digest, or not. In the caller's transaction; returns how
    many were told at once."""
    people = {p.id: p for p in recipients if p is not None and p.status == "active" and p.roles & notice.roles}
    if not people:
        return 0
    modes = dict(session.execute(select(NoticeSetting.user_id, NoticeSetting.mode).where(
        NoticeSetting.kind == notice.code, NoticeSetting.user_id.in_(people))).tuples().all())
    told = 0
    for person in people.values():
        mode = modes.get(person.id, "now")
        if mode == "now":
            outbox.enqueue(session, template, [person.email],
                           {"user": person, "kind": notice, "title": title, "path": path, "due_at": due_at,
                            **(context or {})}, locale=person.locale)
            told += 1
        elif mode == "digest":
            with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                text = str(title)
            session.add(DigestEntry(user_id=person.id, kind=notice.code, title=text[:300], path=path[:500],
                                    due_at=due_at, created_at=clock.now()))
    return told


def digest_cut(now: datetime, cal: Any) -> datetime | None:
    """07:30 WIB today if today is a working day of ``cal`` and that time has come; else None."""
    local = now.astimezone(clock.WIB)
    if not cal.is_working_day(local.date()):
        return None
    cut = datetime.combine(local.date(), DIGEST_TIME, tzinfo=clock.WIB)
    return cut if now >= cut else None


@sweep.task("notices.digest")
def send_digests(now: datetime) -> int:
    """One digest per person of the entries made before today's 07:30 WIB; returns how many."""
    from sep_portal.accounts.models import User
    from sep_portal.core.calendar import load_calendar
    from sep_portal.extensions import db

    with db.new_session() as session:
        cut = digest_cut(now, load_calendar(session))
        if cut is None:
            return 0
        entries = list(session.scalars(
            select(DigestEntry).where(DigestEntry.sent_at.is_(None), DigestEntry.created_at < cut)
            .order_by(DigestEntry.user_id, DigestEntry.created_at, DigestEntry.id)
            .with_for_update(skip_locked=True)))
        if not entries:
            return 0
        by_person: dict[int, list[DigestEntry]] = defaultdict(list)
        for entry in entries:
            by_person[entry.user_id].append(entry)
            entry.sent_at = now
        people = {u.id: u for u in session.scalars(select(User).where(User.id.in_(by_person)))}
        sent = 0
        for user_id, items in by_person.items():
            person = people.get(user_id)
            if person is None or person.status != "active":
                continue
            groups: dict[str, list[DigestEntry]] = defaultdict(list)
            for item in items:
                groups[item.kind].append(item)
            outbox.enqueue(session, "work/digest", [person.email],
                           {"user": person, "groups": [(_KINDS[k].label if k in _KINDS else k, rows)
                                                       for k, rows in groups.items()], "count": len(items)},
                           locale=person.locale)
            sent += 1
        session.commit()
    return sent
