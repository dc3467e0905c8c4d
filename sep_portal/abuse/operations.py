"""Misuse of SEP (DESIGN §4): reports → case → warning letter → reply or deadline → closed with a
strike, or deactivated (permanently on repeat misuse) → reactivation on request. No HTTP here;
the actor and the time are passed in, the caller commits once."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sep_portal.abuse import notifications
from sep_portal.abuse.models import (
    OPEN_CASE_STATUSES,
    REPORT_REFERENCE,
    REPORT_SERIES,
    AbuseCase,
    AbuseCategory,
    AbuseReport,
    ReactivationRequest,
    ReplyFile,
    ReportEvidence,
    Strike,
    WarningLetter,
)
from sep_portal.abuse.states import case_machine, request_machine, warning_machine
from sep_portal.accounts.models import User
from sep_portal.api import webhooks
from sep_portal.auth import operations as auth_ops
from sep_portal.core import audit, calendar, letters, storage, sweep
from sep_portal.core.db import add_unique, lock_row
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.identity import normalize_email
from sep_portal.core.nip import normalize_nip
from sep_portal.core.permissions import PEJABAT, SEKRETARIS, SUPERADMIN
from sep_portal.core.security import claim_emailed_link, new_token
from sep_portal.tenants.models import Body, TembusanCopy
from sep_portal.tenants.queries import sekretaris_of

MAX_EVIDENCE_FILES = 5


# -- policy --------------------------------------------------------------------------------------

def strike_policy() -> tuple[int, int]:
    """(window in days, strikes within it that make the next substantiated case a candidate for
    permanent deactivation). Operator configuration, shown to Admin Pengelola and Sekretaris."""
    return current_app.config["SEP_STRIKE_WINDOW_DAYS"], current_app.config["SEP_STRIKES_FOR_PERMANENT"]


def strikes_in_window(session: Session, user_id: int, now: datetime) -> int:
    window, _count = strike_policy()
    return session.scalar(select(func.count()).select_from(Strike).where(
        Strike.user_id == user_id, Strike.recorded_at >= now - timedelta(days=window))) or 0


def _record_strike(session: Session, case: AbuseCase, now: datetime) -> None:
    if session.scalar(select(Strike.id).where(Strike.case_id == case.id)) is None:
        session.add(Strike(user_id=case.account_id, case_id=case.id, recorded_at=now))
        session.flush()


# -- reporting -----------------------------------------------------------------------------------

def find_account(session: Session, identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return User.by_email(session, identifier)
    nip = normalize_nip(identifier)
    return session.scalar(select(User).where(User.nip == nip)) if nip.isdigit() else None


def _open_case(session: Session, account: User, category_id: int, now: datetime) -> AbuseCase:
    """The account's open case, or a new one (two reports at once still make one case)."""
    case = session.scalar(select(AbuseCase).where(AbuseCase.account_id == account.id,
                                                  AbuseCase.status.in_(OPEN_CASE_STATUSES)))
    if case is not None:
        return case
    case = AbuseCase(account_id=account.id, body_id=account.body_id, category_id=category_id, status="open",
                     opened_at=now)
    try:
        with session.begin_nested():
            session.add(case)
            session.flush()
    except IntegrityError:  # the unique index: another report opened it a moment ago
        case = session.scalar(select(AbuseCase).where(AbuseCase.account_id == account.id,
                                                      AbuseCase.status.in_(OPEN_CASE_STATUSES)))
        assert case is not None
        return case
    audit.record(session, None, "abuse.case_opened", case, after={"account_id": account.id,
                                                                  "category_id": category_id})
    return case


def new_report_reference(session: Session, now: datetime) -> str:
    """The next reference of the year (WIB) of ``now``, e.g. ``LPR-2026-000123``. The counter row
    is taken with an UPDATE … RETURNING (core.letters.next_number): two reports at once wait for
    each other on it and never get the same number (the unique column backs this); a rollback
    gives the number back."""
    _year, seq = letters.next_number(session, REPORT_SERIES, now)
    return letters.format_number(REPORT_REFERENCE, seq=seq, when=now)


def _validate_report(session: Session, *, target: str, category_id: int | None, description: str) -> AbuseCategory:
    if not (target or "").strip():
        raise DomainError("target", _("Enter the e-mail or NIP of the account."))
    category = session.get(AbuseCategory, category_id) if category_id else None
    if category is None or not category.active:
        raise DomainError("category_id", _("Choose a category."))
    if not (description or "").strip():
        raise DomainError("description", _("Describe what happened: where, when and what was sent."))
    return category


