"""Business rules of the permohonan. No HTTP here: the actor and the time are passed in, every
operation flushes and the caller commits once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sep_portal.accounts.models import User, UserRole
from sep_portal.applications import notifications
from sep_portal.applications.labels import ground_text, status_label
from sep_portal.applications.models import (
    DECISIONS,
    DOC_TYPES,
    GROUNDS,
    IDENTITY_DOCS,
    OPEN_STATUSES,
    VERIFICATION_GROUNDS,
    Application,
    ApplicationDocument,
    ApplicationEvent,
)
from sep_portal.applications.states import machine
from sep_portal.auth.operations import normalize_email
from sep_portal.core import audit, calendar, deadlines, letters, storage, sweep
from sep_portal.core.db import lock_row, stamp_once
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.nip import nip_problem, normalize_nip
from sep_portal.core.permissions import (
    ADMIN_PENGELOLA,
    ASN,
    DITJEN_ROLES,
    PEJABAT,
    SEKRETARIS,
    SUPERADMIN,
    ensure_can,
)
from sep_portal.tenants.models import BODY_KINDS, AdminAssignment, Body

# What a verifier can tick when returning an application for completion.
RETURN_ITEMS = ("surat_kuasa", "identity_document", "admin_data", "body_data", "other")


class SubmissionIncomplete(DomainError):
    """Submission refused; ``problems`` lists everything that is missing, not only the first."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(None, _("The application cannot be submitted yet."))
        self.problems = problems


def _state(application: Application) -> dict[str, Any]:
    return {"status": application.status}


def _event(session: Session, application: Application, actor: Any, action: str, now: datetime, *,
           note: str | None = None, data: dict[str, Any] | None = None) -> None:
    event = ApplicationEvent(application=application, occurred_at=now, actor_id=getattr(actor, "id", None),
                             action=action, note=note, data=data)
    session.add(event)


def _transition(session: Session, application: Application, actor: Any, action: str, now: datetime, *,
                note: str | None = None, data: dict[str, Any] | None = None) -> None:
    """Move along the transition table (raises IllegalTransition), and write history and audit."""
    before = _state(application)
    transition = machine.transition(application.status, action)
    application.status = transition.target
    _event(session, application, actor, action, now, note=note, data=data)
    session.flush()
    audit.record(session, actor, f"application.{action}", application, before=before,
                 after={**_state(application), **(data or {})})


def _require_status(application: Application, action: str) -> None:
    if not machine.allowed(application.status, action):
        raise ConflictError(_("This application is now “%(status)s”; the action is no longer possible. "
                              "Reload the page.", status=status_label(application.status)))


# -- the applicant ------------------------------------------------------------------------------

def create_application(session: Session, actor: User, *, now: datetime, kind: str = "baru") -> Application:
    """Start a draft application for the signed-in Sekretaris."""
    if not actor.has_role(SEKRETARIS) or actor.status != "active":
        raise NotPermitted("only an active Sekretaris applies")
    application = Application(kind=kind, status="draft", applicant_id=actor.id,
                              admin_email=None, created_at=now, updated_at=now)
    session.add(application)
    session.flush()
    _event(session, application, actor, "created", now)
    audit.record(session, actor, "application.created", application, after=_state(application))
    return application


def create_replacement(session: Session, actor: User, *, now: datetime) -> Application:
    """A request to replace the body's Admin Pengelola (penggantian): the same lifecycle, for the
    Sekretaris' own body, with a new surat kuasa."""
    if not actor.has_role(SEKRETARIS) or actor.status != "active" or actor.body_id is None:
        raise NotPermitted("only the Sekretaris of a tenant requests a replacement")
    if AdminAssignment.open_for_body(session, actor.body_id) is None:
        raise DomainError(None, _("Your body has no Admin Pengelola to replace; file a new application instead."))
    if session.scalar(select(exists().where(Application.body_id == actor.body_id, Application.kind == "penggantian",
                                            Application.status.in_(("draft", *OPEN_STATUSES))))):
        raise DomainError(None, _("A replacement request for your body is already in progress."))
    application = create_application(session, actor, now=now, kind="penggantian")
    application.body_id = actor.body_id
    session.flush()
    return application


def _clean(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split())
    return value[:limit] or None


