"""Tenant administration: the Admin Pengelola's work on its body's ASN accounts, and Ditjen's
suspension of a whole tenant. No HTTP here; the caller commits once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User
from sep_portal.api import webhooks
from sep_portal.auth import operations as auth_ops
from sep_portal.core import audit, outbox, storage
from sep_portal.core.db import add_unique, lock_row
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.identity import normalize_email
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import ADMIN_PENGELOLA, ASN, PEJABAT, SEKRETARIS, SUPERADMIN, TENANT_ROLES, VERIFIKATOR
from sep_portal.core.states import IllegalTransition
from sep_portal.tenants import notifications
from sep_portal.tenants.models import (
    AccountImport,
    AdminAssignment,
    Body,
    SekretarisHandover,
    TembusanCopy,
    TenantStatusChange,
)
from sep_portal.tenants.states import handover_machine


def admin_tenant(session: Session, user: User) -> Body:
    """The body whose accounts ``user`` administers: only an Admin Pengelola with an open
    assignment has one. Everything the admin does is scoped to it."""
    if not user.has_role(ADMIN_PENGELOLA) or user.body_id is None:
        raise NotPermitted("not an Admin Pengelola")
    assignment = AdminAssignment.open_for_body(session, user.body_id)
    if assignment is None or assignment.user_id != user.id:
        raise NotPermitted("no open assignment")
    body = session.get(Body, user.body_id)
    assert body is not None
    return body


def is_managed(account: User, body: Body, actor: User) -> bool:
    """The admin manages the ASN accounts of its body; the Sekretaris, itself and staff are Ditjen's."""
    return account.body_id == body.id and account.id != actor.id and account.roles <= {ASN}


def _ensure_managed(account: User, body: Body, actor: User) -> None:
    if not is_managed(account, body, actor):
        raise NotPermitted("account not managed by this admin")


def _ensure_not_successor(session: Session, account: User, body: Body) -> None:
    """The account proposed to replace the Admin Pengelola is out of the outgoing admin's reach
    until the replacement is decided (it could otherwise be disabled or re-addressed)."""
    from sep_portal.applications.models import OPEN_STATUSES, Application

    named = session.scalar(select(Application.id).where(
        Application.body_id == body.id, Application.kind == "penggantian",
        Application.status.in_(("draft", *OPEN_STATUSES)),
        (Application.admin_nip == account.nip) | (Application.admin_email == account.email)))
    if named is not None:
        raise ConflictError(_("This account is proposed as the new Admin Pengelola in a replacement request; "
                              "it cannot be changed until the request is decided."))


def _state(user: User) -> dict[str, Any]:
    return {"status": user.status}


