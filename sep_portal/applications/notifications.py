"""E-mails of the application workflow. Each is an outbox row in the caller's transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from sep_portal.core import notices, outbox
from sep_portal.core.permissions import PEJABAT, VERIFIKATOR

TO_VERIFY = notices.kind("applications.to_verify", _l("An application is submitted or resubmitted"), VERIFIKATOR)
TO_DECIDE = notices.kind("applications.to_decide", _l("An application is recommended for your decision"), PEJABAT)


def _to_applicant(session: Session, application: Any, template: str, **context: Any) -> None:
    applicant = application.applicant
    outbox.enqueue(session, f"applications/{template}", [applicant.email],
                   {"application": application, "user": applicant, **context}, locale=applicant.locale)


def _staff_notice(session: Session, notice: notices.NoticeKind, application: Any, role: str, title: str,
                  due_at: datetime | None = None) -> None:
    from sep_portal.accounts.models import User

    notices.notify(session, notice, User.active_with_role(session, role), title=title,
                   path=f"/permohonan/{application.id}", due_at=due_at)


def submitted(session: Session, application: Any, *, again: bool = False) -> None:
    """The applicant's receipt, and the verifiers' notice of new work."""
    _to_applicant(session, application, "submitted")
    title = (_l("%(ref)s (%(body)s) was resubmitted after a return", ref=application.reference,
               body=application.body_label) if again else
             _l("%(ref)s (%(body)s) was submitted", ref=application.reference, body=application.body_label))
    _staff_notice(session, TO_VERIFY, application, VERIFIKATOR, title)


def recommended(session: Session, application: Any) -> None:
    _staff_notice(session, TO_DECIDE, application, PEJABAT,
                  _l("%(ref)s (%(body)s): the verifier recommends a decision", ref=application.reference,
                    body=application.body_label), due_at=application.decision_due_at)


def returned(session: Session, application: Any, missing: list[str], message: str) -> None:
    _to_applicant(session, application, "returned", missing=missing, message=message)


def complete(session: Session, application: Any) -> None:
    _to_applicant(session, application, "complete")


def approved(session: Session, application: Any, admin: Any, needs_activation: bool, now: datetime) -> None:
    from sep_portal.auth.operations import send_activation

    _to_applicant(session, application, "approved", admin=admin)
    if needs_activation:
        send_activation(session, admin, now, template="applications/admin_invitation",
                        context={"application": application})
    else:
        outbox.enqueue(session, "applications/admin_appointed", [admin.email],
                       {"application": application, "user": admin}, locale=admin.locale)


def rejected(session: Session, application: Any) -> None:
    _to_applicant(session, application, "rejected")


def reminder(session: Session, application: Any, recipients: list[str]) -> None:
    if recipients:
        outbox.enqueue(session, "applications/reminder", recipients, {"application": application})


def escalation(session: Session, application: Any, recipients: list[str]) -> None:
    if recipients:
        outbox.enqueue(session, "applications/escalation", recipients, {"application": application})


def admin_replaced(session: Session, application: Any, old_admin: Any, now: datetime) -> None:
    outbox.enqueue(session, "tenants/admin_replaced", [old_admin.email],
                   {"application": application, "user": old_admin, "body": application.body, "now": now},
                   locale=old_admin.locale)


def verification_reminder(session: Session, application: Any, recipients: list[str]) -> None:
    if recipients:
        outbox.enqueue(session, "applications/verification_reminder", recipients, {"application": application})


def verification_escalation(session: Session, application: Any, recipients: list[str]) -> None:
    if recipients:
        outbox.enqueue(session, "applications/verification_escalation", recipients, {"application": application})


def lapsed(session: Session, application: Any) -> None:
    _to_applicant(session, application, "lapsed")
