"""E-mails of the application workflow. Each is an outbox row in the caller's transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sep_portal.core import outbox


def _to_applicant(session: Session, application: Any, template: str, **context: Any) -> None:
    applicant = application.applicant
    outbox.enqueue(session, f"applications/{template}", [applicant.email],
                   {"application": application, "user": applicant, **context}, locale=applicant.locale)


def submitted(session: Session, application: Any) -> None:
    _to_applicant(session, application, "submitted")


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
