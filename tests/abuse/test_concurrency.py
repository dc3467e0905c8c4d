"""Deadline races on PostgreSQL with real threads and connections."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.abuse import operations as ops
from sep_portal.abuse.models import AbuseCategory, WarningLetter
from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.errors import DomainError
from sep_portal.core.outbox import OutboxMessage
from sep_portal.extensions import db

pytestmark = pytest.mark.postgres


def _issued_warning(app, factories, session) -> tuple[int, int]:
    body, _admin = factories.tenant()
    factories.user(roles=("sekretaris",), body=body)
    target = factories.user(body=body)
    reporter = factories.user(body=body)
    verifier, pejabat = factories.user(roles=("verifikator",)), factories.user(roles=("pejabat",))
    with app.test_request_context("/"):
        s = db.session
        category = s.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "penipuan"))
        report = ops.report_account(s, s.get(User, reporter.id), target=target.email, category_id=category,
                                    description="Penipuan.", files=[], now=clock.now())
        ops.substantiate_case(s, report.case_id, s.get(User, verifier.id), material="Penipuan.", now=clock.now())
        warning = ops.issue_warning(s, report.case_id, s.get(User, pejabat.id), now=clock.now())
        s.commit()
        return warning.id, target.id


def test_two_sweeps_at_once_deactivate_once_and_mail_once(app, real, race):
    factories, session = real
    warning_id, target_id = _issued_warning(app, factories, session)
    due = session.get(WarningLetter, warning_id).reply_due_at
    clock.freeze(due + timedelta(minutes=5))
    results = race([lambda s: ops.deactivate_after_deadline(clock.now()) for _ in range(3)])
    assert sorted(results) == [0, 0, 1], results
    session.expire_all()
    assert session.get(User, target_id).status == "deactivated"
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.template == "abuse/deactivated")) == 1


def test_a_reply_racing_the_sweep_on_the_last_second_is_one_or_the_other(app, real, race):
    factories, session = real
    outcomes = set()
    for _ in range(4):
        warning_id, target_id = _issued_warning(app, factories, session)
        due = session.get(WarningLetter, warning_id).reply_due_at

        def reply(s, warning_id=warning_id, target_id=target_id, due=due):
            return ops.reply_to_warning(s, warning_id, s.get(User, target_id), text="Saya membalas.", files=[],
                                        now=due).status  # the very last second of the window

        def sweep_(s, due=due):
            return ops.deactivate_after_deadline(due + timedelta(seconds=1))

        results = race([reply, sweep_])
        session.expire_all()
        warning = session.get(WarningLetter, warning_id)
        user = session.get(User, target_id)
        if warning.status == "replied":
            assert results[0] == "replied" and results[1] == 0 and user.status == "active"
            outcomes.add("reply won")
        else:
            assert warning.status == "expired" and isinstance(results[0], DomainError) and results[1] == 1
            assert user.status == "deactivated" and warning.reply_text is None
            outcomes.add("sweep won")
    assert outcomes  # either may win; never both


def test_reports_sent_at_once_get_distinct_consecutive_references(app, real, race):
    """The first reports of a year, all at once: the year's counter row is created once (the
    insert that loses does nothing) and each report takes its own number from it."""
    factories, session = real
    reporters = [factories.user().id for _ in range(6)]
    target = factories.user()
    clock.freeze(clock.now().replace(year=2031))  # a year nobody has numbered yet

    def report(s, reporter_id):
        category = s.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "spam"))
        return ops.report_account(s, s.get(User, reporter_id), target=target.email, category_id=category,
                                  description="Spam.", files=[], now=clock.now()).reference

    results = race([lambda s, r=r: report(s, r) for r in reporters])
    assert sorted(results) == [f"LPR-2031-{n:06d}" for n in range(1, 7)], results
