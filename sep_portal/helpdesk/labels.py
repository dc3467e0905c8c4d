"""What a person reads for each code of the helpdesk: a ticket's status, priority and kind, the
survey's elements and grades, whether a service is available. Pages, e-mails, charts and exports
use these, never the code itself. Registered as template filters (``|ticket_status_label`` …)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sep_portal.helpdesk import bp

TICKET_STATUS_LABELS = {
    "new": _l("New"), "assigned": _l("Assigned"), "in_progress": _l("In progress"),
    "waiting": _l("Waiting on the requester"), "resolved": _l("Resolved"), "closed": _l("Closed"),
}
PRIORITY_LABELS = {1: _l("P1 critical"), 2: _l("P2 high"), 3: _l("P3 medium"), 4: _l("P4 low")}
TICKET_TYPE_LABELS = {"incident": _l("Incident"), "service_request": _l("Service request"),
                      "question": _l("Question")}
SURVEY_ELEMENT_LABELS = {"speed": _l("Speed of the service"), "competence": _l("Competence of the agent"),
                         "clarity": _l("Clarity of the answer"), "courtesy": _l("Courtesy")}
GRADE_LABELS = {"A": _l("Very good"), "B": _l("Good"), "C": _l("Poor"), "D": _l("Very poor")}
SERVICE_STATE_LABELS = {True: _l("Available"), False: _l("Switched off")}


def _label(labels: dict[object, object], code: object) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(labels.get(code, "" if code is None else code))


@bp.app_template_filter("ticket_status_label")
def ticket_status_label(code: str | None) -> str:
    return _label(TICKET_STATUS_LABELS, code)


@bp.app_template_filter("ticket_priority_label")
def ticket_priority_label(priority: int | None) -> str:
    return _label(PRIORITY_LABELS, priority)


@bp.app_template_filter("ticket_type_label")
def ticket_type_label(code: str | None) -> str:
    return _label(TICKET_TYPE_LABELS, code)


@bp.app_template_filter("survey_element_label")
def survey_element_label(code: str | None) -> str:
    return _label(SURVEY_ELEMENT_LABELS, code)


@bp.app_template_filter("survey_grade_label")
def survey_grade_label(grade: str | None) -> str:
    return _label(GRADE_LABELS, grade)


@bp.app_template_filter("service_state_label")
def service_state_label(active: bool | None) -> str:
    return _label(SERVICE_STATE_LABELS, bool(active))
