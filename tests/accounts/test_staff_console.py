"""The operator's console: staff roles granted and withdrawn, staff accounts disabled, two-step
verification reset, each with a reason, audited and told to the person; as plain operations."""
import pytest
from sqlalchemy import func, select

from sep_portal.accounts import operations as ops
from sep_portal.accounts.models import User
from sep_portal.auth import operations as auth_ops
from sep_portal.auth.models import RecoveryCode
from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from tests.factories import outbox_mails


def _entry(ctx, action, user):
    return ctx.scalar(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_id == str(user.id))
                      .order_by(AuditEntry.seq.desc()))


@pytest.fixture
def operator(ctx, factories):
    return ctx.get(User, factories.user(roles=("superadmin",), name="Operator Uji").id)


def _session_of(ctx, user):
    return auth_ops.start_session(ctx, user, now=clock.now(), ip=None, user_agent=None)


def test_grant_adds_the_role_audits_the_reason_and_tells_the_person(ctx, factories, operator):
    staff = ctx.get(User, factories.user(roles=("verifikator",)).id)
    token = _session_of(ctx, staff)
    ops.grant_staff_role(ctx, operator, staff, "pejabat", reason="SK pengangkatan 12/2026", now=clock.now())
    assert staff.roles == {"verifikator", "pejabat"}
    entry = _entry(ctx, "account.role_granted", staff)
    assert entry.actor_id == operator.id and entry.after["role"] == "pejabat"
    assert entry.after["reason"] == "SK pengangkatan 12/2026" and entry.before == {"roles": ["verifikator"]}
    mail = outbox_mails(ctx, "accounts/role_granted")[-1]
    assert mail.recipients == [staff.email] and "Pejabat pemutus" in mail.body_text
    assert "SK pengangkatan 12/2026" in mail.body_text
    assert auth_ops.load_session(ctx, token, clock.now()).user is not None  # has 2FA: stays signed in
    with pytest.raises(ConflictError):
        ops.grant_staff_role(ctx, operator, staff, "pejabat", reason="lagi", now=clock.now())


def test_a_role_for_someone_without_two_step_signs_them_out_to_enrol(ctx, factories, operator):
    asn = ctx.get(User, factories.user(roles=("asn",)).id)
    token = _session_of(ctx, asn)
    ops.grant_staff_role(ctx, operator, asn, "helpdesk", reason="Pindah ke helpdesk", now=clock.now())
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    assert asn.totp_required(False) and not asn.totp_enabled  # enrols at the next sign-in


def test_only_staff_roles_with_a_reason_by_an_operator(ctx, factories, operator):
    person = ctx.get(User, factories.user(roles=("verifikator",)).id)
    with pytest.raises(DomainError) as refused:
        ops.grant_staff_role(ctx, operator, person, "admin_pengelola", reason="x", now=clock.now())
    assert refused.value.field == "role"
    with pytest.raises(DomainError) as refused:
        ops.grant_staff_role(ctx, operator, person, "pejabat", reason="  ", now=clock.now())
    assert refused.value.field == "reason"
    helpdesk = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    with pytest.raises(NotPermitted):
        ops.grant_staff_role(ctx, helpdesk, person, "pejabat", reason="x", now=clock.now())
    assert person.roles == {"verifikator"}


def test_revoke_ends_every_session_audits_and_tells(ctx, factories, operator):
    staff = ctx.get(User, factories.user(roles=("verifikator", "pejabat")).id)
    tokens = [_session_of(ctx, staff), _session_of(ctx, staff)]
    ops.revoke_staff_role(ctx, operator, staff, "verifikator", reason="Pindah unit", now=clock.now())
    assert staff.roles == {"pejabat"}
    assert all(auth_ops.load_session(ctx, t, clock.now()).user is None for t in tokens)
    entry = _entry(ctx, "account.role_revoked", staff)
    assert entry.after["sessions_ended"] == 2 and entry.after["reason"] == "Pindah unit"
    assert outbox_mails(ctx, "accounts/role_revoked")[-1].recipients == [staff.email]
    with pytest.raises(ConflictError):
        ops.revoke_staff_role(ctx, operator, staff, "verifikator", reason="lagi", now=clock.now())


