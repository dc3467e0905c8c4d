"""The service catalogue, one feature of the helpdesk: its operations (with their audit), its public
pages with the standar pelayanan and the SLA targets (/layanan), and the operator's pages
(/admin/layanan), all at the addresses they had under the knowledge base."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import DomainError, NotPermitted
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk.models import HelpdeskService, SlaTarget
from tests.factories import sign_in


@pytest.fixture
def people(ctx, factories):
    users = {name: factories.user(roles=roles) for name, roles in
             (("agent", ("helpdesk",)), ("admin", ("superadmin",)))}
    return {name: ctx.get(User, u.id) for name, u in users.items()}


def _actions(ctx, action, actor):
    return ctx.scalars(select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor_id == actor.id)
                       .order_by(AuditEntry.seq)).all()


def test_the_operator_edits_the_service_standard_with_audit(ctx, people):
    service = ctx.scalar(select(HelpdeskService).where(HelpdeskService.code == "data"))
    fields = {k: getattr(service, k) for k in ops.SERVICE_FIELDS} | {"cost": "", "time_limit": "3 hari kerja."}
    ops.update_service(ctx, people["admin"], service.id, fields, now=clock.now())
    assert service.cost is None and service.time_limit == "3 hari kerja."
    entry = _actions(ctx, "helpdesk.service_updated", people["admin"])[0]
    assert entry.before["cost"] == "Tidak dipungut biaya." and entry.before["time_limit"].startswith("Sesuai target")
    assert entry.after == {"cost": None, "time_limit": "3 hari kerja."}  # only what changed
    with pytest.raises(DomainError) as error:
        ops.update_service(ctx, people["admin"], service.id, fields | {"name": " "}, now=clock.now())
    assert error.value.field == "name"


def test_only_the_operator_changes_the_catalogue(ctx, people):
    with pytest.raises(NotPermitted):
        ops.update_service(ctx, people["agent"], 1, {"name": "x", "description": "y"}, now=clock.now())
    with pytest.raises(NotPermitted):
        ops.create_service(ctx, people["agent"], code="x", name="X", description="x")
    with pytest.raises(NotPermitted):
        ops.set_service_active(ctx, people["agent"], 1, False)
    with pytest.raises(DomainError) as error:
        ops.create_service(ctx, people["admin"], code="Bukan Kode", name="X", description="x")
    assert error.value.field == "code"


def test_a_service_switched_off_is_seen_only_by_the_operator(ctx, people):
    service = ctx.scalar(select(HelpdeskService).where(HelpdeskService.code == "data"))
    assert service.can_view(people["agent"]) and service.can_view(None)
    ops.set_service_active(ctx, people["admin"], service.id, False)
    assert not service.can_view(people["agent"]) and not service.can_view(None)
    assert service.can_view(people["admin"])
    assert [e.after for e in _actions(ctx, "helpdesk.service_switched", people["admin"])] == [{"active": False}]


def test_the_catalogue_pages_are_the_helpdesks_at_the_same_addresses(app):
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["helpdesk.services"] == "/layanan" and rules["helpdesk.service"] == "/layanan/<code>"
    assert rules["helpdesk.manage_services"] == "/admin/layanan"
    assert rules["helpdesk.edit_service"] == "/admin/layanan/<code>"
    assert rules["helpdesk.switch_service"] == "/admin/layanan/<code>/<any(aktifkan, nonaktifkan):action>"
    assert not [e for e in rules if e.startswith("knowledge.") and "service" in e]


def test_the_service_page_shows_the_standard_and_the_sla_targets(client):
    listing = client.get("/layanan").get_data(as_text=True)
    for code in ("sep-aplikasi", "aktivasi-akun", "kata-sandi-2fa", "data"):
        assert f"/layanan/{code}" in listing
    page = client.get("/layanan/aktivasi-akun").get_data(as_text=True)
    assert "Standar pelayanan" in page and "Tidak dipungut biaya." in page
    assert "Akun telah didaftarkan oleh Admin Pengelola instansi." in page  # requirements
    assert "Akun SEP yang aktif dan dapat digunakan untuk masuk." in page  # product
    assert "formulir tiket helpdesk" in page and "helpdesk-sep@kominfo.go.id" in page  # complaints
    assert "Direktorat Jenderal Aplikasi Informatika" in page and "99,5% per bulan" in page
    # General targets (working minutes 30/240, 60/480, 240/1530, 480/2550) in working hours.
    for text in ("30 menit kerja", "4 jam kerja", "1 jam kerja", "8 jam kerja", "25,5 jam kerja", "42,5 jam kerja"):
        assert text in page, text
    assert "Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB" in page  # SEP_WORKING_HOURS
    assert client.get("/layanan/tidak-ada").status_code == 404


def test_a_service_specific_target_replaces_the_general_one(client, session):
    service = session.scalar(select(HelpdeskService).where(HelpdeskService.code == "data"))
    session.add(SlaTarget(service_id=service.id, priority=1, first_response_minutes=15, resolution_minutes=120))
    session.commit()
    page = client.get("/layanan/data").get_data(as_text=True)
    assert "15 menit kerja" in page and "2 jam kerja" in page and "30 menit kerja" not in page
    assert "30 menit kerja" in client.get("/layanan/sep-aplikasi").get_data(as_text=True)


def test_only_the_operator_edits_a_service(client, session, factories):
    sign_in(client, factories.user(roles=("helpdesk",)))
    assert client.get("/admin/layanan/data").status_code == 403
    client.post("/keluar")
    sign_in(client, factories.user(roles=("superadmin",)))
    form = client.get("/admin/layanan/data")
    assert form.status_code == 200 and "Persyaratan" in form.get_data(as_text=True)
    response = client.post("/admin/layanan/data", data={"name": "Masalah data", "description": "Data keliru.",
                                                        "cost": "", "time_limit": "Paling lama 3 hari kerja."})
    assert response.status_code == 302
    service = session.scalar(select(HelpdeskService).where(HelpdeskService.code == "data"))
    session.refresh(service)
    assert service.time_limit == "Paling lama 3 hari kerja." and service.cost is None
    page = client.get("/layanan/data").get_data(as_text=True)
    assert "Paling lama 3 hari kerja." in page and "Tidak dipungut biaya." in page
    assert client.post("/admin/layanan/data", data={"name": "", "description": "x"}).status_code == 422
