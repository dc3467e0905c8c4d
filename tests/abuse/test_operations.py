"""The misuse workflow as plain functions (DESIGN §4)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.abuse import operations as ops
from sep_portal.abuse.models import AbuseCase, AbuseCategory, AbuseReport, Strike, WarningLetter
from sep_portal.accounts.models import User
from sep_portal.api.models import WebhookEndpoint
from sep_portal.auth import operations as auth_ops
from sep_portal.core import calendar, clock, sweep
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.outbox import OutboxMessage
from sep_portal.tenants import operations as tenant_ops
from sep_portal.tenants.models import Body, TembusanCopy
from tests.factories import outbox_mails, pdf_bytes, png_bytes, upload

WIB = clock.WIB


@dataclass
class World:
    body: Body
    admin: User
    sekretaris: User
    target: User
    reporter: User
    verifier: User
    pejabat: User
    other_sekretaris: User


@pytest.fixture
def world(ctx, factories) -> World:
    body, admin = factories.tenant(name="Pemerintah Kabupaten Kasus")
    other_body, _ = factories.tenant(name="Pemerintah Kota Lain")
    people = World(
        body=body, admin=admin,
        sekretaris=factories.user(roles=("sekretaris",), body=body, email="sekda@kab.go.id"),
        target=factories.user(body=body, email="pelaku@kab.go.id", name="Pelaku Uji"),
        reporter=factories.user(body=body, email="pelapor@kab.go.id"),
        verifier=factories.user(roles=("verifikator",)),
        pejabat=factories.user(roles=("pejabat",)),
        other_sekretaris=factories.user(roles=("sekretaris",), body=other_body, email="sekda@lain.go.id"),
    )
    for name in people.__dataclass_fields__:
        setattr(people, name, ctx.get(type(getattr(people, name)), getattr(people, name).id))
    return people


def _category(ctx, code="penipuan") -> int:
    return ctx.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code))


def _report(ctx, w: World, target=None, code="penipuan", files=()):
    return ops.report_account(ctx, w.reporter, target=target or w.target.email, category_id=_category(ctx, code),
                              description="Meminta transfer uang atas nama pimpinan.", files=list(files),
                              now=clock.now())


def _warned(ctx, w: World) -> WarningLetter:
    report = _report(ctx, w)
    ops.substantiate_case(ctx, report.case_id, w.verifier, material="Pesan penipuan 12 Nov 2026.", now=clock.now())
    return ops.issue_warning(ctx, report.case_id, w.pejabat, now=clock.now())


def test_the_four_built_in_categories_are_seeded(ctx):
    codes = set(ctx.scalars(select(AbuseCategory.code).where(AbuseCategory.builtin.is_(True))))
    assert codes == {"spam", "fitnah", "sara", "penipuan"}


def _unnumbered(text: str) -> str:
    return re.sub(r"LPR-\d{4}-\d{6}", "LPR-…", text)


def test_reports_join_one_open_case_and_never_reveal_accounts(ctx, world):
    first = _report(ctx, world, files=[upload(png_bytes(), "tangkapan.png")])
    second = ops.report_account(ctx, world.admin, target=world.target.nip, category_id=_category(ctx, "spam"),
                                description="Spam.", files=[], now=clock.now())
    assert first.case_id == second.case_id and first.evidence[0].file.kind == "png"
    unknown = _report(ctx, world, target="tidak.ada@kab.go.id")
    assert unknown.case_id is None
    acks = outbox_mails(ctx, "abuse/report_received")
    # The same answer either way, but for the report's own reference.
    assert [a.body_text.count(r.reference) for a, r in zip(acks, (first, second, unknown), strict=True)] == [2, 2, 2]
    assert len(acks) == 3 and _unnumbered(acks[0].body_text) == _unnumbered(acks[2].body_text)
    with pytest.raises(DomainError):
        _report(ctx, world, target=world.reporter.email)  # oneself
    with pytest.raises(DomainError) as exc:
        ops.report_account(ctx, world.reporter, target=world.target.email, category_id=None, description="x",
                           files=[], now=clock.now())
    assert exc.value.field == "category_id"


def test_substantiation_proposes_permanent_for_repeat_misuse(ctx, world):
    case = ops.substantiate_case(ctx, _report(ctx, world).case_id, world.verifier, material="Penipuan.",
                                 now=clock.now())
    assert case.proposal == "warning"
    case.status = "closed"
    ctx.add(Strike(user_id=world.target.id, case_id=case.id, recorded_at=clock.now()))
    ctx.flush()
    again = ops.substantiate_case(ctx, _report(ctx, world).case_id, world.verifier, material="Lagi.", now=clock.now())
    assert again.id != case.id and again.proposal == "permanent"


def test_four_eyes_for_the_warning(ctx, world, factories):
    both = ctx.get(User, factories.user(roles=("verifikator", "pejabat")).id)
    case = ops.substantiate_case(ctx, _report(ctx, world).case_id, both, material="x", now=clock.now())
    with pytest.raises(DomainError) as exc:
        ops.issue_warning(ctx, case.id, both, now=clock.now())
    assert "empat mata" in exc.value.message
    with pytest.raises(NotPermitted):
        ops.issue_warning(ctx, case.id, world.verifier, now=clock.now())


def test_issuing_the_warning_sends_copies_to_the_right_sekretaris_only(ctx, world):
    warning = _warned(ctx, world)
    assert warning.letter.number == "SP-0001/DJAI/SEP.02/11/2026"
    assert warning.reply_due_at == calendar.add_working_days(clock.now(), 5)
    assert warning.reply_due_at == datetime(2026, 12, 1, 23, 59, 59, tzinfo=WIB)  # Tue 24 Nov + 5 working days
    copies = ctx.scalars(select(TembusanCopy)).all()
    assert [(c.body_id, c.kind) for c in copies] == [(world.body.id, "warning_letter")]
    assert [m.recipients for m in outbox_mails(ctx, "abuse/warning_issued")] == [["pelaku@kab.go.id"]]
    assert [m.recipients for m in outbox_mails(ctx, "abuse/warning_copy")] == [["sekda@kab.go.id"]]
    notice = outbox_mails(ctx, "abuse/warning_notice_admin")[0]
    assert notice.recipients == [world.admin.email] and warning.letter.number not in notice.body_text
    assert not [m for m in ctx.scalars(select(OutboxMessage)) if "sekda@lain.go.id" in m.recipients]
    assert ctx.get(AbuseCase, warning.case_id).status == "warned"


def test_reply_deadline_across_a_holiday_and_cuti_bersama(ctx, world):
    clock.freeze(datetime(2026, 5, 12, 10, 0, tzinfo=WIB))  # Tuesday; Thu 14 May is a holiday, Fri 15 cuti bersama
    cal = calendar.get_calendar()
    assert not cal.is_working_day(datetime(2026, 5, 14).date()) and not cal.is_working_day(datetime(2026, 5, 15).date())
    warning = _warned(ctx, world)
    # Wed 13 (1), Thu 14 holiday, Fri 15 cuti bersama, Mon 18 (2), Tue 19 (3), Wed 20 (4), Thu 21 (5).
    assert warning.reply_due_at == datetime(2026, 5, 21, 23, 59, 59, tzinfo=WIB)


def test_one_reply_before_the_deadline_and_a_late_one_is_refused(ctx, world):
    warning = _warned(ctx, world)
    target = world.target
    with pytest.raises(NotPermitted):
        ops.reply_to_warning(ctx, warning.id, world.reporter, text="bukan saya", files=[], now=clock.now())
    ops.reply_to_warning(ctx, warning.id, target, text="Akun saya diretas.", files=[upload(pdf_bytes(), "bukti.pdf")],
                         now=clock.now() + timedelta(days=1))
    assert warning.status == "replied" and len(warning.reply_files) == 1
    copies = ctx.scalars(select(TembusanCopy).where(TembusanCopy.kind == "warning_reply")).all()
    assert len(copies) == 1 and copies[0].body_id == world.body.id and "diretas" in copies[0].summary
    assert outbox_mails(ctx, "abuse/reply_copy")[0].recipients == ["sekda@kab.go.id"]
    with pytest.raises(ConflictError):
        ops.reply_to_warning(ctx, warning.id, target, text="Lagi.", files=[], now=clock.now())

    late = _warned_second(ctx, world)
    with pytest.raises(DomainError) as exc:
        ops.reply_to_warning(ctx, late.id, late.user, text="Terlambat.", files=[],
                             now=late.reply_due_at + timedelta(seconds=1))
    assert "WIB" in exc.value.message and ctx.get(WarningLetter, late.id).status == "issued"


def _warned_second(ctx, world):
    """A warning for another account of the same body."""
    other = world.reporter
    report = ops.report_account(ctx, world.admin, target=other.email, category_id=_category(ctx, "spam"),
                                description="Spam massal.", files=[], now=clock.now())
    ops.substantiate_case(ctx, report.case_id, world.verifier, material="Spam.", now=clock.now())
    return ops.issue_warning(ctx, report.case_id, world.pejabat, now=clock.now())


def test_accepted_reply_closes_with_a_strike(ctx, world):
    warning = _warned(ctx, world)
    ops.reply_to_warning(ctx, warning.id, world.target, text="Maaf.", files=[], now=clock.now())
    ops.evaluate_reply(ctx, warning.id, world.verifier, accept=True, reason="Diterima.", now=clock.now())
    case = ctx.get(AbuseCase, warning.case_id)
    assert case.status == "closed" and ctx.scalar(select(Strike).where(Strike.case_id == case.id))
    assert world.target.status == "active"
    assert outbox_mails(ctx, "abuse/case_outcome")[0].recipients == ["pelapor@kab.go.id"]


def test_rejected_reply_then_the_pejabat_deactivates(ctx, world):
    ctx.add(WebhookEndpoint(name="SEP", url="http://127.0.0.1:9/h", secret="s" * 64))
    warning = _warned(ctx, world)
    token = auth_ops.start_session(ctx, world.target, now=clock.now(), ip=None, user_agent=None)
    ops.reply_to_warning(ctx, warning.id, world.target, text="Tidak benar.", files=[], now=clock.now())
    with pytest.raises(ConflictError):  # nothing to deactivate on before the evaluation
        ops.decide_deactivation(ctx, warning.case_id, world.pejabat, permanent=False, reason="x", now=clock.now())
    ops.evaluate_reply(ctx, warning.id, world.verifier, accept=False, reason="Bukti kuat.", now=clock.now())
    ops.decide_deactivation(ctx, warning.case_id, world.pejabat, permanent=False, reason="Terbukti.", now=clock.now())
    assert world.target.status == "deactivated"
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    hook = ctx.scalars(select(OutboxMessage).where(OutboxMessage.subject == "account.deactivated")).one()
    assert world.target.nip in hook.body_text
    notices = sorted(r for m in outbox_mails(ctx, "abuse/deactivated_notice") for r in m.recipients)
    assert notices == sorted([world.admin.email, "sekda@kab.go.id"])


def test_the_sweep_deactivates_once_after_the_deadline(app, ctx, world):
    warning = _warned(ctx, world)
    ctx.commit()
    clock.freeze(warning.reply_due_at)
    assert sweep.run_sweep().tasks["abuse.deadlines"] == 0  # 23:59:59 of the last day: still in time
    clock.freeze(warning.reply_due_at + timedelta(seconds=1))
    assert sweep.run_sweep().tasks["abuse.deadlines"] == 1
    assert sweep.run_sweep().tasks["abuse.deadlines"] == 0
    ctx.expire_all()
    assert ctx.get(User, world.target.id).status == "deactivated"
    assert ctx.get(WarningLetter, warning.id).status == "expired"
    assert len(outbox_mails(ctx, "abuse/deactivated")) == 1
    with pytest.raises(DomainError):
        auth_ops.check_password_step(ctx, world.target.email, "Sangat-Rahasia-2026", clock.now())


def test_permanent_deactivation_bars_the_nip_for_ever(ctx, world):
    first = ops.substantiate_case(ctx, _report(ctx, world).case_id, world.verifier, material="x", now=clock.now())
    first.status = "closed"
    ctx.add(Strike(user_id=world.target.id, case_id=first.id, recorded_at=clock.now()))
    ctx.flush()
    case = ops.substantiate_case(ctx, _report(ctx, world).case_id, world.verifier, material="Lagi.", now=clock.now())
    with pytest.raises(DomainError):  # repeat misuse without a warning: only permanent
        ops.decide_deactivation(ctx, case.id, world.pejabat, permanent=False, reason="x", now=clock.now())
    ops.decide_deactivation(ctx, case.id, world.pejabat, permanent=True, reason="Berulang.", now=clock.now())
    assert world.target.status == "permanently_deactivated"
    nip = world.target.nip
    with pytest.raises(DomainError) as exc:
        auth_ops.register_sekretaris(ctx, name="X", email="baru@kab.go.id", nip=nip, position="S", organisation="O",
                                     password="Teh-Manis-Hangat-2026", locale="id", now=clock.now())
    assert "helpdesk" in exc.value.message and "permanen" not in exc.value.message  # no sanction told to strangers
    with pytest.raises(DomainError):
        tenant_ops.create_account(ctx, world.admin, world.body, name="X", nip=nip, email="lain@kab.go.id",
                                  unit=None, position=None, now=clock.now())
    with pytest.raises(DomainError):
        ops.request_reactivation(ctx, world.sekretaris, world.target.id, statement="Mohon.", upload=None,
                                 now=clock.now())
    with pytest.raises(ConflictError):
        tenant_ops.enable_account(ctx, world.admin, world.body, world.target, reason="Uji", now=clock.now())


def test_reactivation_by_request_of_the_sekretaris(ctx, world):
    world.target.status = "deactivated"
    ctx.flush()
    with pytest.raises(DomainError):  # another body's Sekretaris
        ops.request_reactivation(ctx, world.other_sekretaris, world.target.id, statement="x", upload=None,
                                 now=clock.now())
    request = ops.request_reactivation(ctx, world.sekretaris, world.target.id, statement="Sudah dibina.",
                                       upload=upload(pdf_bytes(), "surat.pdf"), now=clock.now())
    with pytest.raises(DomainError):
        ops.request_reactivation(ctx, world.sekretaris, world.target.id, statement="Lagi.", upload=None,
                                 now=clock.now())
    assert outbox_mails(ctx, "abuse/reactivation_requested")[0].recipients == [world.pejabat.email]
    with pytest.raises(NotPermitted):
        ops.decide_reactivation(ctx, request.id, world.verifier, approve=True, reason="x", now=clock.now())
    ops.decide_reactivation(ctx, request.id, world.pejabat, approve=True, reason="Dipulihkan.", now=clock.now())
    assert world.target.status == "active"
    assert outbox_mails(ctx, "abuse/reactivated")[0].recipients == ["pelaku@kab.go.id"]
    assert ctx.scalar(select(func.count()).select_from(AbuseReport)) == 0


def test_review_rules_the_reviewer_found(ctx, world, factories):
    """A reported staff member does not see their own case; permanent deactivation only for
    repeat misuse; the official who rejected the reply does not also decide."""
    staff = ctx.get(User, factories.user(roles=("verifikator", "pejabat"), email="staf@kominfo.go.id").id)
    report = ops.report_account(ctx, world.reporter, target=staff.email, category_id=_category(ctx), description="x",
                                files=[], now=clock.now())
    assert not report.case.can_view(staff) and report.case.can_view(world.verifier)
    warning = _warned(ctx, world)
    ops.reply_to_warning(ctx, warning.id, world.target, text="Tidak benar.", files=[], now=clock.now())
    both = ctx.get(User, factories.user(roles=("verifikator", "pejabat")).id)
    ops.evaluate_reply(ctx, warning.id, both, accept=False, reason="Ditolak.", now=clock.now())
    with pytest.raises(DomainError):  # four eyes: the evaluator
        ops.decide_deactivation(ctx, warning.case_id, both, permanent=False, reason="x", now=clock.now())
    with pytest.raises(DomainError) as exc:  # a first offence is never permanent
        ops.decide_deactivation(ctx, warning.case_id, world.pejabat, permanent=True, reason="x", now=clock.now())
    assert exc.value.field == "permanent"
    ops.decide_deactivation(ctx, warning.case_id, world.pejabat, permanent=False, reason="Terbukti.", now=clock.now())
    assert world.target.status == "deactivated"