def update_application(session: Session, application: Application, actor: User, *, now: datetime,
                       body_id: int | None, proposed_body_name: str | None, proposed_body_kind: str | None,
                       admin_name: str | None, admin_nip: str | None, admin_email: str | None,
                       admin_position: str | None, identity_doc_type: str | None) -> None:
    """Save the form of a draft or returned application. Only shape is checked here; what is
    still missing is reported at submission."""
    application = lock_application(session, application.id)
    ensure_can(actor, "edit", application)
    if application.kind == "penggantian":  # a replacement is always for the Sekretaris' own body
        body_id, proposed_body_name, proposed_body_kind = application.body_id, None, None
    if body_id is not None:
        if session.get(Body, body_id) is None:
            raise DomainError("body_id", _("Choose a body from the list."))
        proposed_body_name = proposed_body_kind = None
    else:
        proposed_body_name = _clean(proposed_body_name, 300)
        if proposed_body_kind and proposed_body_kind not in BODY_KINDS:
            raise DomainError("proposed_body_kind", _("Choose the kind of body."))
        if proposed_body_name is None:
            proposed_body_kind = None
    nip = normalize_nip(admin_nip or "") or None
    if nip is not None and (len(nip) != 18 or not nip.isdigit()):
        raise DomainError("admin_nip", _("A NIP has exactly 18 digits."))
    email = normalize_email(admin_email) if (admin_email or "").strip() else None
    if identity_doc_type and identity_doc_type not in IDENTITY_DOCS:
        raise DomainError("identity_doc_type", _("Choose KPNS or SK Pengangkatan."))
    before = {"body_id": application.body_id, "identity_doc_type": application.identity_doc_type}
    application.body_id = body_id
    application.proposed_body_name = proposed_body_name
    application.proposed_body_kind = proposed_body_kind
    application.admin_name = _clean(admin_name, 200)
    application.admin_nip = nip
    application.admin_email = email
    application.admin_position = _clean(admin_position, 200)
    application.identity_doc_type = identity_doc_type or None
    application.updated_at = now
    session.flush()
    # The NIP and e-mail of the proposed admin are personal data: the audit says what changed, not to what.
    audit.record(session, actor, "application.edited", application, before=before,
                 after={"body_id": application.body_id, "identity_doc_type": application.identity_doc_type})


def save_application(session: Session, application: Application, actor: User, *, now: datetime,
                     surat_kuasa: Any = None, identity_file: Any = None, **data: Any) -> None:
    """The applicant's one form: the data and any documents chosen with it, saved together or not
    at all (a bad file keeps nothing, so the person fixes it and saves once more)."""
    update_application(session, application, actor, now=now, **data)
    if _chosen(surat_kuasa):
        attach_document(session, application, actor, "surat_kuasa", surat_kuasa, now=now, field="surat_kuasa")
    if _chosen(identity_file):
        if application.identity_doc_type not in IDENTITY_DOCS:
            raise DomainError("identity_doc_type", _("Choose whether the file is the KPNS or the SK Pengangkatan."))
        attach_document(session, application, actor, application.identity_doc_type, identity_file, now=now,
                        field="identity_file")


def _chosen(upload: Any) -> bool:
    return upload is not None and bool(getattr(upload, "filename", ""))


def attach_document(session: Session, application: Application, actor: User, doc_type: str, upload: Any, *,
                    now: datetime, field: str = "file") -> ApplicationDocument:
    """Upload (or replace) one document. A replaced version is kept and marked replaced."""
    application = lock_application(session, application.id)
    ensure_can(actor, "edit", application)
    if doc_type not in DOC_TYPES:
        raise DomainError(field, _("Unknown document."))
    allowed = ("pdf",) if doc_type == "surat_kuasa" else ("pdf", "jpeg", "png")
    try:
        stored = storage.save_upload(session, upload, purpose=f"application:{doc_type}", created_by=actor,
                                     allowed=allowed)
    except DomainError as exc:
        raise DomainError(field, exc.message) from None
    previous = application.current_document(doc_type)
    if previous is not None:
        previous.replaced_at = now
        session.flush()  # the partial unique index allows one current version
    document = ApplicationDocument(application=application, doc_type=doc_type, file_id=stored.id, file=stored,
                                   uploaded_by_id=actor.id, uploaded_at=now)
    session.add(document)
    if doc_type in IDENTITY_DOCS:
        application.identity_doc_type = doc_type
        other = application.current_document("kpns" if doc_type == "sk_pengangkatan" else "sk_pengangkatan")
        if other is not None:  # one identity document counts: the one just uploaded
            other.replaced_at = now
    session.flush()
    action = "document_replaced" if previous is not None else "document_uploaded"
    _event(session, application, actor, action, now, data={"doc_type": doc_type, "sha256": stored.sha256})
    audit.record(session, actor, f"application.{action}", application,
                 after={"doc_type": doc_type, "file_id": stored.id, "sha256": stored.sha256})
    return document


