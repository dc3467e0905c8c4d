"""What a person reads for each code of tenants: account and tenant statuses, kinds of body, import
statuses and tembusan kinds. Pages and e-mails use these, never the code itself. Registered as
template filters (``|account_status_label`` …). A tenant's history is read as the audit page reads
the log (admin.labels: ``|audit_action``, ``|audit_actor``, ``|audit_changes``)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from sep_portal.tenants import bp

ACCOUNT_STATUS_LABELS = {
    "pending": _l("Not yet activated"), "active": _l("Active"), "disabled": _l("Disabled by the admin"),
    "deactivated": _l("Deactivated by Ditjen"), "permanently_deactivated": _l("Permanently deactivated"),
}

TENANT_STATUS_LABELS = {"active": _l("Active tenant"), "suspended": _l("Suspended"), "none": _l("Not a tenant")}

BODY_KIND_LABELS = {
    "kementerian": _l("Ministry (kementerian)"), "lembaga": _l("Agency (lembaga)"), "provinsi": _l("Province"),
    "kabupaten": _l("Regency (kabupaten)"), "kota": _l("City (kota)"), "lainnya": _l("Other"),
}

# Queued and running are one state for the person waiting.
IMPORT_STATUS_LABELS = {
    "queued_check": _l("Checking"), "checking": _l("Checking"), "checked": _l("Checked: ready to import"),
    "invalid": _l("Problems found"), "queued_import": _l("Importing"), "importing": _l("Importing"),
    "imported": _l("Imported"), "failed": _l("Failed"),
}

HANDOVER_STATUS_LABELS = {"pending": _l("Waiting for verification"), "confirmed": _l("Confirmed"),
                          "refused": _l("Refused"), "withdrawn": _l("Withdrawn")}

TEMBUSAN_KIND_LABELS = {"warning_letter": _l("Warning letter"), "warning_reply": _l("Reply to a warning"),
                        "other": _l("Other")}


def _label(labels: dict[str, Any], code: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(labels.get(code or "", code or ""))


@bp.app_template_filter("account_status_label")
def account_status_label(code: str | None) -> str:
    return _label(ACCOUNT_STATUS_LABELS, code)


@bp.app_template_filter("tenant_status_label")
def tenant_status_label(code: str | None) -> str:
    return _label(TENANT_STATUS_LABELS, code)


@bp.app_template_filter("body_kind_label")
def body_kind_label(code: str | None) -> str:
    return _label(BODY_KIND_LABELS, code)


@bp.app_template_filter("import_status_label")
def import_status_label(code: str | None) -> str:
    return _label(IMPORT_STATUS_LABELS, code)


@bp.app_template_filter("tembusan_kind_label")
def tembusan_kind_label(code: str | None) -> str:
    return _label(TEMBUSAN_KIND_LABELS, code)


@bp.app_template_filter("handover_status_label")
def handover_status_label(code: str | None) -> str:
    return _label(HANDOVER_STATUS_LABELS, code)
