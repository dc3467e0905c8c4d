"""What a person reads for each code of bimtek: the statuses of sessions and registrations and the
modes. Pages, e-mails and certificates use these, never the code itself. Registered as template
filters (``|session_status_label``, ``|registration_status_label``, ``|mode_label``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sep_portal.bimtek import bp

SESSION_STATUS_LABELS = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled"), "held": _l("Held")}

REGISTRATION_STATUS_LABELS = {
    "registered": _l("Registered"), "waitlisted": _l("On the waiting list"), "cancelled": _l("Cancelled"),
    "attended": _l("Attended"), "absent": _l("Absent"),
}

MODE_LABELS = {"in_person": _l("In person"), "online": _l("Online")}


def _label(labels: dict[str, object], code: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(labels.get(code or "", code or ""))


@bp.app_template_filter("session_status_label")
def session_status_label(code: str | None) -> str:
    return _label(SESSION_STATUS_LABELS, code)


@bp.app_template_filter("registration_status_label")
def registration_status_label(code: str | None) -> str:
    return _label(REGISTRATION_STATUS_LABELS, code)


@bp.app_template_filter("mode_label")
def mode_label(code: str | None) -> str:
    return _label(MODE_LABELS, code)