def submission_problems(application: Application) -> list[str]:
    problems = []
    if application.body_id is None and not (application.proposed_body_name and application.proposed_body_kind):
        problems.append(_("Choose the government body, or propose one with its name and kind."))
    if not application.admin_name:
        problems.append(_("Enter the Admin Pengelola's name."))
    if not application.admin_nip:
        problems.append(_("Enter the Admin Pengelola's NIP."))
    if not application.admin_email:
        problems.append(_("Enter the Admin Pengelola's e-mail address."))
    if not application.admin_position:
        problems.append(_("Enter the Admin Pengelola's position."))
    if application.current_document("surat_kuasa") is None:
        problems.append(_("Upload the surat kuasa (PDF)."))
    if application.identity_doc_type is None or application.current_document(application.identity_doc_type) is None:
        problems.append(_("Upload the Admin Pengelola's KPNS or SK Pengangkatan."))
    return problems


def submit_application(session: Session, application: Application, actor: User, *, now: datetime) -> None:
    """Submit a draft, or resubmit a returned application; runs the automatic checks."""
    application = lock_application(session, application.id)
    ensure_can(actor, "edit", application)
    problems = submission_problems(application)
    if problems:
        raise SubmissionIncomplete(problems)
    action = "resubmit" if application.status == "returned" else "submit"
    application.submitted_at = now
    application.checks = run_checks(session, application)
    # The verifier's own time limit starts at each (re)submission (DESIGN §3).
    application.verification_due_at = calendar.add_working_days(
        now, current_app.config["SEP_VERIFICATION_WORKING_DAYS"])
    application.verification_reminded_at = application.verification_escalated_at = None
    _transition(session, application, actor, action, now,
                data={"checks": [c["code"] for c in application.checks],
                      "verification_due_at": application.verification_due_at.isoformat()})
    notifications.submitted(session, application, again=action == "resubmit")


def withdraw_application(session: Session, application: Application, actor: User, *, now: datetime) -> None:
    application = lock_application(session, application.id)
    if actor.id != application.applicant_id:
        raise NotPermitted("withdraw")
    _require_status(application, "withdraw")  # decided meanwhile: a conflict, not a permission problem
    _transition(session, application, actor, "withdraw", now)


# -- automatic checks ---------------------------------------------------------------------------

def _is_gov_email(email: str | None) -> bool:
    if not email or "@" not in email:
        return False
    domain = email.rsplit("@", 1)[1].lower()
    return any(domain == d or domain.endswith("." + d) for d in current_app.config["SEP_GOV_EMAIL_DOMAINS"])