def _clean(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    return value[:limit] or None


def create_account(session: Session, actor: User, body: Body, *, name: str, nip: str, email: str,
                   unit: str | None, position: str | None, now: datetime) -> User:
    """A new ASN account of the admin's body; the person activates it from an e-mailed link and
    chooses the password (the admin never sees one)."""
    name_clean = _clean(name, 200)
    if not name_clean:
        raise DomainError("name", _("Enter the full name."))
    nip = normalize_nip(nip)
    problem = nip_problem(nip)
    if problem:
        raise DomainError("nip", problem)
    taken = User.nip_taken_message(session, nip)
    if taken:
        raise DomainError("nip", taken)
    email = normalize_email(email)
    if User.by_email(session, email) is not None:
        raise DomainError("email", _("This e-mail address already has an account on the portal."))
    user = User(name=name_clean, nip=nip, email=email, unit=_clean(unit, 200), position=_clean(position, 200),
                body_id=body.id, status="pending", locale="id")
    user.add_role(ASN)
    try:
        with session.begin_nested():  # (begin_nested flushes what is pending: add inside it)
            session.add(user)
            session.flush()
    except IntegrityError:  # created at the same moment by someone else
        raise DomainError("nip", _("This NIP or e-mail was registered a moment ago.")) from None
    auth_ops.send_activation(session, user, now, context={"body": body})
    audit.record(session, actor, "account.created", user, after={"status": "pending", "roles": [ASN],
                                                                 "body_id": body.id})
    webhooks.emit(session, "account.created", [user])
    return user


def update_account(session: Session, actor: User, body: Body, account: User, *, name: str, email: str,
                   unit: str | None, position: str | None, nip: str | None, now: datetime) -> None:
    """Correct an account's data. The NIP can only be corrected before activation."""
    _ensure_managed(account, body, actor)
    _ensure_not_successor(session, account, body)
    if account.status == "permanently_deactivated":
        raise ConflictError(_("This account was deactivated permanently and cannot be changed."))
    before = {"name": account.name, "unit": account.unit, "position": account.position}
    name_clean = _clean(name, 200)
    if not name_clean:
        raise DomainError("name", _("Enter the full name."))
    email = normalize_email(email)
    if email != account.email:
        if User.by_email(session, email) is not None:
            raise DomainError("email", _("This e-mail address already has an account on the portal."))
        if account.status != "pending":
            raise DomainError("email", _("The e-mail of an activated account is changed by its owner or the "
                                         "helpdesk, not here."))
    if nip is not None and normalize_nip(nip) != account.nip:
        if account.status != "pending":
            raise DomainError("nip", _("The NIP of an activated account cannot be changed."))
        new_nip = normalize_nip(nip)
        problem = nip_problem(new_nip) or User.nip_taken_message(session, new_nip)
        if problem:
            raise DomainError("nip", problem)
        account.nip = new_nip
    account.name, account.email = name_clean, email
    account.unit, account.position = _clean(unit, 200), _clean(position, 200)
    session.flush()
    audit.record(session, actor, "account.updated", account, before=before,
                 after={"name": account.name, "unit": account.unit, "position": account.position})


def _reason(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", message)
    return reason[:2000]


def disable_account(session: Session, actor: User, body: Body, account: User, *, reason: str,
                    now: datetime) -> None:
    """The admin's own switch: the account cannot sign in and its sessions end at once. The
    reason is recorded and told to the person."""
    reason = _reason(reason, _("Give the reason for disabling the account."))
    account = User.lock(session, account.id)
    _ensure_managed(account, body, actor)
    _ensure_not_successor(session, account, body)
    if account.status == "disabled":
        return
    if account.status not in ("active", "pending"):
        raise ConflictError(_("This account was deactivated by Ditjen Aptika; only Ditjen can change it."))
    before = _state(account)
    account.status = "disabled"
    ended = auth_ops.end_all_sessions(session, account, now, "disabled")
    session.flush()
    audit.record(session, actor, "account.disabled", account, before=before,
                 after={**_state(account), "reason": reason, "sessions_ended": ended})
    outbox.enqueue(session, "tenants/account_disabled", [account.email],
                   {"user": account, "body": body, "reason": reason}, locale=account.locale)
    webhooks.emit(session, "account.disabled", [account])


def enable_account(session: Session, actor: User, body: Body, account: User, *, reason: str,
                   now: datetime) -> None:
    """Lift the admin's own disabling (never a deactivation by Ditjen), with the reason."""
    reason = _reason(reason, _("Give the reason for enabling the account again."))
    account = User.lock(session, account.id)
    _ensure_managed(account, body, actor)
    if account.status != "disabled":
        raise ConflictError(_("Only an account disabled by its Admin Pengelola can be enabled here."))
    before = _state(account)
    account.status = "active" if account.password_hash and account.email_verified_at else "pending"
    session.flush()
    audit.record(session, actor, "account.enabled", account, before=before, after={**_state(account), "reason": reason})
    outbox.enqueue(session, "tenants/account_enabled", [account.email],
                   {"user": account, "body": body, "reason": reason}, locale=account.locale)
    webhooks.emit(session, "account.reactivated", [account])


def resend_activation(session: Session, actor: User, body: Body, account: User, *, now: datetime) -> None:
    _ensure_managed(account, body, actor)
    if account.status != "pending":
        raise ConflictError(_("Only an account that is not yet activated gets an activation link."))
    auth_ops.send_activation(session, account, now, context={"body": body})
    audit.record(session, actor, "account.activation_sent", account)


def reset_totp(session: Session, actor: User, body: Body, account: User, *, now: datetime) -> None:
    """Switch off the account's two-step verification (a lost phone): the person enrols again at
    the next sign-in. The admin never learns or sets a secret or password."""
    _ensure_managed(account, body, actor)
    _ensure_not_successor(session, account, body)
    if account.status == "permanently_deactivated":
        raise ConflictError(_("This account was deactivated permanently and cannot be changed."))
    had, ended = auth_ops.clear_totp(session, account, now)
    audit.record(session, actor, "account.totp_reset", account, after={"had_totp": had, "sessions_ended": ended})
    outbox.enqueue(session, "tenants/totp_reset", [account.email], {"user": account, "body": body},
                   locale=account.locale)


# -- Ditjen: the whole tenant ------------------------------------------------------------------

def _ensure_ditjen(actor: User) -> None:
    if not actor.has_any_role(PEJABAT, SUPERADMIN):
        raise NotPermitted("suspend tenant")


def propose_tenant_change(session: Session, actor: User, body: Body, *, action: str, reason: str,
                          now: datetime) -> TenantStatusChange:
    """One official proposes to suspend (or reactivate) a tenant; another confirms (four eyes).
    The other officials are told at once."""
    _ensure_ditjen(actor)
    if action == "suspend":
        reason = _reason(reason, _("Give the reason for the suspension."))
        if body.tenant_status != "active":
            raise ConflictError(_("Only an active tenant can be suspended."))
    elif action == "reactivate":
        reason = _reason(reason, _("Give the reason for the reactivation."))
        if body.tenant_status != "suspended":
            raise ConflictError(_("Only a suspended tenant can be reactivated."))
    else:
        raise ValueError(action)
    lock_row(session, Body, body.id)
    if TenantStatusChange.open_for_body(session, body.id) is not None:
        raise ConflictError(_("A change of this tenant's status is already waiting for confirmation."))
    change = TenantStatusChange(body_id=body.id, action=action, reason=reason, proposed_by_id=actor.id,
                                proposed_at=now, status="proposed")
    try:
        with session.begin_nested():
            session.add(change)
            session.flush()
    except IntegrityError:  # another official proposed a change at the same moment
        raise ConflictError(_("A change of this tenant's status is already waiting for confirmation.")) from None
    audit.record(session, actor, "tenant.suspend_proposed" if action == "suspend" else "tenant.reactivate_proposed",
                 body, after={"reason": reason, "change": change.id})
    notifications.tenant_change_proposed(session, change, body, actor)
    return change


def decide_tenant_change(session: Session, actor: User, body: Body, change_id: int, *, confirm: bool, note: str,
                         now: datetime) -> TenantStatusChange:
    """Another official confirms the proposal (it takes effect at once) or refuses it with a note.
    The proposer never confirms their own proposal; refusing their own is withdrawing it."""
    _ensure_ditjen(actor)
    change = lock_row(session, TenantStatusChange, change_id)
    if change is None or change.body_id != body.id:
        raise NotPermitted("no such change")
    if change.status != "proposed":
        raise IllegalTransition("tenant_status_change", change.status, "decide")
    note = (note or "").strip()[:2000]
    if confirm and change.proposed_by_id == actor.id:
        raise DomainError(None, _("You proposed this change yourself; another official must confirm it "
                                  "(four-eyes principle)."))
    if not confirm and not note:
        raise DomainError("note", _("Give the reason for refusing the proposal."))
    body = lock_row(session, Body, change.body_id)
    change.status, change.decided_by_id, change.decided_at = ("confirmed" if confirm else "refused"), actor.id, now
    change.decision_note = note or None
    session.flush()
    if confirm:
        (_suspend if change.action == "suspend" else _reactivate)(session, actor, body, change, now)
    else:
        audit.record(session, actor,
                     "tenant.suspend_refused" if change.action == "suspend" else "tenant.reactivate_refused", body,
                     after={"change": change.id, "note": note})
    return change


def _suspend(session: Session, actor: User, body: Body, change: TenantStatusChange, now: datetime) -> None:
    """Every account of the body is refused at sign-in (and its sessions end) until reactivated.
    The body's Sekretaris and Admin Pengelola are told why and whom to ask."""
    if body.tenant_status != "active":
        raise ConflictError(_("Only an active tenant can be suspended."))
    body.tenant_status, body.status_reason, body.status_changed_at = "suspended", change.reason, now
    ended = 0
    for user in session.scalars(select(User).where(User.body_id == body.id, User.status == "active")):
        ended += auth_ops.end_all_sessions(session, user, now, "tenant_suspended")
    session.flush()
    audit.record(session, actor, "tenant.suspended", body, before={"tenant_status": "active"},
                 after={"tenant_status": "suspended", "reason": change.reason, "proposed_by": change.proposed_by_id,
                        "sessions_ended": ended})
    webhooks.emit_tenant(session, "tenant.suspended", body)
    _tell_body(session, body, "tenants/tenant_suspended", change.reason)


def _reactivate(session: Session, actor: User, body: Body, change: TenantStatusChange, now: datetime) -> None:
    if body.tenant_status != "suspended":
        raise ConflictError(_("Only a suspended tenant can be reactivated."))
    body.tenant_status, body.status_reason, body.status_changed_at = "active", change.reason, now
    session.flush()
    audit.record(session, actor, "tenant.reactivated", body, before={"tenant_status": "suspended"},
                 after={"tenant_status": "active", "reason": change.reason, "proposed_by": change.proposed_by_id})
    webhooks.emit_tenant(session, "tenant.reactivated", body)
    _tell_body(session, body, "tenants/tenant_reactivated", change.reason)


def _tell_body(session: Session, body: Body, template: str, reason: str) -> None:
    from sep_portal.tenants.queries import body_contacts

    for person in body_contacts(session, body.id):
        outbox.enqueue(session, template, [person.email], {"user": person, "body": body, "reason": reason},
                       locale=person.locale)


# -- the Admin Pengelola: exports and imports -----------------------------------------------------

def record_export(session: Session, actor: User, body: Body, *, fmt: str) -> None:
    """Who took a copy of the body's account list, and in which format (the list holds personal data)."""
    audit.record(session, actor, "accounts.exported", body, after={"format": fmt})


def upload_import(session: Session, actor: User, body: Body, upload: Any, *, max_bytes: int,
                  now: datetime) -> AccountImport:
    """Store an uploaded CSV/XLSX and queue its check (the dry run). One import per body at a
    time: a second one would race the first for the same NIPs. The caller starts the job once
    the transaction is committed (``importer.start``); the sweep would pick it up anyway."""
    from sep_portal.tenants import queries

    if queries.running_import(session, body.id) is not None:
        raise DomainError("file", _("Another import of your body is still running; wait until it ends."))
    try:
        stored = storage.save_spreadsheet(session, upload, purpose="import:source", created_by=actor,
                                          max_bytes=max_bytes)
    except DomainError as exc:
        raise DomainError("file", exc.message) from None
    job = AccountImport(body_id=body.id, created_by_id=actor.id, file_id=stored.id, status="queued_check",
                        created_at=now)
    session.add(job)
    session.flush()
    audit.record(session, actor, "accounts.import_uploaded", job,
                 after={"file": stored.original_name, "sha256": stored.sha256})
    return job


def start_import(session: Session, actor: User, job: AccountImport) -> AccountImport:
    """Queue the import of a checked file. Claimed by a conditional UPDATE: of two clicks at once,
    one queues it; a file with problems, or one already imported, is refused."""
    claimed = session.execute(
        update(AccountImport).where(AccountImport.id == job.id, AccountImport.status == "checked")
        .values(status="queued_import", processed_rows=0), execution_options={"synchronize_session": False}
    ).rowcount
    if not claimed:
        raise ConflictError(_("This import cannot be started: check the file first, and only a file without "
                              "problems is imported."))
    audit.record(session, actor, "accounts.import_started", job)
    return job


# -- the Sekretaris: tembusan ------------------------------------------------------------------

def mark_tembusan_read(session: Session, actor: User, copy: TembusanCopy, *, now: datetime) -> bool:
    """Note that the Sekretaris has read a copy: the first reading counts (its time and reader are
    kept), later ones change nothing. Called by the POST that opens a copy from the inbox or the
    copy page's "mark as read" button, never by showing the page: a GET does not write (a link
    opened by a mail scanner or a prefetch must not mark a letter read that nobody read).
    True if this call marked it."""
    if not copy.can_read(actor):
        raise NotPermitted("tembusan of another body")
    marked = session.execute(
        update(TembusanCopy).where(TembusanCopy.id == copy.id, TembusanCopy.read_at.is_(None))
        .values(read_at=now, read_by_id=actor.id), execution_options={"synchronize_session": False}
    ).rowcount == 1
    session.refresh(copy)
    return marked


# -- a new Sekretaris of an existing tenant (the handover) ------------------------------------------

def _open_handover(session: Session, *conditions: Any) -> int | None:
    return session.scalar(select(SekretarisHandover.id).where(SekretarisHandover.status == "pending", *conditions))


def request_sekretaris_handover(session: Session, actor: User, *, body_id: int | None, position: str | None,
                                upload: Any, now: datetime) -> SekretarisHandover:
    """A signed-in Sekretaris without a body asks to become the Sekretaris of an existing active
    tenant, with the SK of their appointment (PDF) and their position. One open request per person
    and one per body: checked here for a clear message, and backed by partial unique indexes, so
    of two requests racing for one body the second is refused too. The verifiers are told."""
    if not actor.has_role(SEKRETARIS) or actor.status != "active":
        raise NotPermitted("only an active Sekretaris asks")
    if actor.body_id is not None:
        raise DomainError(None, _("Your account already belongs to a government body."))
    body = session.get(Body, body_id) if body_id else None
    if body is None:
        raise DomainError("body_id", _("Choose a body from the list."))
    if body.tenant_status != "active":
        raise DomainError("body_id", _("This body is not an active tenant of SEP. A body that does not use SEP yet "
                                       "applies first (Permohonan saya)."))
    position = _clean(position, 200)
    if not position:
        raise DomainError("position", _("Enter your position."))
    if _open_handover(session, SekretarisHandover.requested_by_id == actor.id):
        raise DomainError(None, _("You already have a request waiting for a decision: withdraw it first to ask for "
                                  "another body."))
    if _open_handover(session, SekretarisHandover.body_id == body.id):
        raise DomainError("body_id", _("Another request to become the Sekretaris of this body is waiting for a "
                                       "decision. Try again once it is decided, or contact the helpdesk."))
    try:
        stored = storage.save_upload(session, upload, purpose="tenants:sk_sekretaris", created_by=actor,
                                     allowed=("pdf",))
    except DomainError as exc:
        raise DomainError("sk_file", exc.message) from None
    handover = SekretarisHandover(body_id=body.id, requested_by_id=actor.id, position=position, sk_file_id=stored.id,
                                  status="pending", requested_at=now)
    if not add_unique(session, handover):  # a request of this person or for this body committed just now
        raise DomainError(None, _("A request for this body, or one of yours, was filed a moment ago. Reload the "
                                  "page."))
    audit.record(session, actor, "tenant.sekretaris_requested", handover,
                 after={"body_id": body.id, "position": position, "sha256": stored.sha256})
    notifications.handover_requested(session, handover, body, actor)
    return handover


def withdraw_sekretaris_handover(session: Session, actor: User, handover_id: int, *,
                                 now: datetime) -> SekretarisHandover:
    """The requester takes back a request still waiting (a wrong body chosen, a new SK coming)."""
    handover = lock_row(session, SekretarisHandover, handover_id)
    if handover is None or handover.requested_by_id != actor.id:
        raise NotPermitted("not the requester")
    handover.status = handover_machine.transition(handover.status, "withdraw").target
    handover.decided_at = now
    session.flush()
    audit.record(session, actor, "tenant.sekretaris_withdrawn", handover, before={"status": "pending"},
                 after={"status": handover.status, "body_id": handover.body_id})
    return handover


def decide_sekretaris_handover(session: Session, actor: User, handover_id: int, *, confirm: bool, reason: str,
                               now: datetime) -> SekretarisHandover:
    """A verifier confirms the request (the link moves at once: ``_move_sekretaris_link``) or
    refuses it with a reason the requester is told. The request row is locked first: of two
    verifiers deciding at once (or the requester withdrawing), the second sees the first one's
    decision. DESIGN §2 puts verifying documents with the verifier and names no four-eyes step
    for it, so one verifier decides; never on their own request."""
    if not actor.has_role(VERIFIKATOR):
        raise NotPermitted("verifier only")
    handover = lock_row(session, SekretarisHandover, handover_id)
    if handover is None:
        raise NotPermitted("no such request")
    if not handover.can_decide(actor):
        raise NotPermitted("own request")
    handover_machine.transition(handover.status, "confirm" if confirm else "refuse")  # decided already: refused
    reason = (reason or "").strip()[:2000]
    if not confirm and not reason:
        raise DomainError("reason", _("Give the reason for refusing the request; the requester is told."))
    requester = User.lock(session, handover.requested_by_id)
    body = lock_row(session, Body, handover.body_id)
    if confirm:
        if body.tenant_status != "active":
            raise ConflictError(_("The body is no longer an active tenant; the request cannot be confirmed now."))
        if requester.status != "active" or not requester.has_role(SEKRETARIS) or requester.body_id is not None:
            raise ConflictError(_("The requester's account changed since the request: it is no longer an active "
                                  "Sekretaris account without a body. Refuse the request with the reason."))
    handover.status = handover_machine.transition(handover.status, "confirm" if confirm else "refuse").target
    handover.decided_by_id, handover.decided_at, handover.decision_reason = actor.id, now, reason or None
    session.flush()
    if not confirm:
        audit.record(session, actor, "tenant.sekretaris_refused", handover, before={"status": "pending"},
                     after={"status": "refused", "body_id": body.id, "reason": reason})
        notifications.handover_refused(session, handover, body, requester)
        return handover
    previous = _move_sekretaris_link(session, actor, handover, body, requester, now)
    handover.previous_ids = [p.id for p in previous]
    session.flush()
    notifications.handover_confirmed(session, handover, body, requester, previous)
    return handover


def _move_sekretaris_link(session: Session, actor: User, handover: SekretarisHandover, body: Body, requester: User,
                          now: datetime) -> list[User]:
    """The requester becomes the body's Sekretaris; whoever held the link loses it, and with it
    everything that follows the link (the tembusan, reactivation requests, the penggantian, the
    body's page). A previous Sekretaris who is also an ASN or the admin of the body keeps the
    account there without the Sekretaris role; one who is only a Sekretaris keeps the role,
    without a body (free to ask for another one). Applications the previous Sekretaris left open
    for the body pass to the new one, so their e-mails and the next steps reach the new one.
    Returns the previous Sekretaris."""
    from sep_portal.accounts.models import UserRole
    from sep_portal.applications.models import OPEN_STATUSES, Application, ApplicationEvent

    previous = list(session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.body_id == body.id, UserRole.role == SEKRETARIS, User.id != requester.id)
        .order_by(User.id).with_for_update(of=User)))
    for old in previous:
        before = {"roles": sorted(old.roles), "body_id": old.body_id}
        if old.roles & (TENANT_ROLES - {SEKRETARIS}):
            old.remove_role(SEKRETARIS)
        else:
            old.body_id = None
        session.flush()
        audit.record(session, actor, "account.sekretaris_unlinked", old, before=before,
                     after={"roles": sorted(old.roles), "body_id": old.body_id, "request_id": handover.id})
    before = {"body_id": requester.body_id}
    requester.body_id = body.id
    session.flush()
    audit.record(session, actor, "account.sekretaris_linked", requester, before=before,
                 after={"body_id": body.id, "request_id": handover.id})
    ids = [p.id for p in previous]  # usually one; several only if the data had them (each has its own entry)
    audit.record(session, actor, "tenant.sekretaris_changed", body,
                 before={"sekretaris_id": ids[0] if len(ids) == 1 else (ids or None)},
                 after={"sekretaris_id": requester.id, "request_id": handover.id})
    if previous:
        moved = session.scalars(select(Application).where(
            Application.body_id == body.id, Application.applicant_id.in_([p.id for p in previous]),
            Application.status.in_(("draft", *OPEN_STATUSES)))).all()
        for application in moved:
            old_id = application.applicant_id
            application.applicant = requester
            session.add(ApplicationEvent(application=application, occurred_at=now, actor_id=actor.id,
                                         action="handed_over", data={"from": old_id, "to": requester.id}))
            session.flush()
            audit.record(session, actor, "application.handed_over", application, before={"applicant_id": old_id},
                         after={"applicant_id": requester.id, "request_id": handover.id})
    return previous
