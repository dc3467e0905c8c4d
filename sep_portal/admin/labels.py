"""What the operator reads on the audit log and the outbox: the actor as a name, the action and its
object in words, the details of an entry as lines of words (statuses, documents and kinds through
their labels), the outbox statuses and e-mail templates in words. Registered as template filters
(``|outbox_status_label``, ``|outbox_template_label``, ``|audit_actor(names)``, ``|audit_action``,
``|audit_target``, ``|audit_changes``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sep_portal.admin import bp
from sep_portal.admin.queries import AuditNames
from sep_portal.core.audit import ACTION_LABELS, BODY_FIELDS, FIELD_LABELS, PERSON_FIELDS, TARGET_LABELS, AuditEntry
from sep_portal.core.permissions import role_label

OUTBOX_STATUS_LABELS = {"pending": _l("Waiting"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}

# The e-mails by the feature that writes them (the folder of their template, templates/emails/).
OUTBOX_TEMPLATE_LABELS = {
    "abuse": _l("Abuse reports and warning letters"), "applications": _l("Applications"),
    "accounts": _l("Staff roles and accounts (operator)"), "auth": _l("Sign-in and account security"),
    "bimtek": _l("Bimtek"), "helpdesk": _l("Helpdesk"),
    "tenants": _l("Government body accounts"), "work": _l("Daily digest of tasks"),
}

# The actors that are not a person (core.audit.record's string actors).
ACTOR_LABELS = {
    "system": _l("System"), "system:sweep": _l("System (scheduled tasks)"), "system:cli": _l("System (command line)"),
    "cli": _l("System (command line)"), "system:auth": _l("System (sign-in protection)"),
    "system:bimtek": _l("System (bimtek waiting list)"), "system:demo": _l("System (demo data)"),
    "public": _l("A member of the public (not signed in)"),
}


@bp.app_template_filter("outbox_status_label")
def outbox_status_label(code: str | None) -> str:
    # An unknown code is a programming error, but a page must still render: show it rather than fail.
    return str(OUTBOX_STATUS_LABELS.get(code or "", code or ""))


@bp.app_template_filter("outbox_template_label")
def outbox_template_label(template: str | None) -> str:
    folder = (template or "").split("/", 1)[0]
    return str(OUTBOX_TEMPLATE_LABELS.get(folder, _l("Other")))


@bp.app_template_filter("audit_action")
def audit_action(code: str | None) -> str:
    return str(ACTION_LABELS.get(code or "", code or ""))


@bp.app_template_filter("audit_target")
def audit_target(entry: AuditEntry, names: AuditNames | None = None) -> str:
    """``Permohonan 8``: the kind of object in words and its number; an account by its name."""
    if not entry.target_type:
        return ""
    kind = TARGET_LABELS.get(entry.target_type, entry.target_type.replace("_", " "))
    ident = entry.target_id or ""
    if names is not None and entry.target_type == "users" and ident.isdigit() and int(ident) in names.people:
        return f"{kind}: {names.people[int(ident)]}"
    return f"{kind} {ident}".strip()


@bp.app_template_filter("audit_actor")
def audit_actor(entry: AuditEntry, names: AuditNames) -> str:
    """The person by name (``names`` from admin.queries.audit_names), or what kind of system acted."""
    if entry.actor_id is not None:
        return names.people.get(entry.actor_id) or _("Account %(id)d", id=entry.actor_id)
    label = entry.actor_label or "system"
    if label in ACTOR_LABELS:
        return str(ACTOR_LABELS[label])
    return str(ACTOR_LABELS["system"]) if label.startswith("system") else label


def _value(value: Any) -> str:
    from sep_portal.core.formatting import format_datetime

    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str):
        # The log keeps times as ISO 8601 in UTC (core.audit._jsonable): shown as every time is.
        if len(value) >= 19 and value[4:5] == "-" and "T" in value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if moment.tzinfo is not None:
                return format_datetime(moment)
        return value
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_key(key)}: {_field_value(key, item)}" for key, item in value.items()) or "—"
    return str(value)


def _status_words(target_type: str | None) -> dict[str, Any]:
    """The status labels of the kind of object an entry is about: ``status`` means a different thing
    on an application, an account or a ticket."""
    from sep_portal.abuse.labels import CASE_STATUS_LABELS, REQUEST_STATUS_LABELS, WARNING_STATUS_LABELS
    from sep_portal.applications.labels import STATUS_LABELS
    from sep_portal.bimtek.labels import REGISTRATION_STATUS_LABELS, SESSION_STATUS_LABELS
    from sep_portal.helpdesk.labels import TICKET_STATUS_LABELS
    from sep_portal.tenants.labels import ACCOUNT_STATUS_LABELS, HANDOVER_STATUS_LABELS, IMPORT_STATUS_LABELS

    return {"applications": STATUS_LABELS, "users": ACCOUNT_STATUS_LABELS, "abuse_cases": CASE_STATUS_LABELS,
            "warning_letters": WARNING_STATUS_LABELS, "reactivation_requests": REQUEST_STATUS_LABELS,
            "tickets": TICKET_STATUS_LABELS, "bimtek_sessions": SESSION_STATUS_LABELS,
            "bimtek_registrations": REGISTRATION_STATUS_LABELS, "account_imports": IMPORT_STATUS_LABELS,
            "sekretaris_handovers": HANDOVER_STATUS_LABELS,
            "outbox": OUTBOX_STATUS_LABELS}.get(target_type or "", {})


def _field_words(key: str, target_type: str | None) -> dict[Any, Any]:
    """The labels of the coded values of field ``key`` (empty: the value is shown as it is)."""
    from sep_portal.applications.forms import GROUND_CHOICES, RETURN_CHOICES
    from sep_portal.applications.labels import CHECK_LABELS, DOC_TYPE_LABELS
    from sep_portal.bimtek.labels import MODE_LABELS
    from sep_portal.helpdesk.labels import PRIORITY_LABELS
    from sep_portal.tenants.labels import BODY_KIND_LABELS, TENANT_STATUS_LABELS

    if key == "status":
        return _status_words(target_type)
    return {"tenant_status": TENANT_STATUS_LABELS, "doc_type": DOC_TYPE_LABELS, "identity_doc_type": DOC_TYPE_LABELS,
            "missing": dict(RETURN_CHOICES), "checks": CHECK_LABELS, "grounds": dict(GROUND_CHOICES),
            "priority": PRIORITY_LABELS,
            "recommendation": {"approve": _l("Approve"), "reject": _l("Reject")},
            "proposal": {"warning": _l("Warning letter"), "permanent": _l("Permanent deactivation")},
            "kind": BODY_KIND_LABELS if target_type == "bodies" else {},
            "mode": MODE_LABELS if target_type == "bimtek_sessions" else {},
            "scope": {"read": _l("Read every tenant"), "tenant": _l("One tenant only")},
            }.get(key, {})


def _key(key: str) -> str:
    return str(FIELD_LABELS.get(key, str(key).replace("_", " ")))


def _field_value(key: str, value: Any, target_type: str | None = None, names: AuditNames | None = None) -> str:
    if key == "roles" and isinstance(value, list):
        return ", ".join(role_label(role) for role in value) or "—"
    if key == "role" and isinstance(value, str):
        return role_label(value)
    if names is not None and isinstance(value, int) and not isinstance(value, bool):
        if key in PERSON_FIELDS:
            return names.people.get(value) or _("Account %(id)d", id=value)
        if key in BODY_FIELDS:
            return names.bodies.get(value) or _("Body %(id)d", id=value)
    if key == "format" and isinstance(value, str):
        return value.upper()
    words = _field_words(key, target_type)
    if words:
        if isinstance(value, list):
            return ", ".join(str(words.get(item, item)) for item in value) or "—"
        if isinstance(value, (str, int)) and value in words:
            return str(words[value])
    return _value(value)


def _side(value: Any) -> str | None:
    return None if value is None else _value(value)


@bp.app_template_filter("audit_changes")
def audit_changes(entry: AuditEntry, names: AuditNames | None = None) -> list[tuple[str, str | None, str | None]]:
    """The entry's details as ``(what, before, after)`` lines, coded values in words and the accounts
    and bodies they name by their names (``names`` from admin.queries.audit_names); None where that
    side has nothing."""
    before, after = entry.before, entry.after
    if not (isinstance(before, dict | None) and isinstance(after, dict | None)):
        return [("", _side(before), _side(after))]  # details that are not named values: one line
    before, after = before or {}, after or {}
    keys = list(before) + [key for key in after if key not in before]
    kind = entry.target_type
    return [(_key(key), _field_value(key, before[key], kind, names) if key in before else None,
             _field_value(key, after[key], kind, names) if key in after else None) for key in keys]
