"""What the operator reads on the audit log and the outbox: the actor as a name, the details of an
entry as lines of words, the outbox statuses in words. Registered as template filters
(``|outbox_status_label``, ``|audit_actor(names)``, ``|audit_changes``)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sep_portal.admin import bp
from sep_portal.core.audit import FIELD_LABELS, AuditEntry
from sep_portal.core.permissions import role_label

OUTBOX_STATUS_LABELS = {"pending": _l("Waiting"), "sending": _l("Sending"), "sent": _l("Sent"), "failed": _l("Failed")}

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


@bp.app_template_filter("audit_actor")
def audit_actor(entry: AuditEntry, names: dict[int, str]) -> str:
    """The person by name (``names`` from admin.queries.actor_names), or what kind of system acted."""
    if entry.actor_id is not None:
        return names.get(entry.actor_id) or _("Account %(id)d", id=entry.actor_id)
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


def _key(key: str) -> str:
    return str(FIELD_LABELS.get(key, str(key).replace("_", " ")))


def _field_value(key: str, value: Any) -> str:
    if key == "roles" and isinstance(value, list):
        return ", ".join(role_label(role) for role in value) or "—"
    return _value(value)


def _side(value: Any) -> str | None:
    return None if value is None else _value(value)


@bp.app_template_filter("audit_changes")
def audit_changes(entry: AuditEntry) -> list[tuple[str, str | None, str | None]]:
    """The entry's details as ``(what, before, after)`` lines; None where that side has nothing."""
    before, after = entry.before, entry.after
    if not (isinstance(before, dict | None) and isinstance(after, dict | None)):
        return [("", _side(before), _side(after))]  # details that are not named values: one line
    before, after = before or {}, after or {}
    keys = list(before) + [key for key in after if key not in before]
    return [(_key(key), _field_value(key, before[key]) if key in before else None,
             _field_value(key, after[key]) if key in after else None) for key in keys]
