"""Every audit action the code writes has a label people read (core.audit.ACTION_LABELS): the
audit page and a tenant's history never show ``application.declare_complete``."""
from __future__ import annotations

import ast
import itertools
from pathlib import Path

from sep_portal.applications.states import machine as application_machine
from sep_portal.core.audit import ACTION_LABELS
from sep_portal.helpdesk.states import ticket_machine

PACKAGE = Path(__file__).resolve().parents[2] / "sep_portal"


def _actions_of_machine(machine: object) -> set[str]:
    return {action for (_state, action) in machine._table}  # noqa: SLF001


# The actions built as f"<prefix>{variable}": the values the variable takes.
FAMILIES = {
    "application.": _actions_of_machine(application_machine) | {"document_uploaded", "document_replaced"},
    "ticket.": _actions_of_machine(ticket_machine),
    "bimtek.": {"registered", "waitlisted", "attended", "absent"},
}


def _values(node: ast.expr, where: str) -> set[str]:
    """Every string ``node`` can evaluate to; fails on a form it cannot follow (teach it, then)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _values(node.body, where) | _values(node.orelse, where)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {a + b for a, b in itertools.product(_values(node.left, where), _values(node.right, where))}
    if (isinstance(node, ast.JoinedStr) and len(node.values) == 2 and isinstance(node.values[0], ast.Constant)
            and node.values[0].value in FAMILIES):
        return {node.values[0].value + suffix for suffix in FAMILIES[node.values[0].value]}
    if isinstance(node, ast.Attribute) and node.attr == "status" and "reactivation_" in where:
        return {"approved", "rejected"}  # a decided reactivation request
    raise AssertionError(f"{where}: cannot tell which audit actions {ast.unparse(node)!r} writes")


def written_actions() -> set[str]:
    actions: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many") and ast.unparse(node.func.value) == "audit"):
                where = f"{path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(node.args[2])}"
                actions |= _values(node.args[2], where)
    return actions


def test_the_scan_finds_the_actions() -> None:
    actions = written_actions()
    assert len(actions) > 80
    assert {"application.approve", "ticket.resolve", "account.reactivation_rejected", "auth.totp_enrolled",
            "abuse.reply_accepted", "bimtek.waitlisted"} <= actions


def test_every_written_action_has_a_label() -> None:
    missing = sorted(written_actions() - set(ACTION_LABELS))
    assert not missing, f"audit actions without a label in core.audit.ACTION_LABELS: {missing}"


def test_no_label_for_an_action_never_written() -> None:
    assert not sorted(set(ACTION_LABELS) - written_actions())


def test_every_field_an_entry_names_has_a_label() -> None:
    """The fields written as a literal ``before={...}``/``after={...}`` are named in words
    (core.audit.FIELD_LABELS): the audit page and a tenant's history show no ``locked_until``."""
    from sep_portal.core.audit import FIELD_LABELS

    missing = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("record", "record_many") and ast.unparse(node.func.value) == "audit"):
                for keyword in node.keywords:
                    if keyword.arg in ("before", "after") and isinstance(keyword.value, ast.Dict):
                        missing |= {f"{key.value} ({path.relative_to(PACKAGE)}:{node.lineno})"
                                    for key in keyword.value.keys
                                    if isinstance(key, ast.Constant) and key.value not in FIELD_LABELS}
    assert not sorted(missing)