def run_checks(session: Session, application: Application) -> list[dict[str, Any]]:
    """The checks shown to the verifier (DESIGN §3). Each is a code, with a detail where useful."""
    checks: list[dict[str, Any]] = []
    if application.kind == "penggantian":
        current = AdminAssignment.open_for_body(session, application.body_id or 0)
        checks.append({"code": "replaces_admin", "user_id": current.user_id if current else None})
    elif application.body_id is not None:
        if AdminAssignment.open_for_body(session, application.body_id) is not None:
            checks.append({"code": "body_has_admin", "ground": "c"})
        elif session.scalar(select(exists().where(Application.body_id == application.body_id,
                                                  Application.status == "approved",
                                                  Application.id != application.id))):
            checks.append({"code": "body_already_approved", "ground": "c"})
        if session.scalar(select(exists().where(Application.body_id == application.body_id,
                                                Application.status.in_(("submitted", "returned", "complete")),
                                                Application.id != application.id))):
            checks.append({"code": "other_open_application"})
    else:
        checks.append({"code": "body_proposed"})
    if not _is_gov_email(application.applicant.email):
        checks.append({"code": "applicant_email_not_gov", "ground": "b"})
    if not _is_gov_email(application.admin_email):
        checks.append({"code": "admin_email_not_gov"})
    problem = nip_problem(application.admin_nip or "")
    if problem:
        checks.append({"code": "nip_invalid", "detail": problem})
    elsewhere = session.scalar(
        select(AdminAssignment.body_id).join(User, User.id == AdminAssignment.user_id)
        .where(User.nip == application.admin_nip, AdminAssignment.ended_at.is_(None))
    )
    if elsewhere is not None and elsewhere != application.body_id:
        checks.append({"code": "nip_admin_elsewhere", "body_id": elsewhere})
    staff = session.scalar(
        select(exists().where(UserRole.user_id == User.id, UserRole.role.in_(DITJEN_ROLES),
                              (User.nip == application.admin_nip) | (User.email == application.admin_email))))
    if staff:
        checks.append({"code": "admin_is_staff"})
    return checks


# -- the verifier -------------------------------------------------------------------------------

def return_for_completion(session: Session, application: Application, actor: User, *, missing: list[str],
                          message: str, now: datetime) -> None:
    """Send the application back with a checklist of what is missing and a message."""
    application = lock_application(session, application.id)
    ensure_can(actor, "verify", application)
    _require_status(application, "return")
    missing = [m for m in missing if m in RETURN_ITEMS]
    message = (message or "").strip()
    if not missing:
        raise DomainError("missing", _("Tick at least one item that is missing or wrong."))
    if not message:
        raise DomainError("message", _("Write a message telling the applicant what to do."))
    _clear_recommendation(application)
    application.returned_at = now
    application.completion_due_at = calendar.add_working_days(now, current_app.config["SEP_COMPLETION_WORKING_DAYS"])
    _transition(session, application, actor, "return", now, note=message[:4000],
                data={"missing": missing, "completion_due_at": application.completion_due_at.isoformat()})
    notifications.returned(session, application, missing, message)


def declare_complete(session: Session, application: Application, actor: User, *, now: datetime,
                     confirm_body: bool = False) -> None:
    """The documents are complete: the 4-working-day decision clock starts (DESIGN §3, §7)."""
    application = lock_application(session, application.id)
    ensure_can(actor, "verify", application)
    _require_status(application, "declare_complete")
    data: dict[str, Any] = {}
    if application.body_id is None:
        if not confirm_body:
            raise DomainError("confirm_body", _("This body is not in the reference list. Confirm that it is a "
                                                "government body before declaring the application complete."))
        body = Body(name=application.proposed_body_name, kind=application.proposed_body_kind or "lainnya",
                    source="usulan pemohon, dikonfirmasi verifikator", tenant_status="none")
        session.add(body)
        session.flush()
        application.body_id = body.id
        application.body = body
        data["body_confirmed"] = body.id
        audit.record(session, actor, "body.confirmed", body, after={"name": body.name, "kind": body.kind})
    _clear_recommendation(application)  # a proposal to reject at verification no longer stands
    application.complete_at = now
    application.completed_by_id = actor.id
    application.decision_due_at = calendar.add_working_days(now, current_app.config["SEP_DECISION_WORKING_DAYS"])
    data["decision_due_at"] = application.decision_due_at.isoformat()
    _transition(session, application, actor, "declare_complete", now, data=data)
    notifications.complete(session, application)


def _grounds(grounds: list[str] | None) -> list[str]:
    return sorted({g for g in (grounds or []) if g in GROUNDS})


def _clear_recommendation(application: Application) -> None:
    application.recommendation = application.recommendation_grounds = application.recommendation_note = None
    application.recommended_by_id = application.recommended_at = None


