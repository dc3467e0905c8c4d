"""Tenant administration rules as plain functions."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.api.models import WebhookEndpoint
from sep_portal.applications import operations as app_ops
from sep_portal.auth import operations as auth_ops
from sep_portal.auth.models import AuthToken, RecoveryCode
from sep_portal.core import audit, clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.outbox import OutboxMessage
from sep_portal.core.states import IllegalTransition
from sep_portal.tenants import operations as ops
from sep_portal.tenants.models import AdminAssignment, Body
from tests.factories import PASSWORD, make_nip, outbox_mails


@pytest.fixture
def tenant(ctx, factories):
    body, admin = factories.tenant()
    return ctx.get(Body, body.id), ctx.get(User, admin.id)


def test_only_an_admin_with_an_open_assignment_has_a_tenant(ctx, factories, tenant):
    body, admin = tenant
    assert ops.admin_tenant(ctx, admin).id == body.id
    stray = ctx.get(User, factories.user(roles=("admin_pengelola",), body=body).id)  # role but no assignment
    with pytest.raises(NotPermitted):
        ops.admin_tenant(ctx, stray)


def test_create_account_validates_and_invites(ctx, factories, tenant):
    body, admin = tenant
    ctx.add(WebhookEndpoint(name="SEP", url="http://127.0.0.1:9/hook", secret="s" * 64, body_id=None))
    ctx.flush()
    existing = factories.user(nip=make_nip(901), email="ada@kab.go.id")
    for kwargs, field in (({"nip": "123"}, "nip"), ({"nip": existing.nip}, "nip"),
                          ({"email": "ada@kab.go.id"}, "email"), ({"email": "bukan-email"}, "email"),
                          ({"name": "  "}, "name")):
        data = {"name": "Budi", "nip": make_nip(902), "email": "budi@kab.go.id", "unit": None, "position": None,
                **kwargs}
        with pytest.raises(DomainError) as exc:
            ops.create_account(ctx, admin, body, now=clock.now(), **data)
        assert exc.value.field == field, kwargs
    user = ops.create_account(ctx, admin, body, name=" Budi  Santoso ", nip=make_nip(903), email="Budi@Kab.go.id",
                              unit="Bagian Umum", position="Analis", now=clock.now())
    assert (user.name, user.email, user.status, user.roles, user.body_id) == (
        "Budi Santoso", "budi@kab.go.id", "pending", {"asn"}, body.id)
    assert user.password_hash is None
    assert ctx.scalar(select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.purpose == "activate"))
    assert outbox_mails(ctx, "auth/activation")[0].recipients == ["budi@kab.go.id"]
    hook = ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
    assert hook.subject == "account.created" and user.nip in hook.body_text


def test_a_permanently_deactivated_nip_can_never_come_back(ctx, factories, tenant):
    body, admin = tenant
    gone = factories.user(status="permanently_deactivated", nip=make_nip(904))
    with pytest.raises(DomainError) as exc:
        ops.create_account(ctx, admin, body, name="X", nip=gone.nip, email="x@kab.go.id", unit=None, position=None,
                           now=clock.now())
    assert "permanen" in exc.value.message


def test_disable_ends_sessions_and_sign_in_and_enable_restores(ctx, factories, tenant):
    body, admin = tenant
    asn = ctx.get(User, factories.user(body=body).id)
    token = auth_ops.start_session(ctx, asn, now=clock.now(), ip=None, user_agent=None)
    ops.disable_account(ctx, admin, body, asn, reason="Cuti di luar tanggungan", now=clock.now())
    assert asn.status == "disabled"
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    with pytest.raises(DomainError):
        auth_ops.check_password_step(ctx, asn.email, PASSWORD, clock.now())
    assert outbox_mails(ctx, "tenants/account_disabled")
    ops.enable_account(ctx, admin, body, asn, reason="Kembali bertugas", now=clock.now())
    assert asn.status == "active"
    assert auth_ops.check_password_step(ctx, asn.email, PASSWORD, clock.now() + timedelta(minutes=1)).user == asn


@pytest.mark.parametrize("status", ["deactivated", "permanently_deactivated"])
def test_the_admin_never_lifts_a_ditjen_deactivation(ctx, factories, tenant, status):
    body, admin = tenant
    asn = ctx.get(User, factories.user(body=body, status=status).id)
    with pytest.raises(ConflictError):
        ops.enable_account(ctx, admin, body, asn, reason="Kembali bertugas", now=clock.now())
    with pytest.raises(ConflictError):
        ops.disable_account(ctx, admin, body, asn, reason="Cuti di luar tanggungan", now=clock.now())
    assert asn.status == status


def test_the_admin_manages_only_asn_of_its_own_body(ctx, factories, tenant):
    body, admin = tenant
    other_body, _other_admin = factories.tenant()
    foreign = ctx.get(User, factories.user(body=other_body).id)
    sekretaris = ctx.get(User, factories.user(roles=("sekretaris",), body=body).id)
    for account in (foreign, sekretaris, admin):
        with pytest.raises(NotPermitted):
            ops.disable_account(ctx, admin, body, account, reason="Uji", now=clock.now())
    assert foreign.status == sekretaris.status == "active"


def test_reset_totp_removes_the_secret_and_codes_and_ends_sessions(ctx, factories, tenant):
    body, admin = tenant
    asn = ctx.get(User, factories.user(body=body, totp=True).id)
    auth_ops.regenerate_recovery_codes(ctx, asn, clock.now())
    token = auth_ops.start_session(ctx, asn, now=clock.now(), ip=None, user_agent=None)
    ops.reset_totp(ctx, admin, body, asn, now=clock.now())
    assert not asn.totp_enabled and asn.totp_secret is None
    assert ctx.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == asn.id)) == 0
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    assert outbox_mails(ctx, "tenants/totp_reset")


def test_resend_activation_only_for_pending(ctx, factories, tenant):
    body, admin = tenant
    active = ctx.get(User, factories.user(body=body).id)
    with pytest.raises(ConflictError):
        ops.resend_activation(ctx, admin, body, active, now=clock.now())
    pending = ctx.get(User, factories.user(body=body, status="pending").id)
    ops.resend_activation(ctx, admin, body, pending, now=clock.now())
    assert len(outbox_mails(ctx, "auth/activation")) == 1


def test_suspending_a_tenant_takes_two_officials_and_refuses_all_its_accounts(ctx, factories, tenant):
    body, admin = tenant
    asn = ctx.get(User, factories.user(body=body).id)
    token = auth_ops.start_session(ctx, asn, now=clock.now(), ip=None, user_agent=None)
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    second = ctx.get(User, factories.user(roles=("pejabat",)).id)
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    with pytest.raises(NotPermitted):
        ops.propose_tenant_change(ctx, verifier, body, action="suspend", reason="x", now=clock.now())
    with pytest.raises(DomainError):
        ops.propose_tenant_change(ctx, pejabat, body, action="suspend", reason=" ", now=clock.now())
    change = ops.propose_tenant_change(ctx, pejabat, body, action="suspend", reason="Penyalahgunaan massal",
                                       now=clock.now())
    assert body.tenant_status == "active"  # a proposal changes nothing yet
    assert auth_ops.load_session(ctx, token, clock.now()).user == asn
    with pytest.raises(ConflictError):  # one proposal at a time
        ops.propose_tenant_change(ctx, second, body, action="suspend", reason="Lagi", now=clock.now())
    with pytest.raises(DomainError):  # four eyes: never one's own
        ops.decide_tenant_change(ctx, pejabat, body, change.id, confirm=True, note="", now=clock.now())
    assert [m.recipients for m in outbox_mails(ctx, "work/new_work")] == [[second.email]]  # the other is told

    ops.decide_tenant_change(ctx, second, body, change.id, confirm=True, note="", now=clock.now())
    assert body.tenant_status == "suspended" and change.status == "confirmed" and change.decided_by_id == second.id
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    for user in (asn, admin):
        with pytest.raises(DomainError):
            auth_ops.check_password_step(ctx, user.email, PASSWORD, clock.now())
    entry = ctx.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.suspended"))
    assert entry.after["reason"] == "Penyalahgunaan massal" and entry.after["proposed_by"] == pejabat.id
    assert entry.actor_id == second.id
    with pytest.raises(IllegalTransition):  # decided once
        ops.decide_tenant_change(ctx, second, body, change.id, confirm=False, note="x", now=clock.now())

    back = ops.propose_tenant_change(ctx, second, body, action="reactivate", reason="Sudah ditangani",
                                     now=clock.now())
    with pytest.raises(DomainError):  # a refusal needs its reason
        ops.decide_tenant_change(ctx, pejabat, body, back.id, confirm=False, note=" ", now=clock.now())
    ops.decide_tenant_change(ctx, pejabat, body, back.id, confirm=True, note="", now=clock.now())
    assert body.tenant_status == "active"
    assert auth_ops.check_password_step(ctx, asn.email, PASSWORD, clock.now() + timedelta(minutes=1)).user == asn


def test_a_refused_proposal_changes_nothing_and_frees_the_body(ctx, factories, tenant):
    body, _admin = tenant
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    second = ctx.get(User, factories.user(roles=("pejabat",)).id)
    change = ops.propose_tenant_change(ctx, pejabat, body, action="suspend", reason="Dugaan", now=clock.now())
    ops.decide_tenant_change(ctx, second, body, change.id, confirm=False, note="Bukti belum cukup", now=clock.now())
    assert body.tenant_status == "active" and change.status == "refused"
    assert not outbox_mails(ctx, "tenants/tenant_suspended")
    assert ctx.scalar(select(AuditEntry).where(AuditEntry.action == "tenant.suspend_refused")).after["note"] \
        == "Bukti belum cukup"
    ops.propose_tenant_change(ctx, second, body, action="suspend", reason="Bukti baru", now=clock.now())


def test_suspension_and_reactivation_are_webhook_events_with_the_tenant(ctx, factories, tenant):
    import json

    from sep_portal.api import operations as api_ops

    body, _admin = tenant
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    api_ops.create_webhook(ctx, operator, name="SEP", url="http://127.0.0.1:9/h", body_id=None, now=clock.now())
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    change = ops.propose_tenant_change(ctx, pejabat, body, action="suspend", reason="Uji", now=clock.now())
    assert ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all() == []
    ops.decide_tenant_change(ctx, operator, body, change.id, confirm=True, note="", now=clock.now())
    (hook,) = ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all()
    payload = json.loads(hook.body_text)
    assert payload["event"] == "tenant.suspended"
    assert payload["tenant"] == {"code": body.code, "name": body.name, "status": "suspended"}


def test_penggantian_moves_the_role_in_one_transaction(ctx, factories, tenant):
    body, old_admin = tenant
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    replacement = app_ops.create_replacement(ctx, ctx.get(User, sekretaris.id), now=clock.now())
    with pytest.raises(DomainError):  # one replacement at a time
        app_ops.create_replacement(ctx, ctx.get(User, sekretaris.id), now=clock.now())
    assert replacement.kind == "penggantian" and replacement.body_id == body.id
    ctx.commit()
    application = factories.application(stage="recommended", applicant=sekretaris, body=body,
                                        admin_email="admin.baru@kab.go.id", existing=replacement)
    assert "replaces_admin" in {c["code"] for c in application.checks}
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    result = app_ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    old = ctx.get(User, old_admin.id)
    assert old.roles == {"asn"}
    new = ctx.get(User, result.admin_user_id)
    assert new.roles == {"admin_pengelola"} and new.email == "admin.baru@kab.go.id"
    open_assignments = ctx.scalars(select(AdminAssignment).where(AdminAssignment.body_id == body.id,
                                                                 AdminAssignment.ended_at.is_(None))).all()
    assert [a.user_id for a in open_assignments] == [new.id]
    assert result.letter.subject.startswith("Persetujuan Penggantian Admin Pengelola")
    assert outbox_mails(ctx, "tenants/admin_replaced")[0].recipients == [old.email]
    assert outbox_mails(ctx, "applications/admin_invitation")[0].recipients == ["admin.baru@kab.go.id"]
    assert audit.verify(ctx).ok


def test_the_outgoing_admin_cannot_hijack_or_block_the_successor(ctx, factories, tenant):
    body, old_admin = tenant
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    successor = ctx.get(User, factories.user(body=body, email="penerus@kab.go.id").id)
    replacement = app_ops.create_replacement(ctx, ctx.get(User, sekretaris.id), now=clock.now())
    ctx.commit()
    application = factories.application(stage="recommended", applicant=sekretaris, body=body,
                                        admin_email="penerus@kab.go.id", admin_nip=successor.nip, existing=replacement)
    # The successor is now out of the outgoing admin's reach.
    with pytest.raises(ConflictError):
        ops.disable_account(ctx, ctx.get(User, old_admin.id), body, ctx.get(User, successor.id),
                            reason="Uji", now=clock.now())
    # A look-alike account (the successor's NIP with another address) never receives the role.
    other = factories.application(stage="recommended", body=factories.body(tenant_status="none"),
                                  admin_email="penyusup@gmail.com", admin_nip=successor.nip)
    pejabat = ctx.get(User, factories.user(roles=("pejabat",)).id)
    with pytest.raises(DomainError) as exc:
        app_ops.approve_application(ctx, other.id, pejabat, reason="", now=clock.now())
    assert "tidak dimiliki oleh akun yang sama" in exc.value.message or "NIP" in exc.value.message
    result = app_ops.approve_application(ctx, application.id, pejabat, reason="", now=clock.now())
    assert result.admin_user_id == successor.id


def test_a_tembusan_copy_is_marked_read_once_and_only_by_its_bodys_sekretaris(ctx, factories, tenant):
    from sep_portal.tenants.models import TembusanCopy

    body, admin = tenant
    other, _ = factories.tenant()
    sekretaris = ctx.get(User, factories.user(roles=("sekretaris",), body=body).id)
    stranger = ctx.get(User, factories.user(roles=("sekretaris",), body=ctx.get(Body, other.id)).id)
    copy = TembusanCopy(body_id=body.id, kind="other", subject="Tembusan")
    ctx.add(copy)
    ctx.flush()
    for outsider in (stranger, admin):
        with pytest.raises(NotPermitted):
            ops.mark_tembusan_read(ctx, outsider, copy, now=clock.now())
    assert copy.read_at is None
    first = clock.now()
    assert ops.mark_tembusan_read(ctx, sekretaris, copy, now=first) is True
    assert copy.read_at == first and copy.read_by_id == sekretaris.id
    assert ops.mark_tembusan_read(ctx, sekretaris, copy, now=first + timedelta(hours=1)) is False
    assert copy.read_at == first


def test_an_import_is_started_once_and_only_from_checked(ctx, factories, tenant):
    from sep_portal.core.storage import StoredFile
    from sep_portal.tenants.models import AccountImport

    body, admin = tenant
    stored = StoredFile(stored_name="z" * 40, original_name="a.csv", kind="csv", content_type="text/csv", size=1,
                        sha256="0" * 64, purpose="import:source")
    ctx.add(stored)
    ctx.flush()
    job = AccountImport(body_id=body.id, created_by_id=admin.id, file_id=stored.id, status="invalid")
    ctx.add(job)
    ctx.flush()
    with pytest.raises(ConflictError):
        ops.start_import(ctx, admin, job)
    job.status = "checked"
    ctx.flush()
    ops.start_import(ctx, admin, job)
    ctx.refresh(job)
    assert job.status == "queued_import"
    with pytest.raises(ConflictError):
        ops.start_import(ctx, admin, job)  # the second click
    assert ctx.scalar(select(func.count()).select_from(AuditEntry)
                      .where(AuditEntry.action == "accounts.import_started")) == 1
    with pytest.raises(DomainError) as refused:
        ops.upload_import(ctx, admin, body, None, max_bytes=1000, now=clock.now())
    assert refused.value.field == "file"  # another import of the body is queued


def test_tenant_owned_rows_are_looked_up_per_tenant():
    from sep_portal.abuse.models import ReactivationRequest, WarningLetter
    from sep_portal.core.db import TenantScoped
    from sep_portal.tenants.models import AccountImport, TembusanCopy

    for model in (AccountImport, TembusanCopy, WarningLetter, ReactivationRequest, User):
        assert issubclass(model, TenantScoped), model