def report_account(session: Session, reporter: User, *, target: str, category_id: int | None, description: str,
                   files: list[Any], now: datetime) -> AbuseReport:
    """A signed-in user reports an account. The answer is the same whether or not the account
    exists; a report about an unknown account is kept without a case."""
    category = _validate_report(session, target=target, category_id=category_id, description=description)
    account = find_account(session, target)
    if account is not None and account.id == reporter.id:
        raise DomainError("target", _("You cannot report your own account."))
    report = AbuseReport(reference=new_report_reference(session, now), category_id=category.id,
                         reporter_id=reporter.id, target=target.strip()[:254],
                         description=description.strip()[:5000], created_at=now, verified_at=now)
    if account is not None and account.status != "permanently_deactivated":
        report.case = _open_case(session, account, category.id, now)
    session.add(report)
    session.flush()
    stored_files = storage.save_uploads(session, files, purpose="abuse:evidence", created_by=reporter,
                                        max_files=MAX_EVIDENCE_FILES)
    for stored in stored_files:
        session.add(ReportEvidence(report_id=report.id, file_id=stored.id))
    session.flush()
    audit.record(session, reporter, "abuse.reported", report,
                 after={"reference": report.reference, "category": category.code, "case_id": report.case_id,
                        "evidence": len(stored_files)})
    notifications.report_received(session, report, reporter.email, reporter.locale)
    return report


def report_publicly(session: Session, *, email: str, target: str, category_id: int | None, description: str,
                    now: datetime) -> AbuseReport:
    """The anonymous form (when the operator switches it on): the report waits until the
    reporter confirms the e-mail address by a link. It has its reference from the start (the
    e-mail with the link quotes it)."""
    email = normalize_email(email)
    category = _validate_report(session, target=target, category_id=category_id, description=description)
    token, digest = new_token()
    report = AbuseReport(reference=new_report_reference(session, now), category_id=category.id,
                         reporter_email=email, target=target.strip()[:254],
                         description=description.strip()[:5000], created_at=now, verify_token_hash=digest)
    session.add(report)
    session.flush()
    notifications.public_verify(session, report, email, token)
    return report


def confirm_public_report(session: Session, token: str, now: datetime) -> tuple[AbuseReport, str]:
    """The report confirmed by its e-mailed link (once): it joins the account's case, and the
    reporter gets a private status link, e-mailed and returned here with the report (only its
    hash is kept)."""
    report = claim_emailed_link(session, AbuseReport, "verify_token_hash", "verified_at", token, now,
                                expired_message=_("This link has expired. Request a new one."))
    account = find_account(session, report.target)
    if account is not None and account.status != "permanently_deactivated":
        report.case = _open_case(session, account, report.category_id, now)
    status_token, report.status_token_hash = new_token()
    session.flush()
    audit.record(session, "public", "abuse.reported", report,
                 after={"reference": report.reference, "case_id": report.case_id, "public": True,
                        "status_link": True})
    notifications.report_received(session, report, report.reporter_email or "", None, status_token=status_token)
    return report, status_token


# -- the verifier ------------------------------------------------------------------------------------

def lock_case(session: Session, case_id: int) -> AbuseCase:
    case = lock_row(session, AbuseCase, case_id)
    if case is None:
        raise DomainError(None, _("This case does not exist."))
    return case


def _require(case: AbuseCase, action: str) -> None:
    """Refuse, before anything is checked or changed, an ``action`` the case's table does not allow
    from its status now (someone else moved it since the page was loaded)."""
    if not case_machine.allowed(case.status, action):
        raise ConflictError(_("The case has changed meanwhile; this action is no longer possible. Reload the page."))


def _move(case: AbuseCase, action: str) -> str:
    """Move the case along its transition table (IllegalTransition if not allowed); the status before."""
    before = case.status
    case.status = case_machine.transition(case.status, action).target
    return before


def _ensure_verifier(case: AbuseCase, actor: User) -> None:
    if not case.can_work(actor):
        raise NotPermitted("verifier")


