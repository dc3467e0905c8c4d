"""A new Sekretaris of an existing tenant (issue 13 §4): the request with the SK, the verifier's
confirmation or refusal, and what follows the link afterwards (tembusan, reactivation,
penggantian) — as plain functions, through the pages, and under races on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sep_portal.abuse import operations as abuse_ops
from sep_portal.abuse.models import AbuseCategory
from sep_portal.accounts.models import User
from sep_portal.applications import operations as app_ops
from sep_portal.applications.models import Application
from sep_portal.core import clock, worklist
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import DomainError, NotPermitted
from sep_portal.core.states import IllegalTransition
from sep_portal.extensions import db
from sep_portal.tenants import operations as ops
from sep_portal.tenants.models import Body, SekretarisHandover, TembusanCopy
from sep_portal.tenants.queries import sekretaris_of
from tests.factories import outbox_mails, pdf_bytes, png_bytes, sign_in, upload


def _sk() -> object:
    return upload(pdf_bytes("SK Pengangkatan Sekretaris Daerah"), "sk.pdf")


@pytest.fixture
def people(ctx, factories):
    """A tenant with its admin, Sekretaris and an ASN; a verifier; a newcomer Sekretaris without a body."""
    body, admin = factories.tenant()
    made = {
        "old": factories.user(roles=("sekretaris",), body=body, email="sekda.lama@kab.go.id"),
        "new": factories.user(roles=("sekretaris",), email="sekda.baru@kab.go.id"),
        "asn": factories.user(body=body),
        "reporter": factories.user(body=body),
        "verifier": factories.user(roles=("verifikator",), email="verif@kominfo.go.id"),
        "pejabat": factories.user(roles=("pejabat",)),
        "admin": admin,
    }
    people = {key: ctx.get(User, user.id) for key, user in made.items()}
    people["body"] = ctx.get(Body, body.id)
    return people


def _ask(ctx, person, body, **extra):
    data = {"body_id": body.id, "position": "Sekretaris Daerah", "upload": _sk(), **extra}
    return ops.request_sekretaris_handover(ctx, person, now=clock.now(), **data)


def _warn(ctx, p):
    category = ctx.scalar(select(AbuseCategory.id).where(AbuseCategory.code == "penipuan"))
    report = abuse_ops.report_account(ctx, p["reporter"], target=p["asn"].email, category_id=category,
                                      description="Meminta transfer uang.", files=[], now=clock.now())
    abuse_ops.substantiate_case(ctx, report.case_id, p["verifier"], material="Pesan penipuan.", now=clock.now())
    return abuse_ops.issue_warning(ctx, report.case_id, p["pejabat"], now=clock.now())


def test_after_a_handover_tembusan_goes_to_the_new_sekretaris_only(ctx, people):
    p, body = people, people["body"]
    handover = _ask(ctx, p["new"], body)
    assert handover.status == "pending" and handover.sk_file_id
    # The verifiers are told and find it in "Tugas saya".
    assert [m.recipients for m in outbox_mails(ctx, "work/new_work")] == [["verif@kominfo.go.id"]]
    groups = {g.code: g for g in worklist.work_for(ctx, p["verifier"], clock.now())}
    assert groups["tenants.sekretaris_handover"].total == 1

    ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=True, reason="", now=clock.now())
    assert handover.status == "confirmed" and handover.previous_ids == [p["old"].id]
    assert (p["new"].body_id, p["old"].body_id) == (body.id, None)
    assert p["old"].roles == {"sekretaris"}  # free to ask for another body
    assert sekretaris_of(ctx, body.id) == [p["new"]]
    groups = {g.code: g for g in worklist.work_for(ctx, p["verifier"], clock.now())}
    assert groups["tenants.sekretaris_handover"].total == 0
    assert [m.recipients for m in outbox_mails(ctx, "tenants/sekretaris_confirmed")] == [[p["new"].email]]
    assert [m.recipients for m in outbox_mails(ctx, "tenants/sekretaris_replaced")] == [[p["old"].email]]
    assert [m.recipients for m in outbox_mails(ctx, "tenants/sekretaris_changed")] == [[p["admin"].email]]
    actions = set(ctx.scalars(select(AuditEntry.action)))
    assert {"tenant.sekretaris_requested", "tenant.sekretaris_changed", "account.sekretaris_linked",
            "account.sekretaris_unlinked"} <= actions

    # A warning to one of the body's users now: the tembusan is the new Sekretaris', only.
    warning = _warn(ctx, p)
    copies = outbox_mails(ctx, "abuse/warning_copy")
    assert [m.recipients for m in copies] == [[p["new"].email]]
    copy = ctx.scalars(select(TembusanCopy).where(TembusanCopy.body_id == body.id)).one()
    assert copy.can_read(p["new"]) and not copy.can_read(p["old"])
    assert warning.can_read(p["new"]) and not warning.can_read(p["old"])
    abuse_ops.reply_to_warning(ctx, warning.id, p["asn"], text="Akun saya diretas.", files=[], now=clock.now())
    assert [m.recipients for m in outbox_mails(ctx, "abuse/reply_copy")] == [[p["new"].email]]


def test_reactivation_and_penggantian_follow_the_link(ctx, people):
    p, body = people, people["body"]
    # Before the handover the old Sekretaris started a penggantian and asked to reactivate an account.
    replacement = app_ops.create_replacement(ctx, p["old"], now=clock.now())
    gone = ctx.get(User, p["asn"].id)
    gone.status = "deactivated"
    ctx.flush()
    request = abuse_ops.request_reactivation(ctx, p["old"], gone.id, statement="Sudah dibina.", upload=None,
                                             now=clock.now())
    handover = _ask(ctx, p["new"], body)
    ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=True, reason="", now=clock.now())

    # The open penggantian is the new Sekretaris' now (its next steps and e-mails go there).
    ctx.refresh(replacement)
    assert replacement.applicant_id == p["new"].id and replacement.can_edit(p["new"])
    assert not replacement.can_view(p["old"])
    assert replacement.events[-1].action == "handed_over"
    with pytest.raises(DomainError):  # already in progress: the inherited one
        app_ops.create_replacement(ctx, p["new"], now=clock.now())
    with pytest.raises(NotPermitted):
        app_ops.create_replacement(ctx, p["old"], now=clock.now())
    with pytest.raises(NotPermitted):
        abuse_ops.request_reactivation(ctx, p["old"], gone.id, statement="Lagi.", upload=None, now=clock.now())
    # The decision on the pending reactivation goes to the new Sekretaris only.
    abuse_ops.decide_reactivation(ctx, request.id, p["pejabat"], approve=True, reason="Pembinaan selesai.",
                                  now=clock.now())
    assert [m.recipients for m in outbox_mails(ctx, "abuse/reactivation_decided")] == [[p["new"].email]]


def test_a_previous_sekretaris_who_is_also_asn_of_the_body_keeps_the_account_there(ctx, people):
    p, body = people, people["body"]
    both = p["old"]
    both.add_role("asn")
    ctx.flush()
    handover = _ask(ctx, p["new"], body)
    ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=True, reason="", now=clock.now())
    assert both.body_id == body.id and both.roles == {"asn"}
    assert sekretaris_of(ctx, body.id) == [p["new"]]


def test_refusal_needs_a_reason_tells_the_requester_and_moves_nothing(ctx, people):
    p, body = people, people["body"]
    handover = _ask(ctx, p["new"], body)
    with pytest.raises(DomainError) as exc:
        ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=False, reason="  ", now=clock.now())
    assert exc.value.field == "reason"
    ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=False,
                                   reason="SK bukan untuk jabatan Sekretaris.", now=clock.now())
    assert handover.status == "refused" and handover.decided_by_id == p["verifier"].id
    assert (p["new"].body_id, p["old"].body_id) == (None, body.id)
    mail = outbox_mails(ctx, "tenants/sekretaris_refused")[-1]
    assert mail.recipients == [p["new"].email] and "SK bukan untuk jabatan Sekretaris." in mail.body_text
    assert not outbox_mails(ctx, "tenants/sekretaris_replaced")
    with pytest.raises(IllegalTransition):  # decided: no second decision
        ops.decide_sekretaris_handover(ctx, p["verifier"], handover.id, confirm=True, reason="", now=clock.now())
    # Refused, the person may ask again (with the right SK).
    assert _ask(ctx, p["new"], body).status == "pending"


def test_one_open_request_per_person_and_per_body(ctx, factories, people):
    p, body = people, people["body"]
    other_body, _admin = factories.tenant()
    first = _ask(ctx, p["new"], body)
    with pytest.raises(DomainError) as exc:
        _ask(ctx, p["new"], ctx.get(Body, other_body.id))
    assert exc.value.field is None
    rival = ctx.get(User, factories.user(roles=("sekretaris",)).id)
    with pytest.raises(DomainError) as exc:
        _ask(ctx, rival, body)
    assert exc.value.field == "body_id"
    # The database says the same, whatever the check above would have missed.
    from sep_portal.core.db import add_unique

    for requester, body_id in ((p["new"].id, other_body.id), (rival.id, body.id)):
        row = SekretarisHandover(body_id=body_id, requested_by_id=requester, position="X", sk_file_id=first.sk_file_id,
                                 status="pending", requested_at=clock.now())
        assert add_unique(ctx, row) is False
    # Withdrawn, the body and the person are free again.
    ops.withdraw_sekretaris_handover(ctx, p["new"], first.id, now=clock.now())
    assert first.status == "withdrawn"
    assert _ask(ctx, rival, body).status == "pending"
    assert _ask(ctx, p["new"], ctx.get(Body, other_body.id)).status == "pending"


def test_who_may_ask_and_who_may_decide(ctx, factories, people):
    p, body = people, people["body"]
    with pytest.raises(DomainError):  # a Sekretaris with a body already
        _ask(ctx, p["old"], ctx.get(Body, factories.tenant()[0].id))
    with pytest.raises(NotPermitted):  # not a Sekretaris
        _ask(ctx, p["asn"], body)
    not_tenant = ctx.get(Body, factories.body(tenant_status="none").id)
    with pytest.raises(DomainError) as exc:
        _ask(ctx, p["new"], not_tenant)
    assert exc.value.field == "body_id"
    with pytest.raises(DomainError) as exc:
        _ask(ctx, p["new"], body, position=" ")
    assert exc.value.field == "position"
    with pytest.raises(DomainError) as exc:  # the SK is a PDF, checked by content
        _ask(ctx, p["new"], body, upload=upload(png_bytes(), "sk.pdf"))
    assert exc.value.field == "sk_file"
    assert ctx.scalar(select(func.count()).select_from(SekretarisHandover)) == 0

    handover = _ask(ctx, p["new"], body)
    for outsider in (p["pejabat"], p["old"], p["admin"]):
        with pytest.raises(NotPermitted):
            ops.decide_sekretaris_handover(ctx, outsider, handover.id, confirm=True, reason="", now=clock.now())
    with pytest.raises(NotPermitted):  # only the requester withdraws
        ops.withdraw_sekretaris_handover(ctx, p["old"], handover.id, now=clock.now())
    # A verifier who is also a Sekretaris without a body never decides their own request.
    both = ctx.get(User, factories.user(roles=("sekretaris", "verifikator")).id)
    own = _ask(ctx, both, ctx.get(Body, factories.tenant()[0].id))
    with pytest.raises(NotPermitted):
        ops.decide_sekretaris_handover(ctx, both, own.id, confirm=True, reason="", now=clock.now())
    assert both.body_id is None and handover.status == "pending"


# -- through the pages ------------------------------------------------------------------------------

def test_the_handover_through_the_pages(app, client, factories, session):
    body, admin = factories.tenant(name="Pemerintah Kabupaten Serah Terima")
    old = factories.user(roles=("sekretaris",), body=body)
    new = factories.user(roles=("sekretaris",))
    verifier = factories.user(roles=("verifikator",))
    copy_id = None
    with app.test_request_context("/"):
        copy = TembusanCopy(body_id=body.id, kind="other", subject="Tembusan lama")
        db.session.add(copy)
        db.session.commit()
        copy_id = copy.id

    sign_in(client, new)
    page = client.get("/badan/sekretaris-baru")
    assert page.status_code == 200 and "Pemerintah Kabupaten Serah Terima" in page.get_data(as_text=True)
    bad = client.post("/badan/sekretaris-baru", data={"body_id": str(body.id), "position": "Sekretaris Daerah"},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    sent = client.post("/badan/sekretaris-baru", content_type="multipart/form-data", data={
        "body_id": str(body.id), "position": "Sekretaris Daerah",
        "sk_file": (upload(pdf_bytes("SK"), "sk.pdf").stream, "sk.pdf")})
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    handover = session.scalars(select(SekretarisHandover)).one()
    assert client.get(f"/sekretaris-baru/{handover.id}/sk").status_code == 200  # the requester's own SK
    assert client.get("/ditjen/sekretaris").status_code == 403
    client.post("/keluar")

    # Another Sekretaris neither sees the SK nor withdraws the request (no hint that it exists).
    sign_in(client, old)
    assert client.get(f"/sekretaris-baru/{handover.id}/sk").status_code == 404
    assert client.post(f"/badan/sekretaris-baru/{handover.id}/tarik").status_code == 404
    assert client.post(f"/ditjen/sekretaris/{handover.id}/setujui").status_code == 403
    assert client.get("/badan").status_code == 200
    client.post("/keluar")

    sign_in(client, verifier)
    detail = client.get(f"/ditjen/sekretaris/{handover.id}")
    assert detail.status_code == 200 and old.name in detail.get_data(as_text=True)
    assert f"/ditjen/sekretaris/{handover.id}" in client.get("/tugas").get_data(as_text=True)
    assert client.get(f"/sekretaris-baru/{handover.id}/sk").status_code == 200
    refused = client.post(f"/ditjen/sekretaris/{handover.id}/tolak", data={"reason": ""})
    assert refused.status_code == 422
    assert client.post(f"/ditjen/sekretaris/{handover.id}/setujui", data={"reason": ""}).status_code == 302
    client.post("/keluar")

    # The old Sekretaris has lost the body's pages; the new one has them, with the old tembusan.
    sign_in(client, old)
    assert client.get("/badan").status_code == 404
    assert client.get(f"/badan/tembusan/{copy_id}").status_code == 404
    assert client.get("/badan/reaktivasi").status_code == 404
    assert client.get("/badan/sekretaris-baru").status_code == 200  # free to ask for another body
    client.post("/keluar")
    sign_in(client, new)
    assert client.get("/badan/sekretaris-baru").status_code == 302  # has a body now
    assert "Tembusan lama" in client.get("/badan").get_data(as_text=True)
    assert client.get(f"/badan/tembusan/{copy_id}").status_code == 200


def test_the_new_sekretaris_reads_the_bodys_decision_letters(app, client, factories, session):
    application = factories.application(stage="recommended")
    with app.test_request_context("/"):
        app_ops.approve_application(db.session, application.id, db.session.get(User, factories.user(
            roles=("pejabat",)).id), reason="", now=clock.now())
        db.session.commit()
    body = session.get(Body, application.body_id)
    handover = factories.sekretaris_handover(body, decision="confirm")
    new = session.get(User, handover.requested_by_id)
    sign_in(client, new)
    assert client.get(f"/permohonan/{application.id}/surat").status_code == 200
    assert client.get(f"/permohonan/{application.id}").status_code == 404  # the file itself stays the applicant's


# -- races (PostgreSQL) -------------------------------------------------------------------------------

@pytest.mark.postgres
def test_two_requests_for_one_body_at_once_one_is_open(app, real, race):
    factories, session = real
    body, _admin = factories.tenant()
    people = [factories.user(roles=("sekretaris",)) for _ in range(3)]

    def ask(user_id):
        return lambda s: ops.request_sekretaris_handover(s, s.get(User, user_id), body_id=body.id,
                                                         position="Sekretaris", upload=_sk(), now=clock.now()).id

    results = race([ask(u.id) for u in people])
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert all(isinstance(r, DomainError) for r in results if not isinstance(r, int))
    assert session.scalar(select(func.count()).select_from(SekretarisHandover)
                          .where(SekretarisHandover.body_id == body.id)) == 1


@pytest.mark.postgres
def test_a_confirmation_racing_a_refusal_and_a_withdrawal_is_one_decision(app, real, race):
    factories, session = real
    body, _admin = factories.tenant()
    old = factories.user(roles=("sekretaris",), body=body)
    handover = factories.sekretaris_handover(body)
    v1, v2 = factories.user(roles=("verifikator",)), factories.user(roles=("verifikator",))
    results = race([
        lambda s: ops.decide_sekretaris_handover(s, s.get(User, v1.id), handover.id, confirm=True, reason="",
                                                 now=clock.now()).status,
        lambda s: ops.decide_sekretaris_handover(s, s.get(User, v2.id), handover.id, confirm=False,
                                                 reason="Tidak sesuai.", now=clock.now()).status,
        lambda s: ops.withdraw_sekretaris_handover(s, s.get(User, handover.requested_by_id), handover.id,
                                                   now=clock.now()).status,
    ])
    winners = [r for r in results if isinstance(r, str)]
    assert len(winners) == 1 and all(isinstance(r, IllegalTransition) for r in results if not isinstance(r, str))
    session.expire_all()
    final = session.get(SekretarisHandover, handover.id)
    assert final.status == winners[0]
    linked = session.get(User, old.id).body_id == body.id
    assert linked == (final.status != "confirmed")
    assert session.scalar(select(func.count()).select_from(Application)) == 0
