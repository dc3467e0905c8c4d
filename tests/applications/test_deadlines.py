"""Every step has a time limit, and open deadlines follow the calendar (issue 13 §1)."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from sep_portal.abuse import operations as abuse_ops
from sep_portal.abuse.models import AbuseCategory
from sep_portal.applications import operations as ops
from sep_portal.applications.labels import GROUND_LABELS
from sep_portal.applications.models import Application
from sep_portal.core import calendar, clock, sweep
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import DomainError
from sep_portal.core.outbox import OutboxMessage
from tests.factories import outbox_mails

WIB = clock.WIB


def _due(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=WIB)


def _moved_mails(session, to: str) -> list[OutboxMessage]:
    return [m for m in outbox_mails(session, "work/deadline_moved") if to in m.recipients]


def test_a_closure_moves_the_open_decision_deadline(ctx, factories):
    operator = factories.user(roles=("superadmin",))
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))  # Monday
    application = factories.application(stage="complete")
    a = ctx.get(Application, application.id)
    assert a.decision_due_at == _due(date(2026, 12, 11))  # Friday
    clock.freeze(datetime(2026, 12, 8, 9, 0, tzinfo=WIB))  # Tuesday


    calendar.add_calendar_day(ctx, ctx.get(type(operator), operator.id), date(2026, 12, 10), "closure",
                              "Penutupan kantor", "Surat Edaran Sekjen Nomor 9 Tahun 2026")
    ctx.flush()
    assert a.decision_due_at == _due(date(2026, 12, 14))  # Monday
    assert calendar.working_days_left(a.decision_due_at) == 3  # Wed, Fri, Mon: the page and the date agree
    entry = ctx.scalars(select(AuditEntry).where(AuditEntry.action == "deadline.moved",
                                                 AuditEntry.target_id == str(a.id))).one()
    assert entry.before["decision_due_at"].startswith("2026-12-11") and entry.after["decision_due_at"]
    (mail,) = _moved_mails(ctx, a.applicant.email)
    assert "14 Desember 2026" in mail.body_text


def test_passed_and_decided_deadlines_never_move(ctx, factories):
    operator = factories.user(roles=("superadmin",))
    clock.freeze(datetime(2026, 11, 30, 10, 0, tzinfo=WIB))
    passed = factories.application(stage="complete")  # due Fri 4 Dec
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))
    rejected = factories.application(stage="recommended", recommendation="reject")
    pejabat = factories.user(roles=("pejabat",))
    ops.reject_application(ctx, rejected.id, ctx.get(type(pejabat), pejabat.id), grounds=["a"],
                           reason="Tidak memenuhi persyaratan.", now=clock.now())
    before = ctx.get(Application, passed.id).decision_due_at
    calendar.add_calendar_day(ctx, ctx.get(type(operator), operator.id), date(2026, 12, 2), "closure",
                              "Penutupan kantor", "SE 1/2026")
    calendar.add_calendar_day(ctx, ctx.get(type(operator), operator.id), date(2026, 12, 9), "closure",
                              "Penutupan kantor", "SE 2/2026")
    assert ctx.get(Application, passed.id).decision_due_at == before
    r = ctx.get(Application, rejected.id)
    assert r.status == "rejected" and r.decision_due_at == _due(date(2026, 12, 11))
    assert not ctx.scalars(select(AuditEntry).where(AuditEntry.action == "deadline.moved")).all()


def test_a_closure_moves_the_warning_reply_and_a_reply_on_the_new_day_is_accepted(ctx, factories):
    body, _admin = factories.tenant(name="Pemerintah Kabupaten Jendela")
    target = ctx.get(type(_admin), factories.user(body=body, email="asn@jendela.go.id").id)
    reporter = ctx.get(type(_admin), factories.user(body=body).id)
    verifier = ctx.get(type(_admin), factories.user(roles=("verifikator",)).id)
    pejabat = ctx.get(type(_admin), factories.user(roles=("pejabat",)).id)
    operator = ctx.get(type(_admin), factories.user(roles=("superadmin",)).id)
    clock.freeze(datetime(2027, 1, 12, 10, 0, tzinfo=WIB))  # Tuesday
    category = ctx.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "spam"))
    report = abuse_ops.report_account(ctx, reporter, target=target.email, category_id=category,
                                      description="Pesan massal.", files=[], now=clock.now())
    abuse_ops.substantiate_case(ctx, report.case_id, verifier, material="Bukti pesan.", now=clock.now())
    warning = abuse_ops.issue_warning(ctx, report.case_id, pejabat, now=clock.now())
    assert warning.reply_due_at == _due(date(2027, 1, 19))
    clock.freeze(datetime(2027, 1, 13, 9, 0, tzinfo=WIB))
    calendar.add_calendar_day(ctx, operator, date(2027, 1, 18), "closure", "Penutupan kantor", "SE 3/2027")
    assert warning.reply_due_at == _due(date(2027, 1, 20))
    assert _moved_mails(ctx, target.email)
    assert ctx.scalars(select(AuditEntry).where(AuditEntry.action == "deadline.moved",
                                                AuditEntry.target_type == "warning_letters")).one()
    clock.freeze(datetime(2027, 1, 20, 15, 0, tzinfo=WIB))
    abuse_ops.reply_to_warning(ctx, warning.id, target, text="Akun saya diretas.", files=[], now=clock.now())
    assert warning.status == "replied"


def test_submission_sets_the_verification_deadline_with_reminder_and_escalation(app, factories, session):
    verifier = factories.user(roles=("verifikator",), email="verif@kominfo.go.id")
    pejabat = factories.user(roles=("pejabat",), email="pej@kominfo.go.id")
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))  # Monday
    application = factories.application(stage="submitted")
    assert application.verification_due_at == _due(date(2026, 12, 10))  # 3 working days
    with app.app_context():
        clock.freeze(datetime(2026, 12, 9, 12, 0, tzinfo=WIB))
        assert sweep.run_sweep().tasks["applications.verification"] == 0
        clock.freeze(datetime(2026, 12, 10, 8, 0, tzinfo=WIB))
        assert sweep.run_sweep().tasks["applications.verification"] == 1
        (reminder,) = outbox_mails(session, "applications/verification_reminder")
        assert verifier.email in reminder.recipients
        clock.freeze(datetime(2026, 12, 11, 8, 0, tzinfo=WIB))
        assert sweep.run_sweep().tasks["applications.verification"] == 1
        assert sweep.run_sweep().tasks["applications.verification"] == 0
        (escalation,) = outbox_mails(session, "applications/verification_escalation")
        assert pejabat.email in escalation.recipients


def test_the_verifier_sees_the_verification_due_date_in_the_work_list(app, factories, session):
    from sep_portal.core import worklist

    verifier = factories.user(roles=("verifikator",))
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))
    factories.application(stage="submitted")
    with app.test_request_context("/"):
        groups = {g.code: g for g in worklist.work_for(session, verifier, clock.now())}
    (item,) = groups["applications.verify"].items
    assert item.due_at == _due(date(2026, 12, 10))


def test_a_returned_application_lapses_after_the_completion_deadline(app, ctx, factories, session):
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))
    application = factories.application(stage="submitted")
    verifier = ctx.get(type(application.applicant), factories.user(roles=("verifikator",)).id)
    a = ctx.get(Application, application.id)
    ops.return_for_completion(ctx, a, verifier, missing=["surat_kuasa"], message="Surat kuasa belum ditandatangani.",
                              now=clock.now())
    assert a.completion_due_at == _due(date(2026, 12, 21))  # 10 working days (24 Dec is cuti bersama, later)
    ctx.commit()
    with app.app_context():
        clock.freeze(datetime(2026, 12, 21, 20, 0, tzinfo=WIB))
        assert sweep.run_sweep().tasks["applications.lapse"] == 0
        clock.freeze(datetime(2026, 12, 22, 0, 5, tzinfo=WIB))
        assert sweep.run_sweep().tasks["applications.lapse"] == 1
        assert sweep.run_sweep().tasks["applications.lapse"] == 0
    session.expire_all()
    lapsed = session.get(Application, application.id)
    assert lapsed.status == "lapsed" and lapsed.lapsed_at is not None
    (mail,) = outbox_mails(session, "applications/lapsed")
    assert lapsed.applicant.email in mail.recipients
    assert session.scalars(select(AuditEntry).where(AuditEntry.action == "application.lapse")).one()


def test_a_file_is_rejected_at_verification_on_ground_b(ctx, factories):
    clock.freeze(datetime(2026, 12, 7, 10, 0, tzinfo=WIB))
    application = factories.application(stage="submitted")
    verifier = ctx.get(type(application.applicant), factories.user(roles=("verifikator",)).id)
    pejabat = ctx.get(type(application.applicant), factories.user(roles=("pejabat",)).id)
    a = ctx.get(Application, application.id)
    with pytest.raises(DomainError):  # only a rejection can be proposed before "complete"
        ops.recommend(ctx, a, verifier, recommendation="approve", grounds=[], note="Baik.", now=clock.now())
    with pytest.raises(DomainError):  # ground (c) waits for "complete"
        ops.recommend(ctx, a, verifier, recommendation="reject", grounds=["c"], note="Sudah ada.", now=clock.now())
    ops.recommend(ctx, a, verifier, recommendation="reject", grounds=["b"],
                  note="Pemohon adalah perusahaan swasta, bukan Badan Pemerintahan.", now=clock.now())
    assert a.status == "submitted" and a.recommendation == "reject"
    with pytest.raises(DomainError):
        ops.approve_application(ctx, a.id, pejabat, reason="", now=clock.now())
    ops.reject_application(ctx, a.id, pejabat, grounds=["b"], reason="Bukan Badan Pemerintahan.", now=clock.now())
    assert a.status == "rejected" and a.complete_at is None and a.letter is not None
    assert a.letter.kind == "application_rejected"
    assert outbox_mails(ctx, "applications/rejected")


def test_the_ground_texts_are_the_regulations_in_one_place(app):
    from flask_babel import force_locale

    from sep_portal.applications.forms import GROUND_CHOICES

    with app.test_request_context("/"), force_locale("id"):
        b = str(GROUND_LABELS["b"])
        assert "dan/atau" in b and "Badan Pemerintahan" in b
        assert "persyaratan" in str(GROUND_LABELS["a"])
        assert dict(GROUND_CHOICES)["b"] is GROUND_LABELS["b"]
        assert ops.ground_text("b") == b


def test_estimated_holidays_are_marked_until_the_year_is_confirmed(ctx, factories):
    operator = ctx.get(type(factories.user()), factories.user(roles=("superadmin",)).id)
    cal = calendar.load_calendar(ctx)
    estimates = [d for d in cal.year(2027) if d.source == "holidays"]
    assert estimates and all(d.estimated for d in estimates)
    calendar.confirm_calendar_year(ctx, operator, 2027, "SKB 3 Menteri Nomor 1 Tahun 2026")
    assert not any(d.estimated for d in calendar.load_calendar(ctx).year(2027))
    assert ctx.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.year_confirmed")).one()
    with pytest.raises(DomainError):
        calendar.confirm_calendar_year(ctx, operator, 2027, "lagi")
    with pytest.raises(DomainError):
        calendar.confirm_calendar_year(ctx, operator, 2028, "  ")
