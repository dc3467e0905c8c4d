"""What a person reads for each status of an application: pages, e-mails and letters use these,
never the code. Registered as the template filter ``|application_status_label``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sep_portal.applications import bp

STATUS_LABELS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "returned": _l("Returned for completion"),
    "complete": _l("Complete, awaiting decision"), "approved": _l("Approved"), "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}


@bp.app_template_filter("application_status_label")
def status_label(status: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(STATUS_LABELS.get(status or "", status or ""))
