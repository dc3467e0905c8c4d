"""What a person reads for each status of an application: pages, e-mails and letters use these,
never the code. Registered as the template filter ``|application_status_label``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sep_portal.applications import bp

STATUS_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned for completion"),
    "complete": _l("Complete, awaiting decision"), "approved": _l("Approved"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"), "lapsed": _l("Lapsed (not completed in time)"),
}

# The grounds for rejection, in the regulation's words (DESIGN §1): the one text that the forms,
# the pages and the rejection letter read.
GROUND_LABELS = {
    "a": _l("(a) the requirements are not met (the surat kuasa appointing the Admin Pengelola and the Admin "
            "Pengelola's KPNS or SK Pengangkatan)"),
    "b": _l("(b) the application does not come from a government body and/or is not within its authority"),
    "c": _l("(c) an Admin Pengelola account was already given to that body"),
}


def ground_text(ground: str) -> str:
    return str(GROUND_LABELS[ground])


DOC_TYPE_LABELS = {"surat_kuasa": _l("Surat kuasa"), "kpns": _l("KPNS"), "sk_pengangkatan": _l("SK Pengangkatan")}


@bp.app_template_filter("doc_type_label")
def doc_type_label(code: str | None) -> str:
    return str(DOC_TYPE_LABELS.get(code or "", code or ""))


# The automatic checks at submission (operations.submission_checks), as the verifier reads them.
CHECK_LABELS = {
    "body_has_admin": _l("The body already has an active Admin Pengelola (ground c)."),
    "body_already_approved": _l("An earlier application of this body was approved (ground c)."),
    "other_open_application": _l("Another application of this body is open."),
    "body_proposed": _l("The body is not in the reference list: confirm that it is a government body."),
    "applicant_email_not_gov": _l("The applicant's e-mail is not on a government domain (hint for ground b)."),
    "admin_email_not_gov": _l("The proposed admin's e-mail is not on a government domain."),
    "nip_invalid": _l("The NIP is not valid."),
    "nip_admin_elsewhere": _l("This NIP is already Admin Pengelola of another body."),
    "replaces_admin": _l("Replacement: on approval the current Admin Pengelola of this body loses the role."),
    "admin_is_staff": _l("The proposed admin's NIP or e-mail belongs to a Ditjen staff account."),
}


@bp.app_template_filter("check_text")
def check_text(check: dict[str, Any]) -> str:
    """One finding of the automatic checks in words, with its detail where it has one."""
    if check.get("code") == "nip_invalid" and check.get("detail"):
        return _("The NIP is not valid: %(why)s", why=check["detail"])
    return str(CHECK_LABELS.get(check.get("code") or "", check.get("code") or ""))


@bp.app_template_filter("application_status_label")
def status_label(status: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(STATUS_LABELS.get(status or "", status or ""))


# -- where the file is, and who acts next (the stepper on the application's page) ------------------

STEPS = (("data", _l("Data")), ("documents", _l("Documents")), ("submit", _l("Submit")),
         ("verification", _l("Verification")), ("decision", _l("Decision")))


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class Progress:
    steps: list[Step]
    next_actor: str  # who acts next, in words ("" when nobody does)


def _data_done(application: Any) -> bool:
    body = application.body_id is not None or (application.proposed_body_name and application.proposed_body_kind)
    return bool(body and application.admin_name and application.admin_nip and application.admin_email
                and application.admin_position)


def _documents_done(application: Any) -> bool:
    identity = application.identity_doc_type
    return (application.current_document("surat_kuasa") is not None
            and identity is not None and application.current_document(identity) is not None)


def progress(application: Any, viewer: Any) -> Progress:
    """The five steps of DESIGN §3 for ``application`` as ``viewer`` reads them."""
    status = application.status
    mine = viewer is not None and viewer.id == application.applicant_id
    if status in ("draft", "returned"):
        done = {"data"} if _data_done(application) else set()
        if _documents_done(application):
            done.add("documents")
        current = next(code for code, _label in STEPS if code not in done)
        actor = (_("You: complete what is marked, then submit.") if mine
                 else _("The applicant (Sekretaris of the body)."))
    elif status == "submitted":
        done, current = {"data", "documents", "submit"}, "verification"
        actor = _("A verifier of Ditjen Aptika checks the file.")
    elif status == "complete":
        done, current = {"data", "documents", "submit", "verification"}, "decision"
        actor = (_("The pejabat decides.") if application.recommendation
                 else _("The verifier recommends a decision; then the pejabat decides."))
    elif status in ("approved", "rejected"):
        done, current, actor = {code for code, _label in STEPS}, None, ""
    else:  # withdrawn: what it reached stays done, and nobody acts any more
        done = {"data", "documents", "submit"} if application.submitted_at else set()
        current, actor = None, ""
    steps = [Step(code, str(label), "done" if code in done else "current" if code == current else "todo")
             for code, label in STEPS]
    return Progress(steps, actor)
