"""What a person reads for each status code of the misuse workflow: pages, e-mails and letters use
these, never the code itself. Registered as template filters (``|case_status_label`` …)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from sep_portal.abuse import bp

CASE_STATUS_LABELS = {
    "open": _l("Open"), "dismissed": _l("Dismissed"), "substantiated": _l("Substantiated"),
    "warned": _l("Warned, waiting for the reply"), "replied": _l("Reply received"),
    "closed": _l("Closed with a strike"), "deactivated": _l("Account deactivated"),
}

# Worded for the warned user, on their own warning page ("your reply") …
WARNING_STATUS_LABELS = {
    "issued": _l("Waiting for your reply"), "replied": _l("Reply sent, being evaluated"),
    "accepted": _l("Reply accepted"), "rejected": _l("Reply not accepted"), "expired": _l("No reply by the deadline"),
}

# … and for the verifiers and pejabat on the case page, who wait for somebody else's reply.
STAFF_WARNING_STATUS_LABELS = {
    **WARNING_STATUS_LABELS,
    "issued": _l("Waiting for the user's reply"), "replied": _l("Reply received, to be evaluated"),
}

# A report as its reporter follows it (AbuseReport.reporter_status): nothing of the measure taken.
REPORTER_STATUS_LABELS = {
    "received": _l("Received, being handled"),
    "handled": _l("Substantiated and handled"), "not_substantiated": _l("Not substantiated"),
}

REPORTER_STATUS_EXPLANATIONS = {
    "received": _l("Your report has been received and is being handled by Ditjen Aptika. This can take some "
                   "time; you will be told by e-mail when the matter ends. Until then we do not say whether the "
                   "reported account exists or what is being done, to protect personal data."),
    "handled": _l("The misuse was established and has been acted on under the SEP rules. To protect personal "
                  "data we do not say which measure was taken."),
    "not_substantiated": _l("After examination no misuse could be established. Thank you for reporting."),
}

REQUEST_STATUS_LABELS = {"pending": _l("waiting"), "approved": _l("reactivated"), "rejected": _l("refused")}


def _label(labels: dict[str, object], code: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(labels.get(code or "", code or ""))


@bp.app_template_filter("case_status_label")
def case_status_label(code: str | None) -> str:
    return _label(CASE_STATUS_LABELS, code)


@bp.app_template_filter("warning_status_label")
def warning_status_label(code: str | None, *, staff: bool = False) -> str:
    """The status as the warned user reads it, or (``staff=True``) as the reviewers do."""
    return _label(STAFF_WARNING_STATUS_LABELS if staff else WARNING_STATUS_LABELS, code)


@bp.app_template_filter("request_status_label")
def request_status_label(code: str | None) -> str:
    return _label(REQUEST_STATUS_LABELS, code)



@bp.app_template_filter("reporter_status_label")
def reporter_status_label(code: str | None) -> str:
    return _label(REPORTER_STATUS_LABELS, code)


@bp.app_template_filter("reporter_status_explanation")
def reporter_status_explanation(code: str | None) -> str:
    return _label(REPORTER_STATUS_EXPLANATIONS, code)