def assign_case(session: Session, case_id: int, actor: User, *, now: datetime) -> AbuseCase:
    case = lock_case(session, case_id)
    _ensure_verifier(case, actor)
    before = {"assigned_to_id": case.assigned_to_id}
    case.assigned_to_id = actor.id
    session.flush()
    audit.record(session, actor, "abuse.case_assigned", case, before=before, after={"assigned_to_id": actor.id})
    return case


def add_note(session: Session, case_id: int, actor: User, text: str, *, now: datetime) -> None:
    from sep_portal.abuse.models import CaseNote

    case = lock_case(session, case_id)
    if not (case.can_work(actor) or case.can_decide(actor, allow_same=True)):
        raise NotPermitted("note")
    text = (text or "").strip()
    if not text:
        raise DomainError("note", _("Write the note."))
    session.add(CaseNote(case_id=case.id, author_id=actor.id, body=text[:5000], created_at=now))
    session.flush()
    audit.record(session, actor, "abuse.note_added", case)


def dismiss_case(session: Session, case_id: int, actor: User, *, reason: str, now: datetime) -> AbuseCase:
    case = lock_case(session, case_id)
    _ensure_verifier(case, actor)
    _require(case, "dismiss")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reason for dismissing the case."))
    before = {"status": _move(case, "dismiss")}
    case.outcome_reason, case.closed_at, case.closed_by_id = reason[:4000], now, actor.id
    session.flush()
    audit.record(session, actor, "abuse.case_dismissed", case, before=before, after={"status": "dismissed"})
    notifications.outcome_to_reporters(session, case, "dismissed")
    return case


def substantiate_case(session: Session, case_id: int, actor: User, *, material: str, now: datetime) -> AbuseCase:
    """The verifier finds the misuse proven and records what it is about. With a strike already
    on record (within the policy's window) the proposal is permanent deactivation."""
    case = lock_case(session, case_id)
    _ensure_verifier(case, actor)
    _require(case, "substantiate")
    material = (material or "").strip()
    if not material:
        raise DomainError("material", _("Record what the misuse is: the material as the user will see it."))
    _window, needed = strike_policy()
    prior = strikes_in_window(session, case.account_id, now)
    _move(case, "substantiate")
    case.material = material[:8000]
    case.substantiated_by_id, case.substantiated_at = actor.id, now
    case.proposal = "permanent" if prior >= needed else "warning"
    session.flush()
    audit.record(session, actor, "abuse.case_substantiated", case, before={"status": "open"},
                 after={"status": "substantiated", "proposal": case.proposal, "prior_strikes": prior})
    notifications.substantiated(session, case)
    return case


# -- the pejabat: the warning letter ----------------------------------------------------------------

def _ensure_decider(case: AbuseCase, actor: User) -> None:
    if not actor.has_role(PEJABAT):
        raise NotPermitted("pejabat")
    if not case.can_decide(actor, allow_same=current_app.config["SEP_ALLOW_SAME_RECOMMENDER_DECIDER"]):
        raise DomainError(None, _("You substantiated this case yourself; another official must decide "
                                  "(four-eyes principle)."))


def issue_warning(session: Session, case_id: int, actor: User, *, now: datetime) -> WarningLetter:
    """The numbered surat peringatan, with tembusan to the Sekretaris BP; the reply is due
    5 working days later (DESIGN §4, §7)."""
    from sep_portal.core.formatting import format_datetime

    case = lock_case(session, case_id)
    _ensure_decider(case, actor)
    _require(case, "warn")
    account = case.account
    body = session.get(Body, account.body_id) if account.body_id else None
    due = calendar.add_working_days(now, current_app.config["SEP_REPLY_WORKING_DAYS"])
    sekretaris = sekretaris_of(session, account.body_id)
    with force_locale("id"):
        letter = letters.issue_letter(
            session, series="warning", pattern=current_app.config["SEP_LETTER_PATTERN_WARNING"],
            kind="warning", template="warning", subject="Surat Peringatan Penyalahgunaan Akun SEP",
            recipient=account.name,
            context={"case": case, "account": account, "body": body, "due": due, "sekretaris": sekretaris,
                     "category": case.category, "now": now},
            signed_by=actor, now=now, filename=f"surat-peringatan-{case.reference}.pdf")
    warning = WarningLetter(case_id=case.id, user_id=account.id, body_id=account.body_id, letter_id=letter.id,
                            issued_by_id=actor.id, issued_at=now, reply_due_at=due, status="issued")
    session.add(warning)
    _move(case, "warn")
    session.flush()
    if body is not None:
        session.add(TembusanCopy(body_id=body.id, kind="warning_letter", letter_id=letter.id,
                                 about_user_id=account.id, created_at=now,
                                 subject=f"Tembusan: {letter.subject} {letter.number} ({account.name})",
                                 summary=f"Batas waktu balasan: {format_datetime(due, locale='id')}"))
    session.flush()
    audit.record(session, actor, "abuse.warning_issued", warning,
                 after={"case_id": case.id, "letter": letter.number, "reply_due_at": due.isoformat()})
    notifications.warning_issued(session, warning, account, sekretaris, body)
    return warning


