"""The misuse lifecycles (abuse/states.py), the categories' operations and who reads a warning."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from sep_portal.abuse import operations as ops
from sep_portal.abuse.labels import CASE_STATUS_LABELS, REQUEST_STATUS_LABELS, WARNING_STATUS_LABELS
from sep_portal.abuse.models import (
    CASE_STATUSES,
    REQUEST_STATUSES,
    WARNING_STATUSES,
    AbuseCase,
    AbuseCategory,
    WarningLetter,
)
from sep_portal.abuse.states import case_machine, request_machine, warning_machine
from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.states import IllegalTransition


def test_the_machines_are_backed_by_the_status_tuples_and_every_status_has_words():
    assert case_machine.states == CASE_STATUSES and set(CASE_STATUS_LABELS) == set(CASE_STATUSES)
    assert warning_machine.states == WARNING_STATUSES and set(WARNING_STATUS_LABELS) == set(WARNING_STATUSES)
    assert request_machine.states == REQUEST_STATUSES and set(REQUEST_STATUS_LABELS) == set(REQUEST_STATUSES)


def test_the_case_lifecycle_of_design_section_4():
    assert case_machine.transition("warned", "expire").target == "deactivated"
    assert case_machine.transition("replied", "accept_reply").target == "closed"
    for state in ("dismissed", "closed", "deactivated"):  # the ends of a case
        assert case_machine.actions_from(state) == []
    # No shortcut from an open case to a deactivation, nor a warning before substantiation.
    for action in ("deactivate", "warn", "expire"):
        with pytest.raises(IllegalTransition):
            case_machine.transition("open", action)
    assert warning_machine.actions_from("expired") == [] and request_machine.actions_from("approved") == []


def test_an_action_on_a_case_that_moved_on_is_a_conflict(ctx, factories):
    account = ctx.get(User, factories.user().id)
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    spam = ctx.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "spam"))
    case = AbuseCase(account_id=account.id, category_id=spam, status="closed", opened_at=clock.now())
    ctx.add(case)
    ctx.flush()
    with pytest.raises(ConflictError):
        ops.dismiss_case(ctx, case.id, verifier, reason="Tidak terbukti.", now=clock.now())
    with pytest.raises(ConflictError):
        ops.substantiate_case(ctx, case.id, verifier, material="x", now=clock.now())
    assert ctx.get(AbuseCase, case.id).status == "closed"


def test_categories_are_added_and_switched_by_the_operator_only(ctx, factories):
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    with pytest.raises(NotPermitted):
        ops.add_category(ctx, ctx.get(User, factories.user(roles=("verifikator",)).id), code="x", name="X",
                         description="x", legal_basis=None)
    category = ops.add_category(ctx, operator, code="Data Pribadi", name="Doxing", description="Data pribadi.",
                                legal_basis="")
    assert category.code == "data_pribadi" and category.active and not category.builtin
    assert category.legal_basis is None
    with pytest.raises(DomainError) as exc:
        ops.add_category(ctx, operator, code="data pribadi", name="Lagi", description="x", legal_basis=None)
    assert exc.value.field == "code"
    ops.set_category_active(ctx, operator, category, active=False)
    assert not category.active
    actions = ctx.scalars(select(AuditEntry.action).where(AuditEntry.action.like("abuse.category_%"))
                          .order_by(AuditEntry.seq)).all()
    assert actions == ["abuse.category_added", "abuse.category_disabled"]


def test_who_reads_a_warning_letter(ctx, factories):
    body, _admin = factories.tenant()
    other_body, _ = factories.tenant()

    def person(**kwargs):
        return ctx.get(User, factories.user(**kwargs).id)

    warned = person(body=body)
    warning = WarningLetter(user_id=warned.id, body_id=body.id)
    assert warning.can_read(warned)
    assert warning.can_read(person(roles=("verifikator",))) and warning.can_read(person(roles=("pejabat",)))
    assert warning.can_read(person(roles=("sekretaris",), body=body))
    assert not warning.can_read(person(roles=("sekretaris",), body=other_body))
    assert not warning.can_read(person(body=body))  # a colleague
    assert not warning.can_read(person(roles=("helpdesk",)))
