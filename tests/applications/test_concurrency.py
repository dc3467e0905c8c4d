"""Races on PostgreSQL with real threads and connections (SQLite ignores FOR UPDATE)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.applications import operations as ops
from sep_portal.applications.models import Application
from sep_portal.core import clock, letters
from sep_portal.core.errors import ConflictError
from sep_portal.tenants.models import AdminAssignment

pytestmark = pytest.mark.postgres


def test_two_officials_deciding_at_once_make_exactly_one_decision(app, real, race):
    factories, session = real
    application = factories.application(stage="recommended")
    first, second = factories.user(roles=("pejabat",)), factories.user(roles=("pejabat",))

    results = race([
        lambda s: ops.approve_application(s, application.id, s.get(User, first.id), reason="", now=clock.now()).id,
        lambda s: ops.reject_application(s, application.id, s.get(User, second.id), grounds=["a"], reason="Kurang",
                                         now=clock.now()).id,
    ])
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(conflicts) == 1 and "sudah diputuskan" in conflicts[0].message, results
    assert results.count(application.id) == 1
    session.expire_all()
    decided = session.get(Application, application.id)
    assert decided.status in ("approved", "rejected") and decided.letter_id is not None
    assert session.scalar(select(func.count()).select_from(letters.Letter)) == 1


def test_two_approvals_for_one_body_give_at_most_one_admin(app, real, race):
    factories, session = real
    body = factories.body(tenant_status="none")
    one = factories.application(stage="recommended", body=body)
    two = factories.application(stage="recommended", body=body)
    p1, p2 = factories.user(roles=("pejabat",)), factories.user(roles=("pejabat",))

    results = race([
        lambda s: ops.approve_application(s, one.id, s.get(User, p1.id), reason="", now=clock.now()).id,
        lambda s: ops.approve_application(s, two.id, s.get(User, p2.id), reason="", now=clock.now()).id,
    ])
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    assert session.scalar(select(func.count()).select_from(AdminAssignment)
                          .where(AdminAssignment.body_id == body.id, AdminAssignment.ended_at.is_(None))) == 1
    statuses = sorted(session.scalars(select(Application.status).where(Application.body_id == body.id)))
    assert statuses == ["approved", "complete"]
    # The losing approval left nothing behind: one admin account, one letter.
    from sep_portal.accounts.models import UserRole

    assert session.scalar(select(func.count()).select_from(User).join(User.role_rows)
                          .where(User.body_id == body.id, UserRole.role == "admin_pengelola")) == 1
    assert session.scalar(select(func.count()).select_from(letters.Letter)) == 1


def test_letter_numbers_stay_gap_free_under_concurrency(app, real, race):
    results = race([lambda s: letters.next_number(s, "race", clock.now())[1] for _ in range(6)])
    assert sorted(results) == [1, 2, 3, 4, 5, 6]


def test_a_withdrawal_racing_an_approval_never_leaves_both(app, real, race):
    factories, session = real
    application = factories.application(stage="recommended")
    pejabat = factories.user(roles=("pejabat",))

    results = race([
        lambda s: ops.approve_application(s, application.id, s.get(User, pejabat.id), reason="",
                                          now=clock.now()).status,
        lambda s: ops.withdraw_application(s, s.get(Application, application.id),
                                           s.get(User, application.applicant_id), now=clock.now()),
    ])
    session.expire_all()
    final = session.get(Application, application.id)
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    assignments = session.scalar(select(func.count()).select_from(AdminAssignment)
                                 .where(AdminAssignment.body_id == final.body_id))
    if final.status == "approved":
        assert assignments == 1
    else:
        assert final.status == "withdrawn" and assignments == 0 and final.letter_id is None