# -- the user: the reply ------------------------------------------------------------------------------

def lock_warning(session: Session, warning_id: int) -> WarningLetter:
    warning = lock_row(session, WarningLetter, warning_id)
    if warning is None:
        raise DomainError(None, _("This warning does not exist."))
    return warning


def reply_to_warning(session: Session, warning_id: int, actor: User, *, text: str, files: list[Any],
                     now: datetime) -> WarningLetter:
    """One reply per warning, until the deadline. The row is moved out of ``issued`` by a
    conditional UPDATE that also checks the deadline: if the sweep expired it first, or the
    deadline has passed, the reply is refused and nothing of it is kept."""
    from sep_portal.core.formatting import format_datetime

    warning = lock_warning(session, warning_id)
    if warning.user_id != actor.id:
        raise NotPermitted("reply")
    text = (text or "").strip()
    if not text:
        raise DomainError("text", _("Write your reply."))
    if not warning_machine.allowed(warning.status, "reply"):
        raise ConflictError(_("This warning has already been answered or closed."))
    claimed = session.execute(
        update(WarningLetter).where(WarningLetter.id == warning.id, WarningLetter.status == warning.status,
                                    WarningLetter.reply_due_at >= now)
        .values(status=warning_machine.transition(warning.status, "reply").target, reply_text=text[:8000],
                replied_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount
    if claimed != 1:
        raise DomainError("text", _("The deadline for replying was %(due)s. A reply can no longer be accepted.",
                                    due=format_datetime(warning.reply_due_at)))
    session.refresh(warning)
    stored_files = storage.save_uploads(session, files, purpose="abuse:reply", created_by=actor,
                                        max_files=MAX_EVIDENCE_FILES)
    for stored in stored_files:
        session.add(ReplyFile(warning_id=warning.id, file_id=stored.id))
    case = lock_case(session, warning.case_id)
    _move(case, "reply")
    if warning.body_id is not None:
        session.add(TembusanCopy(body_id=warning.body_id, kind="warning_reply", letter_id=warning.letter_id,
                                 about_user_id=actor.id, created_at=now,
                                 subject=f"Tembusan: balasan {actor.name} atas {warning.letter.number}",
                                 summary=text[:8000]))
    session.flush()
    audit.record(session, actor, "abuse.warning_replied", warning, after={"files": len(stored_files)})
    notifications.reply_copy(session, warning, actor, sekretaris_of(session, warning.body_id))
    return warning


# -- the verifier evaluates; the pejabat deactivates --------------------------------------------------

def evaluate_reply(session: Session, warning_id: int, actor: User, *, accept: bool, reason: str,
                   now: datetime) -> WarningLetter:
    warning = lock_warning(session, warning_id)
    case = lock_case(session, warning.case_id)
    _ensure_verifier(case, actor)
    action = "accept" if accept else "reject"
    if not warning_machine.allowed(warning.status, action):
        raise ConflictError(_("There is no reply waiting to be evaluated."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reasoning of the evaluation."))
    warning.status = warning_machine.transition(warning.status, action).target
    warning.evaluated_by_id, warning.evaluated_at, warning.evaluation_reason = actor.id, now, reason[:4000]
    if accept:
        _move(case, "accept_reply")
        case.closed_at, case.closed_by_id, case.outcome_reason = now, actor.id, reason[:4000]
        _record_strike(session, case, now)
    session.flush()
    audit.record(session, actor, "abuse.reply_" + ("accepted" if accept else "rejected"), warning,
                 after={"case_id": case.id})
    notifications.reply_evaluated(session, warning, case.account, accept)
    if accept:
        notifications.outcome_to_reporters(session, case, "warned")
    return warning


def deactivate_account(session: Session, case: AbuseCase, actor: Any, *, permanent: bool, reason: str,
                       now: datetime, action: str = "deactivate") -> None:
    """Deactivate the case's account: sign-in refused, sessions ended, integrations told at once
    (webhook), the user, the Sekretaris BP and the Admin Pengelola notified. ``action`` is the
    case's transition: the pejabat's ``deactivate`` or the sweep's ``expire``."""
    account = User.lock(session, case.account_id)
    if account.status == "permanently_deactivated":
        raise ConflictError(_("The account is already deactivated permanently."))
    before = {"status": account.status}
    account.status = "permanently_deactivated" if permanent else "deactivated"
    ended = auth_ops.end_all_sessions(session, account, now, "deactivated")
    _move(case, action)
    case.closed_at = now
    case.closed_by_id = getattr(actor, "id", None)
    case.outcome_reason = (reason or "").strip()[:4000] or case.outcome_reason
    _record_strike(session, case, now)
    session.flush()
    audit.record(session, actor, "account.permanently_deactivated" if permanent else "account.deactivated",
                 account, before=before, after={"status": account.status, "case_id": case.id,
                                                "sessions_ended": ended, "reason": case.outcome_reason})
    webhooks.emit(session, "account.deactivated", [account])
    body = session.get(Body, account.body_id) if account.body_id else None
    from sep_portal.tenants.queries import current_admin

    admin = current_admin(session, body.id) if body else None
    notifications.deactivated(session, case, account, permanent, sekretaris_of(session, account.body_id), admin)
    if body is not None:
        session.add(TembusanCopy(body_id=body.id, kind="other", about_user_id=account.id, created_at=now,
                                 subject=f"Penonaktifan akun {account.name}"
                                         + (" secara permanen" if permanent else ""),
                                 summary=case.outcome_reason))
    notifications.outcome_to_reporters(session, case, "deactivated")


def decide_deactivation(session: Session, case_id: int, actor: User, *, permanent: bool, reason: str,
                        now: datetime) -> AbuseCase:
    """The pejabat deactivates: after a rejected reply, or at once (permanently) for repeat
    misuse when the case proposes it."""
    case = lock_case(session, case_id)
    _ensure_decider(case, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reasoning of the decision."))
    warning = case.current_warning
    rejected_reply = case.status == "replied" and warning is not None and warning.status == "rejected"
    repeat = case.status == "substantiated" and case.proposal == "permanent"
    if not (rejected_reply or repeat):
        raise ConflictError(_("The account can be deactivated only after a rejected reply, or permanently for "
                              "repeat misuse."))
    if repeat and not permanent:
        raise DomainError("permanent", _("For repeat misuse without a warning, only permanent deactivation can be "
                                         "decided here; otherwise issue a warning."))
    _window, needed = strike_policy()
    if permanent and case.proposal != "permanent" and strikes_in_window(session, case.account_id, now) < needed:
        raise DomainError("permanent", _("Permanent deactivation is only for repeated misuse (a strike already on "
                                         "record)."))
    deactivate_account(session, case, actor, permanent=permanent, reason=reason, now=now)
    return case


@sweep.task("abuse.deadlines")
def deactivate_after_deadline(now: datetime) -> int:
    """Every warning whose reply window has passed without a reply deactivates its account,
    exactly once even with several sweeps at once: the conditional UPDATE from ``issued`` to
    ``expired`` is the claim, and a reply racing on the last second moves the same row first or
    not at all."""
    from sep_portal.extensions import db

    done = 0
    with db.new_session() as session:
        due = session.scalars(select(WarningLetter.id).where(
            WarningLetter.status == "issued", WarningLetter.reply_due_at < now).order_by(WarningLetter.id)).all()
        for warning_id in due:
            claimed = session.execute(
                update(WarningLetter).where(WarningLetter.id == warning_id, WarningLetter.status == "issued",
                                            WarningLetter.reply_due_at < now)
                .values(status=warning_machine.transition("issued", "expire").target),
                execution_options={"synchronize_session": False}).rowcount
            if claimed != 1:
                session.rollback()
                continue
            warning = session.get(WarningLetter, warning_id)
            case = session.get(AbuseCase, warning.case_id)
            account = session.get(User, warning.user_id)
            if account is not None and account.status != "permanently_deactivated":
                deactivate_account(session, case, "system:sweep", permanent=False,
                                   reason="Tidak ada balasan sampai batas waktu surat peringatan.", now=now,
                                   action="expire")
            session.commit()
            done += 1
    return done


# -- reactivation -------------------------------------------------------------------------------------

def request_reactivation(session: Session, actor: User, user_id: int, *, statement: str, upload: Any,
                         now: datetime) -> ReactivationRequest:
    """The Sekretaris BP asks for a temporarily deactivated account of its own body."""
    if not actor.has_role(SEKRETARIS) or actor.body_id is None:
        raise NotPermitted("sekretaris")
    account = session.get(User, user_id)
    if account is None or account.body_id != actor.body_id:
        raise DomainError("user_id", _("Choose an account of your body."))
    if account.status == "permanently_deactivated":
        raise DomainError("user_id", _("A permanently deactivated account can never be reactivated."))
    if account.status != "deactivated":
        raise DomainError("user_id", _("Only an account deactivated by Ditjen Aptika can be requested back."))
    statement = (statement or "").strip()
    if not statement:
        raise DomainError("statement", _("Write the statement of the body."))
    request = ReactivationRequest(user_id=account.id, body_id=actor.body_id, requested_by_id=actor.id,
                                  statement=statement[:8000], created_at=now)
    if upload is not None and getattr(upload, "filename", ""):
        try:
            request.file_id = storage.save_upload(session, upload, purpose="abuse:reactivation",
                                                  created_by=actor, allowed=("pdf",)).id
        except DomainError as exc:
            raise DomainError("letter", exc.message) from None
    try:
        with session.begin_nested():  # (begin_nested flushes what is pending: add inside it)
            session.add(request)
            session.flush()
    except IntegrityError:
        raise DomainError("user_id", _("A request for this account is already waiting for a decision.")) from None
    audit.record(session, actor, "account.reactivation_requested", request, after={"user_id": account.id})
    notifications.reactivation_requested(session, request)
    return request


def decide_reactivation(session: Session, request_id: int, actor: User, *, approve: bool, reason: str,
                        now: datetime) -> ReactivationRequest:
    if not actor.has_role(PEJABAT):
        raise NotPermitted("pejabat")
    request = lock_row(session, ReactivationRequest, request_id)
    if request is None:
        raise DomainError(None, _("This request does not exist."))
    action = "approve" if approve else "reject"
    if not request_machine.allowed(request.status, action):
        raise ConflictError(_("This request has already been decided."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Give the reasoning of the decision."))
    account = User.lock(session, request.user_id)
    if approve and account.status != "deactivated":
        raise ConflictError(_("The account is no longer temporarily deactivated."))
    request.status = request_machine.transition(request.status, action).target
    request.decided_by_id, request.decided_at, request.reason = actor.id, now, reason[:4000]
    if approve:
        before = {"status": account.status}
        account.status = "active" if account.password_hash and account.email_verified_at else "pending"
        session.flush()
        audit.record(session, actor, "account.reactivated", account, before=before,
                     after={"status": account.status, "request_id": request.id})
        webhooks.emit(session, "account.reactivated", [account])
    session.flush()
    audit.record(session, actor, "account.reactivation_" + request.status, request)
    notifications.reactivation_decided(session, request, account)
    return request


# -- the operator: categories -------------------------------------------------------------------------

def _ensure_operator(actor: User) -> None:
    if not actor.has_role(SUPERADMIN):
        raise NotPermitted("superadmin")


def add_category(session: Session, actor: User, *, code: str, name: str, description: str,
                 legal_basis: str | None) -> AbuseCategory:
    """A category the operator adds beside the four built-in ones; its code is unique (two
    operators adding the same code at once: the unique index refuses the second)."""
    _ensure_operator(actor)
    code = (code or "").lower().replace(" ", "_")
    category = AbuseCategory(code=code, name=name, description=description, legal_basis=legal_basis or None,
                             builtin=False, active=True)
    if session.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code)) or not add_unique(session, category):
        raise DomainError("code", _("This code is already used."))
    audit.record(session, actor, "abuse.category_added", category, after={"code": code})
    return category


def set_category_active(session: Session, actor: User, category: AbuseCategory, *, active: bool) -> AbuseCategory:
    """Switch a category on or off for new reports; the cases already filed under it keep it."""
    _ensure_operator(actor)
    category.active = active
    session.flush()
    audit.record(session, actor, "abuse.category_" + ("enabled" if active else "disabled"), category)
    return category
