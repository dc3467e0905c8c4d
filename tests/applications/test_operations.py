"""The application workflow as plain functions (DESIGN §3)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.applications import operations as ops
from sep_portal.applications.models import Application, ApplicationDocument
from sep_portal.auth.models import AuthToken
from sep_portal.core import audit, clock, letters, storage, sweep
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.outbox import OutboxMessage
from sep_portal.core.states import IllegalTransition
from sep_portal.tenants.models import AdminAssignment, Body
from tests.factories import make_nip, outbox_mails, pdf_bytes, png_bytes, upload

WIB = clock.WIB


def _get(session, application):
    return session.get(Application, application.id)


def _mails(session, template):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)).all()


def test_draft_to_submitted_runs_the_checks(ctx, factories):
    sek = factories.user(roles=("sekretaris",), email="sekretaris@gmail.com")
    factories.user(roles=("admin_pengelola",))  # unrelated
    body = factories.body(tenant_status="none")
    app = factories.application(stage="draft", applicant=sek, body=body, admin_email="admin@yahoo.com",
                                admin_nip="199001012015031001")
    app = _get(ctx, app)
    assert app.status == "draft" and app.checks is None
    ops.submit_application(ctx, app, ctx.get(User, sek.id), now=clock.now())
    codes = {c["code"] for c in app.checks}
    assert {"applicant_email_not_gov", "admin_email_not_gov"} <= codes
    assert "nip_invalid" not in codes
    assert app.status == "submitted" and app.submitted_at == clock.now()
    assert [m.recipients for m in _mails(ctx, "applications/submitted")] == [["sekretaris@gmail.com"]]
    assert ctx.scalar(select(AuditEntry).where(AuditEntry.action == "application.submit")) is not None


def test_checks_flag_ground_c_invalid_nip_and_admin_elsewhere(ctx, factories):
    body = factories.body()
    other_body = factories.body()
    existing_admin = factories.user(roles=("admin_pengelola",), body=other_body, nip=make_nip(77, sex=2))
    ctx.add(AdminAssignment(body_id=other_body.id, user_id=existing_admin.id, started_at=clock.now()))
    holder = factories.user(roles=("admin_pengelola",), body=body)
    ctx.add(AdminAssignment(body_id=body.id, user_id=holder.id, started_at=clock.now()))
    ctx.flush()
    app = factories.application(stage="submitted", body=body, admin_nip=make_nip(77, sex=2))
    codes = {c["code"] for c in _get(ctx, app).checks}
    assert {"body_has_admin", "nip_admin_elsewhere"} <= codes

    bad = factories.application(stage="submitted", admin_nip="199013452015031001")  # month 13
    checks = _get(ctx, bad).checks
    assert any(c["code"] == "nip_invalid" and c["detail"] for c in checks)


def test_submission_lists_everything_missing(ctx, factories):
    sek = factories.user(roles=("sekretaris",))
    app = ops.create_application(ctx, ctx.get(User, sek.id), now=clock.now())
    with pytest.raises(ops.SubmissionIncomplete) as exc:
        ops.submit_application(ctx, app, ctx.get(User, sek.id), now=clock.now())
    assert len(exc.value.problems) == 7
    assert app.status == "draft"


def test_only_the_applicant_edits_and_only_in_draft_or_returned(ctx, factories):
    app = _get(ctx, factories.application(stage="submitted"))
    other = factories.user(roles=("sekretaris",))
    with pytest.raises(NotPermitted):
        ops.attach_document(ctx, app, ctx.get(User, other.id), "surat_kuasa", upload(pdf_bytes(), "a.pdf"),
                            now=clock.now())
    with pytest.raises(NotPermitted):  # the applicant, but the application is submitted
        ops.attach_document(ctx, app, app.applicant, "surat_kuasa", upload(pdf_bytes(), "a.pdf"), now=clock.now())


def test_surat_kuasa_must_be_a_pdf_and_a_renamed_file_is_refused(ctx, factories):
    app = _get(ctx, factories.application(stage="draft"))
    with pytest.raises(DomainError) as exc:
        ops.attach_document(ctx, app, app.applicant, "surat_kuasa", upload(png_bytes(), "kuasa.pdf"), now=clock.now())
    assert exc.value.field == "file" and "PDF" in exc.value.message


def test_return_replace_and_resubmit_keeps_history(ctx, factories):
    app = _get(ctx, factories.application(stage="submitted"))
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    with pytest.raises(DomainError):
        ops.return_for_completion(ctx, app, verifier, missing=[], message="x", now=clock.now())
    with pytest.raises(DomainError):
        ops.return_for_completion(ctx, app, verifier, missing=["surat_kuasa"], message=" ", now=clock.now())
    ops.return_for_completion(ctx, app, verifier, missing=["surat_kuasa", "bogus"],
                              message="Surat kuasa belum ditandatangani.", now=clock.now())
    assert app.status == "returned"
    assert app.events[-1].data["missing"] == ["surat_kuasa"]
    assert app.events[-1].data["completion_due_at"] == app.completion_due_at.isoformat()
    mail = _mails(ctx, "applications/returned")[0]
    assert "Surat kuasa belum ditandatangani." in mail.body_text

    clock.advance(timedelta(hours=2))
    first = app.current_document("surat_kuasa")
    ops.attach_document(ctx, app, app.applicant, "surat_kuasa", upload(pdf_bytes("ditandatangani"), "kuasa2.pdf"),
                        now=clock.now())
    versions = ctx.scalars(select(ApplicationDocument).where(ApplicationDocument.application_id == app.id,
                                                             ApplicationDocument.doc_type == "surat_kuasa")).all()
    assert len(versions) == 2
    assert first.replaced_at == clock.now() and storage.path_of(first.file).exists()
    assert app.current_document("surat_kuasa").file.original_name == "kuasa2.pdf"
    ops.submit_application(ctx, app, app.applicant, now=clock.now())
    assert app.status == "submitted"
    assert [e.action for e in app.events][-3:] == ["return", "document_replaced", "resubmit"]


def test_declare_complete_sets_the_due_date_from_the_calendar(ctx, factories):
    app = _get(ctx, factories.application(stage="submitted"))
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    ops.declare_complete(ctx, app, verifier, now=clock.now())  # Tue 24 Nov 2026 10:00 WIB
    assert app.status == "complete" and app.complete_at == clock.now()
    assert app.decision_due_at == datetime(2026, 11, 30, 23, 59, 59, tzinfo=WIB)
    assert "30 November 2026 23.59 WIB" in _mails(ctx, "applications/complete")[0].body_text


def test_proposed_body_must_be_confirmed(ctx, factories):
    app = _get(ctx, factories.application(stage="draft"))
    ops.update_application(ctx, app, app.applicant, now=clock.now(), body_id=None,
                           proposed_body_name="Badan Riset Daerah Uji", proposed_body_kind="lainnya",
                           admin_name=app.admin_name, admin_nip=app.admin_nip, admin_email=app.admin_email,
                           admin_position=app.admin_position, identity_doc_type="kpns")
    ops.submit_application(ctx, app, app.applicant, now=clock.now())
    assert "body_proposed" in {c["code"] for c in app.checks}
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    with pytest.raises(DomainError) as exc:
        ops.declare_complete(ctx, app, verifier, now=clock.now())
    assert exc.value.field == "confirm_body"
    ops.declare_complete(ctx, app, verifier, now=clock.now(), confirm_body=True)
    assert app.body.name == "Badan Riset Daerah Uji" and app.body.source.startswith("usulan")


def test_illegal_transitions_raise(ctx, factories):
    app = _get(ctx, factories.application(stage="draft"))
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    with pytest.raises(ConflictError):
        ops.declare_complete(ctx, app, verifier, now=clock.now())
    from sep_portal.applications.states import machine

    with pytest.raises(IllegalTransition):
        machine.transition("approved", "withdraw")


def test_recommendation_rules_and_four_eyes(app, ctx, factories, monkeypatch):
    verifier = factories.user(roles=("verifikator", "pejabat"))
    application = _get(ctx, factories.application(stage="complete", verifier=verifier))
    v = ctx.get(User, verifier.id)
    with pytest.raises(DomainError) as exc:
        ops.recommend(ctx, application, v, recommendation="reject", grounds=[], note="x", now=clock.now())
    assert exc.value.field == "grounds"
    with pytest.raises(DomainError):  # the pejabat cannot decide before a recommendation
        ops.approve_application(ctx, application.id, v, reason="", now=clock.now())
    ops.recommend(ctx, application, v, recommendation="approve", grounds=["a"], note="Lengkap.", now=clock.now())
    assert application.recommendation_grounds == []
    with pytest.raises(DomainError) as exc:
        ops.approve_application(ctx, application.id, v, reason="", now=clock.now())
    assert "empat mata" in exc.value.message
    monkeypatch.setitem(app.config, "SEP_ALLOW_SAME_RECOMMENDER_DECIDER", True)
    ops.approve_application(ctx, application.id, v, reason="", now=clock.now())
    assert application.status == "approved"


def test_approve_creates_tenant_admin_letter_mails_and_audit_in_one_go(ctx, factories):
    application = factories.application(stage="recommended", admin_email="budi.admin@kab-uji.go.id")
    pejabat = ctx.get(User, factories.user(roles=("pejabat",), name="Dr. Pejabat Uji").id)
    seq_before = ctx.scalar(select(func.max(AuditEntry.seq)))
    result = ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    assert result.status == "approved" and result.decided_by_id == pejabat.id
    body = ctx.get(Body, result.body_id)
    assert body.tenant_status == "active"
    admin = ctx.get(User, result.admin_user_id)
    assert admin.email == "budi.admin@kab-uji.go.id" and admin.status == "pending"
    assert admin.roles == {"admin_pengelola"} and admin.body_id == body.id and admin.password_hash is None
    assert AdminAssignment.open_for_body(ctx, body.id).user_id == admin.id
    letter = result.letter
    assert letter.number == "B-0001/DJAI/SEP.01/11/2026"
    pdf = storage.read_bytes(letter.file)
    assert pdf.startswith(b"%PDF") and letter.sha256 == storage.hashlib.sha256(pdf).hexdigest()
    invitation = _mails(ctx, "applications/admin_invitation")[0]
    assert invitation.recipients == ["budi.admin@kab-uji.go.id"] and "/aktivasi/" in invitation.body_text
    assert ctx.scalar(select(AuthToken).where(AuthToken.user_id == admin.id, AuthToken.purpose == "activate"))
    assert _mails(ctx, "applications/approved")
    actions = set(ctx.scalars(select(AuditEntry.action).where(AuditEntry.seq > seq_before)))
    assert {"application.approve", "tenant.created", "account.created"} <= actions
    assert audit.verify(ctx).ok


def test_decision_letter_pdf_says_what_was_decided(ctx, factories):
    import pypdfium2

    application = factories.application(stage="recommended")
    pejabat = ctx.get(User, factories.user(roles=("pejabat",), name="Ir. Penanda Tangan").id)
    result = ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    document = pypdfium2.PdfDocument(storage.read_bytes(result.letter.file))
    text = " ".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for expected in ("Nomor", "B-0001/DJAI/SEP.01/11/2026", "Lampiran", "Hal", "disetujui", "Tembusan",
                     "Ir. Penanda Tangan", result.admin_nip, "24 November 2026", result.letter.verify_code):
        assert expected in " ".join(text.split()), expected


def test_a_second_decision_is_refused(ctx, factories):
    application = factories.application(stage="recommended")
    first = ctx.get(User, factories.user(roles=("pejabat",)).id)
    second = ctx.get(User, factories.user(roles=("pejabat",)).id)
    ops.approve_application(ctx, application.id, first, reason="", now=clock.now())
    with pytest.raises(ConflictError) as exc:
        ops.reject_application(ctx, application.id, second, grounds=["a"], reason="x", now=clock.now())
    assert "sudah diputuskan" in exc.value.message


def test_a_body_gets_at_most_one_admin(ctx, factories):
    body = factories.body(tenant_status="none")
    one = factories.application(stage="recommended", body=body)
    two = factories.application(stage="recommended", body=body)
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    ops.approve_application(ctx, one.id, pejabat, reason="", now=clock.now())
    with pytest.raises(ConflictError) as exc:
        ops.approve_application(ctx, two.id, pejabat, reason="", now=clock.now())
    assert "alasan (c)" in exc.value.message


def test_the_database_refuses_a_second_open_admin(session, factories):
    from sqlalchemy.exc import IntegrityError

    body = factories.body()
    a, b = factories.user(body=body), factories.user(body=body)
    session.add(AdminAssignment(body_id=body.id, user_id=a.id, started_at=clock.now()))
    session.flush()
    session.add(AdminAssignment(body_id=body.id, user_id=b.id, started_at=clock.now()))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_reject_needs_grounds_and_reasoning_and_issues_a_letter(ctx, factories):
    application = factories.application(stage="recommended", recommendation="reject")
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    with pytest.raises(DomainError) as exc:
        ops.reject_application(ctx, application.id, pejabat, grounds=["z"], reason="x", now=clock.now())
    assert exc.value.field == "grounds"
    with pytest.raises(DomainError) as exc:
        ops.reject_application(ctx, application.id, pejabat, grounds=["b"], reason="  ", now=clock.now())
    assert exc.value.field == "reason"
    result = ops.reject_application(ctx, application.id, pejabat, grounds=["c", "b"],
                                    reason="Bukan badan pemerintahan.", now=clock.now())
    assert result.status == "rejected" and result.decision_grounds == ["b", "c"]
    assert result.letter.kind == "application_rejected" and result.admin_user_id is None
    assert _mails(ctx, "applications/rejected")


def test_existing_account_of_the_admin_gets_the_role(ctx, factories):
    body = factories.body(tenant_status="none")
    asn = factories.user(roles=("asn",), body=body, email="asn.lama@kab.go.id")
    application = factories.application(stage="recommended", body=body, admin_email="asn.lama@kab.go.id",
                                        admin_nip=asn.nip)
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    result = ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    assert result.admin_user_id == asn.id
    assert ctx.get(User, asn.id).roles == {"asn", "admin_pengelola"}
    assert _mails(ctx, "applications/admin_appointed") and not _mails(ctx, "applications/admin_invitation")


def test_withdraw(ctx, factories):
    application = _get(ctx, factories.application(stage="complete"))
    with pytest.raises(NotPermitted):
        ops.withdraw_application(ctx, application, ctx.get(User, factories.user(roles=("sekretaris",)).id),
                                 now=clock.now())
    ops.withdraw_application(ctx, application, application.applicant, now=clock.now())
    assert application.status == "withdrawn"


def test_letter_numbers_are_gap_free_and_restart_each_year(ctx):
    now = clock.now()
    assert letters.next_number(ctx, "decision", now) == (2026, 1)
    nested = ctx.begin_nested()
    assert letters.next_number(ctx, "decision", now) == (2026, 2)
    nested.rollback()  # the decision failed: its number is given back
    assert letters.next_number(ctx, "decision", now) == (2026, 2)
    assert letters.next_number(ctx, "decision", datetime(2027, 1, 2, 9, 0, tzinfo=WIB)) == (2027, 1)
    # The year is the year in WIB: 31 Dec 2026 18:00 UTC is already 2027 in Jakarta.
    assert letters.next_number(ctx, "decision", datetime(2026, 12, 31, 18, 0, tzinfo=clock.UTC))[0] == 2027


def _sweep(ctx_app_session, at):
    clock.freeze(at)
    return sweep.run_sweep()


def test_sweep_reminds_one_working_day_before_and_escalates_when_overdue(app, factories, session, mailbox):
    pejabat = factories.user(roles=("pejabat",), email="pejabat@kominfo.go.id")
    factories.user(roles=("superadmin",), email="operator@kominfo.go.id")
    verifier = factories.user(roles=("verifikator",), email="verifikator@kominfo.go.id")
    application = factories.application(stage="complete", verifier=verifier)  # due Mon 30 Nov 23:59:59
    with app.app_context():
        # Friday 27 Nov 15:00: two working days left, nothing yet.
        assert _sweep(session, datetime(2026, 11, 27, 15, 0, tzinfo=WIB)).tasks["applications.deadlines"] == 0
        # Monday 30 Nov 00:30: the last working day has begun: one reminder.
        report = _sweep(session, datetime(2026, 11, 30, 0, 30, tzinfo=WIB))
        assert report.tasks["applications.deadlines"] == 1
        assert _sweep(session, datetime(2026, 11, 30, 9, 0, tzinfo=WIB)).tasks["applications.deadlines"] == 0
        (reminder,) = outbox_mails(session, "applications/reminder")
        assert set(reminder.recipients) == {pejabat.email, verifier.email}
        # Tuesday 1 Dec: overdue, escalated once to the pejabat and the superadmin.
        assert _sweep(session, datetime(2026, 12, 1, 8, 0, tzinfo=WIB)).tasks["applications.deadlines"] == 1
        assert _sweep(session, datetime(2026, 12, 2, 8, 0, tzinfo=WIB)).tasks["applications.deadlines"] == 0
        escalation = session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "applications/escalation")).one()
        assert set(escalation.recipients) == {pejabat.email, "operator@kominfo.go.id"}
        session.expire_all()
        assert session.get(Application, application.id).status == "complete"  # never decided by the sweep
    assert {m["subject"] for m in mailbox.messages} >= {reminder.subject, escalation.subject}


def test_letters_fetch_nothing_but_the_inline_qr_code(app):
    fetcher = letters.url_fetcher()
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    with app.app_context():
        assert b"<svg" in fetcher.fetch(letters.qr_data_uri("http://x/surat/1")).read()


def test_a_staff_account_cannot_be_made_admin_pengelola(ctx, factories):
    staff = factories.user(roles=("verifikator",), email="staf.verifikator@kominfo.go.id")
    application = factories.application(stage="recommended", admin_email=staff.email, admin_nip=staff.nip)
    assert "admin_is_staff" in {c["code"] for c in application.checks}
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    with pytest.raises(DomainError) as exc:
        ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    assert "staf Ditjen" in exc.value.message or "Ditjen" in exc.value.message
    assert ctx.get(User, staff.id).roles == {"verifikator"}


def test_drafts_and_identity_documents_are_not_for_everyone(ctx, factories):
    draft = _get(ctx, factories.application(stage="draft"))
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    assert not draft.can_view(verifier) and draft.can_view(draft.applicant)
    submitted = _get(ctx, factories.application(stage="submitted"))
    assert submitted.can_view(operator) and not submitted.can_view_documents(operator)
    assert submitted.can_view_documents(verifier)