def test_nobody_removes_their_own_operator_role_and_the_last_one_stays(ctx, factories, operator):
    with pytest.raises(ConflictError):
        ops.revoke_staff_role(ctx, operator, operator, "superadmin", reason="x", now=clock.now())
    with pytest.raises(ConflictError):
        ops.disable_staff_account(ctx, operator, operator, reason="x", now=clock.now())
    with pytest.raises(ConflictError):  # the command line is the operator too, but not without one
        ops.revoke_staff_role(ctx, "system:cli", operator, "superadmin", reason="x", now=clock.now())
    other = ctx.get(User, factories.user(roles=("superadmin",)).id)
    ops.revoke_staff_role(ctx, operator, other, "superadmin", reason="Selesai tugas", now=clock.now())
    assert not other.has_role("superadmin") and operator.has_role("superadmin")
    # A disabled operator does not count as the one that remains.
    third = ctx.get(User, factories.user(roles=("superadmin",)).id)
    ops.disable_staff_account(ctx, operator, third, reason="Cuti panjang", now=clock.now())
    with pytest.raises(ConflictError):
        ops.revoke_staff_role(ctx, "system:cli", operator, "superadmin", reason="x", now=clock.now())


def test_disable_and_enable_a_staff_account(ctx, factories, operator):
    staff = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    token = _session_of(ctx, staff)
    ops.disable_staff_account(ctx, operator, staff, reason="Pensiun", now=clock.now())
    assert staff.status == "disabled" and auth_ops.load_session(ctx, token, clock.now()).user is None
    assert _entry(ctx, "account.disabled", staff).after == {"status": "disabled", "reason": "Pensiun",
                                                           "sessions_ended": 1}
    assert outbox_mails(ctx, "accounts/disabled")[-1].recipients == [staff.email]
    with pytest.raises(ConflictError):
        ops.disable_staff_account(ctx, operator, staff, reason="lagi", now=clock.now())
    ops.enable_staff_account(ctx, operator, staff, reason="Kembali bertugas", now=clock.now())
    assert staff.status == "active" and _entry(ctx, "account.enabled", staff).after["reason"] == "Kembali bertugas"
    assert outbox_mails(ctx, "accounts/enabled")
    body, _admin = factories.tenant()
    asn = ctx.get(User, factories.user(body=body).id)
    with pytest.raises(ConflictError):  # a tenant's account is its Admin Pengelola's
        ops.disable_staff_account(ctx, operator, asn, reason="x", now=clock.now())
    assert asn.status == "active"


def test_reset_two_step_of_a_sekretaris(ctx, factories, operator):
    body, admin = factories.tenant()
    sekretaris = ctx.get(User, factories.user(roles=("sekretaris",), body=body).id)
    auth_ops.regenerate_recovery_codes(ctx, sekretaris, clock.now())
    token = _session_of(ctx, sekretaris)
    ops.reset_two_step(ctx, operator, sekretaris, reason="Ponsel hilang", now=clock.now())
    assert not sekretaris.totp_enabled and sekretaris.totp_secret is None
    assert ctx.scalar(select(func.count()).select_from(RecoveryCode)
                      .where(RecoveryCode.user_id == sekretaris.id)) == 0
    assert auth_ops.load_session(ctx, token, clock.now()).user is None
    entry = _entry(ctx, "account.totp_reset", sekretaris)
    assert entry.actor_id == operator.id and entry.after["reason"] == "Ponsel hilang" and entry.after["had_totp"]
    assert outbox_mails(ctx, "accounts/totp_reset")[-1].recipients == [sekretaris.email]
    asn = ctx.get(User, factories.user(body=body, totp=True).id)
    with pytest.raises(ConflictError):  # an ASN's is reset by the Admin Pengelola
        ops.reset_two_step(ctx, operator, asn, reason="x", now=clock.now())
    with pytest.raises(ConflictError):
        ops.reset_two_step(ctx, operator, operator, reason="x", now=clock.now())
    ctx.get(User, admin.id)
    ops.reset_two_step(ctx, operator, ctx.get(User, admin.id), reason="Ganti ponsel", now=clock.now())