def recommend(session: Session, application: Application, actor: User, *, recommendation: str,
              grounds: list[str] | None, note: str, now: datetime) -> None:
    """The verifier's recommendation to the pejabat (may be changed until the decision). At
    verification (before "complete") only a rejection on ground (a) or (b) can be proposed: a file
    that plainly fails them need not be declared complete first."""
    application = lock_application(session, application.id)
    ensure_can(actor, "verify", application)
    _require_status(application, "recommend")
    if recommendation not in DECISIONS:
        raise DomainError("recommendation", _("Choose approve or reject."))
    at_verification = application.status == "submitted"
    if at_verification and recommendation != "reject":
        raise DomainError("recommendation", _("Before the documents are declared complete, only a rejection on "
                                              "ground (a) or (b) can be proposed."))
    grounds = _grounds(grounds) if recommendation == "reject" else []
    if recommendation == "reject" and not grounds:
        raise DomainError("grounds", _("A rejection must cite at least one ground."))
    if at_verification and not set(grounds) <= set(VERIFICATION_GROUNDS):
        raise DomainError("grounds", _("At verification a rejection can cite ground (a) or (b) only; ground (c) "
                                       "is decided after the documents are declared complete."))
    note = (note or "").strip()
    if not note:
        raise DomainError("note", _("Write the reasoning for the recommendation."))
    first = application.recommended_at is None
    application.recommendation = recommendation
    application.recommendation_grounds = grounds
    application.recommendation_note = note[:4000]
    application.recommended_by_id = actor.id
    application.recommended_at = now
    _transition(session, application, actor, "recommend", now, note=note[:4000],
                data={"recommendation": recommendation, "grounds": grounds})
    if first:  # a changed recommendation is not new work: the pejabat was told of the first
        notifications.recommended(session, application)


# -- the pejabat ---------------------------------------------------------------------------------

def lock_application(session: Session, application_id: int) -> Application:
    """Load the application with a row lock (PostgreSQL), fresh from the database. Every
    transition starts here: of two people acting at once the second waits, then sees the first
    one's change (and gets a conflict instead of overwriting it)."""
    application = lock_row(session, Application, application_id)
    if application is None:
        raise DomainError(None, _("This application does not exist."))
    return application


def _check_decider(application: Application, actor: User, action: str = "approve") -> None:
    if not actor.has_role(PEJABAT):
        raise NotPermitted("decide")
    if application.status in ("approved", "rejected"):
        raise ConflictError(_("This application has already been decided (%(status)s).",
                              status=status_label(application.status)))
    _require_status(application, action)
    if application.recommendation is None:
        raise DomainError(None, _("The verifier has not yet recommended a decision."))
    if application.status == "submitted" and application.recommendation != "reject":
        raise DomainError(None, _("The verifier has not proposed a rejection."))
    if not application.can_decide(actor, allow_same=current_app.config["SEP_ALLOW_SAME_RECOMMENDER_DECIDER"]):
        raise DomainError(None, _("You recommended this decision yourself; another official must decide "
                                  "(four-eyes principle)."))


def _admin_account(session: Session, application: Application, actor: User, now: datetime) -> tuple[User, bool]:
    """The account that becomes Admin Pengelola: an existing account of this person, or a new
    one awaiting activation. Returns (user, needs_activation)."""
    by_email = User.by_email(session, application.admin_email or "")
    by_nip = session.scalar(select(User).where(User.nip == application.admin_nip))
    # An existing account is used only if both its e-mail and its NIP are the ones in the
    # application: otherwise someone could register the successor's NIP with their own e-mail
    # beforehand and receive the role and the invitation.
    if (by_email is None) != (by_nip is None) or (by_email is not None and by_email.id != by_nip.id):
        raise DomainError(None, _("The proposed admin's e-mail and NIP do not belong to the same account on the "
                                  "portal. Return the application for correction."))
    user = by_email
    if user is None:
        user = User(email=application.admin_email, name=application.admin_name, nip=application.admin_nip,
                    position=application.admin_position, body_id=application.body_id, status="pending",
                    locale="id")
        user.add_role(ADMIN_PENGELOLA)
        session.add(user)
        session.flush()
        audit.record(session, None, "account.created", user,
                     after={"roles": [ADMIN_PENGELOLA], "body_id": application.body_id, "status": "pending"})
        return user, True
    if user.status in ("deactivated", "permanently_deactivated", "disabled"):
        raise DomainError(None, _("The proposed admin's account is deactivated or disabled and cannot become "
                                  "Admin Pengelola."))
    if user.has_any_role(*DITJEN_ROLES) or user.id in (actor.id, application.recommended_by_id,
                                                        application.completed_by_id):
        raise DomainError(None, _("The proposed admin's account is a Ditjen staff account or belongs to a "
                                  "reviewer of this application; it cannot become Admin Pengelola."))
    if user.body_id is not None and user.body_id != application.body_id:
        raise DomainError(None, _("The proposed admin's account belongs to another government body."))
    before = {"roles": sorted(user.roles), "body_id": user.body_id}
    user.body_id = application.body_id
    user.add_role(ADMIN_PENGELOLA)
    session.flush()
    audit.record(session, None, "account.role_granted", user, before=before,
                 after={"roles": sorted(user.roles), "body_id": user.body_id})
    return user, user.status != "active" or user.password_hash is None


