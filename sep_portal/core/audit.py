"""Append-only audit log with a hash chain.

Every state change and administrative action calls ``record(...)`` inside the transaction that
makes the change. Each entry stores the hash of the previous entry and its own hash over all its
fields, so an edited, inserted or deleted row is found by ``verify()`` (``flask sep audit verify``).

Appending is serialised through the one-row ``audit_head`` table: the UPDATE that bumps its
sequence takes a row lock (PostgreSQL) or the write lock (SQLite) until commit, so concurrent
transactions can never fork the chain. The database also refuses UPDATE and DELETE on the log
(triggers created by the migration).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Index, String, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import clock
from sep_portal.core.db import Base

GENESIS_HASH = "0" * 64

# What each field an entry records is called, for the people who read the log (the operator's audit
# page, a tenant's history). A field missing here is shown by its name with spaces.
FIELD_LABELS = {
    "account_id": _l("Account"),
    "accounts": _l("Accounts"),
    "admin_user_id": _l("Admin Pengelola"),
    "attended": _l("Attended"),
    "body_id": _l("Government body"),
    "capacity": _l("Capacity"),
    "case_id": _l("Case"),
    "category": _l("Category"),
    "category_id": _l("Category"),
    "change_note": _l("What changed"),
    "changes": _l("Changes"),
    "checks": _l("Checks"),
    "code": _l("Code"),
    "decision_due_at": _l("Decision due"),
    "doc_type": _l("Document"),
    "ends_at": _l("Ends"),
    "evidence": _l("Evidence files"),
    "file": _l("File"),
    "file_id": _l("File"),
    "files": _l("Files"),
    "grounds": _l("Grounds"),
    "identity_doc_type": _l("Identity document"),
    "import_id": _l("Import"),
    "letter": _l("Letter"),
    "message_id": _l("Message"),
    "missing": _l("Missing or wrong"),
    "mode": _l("Mode"),
    "name": _l("Name"),
    "online_url": _l("Online meeting link"),
    "people": _l("People"),
    "place": _l("Place"),
    "position": _l("Position"),
    "prefix": _l("Token prefix"),
    "prior_strikes": _l("Earlier strikes"),
    "priority": _l("Priority"),
    "proposal": _l("Proposal"),
    "public": _l("Public"),
    "reason": _l("Reason"),
    "recommendation": _l("Recommendation"),
    "replaced_admin_id": _l("Admin Pengelola replaced"),
    "reply_due_at": _l("Reply due"),
    "request_id": _l("Request"),
    "roles": _l("Roles"),
    "rows": _l("Rows"),
    "rows_with_problems": _l("Rows with problems"),
    "scope": _l("Scope"),
    "seated": _l("Seated"),
    "service": _l("Service"),
    "session": _l("Session"),
    "sessions_ended": _l("Sessions ended"),
    "sha256": _l("SHA-256 checksum"),
    "slug": _l("Page address"),
    "starts_at": _l("Starts"),
    "status": _l("Status"),
    "tenant_status": _l("Status"),
    "title": _l("Title"),
    "topic": _l("Topic"),
    "user_id": _l("Account"),
    "version": _l("Version"),
    "kind": _l("Kind of body"),
    "format": _l("Format"),
    "demo": _l("Demo data"),
}


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_actor_seq", "actor_id", "seq"),
        Index("ix_audit_log_action_seq", "action", "seq"),
        Index("ix_audit_log_occurred_at", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None]  # no foreign key: the log outlives what it describes
    actor_label: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(45))
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def compute_hash(self) -> str:
        return _hash_fields(
            self.seq, self.occurred_at, self.actor_id, self.actor_label, self.action,
            self.target_type, self.target_id, self.ip, self.before, self.after, self.prev_hash,
        )


class AuditHead(Base):
    """The end of the chain: one row (id 1), created by the migration."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(*_args: Any) -> None:
    raise RuntimeError("the audit log is append-only")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, datetime):
        return value.astimezone(clock.UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _hash_fields(seq: int, occurred_at: datetime, actor_id: int | None, actor_label: str, action: str,
                 target_type: str | None, target_id: str | None, ip: str | None, before: Any, after: Any,
                 prev_hash: str) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "occurred_at": occurred_at.astimezone(clock.UTC).isoformat(timespec="microseconds"),
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "ip": ip,
            "before": before,
            "after": after,
            "prev_hash": prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _request_ip() -> str | None:
    from flask import has_request_context, request

    if has_request_context():
        return request.remote_addr
    return None


def _describe_actor(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor[:100]
    return getattr(actor, "id", None), f"user:{getattr(actor, 'id', '?')}"


def _describe_target(target: Any) -> tuple[str | None, str | None]:
    if target is None:
        return None, None
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind), str(ident)
    table = getattr(target, "__tablename__", type(target).__name__)
    return table, str(getattr(target, "id", getattr(target, "seq", "")))


def record(session: Session, actor: Any, action: str, target: Any = None, *,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
           ip: str | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (flushes; the caller commits).

    ``actor`` is a User, a label such as ``"system:sweep"``, or None for the system;
    ``target`` is a model instance or a ``(type, id)`` pair. Never put passwords, tokens or
    secrets in ``before``/``after``.
    """
    session.flush()  # targets created in this transaction need their ids first
    actor_id, actor_label = _describe_actor(actor)
    target_type, target_id = _describe_target(target)
    # Bumping the head first takes the lock that serialises appends until our commit.
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1),
        execution_options={"synchronize_session": False},
    )
    seq, prev_hash = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one()
    entry = AuditEntry(
        seq=seq,
        occurred_at=clock.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        ip=ip if ip is not None else _request_ip(),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    session.add(entry)
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_hash=entry.hash),
        execution_options={"synchronize_session": False},
    )
    session.flush()
    return entry


def record_many(session: Session, actor: Any, action: str, targets: Iterable[tuple[Any, dict[str, Any] | None]], *,
                count: int | None = None, ip: str | None = None, chunk: int = 5000) -> int:
    """Append one entry per (target, after) at once (bulk imports): the head is locked once, the
    chain is computed here and the rows inserted in bulk, a chunk at a time (``targets`` may be a
    generator of ``count`` items: memory stays bounded). Same chain, same guarantees as record()."""
    from sep_portal.core.db import bulk_insert

    if count is None:
        targets = list(targets)
        count = len(targets)
    if count == 0:
        return 0
    session.flush()
    actor_id, actor_label = _describe_actor(actor)
    ip = ip if ip is not None else _request_ip()
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + count),
        execution_options={"synchronize_session": False},
    )
    last_seq, prev_hash = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one()
    seq = last_seq - count
    now = clock.now()
    rows: list[dict[str, Any]] = []
    written = 0
    for target, after in targets:
        seq += 1
        target_type, target_id = _describe_target(target)
        after_json = _jsonable(after) if after is not None else None
        digest = _hash_fields(seq, now, actor_id, actor_label, action, target_type, target_id, ip, None, after_json,
                              prev_hash)
        rows.append({"seq": seq, "occurred_at": now, "actor_id": actor_id, "actor_label": actor_label,
                     "action": action, "target_type": target_type, "target_id": target_id, "ip": ip,
                     "before": None, "after": after_json, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
        if len(rows) >= chunk:
            bulk_insert(session, AuditEntry.__table__, rows, json_columns=("before", "after"))
            written, rows = written + len(rows), []
    bulk_insert(session, AuditEntry.__table__, rows, json_columns=("before", "after"))
    written += len(rows)
    if written != count:
        raise ValueError(f"record_many: {written} entries given, {count} announced")
    session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_hash=prev_hash),
        execution_options={"synchronize_session": False},
    )
    return written


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str | None = None


def _iter_entries(session: Session, chunk: int = 1000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(chunk)
        ).all()
        if not rows:
            return
        last = rows[-1].seq
        for row in rows:
            yield row
            session.expunge(row)  # keep memory flat on a log of millions of rows


def verify(session: Session) -> VerifyResult:
    """Walk the whole chain; report the first entry that does not fit."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _iter_entries(session):
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, "missing entry (sequence gap)")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq, "previous-hash link broken")
        if entry.compute_hash() != entry.hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = session.execute(select(AuditHead.seq, AuditHead.last_hash).where(AuditHead.id == 1)).one_or_none()
    if head is not None and (head.seq != checked or head.last_hash != expected_prev):
        return VerifyResult(False, checked, checked + 1, "entries missing at the end of the log")
    return VerifyResult(True, checked)
