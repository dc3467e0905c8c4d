"""E-mails of a body's tenancy that tell someone of new work."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from sep_portal.core import notices, outbox
from sep_portal.core.permissions import ADMIN_PENGELOLA, PEJABAT, VERIFIKATOR

IMPORT_DONE = notices.kind("tenants.import_done", _l("An import of accounts has finished or failed"),
                           ADMIN_PENGELOLA)
TO_VERIFY_SEKRETARIS = notices.kind("tenants.sekretaris_handover",
                                    _l("A request to become the Sekretaris BP of a tenant to verify"), VERIFIKATOR)
TO_CONFIRM = notices.kind("tenants.status_change", _l("A tenant's suspension or reactivation to confirm"), PEJABAT)


def import_finished(session: Session, job_id: int) -> None:
    """The Admin Pengelola who started an import learns how its check or its run ended."""
    from sep_portal.accounts.models import User
    from sep_portal.tenants.models import AccountImport

    job = session.get(AccountImport, job_id, populate_existing=True)  # after an UPDATE statement
    if job is None:
        return
    titles = {
        "checked": _l("Import %(id)d checked: %(rows)d rows without problems, ready to run", id=job.id,
                      rows=job.total_rows),
        "invalid": _l("Import %(id)d has problems: %(errors)d of %(rows)d rows", id=job.id,
                      errors=job.error_rows, rows=job.total_rows),
        "imported": _l("Import %(id)d done: %(rows)d accounts created", id=job.id, rows=job.imported_rows),
        "failed": _l("Import %(id)d failed", id=job.id),
    }
    if job.status in titles:
        notices.notify(session, IMPORT_DONE, [session.get(User, job.created_by_id)], title=titles[job.status],
                       path=f"/pengelola/impor/{job.id}")


def tenant_change_proposed(session: Session, change: Any, body: Any, proposer: Any) -> None:
    """Every other pejabat learns that a proposal waits for a second pair of eyes."""
    from sep_portal.accounts.models import User

    title = (_l("Suspension of %(body)s to confirm", body=body.name) if change.action == "suspend"
             else _l("Reactivation of %(body)s to confirm", body=body.name))
    others = [p for p in User.active_with_role(session, PEJABAT) if p.id != proposer.id]
    notices.notify(session, TO_CONFIRM, others, title=title, path=f"/ditjen/badan/{body.id}")


# -- the Sekretaris handover ------------------------------------------------------------------------

def handover_requested(session: Session, handover: Any, body: Any, requester: Any) -> None:
    """The verifiers learn that a request waits on them (never the requester, should they be one)."""
    from sep_portal.accounts.models import User

    verifiers = [p for p in User.active_with_role(session, VERIFIKATOR) if p.id != requester.id]
    notices.notify(session, TO_VERIFY_SEKRETARIS, verifiers,
                   title=_l("%(name)s asks to become the Sekretaris BP of %(body)s", name=requester.name,
                            body=body.name), path=f"/ditjen/sekretaris/{handover.id}")


def handover_refused(session: Session, handover: Any, body: Any, requester: Any) -> None:
    outbox.enqueue(session, "tenants/sekretaris_refused", [requester.email],
                   {"user": requester, "body": body, "handover": handover}, locale=requester.locale)


def handover_confirmed(session: Session, handover: Any, body: Any, requester: Any, previous: list[Any]) -> None:
    """The new Sekretaris, each previous one and the body's Admin Pengelola, each by e-mail: these
    are not new work but a change that concerns them, so they always go out."""
    from sep_portal.tenants.queries import current_admin

    context = {"body": body, "handover": handover, "new": requester}
    outbox.enqueue(session, "tenants/sekretaris_confirmed", [requester.email], {**context, "user": requester},
                   locale=requester.locale)
    for person in previous:
        outbox.enqueue(session, "tenants/sekretaris_replaced", [person.email], {**context, "user": person},
                       locale=person.locale)
    admin = current_admin(session, body.id)
    if admin is not None and admin.id != requester.id and admin.id not in {p.id for p in previous}:
        outbox.enqueue(session, "tenants/sekretaris_changed", [admin.email], {**context, "user": admin},
                       locale=admin.locale)