def approve_application(session: Session, application_id: int, actor: User, *, reason: str,
                        now: datetime) -> Application:
    """Approve: in this one transaction the tenant, the Admin Pengelola (with an activation
    invitation), the numbered decision letter, audit rows and e-mails."""
    application = lock_application(session, application_id)
    _check_decider(application, actor)
    body = application.body
    assert body is not None  # declared complete ⇒ body set (database CHECK)
    previous = AdminAssignment.open_for_body(session, body.id)
    if previous is not None and application.kind != "penggantian":
        raise ConflictError(_("This body already has an Admin Pengelola. Reject the application on ground (c)."))
    admin, needs_activation = _admin_account(session, application, actor, now)
    old_admin = None
    if previous is not None:  # penggantian: the old admin loses the role in this same transaction
        if previous.user_id == admin.id:
            raise DomainError(None, _("The proposed admin is already the Admin Pengelola of this body."))
        old_admin = _end_assignment(session, previous, actor, now)
    try:
        with session.begin_nested():
            session.add(AdminAssignment(body_id=body.id, user_id=admin.id, application_id=application.id,
                                        started_at=now))
    except IntegrityError:  # another approval for this body committed first
        raise ConflictError(_("This body already has an Admin Pengelola. Reject the application on ground "
                              "(c).")) from None
    before_body = {"tenant_status": body.tenant_status}
    if body.tenant_status == "none":
        body.tenant_status = "active"
        audit.record(session, actor, "tenant.created", body, before=before_body, after={"tenant_status": "active"})
    application.decision_reason = (reason or "").strip()[:4000] or None
    application.decided_by_id = actor.id
    application.decided_at = now
    application.admin_user_id = admin.id
    application.letter = _decision_letter(session, application, actor, "approved", now)
    applicant = application.applicant
    if applicant.body_id is None:  # the Sekretaris now follows this body (its tenant page)
        applicant.body_id = body.id
    session.flush()
    _transition(session, application, actor, "approve", now, note=application.decision_reason,
                data={"letter": application.letter.number, "admin_user_id": admin.id,
                      "replaced_admin_id": old_admin.id if old_admin else None})
    notifications.approved(session, application, admin, needs_activation, now)
    if old_admin is not None:
        notifications.admin_replaced(session, application, old_admin, now)
    return application


def _end_assignment(session: Session, assignment: AdminAssignment, actor: User, now: datetime) -> User:
    """The old Admin Pengelola keeps the account, as an ASN of the body, without the role."""
    old_admin = session.get(User, assignment.user_id)
    assert old_admin is not None
    before = {"roles": sorted(old_admin.roles)}
    assignment.ended_at = now
    old_admin.remove_role(ADMIN_PENGELOLA)
    if not old_admin.roles:
        old_admin.add_role(ASN)
    session.flush()  # the partial unique index sees the old assignment closed before the new one
    audit.record(session, actor, "account.role_revoked", old_admin, before=before,
                 after={"roles": sorted(old_admin.roles), "reason": "penggantian"})
    return old_admin


