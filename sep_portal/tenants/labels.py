"""What a person reads for each code of tenants: account and tenant statuses, kinds of body, import
statuses, tembusan kinds, and the entries of a tenant's history. Pages and e-mails use these, never
the code itself. Registered as template filters (``|account_status_label`` …)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sep_portal.core.audit import FIELD_LABELS
from sep_portal.core.permissions import role_label
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

TEMBUSAN_KIND_LABELS = {"warning_letter": _l("Warning letter"), "warning_reply": _l("Reply to a warning"),
                        "other": _l("Other")}

# The audit actions recorded with a body as their target (its history on Ditjen's page).
HISTORY_ACTION_LABELS = {
    "tenant.created": _l("Became a tenant"), "tenant.suspended": _l("Tenant suspended"),
    "tenant.reactivated": _l("Tenant reactivated"), "body.confirmed": _l("Body confirmed by a verifier"),
    "accounts.exported": _l("Account list exported"),
    "tenant.suspend_proposed": _l("Suspension proposed"), "tenant.reactivate_proposed": _l("Reactivation proposed"),
    "tenant.suspend_refused": _l("Proposed suspension refused"),
    "tenant.reactivate_refused": _l("Proposed reactivation refused"),
}



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


@bp.app_template_filter("history_action_label")
def history_action_label(code: str | None) -> str:
    return _label(HISTORY_ACTION_LABELS, code)


def _words(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v) for v in value)
    return str(value)


_VALUE_WORDS: dict[str, Callable[[Any], str]] = {
    "tenant_status": tenant_status_label, "kind": body_kind_label, "status": account_status_label,
    "roles": lambda roles: ", ".join(role_label(r) for r in roles or ()), "format": lambda f: str(f).upper(),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: the entry records only the new value
    after: str


@bp.app_template_filter("history_changes")
def history_changes(entry: Any) -> list[Change]:
    """The fields an audit entry records, readably: each field's name in words and its values in
    words (statuses and kinds through their labels), the old value where the entry keeps it."""
    before, after = entry.before or {}, entry.after or {}
    changes = []
    for key in [*after, *(k for k in before if k not in after)]:
        words = _VALUE_WORDS.get(key, _words)
        old = words(before[key]) if key in before else None
        new = words(after[key]) if key in after else "—"
        changes.append(Change(_label(FIELD_LABELS, key), old, new))
    return changes
