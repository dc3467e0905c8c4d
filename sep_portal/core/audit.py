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
    "verification_due_at": _l("Verification due"),
    "completion_due_at": _l("Completion due"),
    "decree": _l("Decree"),
    "year": _l("Year"),
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
    "reference": _l("Reference"),
    "recommendation": _l("Recommendation"),
    "replaced_admin_id": _l("Admin Pengelola replaced"),
    "reply_due_at": _l("Reply due"),
    "request_id": _l("Request"),
    "role": _l("Role"),
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
    "status_link": _l("Status link e-mailed"),
    "tenant_status": _l("Status"),
    "title": _l("Title"),
    "topic": _l("Topic"),
    "user_id": _l("Account"),
    "version": _l("Version"),
    "kind": _l("Kind of body"),
    "format": _l("Format"),
    "demo": _l("Demo data"),
    "active": _l("Switched on"),
    "added": _l("Added"),
    "assigned_to_id": _l("Assigned to"),
    "day": _l("Date"),
    "description": _l("Description"),
    "failures": _l("Failed attempts"),
    "had_totp": _l("Two-step verification was set up"),
    "impact": _l("Impact"),
    "locked_until": _l("Locked until"),
    "notices": _l("Notifications"),
    "other_sessions_ended": _l("Other sessions ended"),
    "query": _l("Search filter"),
    "remaining": _l("Recovery codes left"),
    "source": _l("Legal basis / source"),
    "unit": _l("Work unit"),
    "updated": _l("Updated"),
    "urgency": _l("Urgency"),
    "url": _l("Address (URL)"),
    "provider": _l("Service provider"),
    "manager": _l("Service manager"),
    "technical_manager": _l("Technical manager"),
    "access": _l("How to access the service"),
    "availability_target": _l("Availability target"),
    "requirements": _l("Requirements"),
    "procedure": _l("Procedure"),
    "time_limit": _l("Time to complete"),
    "cost": _l("Cost"),
    "product": _l("Service product"),
    "complaints": _l("Complaints, suggestions and feedback"),
    "body": _l("Text"),
    "title_en": _l("Title (English)"),
    "body_en": _l("Text (English)"),
    "language": _l("Language"),
    "score_speed": _l("Speed of the service"),
    "score_competence": _l("Competence of the agent"),
    "score_clarity": _l("Clarity of the answer"),
    "score_courtesy": _l("Courtesy"),
    "comment": _l("Comment"),
    "notified": _l("Notified"),
    "escalated_at": _l("Escalated at"),
    "change": _l("Proposal"),
    "note": _l("Note"),
    "proposed_by": _l("Proposed by"),
    "sekretaris_id": _l("Sekretaris BP"),
    "applicant_id": _l("Applicant"),
}
# The fields that hold the id of an account or of a body: shown by the name (admin.queries.audit_names).
PERSON_FIELDS = frozenset({"user_id", "account_id", "admin_user_id", "replaced_admin_id", "proposed_by",
                           "sekretaris_id", "applicant_id"})
BODY_FIELDS = frozenset({"body_id"})