def reject_application(session: Session, application_id: int, actor: User, *, grounds: list[str], reason: str,
                       now: datetime) -> Application:
    """Reject citing one or more of the three grounds of the regulation, with reasoning."""
    application = lock_application(session, application_id)
    _check_decider(application, actor, "reject")
    grounds = _grounds(grounds)
    if not grounds:
        raise DomainError("grounds", _("A rejection must cite at least one ground."))
    if application.status == "submitted" and not set(grounds) <= set(VERIFICATION_GROUNDS):
        raise DomainError("grounds", _("At verification a rejection can cite ground (a) or (b) only; ground (c) "
                                       "is decided after the documents are declared complete."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason", _("Write the reasoning for the rejection."))
    application.decision_grounds = grounds
    application.decision_reason = reason[:4000]
    application.decided_by_id = actor.id
    application.decided_at = now
    application.letter = _decision_letter(session, application, actor, "rejected", now)
    session.flush()
    _transition(session, application, actor, "reject", now, note=reason[:4000],
                data={"letter": application.letter.number, "grounds": grounds})
    notifications.rejected(session, application)
    return application


def _decision_letter(session: Session, application: Application, actor: User, outcome: str,
                     now: datetime) -> letters.Letter:
    from flask_babel import force_locale

    with force_locale("id"):
        what = ("Penggantian Admin Pengelola Sistem Elektronik Perkantoran" if application.kind == "penggantian"
                else "Permohonan Penggunaan Sistem Elektronik Perkantoran")
        subject = f"{'Persetujuan' if outcome == 'approved' else 'Penolakan'} {what}"
        grounds = [ground_text(g) for g in application.decision_grounds or []]
    return letters.issue_letter(
        session, series="decision", pattern=current_app.config["SEP_LETTER_PATTERN_DECISION"],
        kind=f"application_{outcome}", template=f"decision_{outcome}", subject=subject,
        recipient=application.applicant.name,
        context={"application": application, "body": application.body, "grounds": grounds, "now": now},
        signed_by=actor, now=now, filename=f"surat-keputusan-{application.reference}.pdf",
    )


# -- deadlines (the sweep) --------------------------------------------------------------------------

@sweep.task("applications.deadlines")
def send_deadline_notices(now: datetime) -> int:
    """A reminder to the verifier and the pejabat one working day before the decision is due,
    and an escalation to the pejabat and the superadmin once it is overdue. Each at most once,
    even with several sweeps at once (conditional UPDATE claims). Never decides anything."""
    from sep_portal.extensions import db

    days = current_app.config["SEP_DECISION_WORKING_DAYS"]
    sent = 0
    with db.new_session() as session:
        cal = calendar.load_calendar(session, None, "id")
        pending = session.scalars(
            select(Application).where(Application.status == "complete",
                                      (Application.reminder_sent_at.is_(None)) | (Application.escalated_at.is_(None)))
            .order_by(Application.decision_due_at)
        ).all()
        for application in pending:
            due = application.decision_due_at
            assert due is not None and application.complete_at is not None
            if now > due and application.escalated_at is None:
                if stamp_once(session, Application, application.id, "escalated_at", now,
                              Application.status == "complete"):
                    recipients = User.emails_with_role(session, PEJABAT, SUPERADMIN)
                    notifications.escalation(session, application, recipients)
                    _event(session, application, "system:sweep", "escalated", now)
                    audit.record(session, "system:sweep", "application.escalated", application,
                                 after={"decision_due_at": due})
                    sent += 1
                continue
            remind_from = cal.add_working_days(application.complete_at, days - 1)
            if remind_from < now <= due and application.reminder_sent_at is None:
                if stamp_once(session, Application, application.id, "reminder_sent_at", now,
                              Application.status == "complete"):
                    recipients = User.emails_with_role(session, PEJABAT)
                    verifier = session.get(User, application.completed_by_id) if application.completed_by_id else None
                    if verifier is not None and verifier.email not in recipients:
                        recipients.append(verifier.email)
                    notifications.reminder(session, application, recipients)
                    _event(session, application, "system:sweep", "reminded", now)
                    audit.record(session, "system:sweep", "application.reminded", application,
                                 after={"decision_due_at": due})
                    sent += 1
        session.commit()
    return sent



@sweep.task("applications.verification")
def send_verification_notices(now: datetime) -> int:
    """The verifier's time limit (DESIGN §3): a reminder to the verifiers one working day before
    the verification is due, an escalation to the pejabat and the superadmin once it is overdue.
    Each at most once per (re)submission, even with several sweeps at once."""
    from sep_portal.core.permissions import VERIFIKATOR
    from sep_portal.extensions import db

    days = current_app.config["SEP_VERIFICATION_WORKING_DAYS"]
    sent = 0
    with db.new_session() as session:
        cal = calendar.load_calendar(session, None, "id")
        pending = session.scalars(
            select(Application).where(Application.status == "submitted",
                                      Application.verification_escalated_at.is_(None))
            .order_by(Application.verification_due_at)
        ).all()
        for application in pending:
            due = application.verification_due_at
            assert due is not None and application.submitted_at is not None
            still = Application.status == "submitted"
            if now > due:
                if stamp_once(session, Application, application.id, "verification_escalated_at", now, still):
                    notifications.verification_escalation(session, application,
                                                          User.emails_with_role(session, PEJABAT, SUPERADMIN))
                    _event(session, application, "system:sweep", "verification_escalated", now)
                    audit.record(session, "system:sweep", "application.verification_escalated", application,
                                 after={"verification_due_at": due})
                    sent += 1
                continue
            start = application.submitted_at
            remind_from = cal.add_working_days(start, days - 1) if days > 1 else start
            if remind_from < now and application.verification_reminded_at is None:
                if stamp_once(session, Application, application.id, "verification_reminded_at", now, still):
                    notifications.verification_reminder(session, application,
                                                        User.emails_with_role(session, VERIFIKATOR))
                    _event(session, application, "system:sweep", "verification_reminded", now)
                    audit.record(session, "system:sweep", "application.verification_reminded", application,
                                 after={"verification_due_at": due})
                    sent += 1
        session.commit()
    return sent


@sweep.task("applications.lapse")
def lapse_uncompleted(now: datetime) -> int:
    """A returned application not submitted again by its completion deadline lapses: closed,
    audited, the Sekretaris told. Exactly once: the conditional UPDATE from ``returned`` is the
    claim, and a resubmission racing on the last second moves the row first or not at all."""
    from sqlalchemy import update

    from sep_portal.extensions import db

    done = 0
    with db.new_session() as session:
        due_ids = session.scalars(select(Application.id).where(
            Application.status == "returned", Application.completion_due_at < now).order_by(Application.id)).all()
        for application_id in due_ids:
            target = machine.transition("returned", "lapse").target
            claimed = session.execute(
                update(Application).where(Application.id == application_id, Application.status == "returned",
                                          Application.completion_due_at < now)
                .values(status=target, lapsed_at=now, updated_at=now),
                execution_options={"synchronize_session": False}).rowcount
            if claimed != 1:
                session.rollback()
                continue
            application = session.get(Application, application_id)
            assert application is not None
            session.refresh(application)
            _event(session, application, "system:sweep", "lapse", now)
            audit.record(session, "system:sweep", "application.lapse", application, before={"status": "returned"},
                         after={"status": target, "completion_due_at": application.completion_due_at})
            notifications.lapsed(session, application)
            session.commit()
            done += 1
    return done


# -- the calendar changed: open deadlines follow it (core.deadlines) ----------------------------------

@deadlines.mover("applications")
def move_deadlines(session: Session, cal: calendar.WorkingCalendar, actor: Any, now: datetime) -> int:
    """Each open step's time limit, computed again from its start: verification from the
    (re)submission, completion from the return, decision from "declared complete". The applicant is
    told the new date."""
    config = current_app.config
    steps = (("submitted", "verification_due_at", "submitted_at", config["SEP_VERIFICATION_WORKING_DAYS"]),
             ("returned", "completion_due_at", "returned_at", config["SEP_COMPLETION_WORKING_DAYS"]),
             ("complete", "decision_due_at", "complete_at", config["SEP_DECISION_WORKING_DAYS"]))
    moved = 0
    for status, field, start, days in steps:
        rows = session.scalars(select(Application).where(
            Application.status == status, getattr(Application, field) >= now).order_by(Application.id)).all()
        for application in rows:
            if getattr(application, start) is None:
                continue
            due = deadlines.new_due(getattr(application, field), cal.add_working_days(getattr(application, start),
                                                                                     days), now)
            if due is None:
                continue
            application = lock_application(session, application.id)
            if application.status != status:
                continue
            deadlines.reschedule(session, actor, application, field, due, person=application.applicant,
                                 what=f"{application.reference} · {application.body_label}",
                                 path=f"/permohonan/{application.id}")
            _event(session, application, actor, "deadline_moved", now, data={field: due.isoformat()})
            moved += 1
    return moved
