"""E-mails of the misuse workflow, all through the outbox in the caller's transaction."""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from sep_portal.core import notices, outbox
from sep_portal.core.permissions import PEJABAT, VERIFIKATOR

TO_WARN = notices.kind("abuse.to_warn", _l("A misuse case is substantiated: a warning to issue"), PEJABAT)
TO_EVALUATE = notices.kind("abuse.to_evaluate", _l("A warned person replied: the reply to evaluate"), VERIFIKATOR)
TO_REACTIVATE = notices.kind("abuse.reactivation", _l("A body asks to reactivate an account"), PEJABAT)


def _send(session: Session, template: str, recipients: list[str], context: dict[str, Any],
          locale: str | None = None) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        outbox.enqueue(session, f"abuse/{template}", recipients, context, locale=locale)


def report_received(session: Session, report: Any, email: str, locale: str | None, *,
                    status_token: str | None = None) -> None:
    """The receipt with the report's reference, and where to follow it: the signed-in reporter's
    own page, or the public reporter's private status link (``status_token``)."""
    _send(session, "report_received", [email], {"report": report, "status_token": status_token}, locale)


def public_verify(session: Session, report: Any, email: str, token: str) -> None:
    _send(session, "public_verify", [email], {"report": report, "token": token,
                                              "hours": current_app.config["SEP_EMAIL_VERIFY_HOURS"]})


def outcome_to_reporters(session: Session, case: Any, outcome: str) -> None:
    """Every verified reporter learns that the case ended and how, without private details."""
    from sep_portal.abuse.models import AbuseReport
    from sep_portal.accounts.models import User

    rows = session.execute(
        select(AbuseReport.reporter_email, User.email, User.locale)
        .outerjoin(User, User.id == AbuseReport.reporter_id)
        .where(AbuseReport.case_id == case.id, AbuseReport.verified_at.is_not(None))).all()
    seen: set[str] = set()
    for public_email, user_email, locale in rows:
        address = user_email or public_email
        if address and address not in seen:  # one e-mail per reporter, however many reports
            seen.add(address)
            _send(session, "case_outcome", [address], {"case": case, "outcome": outcome}, locale)


def warning_issued(session: Session, warning: Any, account: Any, sekretaris: list[Any], body: Any) -> None:
    context = {"warning": warning, "account": account, "body": body}
    _send(session, "warning_issued", [account.email], context, account.locale)
    for person in sekretaris:
        _send(session, "warning_copy", [person.email], {**context, "user": person}, person.locale)
    if body is not None:
        from sep_portal.tenants.queries import current_admin

        admin = current_admin(session, body.id)
        if admin is not None and admin.id != account.id:
            _send(session, "warning_notice_admin", [admin.email],
                  {**context, "user": admin, "show_content": current_app.config["SEP_ADMIN_SEES_WARNING_CONTENT"]},
                  admin.locale)


def reply_copy(session: Session, warning: Any, account: Any, sekretaris: list[Any]) -> None:
    """The Sekretaris' copy of a reply, and the verifiers' notice that it waits to be evaluated."""
    from sep_portal.accounts.models import User

    for person in sekretaris:
        _send(session, "reply_copy", [person.email], {"warning": warning, "account": account, "user": person},
              person.locale)
    notices.notify(session, TO_EVALUATE, User.active_with_role(session, VERIFIKATOR),
                   title=_l("%(ref)s: %(name)s replied to warning letter %(number)s", ref=warning.case.reference,
                            name=account.name, number=warning.letter.number), path=f"/kasus/{warning.case_id}")


def reply_evaluated(session: Session, warning: Any, account: Any, accepted: bool) -> None:
    _send(session, "reply_evaluated", [account.email], {"warning": warning, "account": account,
                                                        "accepted": accepted}, account.locale)


def deactivated(session: Session, case: Any, account: Any, permanent: bool, sekretaris: list[Any],
                admin: Any) -> None:
    context = {"case": case, "account": account, "permanent": permanent}
    _send(session, "deactivated", [account.email], context, account.locale)
    others = [p for p in [*sekretaris, admin] if p is not None and p.id != account.id]
    for person in others:
        _send(session, "deactivated_notice", [person.email], {**context, "user": person}, person.locale)


def _to_pejabat(session: Session, notice: notices.NoticeKind, **kwargs: Any) -> None:
    from sep_portal.accounts.models import User

    notices.notify(session, notice, User.active_with_role(session, PEJABAT), **kwargs)


def substantiated(session: Session, case: Any) -> None:
    _to_pejabat(session, TO_WARN, title=_l("%(ref)s: misuse substantiated (%(category)s)", ref=case.reference,
                                          category=case.category.name), path=f"/kasus/{case.id}")


def reactivation_requested(session: Session, request: Any) -> None:
    _to_pejabat(session, TO_REACTIVATE, title=_l("Reactivation of %(name)s", name=request.user.name),
                path=f"/reaktivasi/{request.id}", template="abuse/reactivation_requested",
                context={"request": request})


def reactivation_decided(session: Session, request: Any, account: Any) -> None:
    """The decision goes to the body's Sekretaris BP as it is now: after a handover, the new one
    (who inherits the request), never the one who left."""
    from sep_portal.tenants.queries import sekretaris_of

    context = {"request": request, "account": account}
    for person in sekretaris_of(session, request.body_id):
        _send(session, "reactivation_decided", [person.email], {**context, "user": person}, person.locale)
    if request.status == "approved":
        _send(session, "reactivated", [account.email], context, account.locale)