# What each audit action is called, for the people who read the log (the operator's audit page, a
# tenant's history): one label per action the code writes (tests/core/test_audit_labels.py holds
# the code to this list).
ACTION_LABELS = {
    "abuse.case_assigned": _l("Abuse case assigned"),
    "abuse.case_dismissed": _l("Abuse case dismissed"),
    "abuse.case_opened": _l("Abuse case opened"),
    "abuse.case_substantiated": _l("Abuse case substantiated"),
    "abuse.category_added": _l("Abuse category added"),
    "abuse.category_disabled": _l("Abuse category switched off"),
    "abuse.category_enabled": _l("Abuse category switched on"),
    "abuse.note_added": _l("Note added to a case"),
    "abuse.reply_accepted": _l("Reply to a warning accepted"),
    "abuse.reply_rejected": _l("Reply to a warning rejected: misuse confirmed"),
    "abuse.reported": _l("Misuse reported"),
    "abuse.warning_issued": _l("Warning letter issued"),
    "abuse.warning_replied": _l("Warning letter replied to"),
    "account.activated": _l("Account activated"),
    "account.activation_sent": _l("Activation link sent"),
    "account.created": _l("Account created"),
    "account.deactivated": _l("Account deactivated"),
    "account.disabled": _l("Account disabled by the admin"),
    "account.email_verified": _l("E-mail address verified"),
    "account.enabled": _l("Account enabled by the admin"),
    "account.permanently_deactivated": _l("Account permanently deactivated"),
    "account.reactivated": _l("Account reactivated"),
    "account.reactivation_approved": _l("Reactivation request approved"),
    "account.reactivation_rejected": _l("Reactivation request refused"),
    "account.reactivation_requested": _l("Reactivation requested"),
    "account.registered": _l("Registered an account"),
    "account.role_granted": _l("Role granted"),
    "account.sekretaris_linked": _l("Became the Sekretaris BP of a body"),
    "account.sekretaris_unlinked": _l("No longer the Sekretaris BP of a body"),
    "account.role_revoked": _l("Role withdrawn"),
    "account.totp_reset": _l("Two-step verification reset"),
    "account.updated": _l("Account data changed"),
    "accounts.exported": _l("Account list exported"),
    "accounts.import_checked": _l("Account import checked"),
    "accounts.import_started": _l("Account import started"),
    "accounts.import_uploaded": _l("Account import file uploaded"),
    "accounts.imported": _l("Accounts imported"),
    "api.service_account_created": _l("API access created"),
    "api.service_account_revoked": _l("API access revoked"),
    "api.webhook_created": _l("Webhook added"),
    "api.webhook_disabled": _l("Webhook switched off"),
    "api.webhook_enabled": _l("Webhook switched on"),
    "application.approve": _l("Application approved"),
    "application.created": _l("Application created"),
    "application.declare_complete": _l("Documents declared complete"),
    "application.document_replaced": _l("Document replaced"),
    "application.document_uploaded": _l("Document uploaded"),
    "application.edited": _l("Application data changed"),
    "application.escalated": _l("Overdue application escalated"),
    "application.lapse": _l("Application lapsed (not completed in time)"),
    "application.verification_escalated": _l("Overdue verification escalated"),
    "application.verification_reminded": _l("Reminder sent about a verification"),
    "application.handed_over": _l("Application passed to the new Sekretaris BP"),
    "application.recommend": _l("Decision recommended"),
    "application.reject": _l("Application rejected"),
    "application.reminded": _l("Reminder sent about an application"),
    "application.resubmit": _l("Application resubmitted"),
    "application.return": _l("Returned for completion"),
    "application.submit": _l("Application submitted"),
    "application.withdraw": _l("Application withdrawn"),
    "auth.all_sessions_ended": _l("Signed out everywhere"),
    "auth.locked_out": _l("Sign-in locked after failed attempts"),
    "auth.other_sessions_ended": _l("Signed out on other devices"),
    "auth.password_changed": _l("Password changed"),
    "auth.password_reset": _l("Password reset"),
    "auth.password_reset_requested": _l("Password reset requested"),
    "auth.recovery_code_used": _l("Recovery code used"),
    "auth.recovery_codes_regenerated": _l("New recovery codes made"),
    "auth.signed_in": _l("Signed in to the portal"),
    "auth.signed_out": _l("Signed out of the portal"),
    "auth.totp_enrolled": _l("Two-step verification set up"),
    "auth.totp_reenrolled": _l("Two-step verification set up again"),
    "bimtek.absent": _l("Marked absent from a bimtek"),
    "bimtek.attendance_recorded": _l("Bimtek attendance recorded"),
    "bimtek.attended": _l("Marked present at a bimtek"),
    "bimtek.certificate_issued": _l("Bimtek certificate issued"),
    "bimtek.promoted": _l("Moved from the waiting list to a seat"),
    "bimtek.registered": _l("Registered for a bimtek"),
    "bimtek.registration_cancelled": _l("Bimtek registration cancelled"),
    "bimtek.session_cancelled": _l("Bimtek session cancelled"),
    "bimtek.session_created": _l("Bimtek session created"),
    "bimtek.session_updated": _l("Bimtek session changed"),
    "bimtek.waitlist_closed": _l("Bimtek waiting list closed"),
    "bimtek.waitlisted": _l("Put on a bimtek waiting list"),
    "bodies.loaded": _l("Reference list of bodies loaded"),
    "body.confirmed": _l("Body confirmed by a verifier"),
    "calendar.day_added": _l("Calendar day added"),
    "calendar.day_removed": _l("Calendar day removed"),
    "calendar.year_confirmed": _l("Calendar year confirmed by decree"),
    "deadline.moved": _l("Deadline moved after a calendar change"),
    "helpdesk.service_created": _l("Service added to the catalogue"),
    "helpdesk.service_switched": _l("Service switched on or off"),
    "helpdesk.service_updated": _l("Service changed"),
    "helpdesk.sla_targets_set": _l("SLA targets set"),
    "helpdesk.view_deleted": _l("Saved view deleted"),
    "helpdesk.view_saved": _l("View saved"),
    "knowledge.article_created": _l("Article written"),
    "knowledge.article_published": _l("Article published"),
    "knowledge.article_unpublished": _l("Article withdrawn from publication"),
    "knowledge.article_updated": _l("Article changed"),
    "knowledge.category_added": _l("Article category added"),
    "knowledge.category_disabled": _l("Article category switched off"),
    "knowledge.category_enabled": _l("Article category switched on"),
    "knowledge.sop_created": _l("SOP added"),
    "knowledge.sop_version_published": _l("New SOP version published"),
    "notices.settings": _l("Notification settings changed"),
    "outbox.requeued": _l("E-mail queued again"),
    "tenant.created": _l("Became a tenant"),
    "tenant.reactivated": _l("Tenant reactivated"),
    "tenant.suspended": _l("Tenant suspended"),
    "tenant.suspend_proposed": _l("Suspension proposed"),
    "tenant.reactivate_proposed": _l("Reactivation proposed"),
    "tenant.suspend_refused": _l("Proposed suspension refused"),
    "tenant.reactivate_refused": _l("Proposed reactivation refused"),
    "tenant.sekretaris_changed": _l("Sekretaris BP changed"),
    "tenant.sekretaris_refused": _l("Request to become Sekretaris BP refused"),
    "tenant.sekretaris_requested": _l("Request to become Sekretaris BP filed"),
    "tenant.sekretaris_withdrawn": _l("Request to become Sekretaris BP withdrawn"),
    "ticket.assign": _l("Ticket assigned"),
    "ticket.close": _l("Ticket closed"),
    "ticket.closed": _l("Ticket closed automatically"),
    "ticket.escalated": _l("Overdue ticket escalated"),
    "ticket.noted": _l("Internal note added to a ticket"),
    "ticket.opened": _l("Ticket opened"),
    "ticket.priority_set": _l("Ticket priority set"),
    "ticket.rated": _l("Service rated"),
    "ticket.reopen": _l("Ticket reopened"),
    "ticket.replied": _l("Reply sent on a ticket"),
    "ticket.requester_replied": _l("Requester replied"),
    "ticket.resolve": _l("Ticket resolved"),
    "ticket.start": _l("Work on a ticket started"),
    "ticket.wait": _l("Waiting on the requester"),
}

# What each kind of object an entry is about is called (its table name in the log).
TARGET_LABELS = {
    "users": _l("Account"),
    "applications": _l("Application"),
    "calendar_years": _l("Calendar year"),
    "application_documents": _l("Application document"),
    "bodies": _l("Government body"),
    "abuse_cases": _l("Abuse case"),
    "abuse_reports": _l("Abuse report"),
    "abuse_categories": _l("Abuse category"),
    "case_notes": _l("Case note"),
    "warning_letters": _l("Warning letter"),
    "strikes": _l("Strike"),
    "reactivation_requests": _l("Reactivation request"),
    "service_accounts": _l("API access"),
    "webhook_endpoints": _l("Webhook"),
    "account_imports": _l("Account import"),
    "admin_assignments": _l("Admin Pengelola appointment"),
    "tembusan_copies": _l("Tembusan"),
    "sekretaris_handovers": _l("Request to become Sekretaris BP"),
    "article_categories": _l("Article category"),
    "articles": _l("Article"),
    "sop_documents": _l("SOP"),
    "sop_versions": _l("SOP version"),
    "helpdesk_services": _l("Service"),
    "sla_targets": _l("SLA target"),
    "tickets": _l("Ticket"),
    "ticket_messages": _l("Ticket message"),
    "ticket_surveys": _l("Satisfaction survey"),
    "helpdesk_saved_views": _l("Saved view"),
    "bimtek_sessions": _l("Bimtek session"),
    "bimtek_registrations": _l("Bimtek registration"),
    "calendar_days": _l("Calendar day"),
    "helpdesk_service": _l("Service"),
    "outbox": _l("E-mail"),
    "letters": _l("Letter"),
    "stored_files": _l("File"),
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
