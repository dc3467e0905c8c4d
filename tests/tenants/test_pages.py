"""Tenant pages: isolation on every route, mass assignment, the account list, the Sekretaris'
body page with its tembusan inbox, Ditjen's tenants, and the ASN's own account."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.auth.models import UserSession
from sep_portal.core import clock
from sep_portal.tenants.models import AccountImport, TembusanCopy
from tests.factories import make_nip, sign_in

ACCOUNT_ROUTES = [
    ("get", "/pengelola/akun/{id}"),
    ("post", "/pengelola/akun/{id}/ubah"),
    ("post", "/pengelola/akun/{id}/nonaktifkan"),
    ("post", "/pengelola/akun/{id}/aktifkan"),
    ("post", "/pengelola/akun/{id}/kirim-aktivasi"),
    ("post", "/pengelola/akun/{id}/reset-2fa"),
]


@pytest.fixture
def two_tenants(client, factories):
    mine, admin = factories.tenant()
    theirs, _their_admin = factories.tenant()
    foreign = factories.user(body=theirs, name="Orang Lain", status="pending", totp=True)
    sign_in(client, admin)
    return mine, admin, theirs, foreign


@pytest.mark.parametrize("method, path", ACCOUNT_ROUTES)
def test_another_tenants_account_is_not_found_on_every_route(client, session, two_tenants, method, path):
    _mine, _admin, _theirs, foreign = two_tenants
    before = (foreign.name, foreign.status, foreign.totp_secret)
    data = {"name": "Diubah", "nip": foreign.nip, "email": foreign.email}
    response = getattr(client, method)(path.format(id=foreign.id), data=data)
    assert response.status_code == 404
    session.expire_all()
    after = session.get(User, foreign.id)
    assert (after.name, after.status, after.totp_secret) == before


def test_another_tenants_import_job_and_report_are_not_found(client, session, two_tenants, factories):
    _mine, _admin, theirs, foreign = two_tenants
    from sep_portal.core.storage import StoredFile

    stored = StoredFile(stored_name="x" * 40, original_name="a.csv", kind="csv", content_type="text/csv", size=1,
                        sha256="0" * 64, purpose="import:source")
    session.add(stored)
    session.flush()
    job = AccountImport(body_id=theirs.id, created_by_id=foreign.id, file_id=stored.id, status="checked")
    session.add(job)
    session.commit()
    for path in (f"/pengelola/impor/{job.id}", f"/pengelola/impor/{job.id}/laporan"):
        assert client.get(path).status_code == 404
    assert client.post(f"/pengelola/impor/{job.id}/jalankan").status_code == 404
    session.refresh(job)
    assert job.status == "checked"


def test_mass_assignment_changes_nothing(client, session, two_tenants, factories):
    mine, _admin, theirs, _foreign = two_tenants
    asn = factories.user(body=mine, name="Ani")
    response = client.post(f"/pengelola/akun/{asn.id}/ubah", data={
        "name": "Ani Lestari", "nip": asn.nip, "email": asn.email, "unit": "TU", "position": "Staf",
        "role": "superadmin", "roles": "superadmin", "body_id": str(theirs.id), "tenant_id": str(theirs.id),
        "status": "active", "is_demo": "1"})
    assert response.status_code == 302
    session.expire_all()
    after = session.get(User, asn.id)
    assert after.name == "Ani Lestari" and after.roles == {"asn"} and after.body_id == mine.id
    response = client.post("/pengelola/akun/baru", data={
        "name": "Baru", "nip": make_nip(777), "email": "baru@kab.go.id", "role": "pejabat",
        "body_id": str(theirs.id), "status": "active"})
    assert response.status_code == 302
    created = session.scalar(select(User).where(User.email == "baru@kab.go.id"))
    assert created.roles == {"asn"} and created.body_id == mine.id and created.status == "pending"


def test_an_admin_without_a_tenant_and_other_roles_get_403(client, factories):
    body = factories.body()
    sign_in(client, factories.user(roles=("admin_pengelola",), body=body))  # role, but no open assignment
    assert client.get("/pengelola/akun").status_code == 403
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("asn",), body=body))
    assert client.get("/pengelola/akun").status_code == 403


def test_a_disabled_account_cannot_sign_in_or_use_its_session(client, app, factories, session):
    body, admin = factories.tenant()
    asn = factories.user(body=body, email="ani@kab.go.id")
    asn_client = app.test_client()
    sign_in(asn_client, asn)
    assert asn_client.get("/akun/profil").status_code == 200
    sign_in(client, admin)
    assert client.post(f"/pengelola/akun/{asn.id}/nonaktifkan", data={"reason": "Pindah tugas"}).status_code == 302
    assert asn_client.get("/akun/profil").status_code == 302  # its session ended at once
    response = asn_client.post("/masuk", data={"email": "ani@kab.go.id", "password": "Sangat-Rahasia-2026"})
    assert response.status_code == 200 and "dinonaktifkan oleh Admin Pengelola" in response.get_data(as_text=True)


def test_account_list_searches_filters_and_pages_by_keyset(client, factories, app, monkeypatch,
                                                           assert_constant_queries):
    body, admin = factories.tenant()
    for i in range(7):
        factories.user(body=body, name=f"Pegawai {i:02d}", unit="Bagian Keuangan" if i % 2 else "Bagian Umum")
    factories.user(body=body, name="Zainal Nonaktif", status="disabled")
    sign_in(client, admin)
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 3)
    first = client.get("/pengelola/akun").get_data(as_text=True)
    assert first.count("Pegawai 0") == 3 and "setelah=" in first
    import re

    cursor = re.search(r"setelah=([\w-]+)", first).group(1)
    second = client.get(f"/pengelola/akun?setelah={cursor}").get_data(as_text=True)
    assert "Pegawai 03" in second and "Pegawai 00" not in second
    assert client.get("/pengelola/akun?q=keuangan").get_data(as_text=True).count("Bagian Keuangan") == 3
    assert "Zainal Nonaktif" in client.get("/pengelola/akun?status=disabled").get_data(as_text=True)
    assert_constant_queries("/pengelola/akun")


def test_sekretaris_sees_its_body_and_its_tembusan_only(client, factories, session):
    body, admin = factories.tenant(name="Pemerintah Kota Contoh")
    other, _ = factories.tenant()
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    factories.user(body=body)
    factories.user(body=body, status="disabled")
    mine = TembusanCopy(body_id=body.id, kind="warning_letter", subject="Surat Peringatan SP-001 untuk Andi",
                        summary="Tembusan surat peringatan.")
    theirs = TembusanCopy(body_id=other.id, kind="warning_reply", subject="Balasan dari orang lain")
    session.add_all([mine, theirs])
    session.commit()
    sign_in(client, sekretaris)
    page = client.get("/badan").get_data(as_text=True)
    assert admin.name in page and "Surat Peringatan SP-001" in page and "Balasan dari orang lain" not in page
    assert "1 belum dibaca" in page
    # The inbox opens an unread copy through a POST, which marks it read.
    assert f'action="/badan/tembusan/{mine.id}/dibaca"' in page
    # Showing the copy (a link opened by a mail scanner, a prefetch) marks nothing.
    shown = client.get(f"/badan/tembusan/{mine.id}")
    assert shown.status_code == 200 and "Tandai sudah dibaca" in shown.get_data(as_text=True)
    session.refresh(mine)
    assert mine.read_at is None
    opened = client.post(f"/badan/tembusan/{mine.id}/dibaca")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/badan/tembusan/{mine.id}")
    session.refresh(mine)
    first_read = mine.read_at
    assert first_read is not None and mine.read_by_id == sekretaris.id
    assert "Tandai sudah dibaca" not in client.get(f"/badan/tembusan/{mine.id}").get_data(as_text=True)
    assert "belum dibaca" not in client.get("/badan").get_data(as_text=True)
    clock.advance(timedelta(minutes=5))
    assert client.post(f"/badan/tembusan/{mine.id}/dibaca").status_code == 302
    session.refresh(mine)
    assert mine.read_at == first_read  # the first reading counts
    assert client.get(f"/badan/tembusan/{theirs.id}").status_code == 404
    assert client.get(f"/badan/tembusan/{theirs.id}/berkas").status_code == 404
    assert client.post(f"/badan/tembusan/{theirs.id}/dibaca").status_code == 404
    session.refresh(theirs)
    assert theirs.read_at is None


def test_sekretaris_requests_a_replacement_from_its_body_page(client, factories, session):
    body, _admin = factories.tenant()
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    sign_in(client, sekretaris)
    response = client.post("/badan/penggantian")
    assert response.status_code == 302 and "/permohonan/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "penggantian" in page.lower() and 'id="body_id"' not in page  # the body is fixed
    again = client.post("/badan/penggantian", follow_redirects=True)
    assert "sudah" in again.get_data(as_text=True)


def test_ditjen_lists_tenants_and_a_pejabat_proposes_a_suspension_with_a_reason(client, factories, session):
    body, admin = factories.tenant(name="Pemerintah Kabupaten Tangguh")
    factories.user(body=body)
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, verifier)
    listing = client.get("/ditjen/badan?q=tangguh").get_data(as_text=True)
    assert "Pemerintah Kabupaten Tangguh" in listing and admin.name in listing
    assert client.get(f"/ditjen/badan/{body.id}").status_code == 200
    assert client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": "x"}).status_code == 403
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("pejabat",)))
    client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": ""})
    session.refresh(body)
    assert body.tenant_status == "active"
    client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": "Akun disalahgunakan"})
    session.refresh(body)
    assert body.tenant_status == "active"  # proposed: a second official confirms (tested below)
    assert "Akun disalahgunakan" in client.get(f"/ditjen/badan/{body.id}").get_data(as_text=True)


def test_asn_profile_and_sign_out_everywhere(client, factories, session, app):
    body, _ = factories.tenant(name="Pemerintah Kota Profil")
    asn = factories.user(body=body, unit="Bagian Umum")
    other_device = app.test_client()
    sign_in(other_device, asn)
    clock.advance(timedelta(seconds=30))
    sign_in(client, asn, advance=False)
    page = client.get("/akun/profil").get_data(as_text=True)
    assert asn.nip in page and "Pemerintah Kota Profil" in page and "Bagian Umum" in page
    assert client.post("/akun/keamanan/keluar-di-mana-saja").status_code == 302
    assert session.scalar(select(func.count()).select_from(UserSession).where(
        UserSession.user_id == asn.id, UserSession.revoked_at.is_(None))) == 0
    assert client.get("/akun/profil").status_code == 302
    assert other_device.get("/akun/profil").status_code == 302


def test_body_page_needs_a_body(client, factories):
    sign_in(client, factories.user(roles=("sekretaris",)))
    assert client.get("/badan").status_code == 404


def test_ditjen_tenant_list_page_two_keeps_the_filters_and_queries_stay_constant(client, factories, app, monkeypatch,
                                                                                assert_constant_queries):
    for i in range(5):
        body, _admin = factories.tenant(name=f"Pemerintah Kota Halaman {i}")
        factories.user(body=body)
    factories.tenant(name="Pemerintah Kabupaten Lain")
    sign_in(client, factories.user(roles=("verifikator",)))
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    first = client.get("/ditjen/badan?q=halaman&status=active").get_data(as_text=True)
    assert "5 badan" in first and "Halaman 1 dari 3" in first
    assert 'href="/ditjen/badan?q=halaman&amp;status=active&amp;page=2"' in first
    second = client.get("/ditjen/badan?q=halaman&status=active&page=2").get_data(as_text=True)
    assert "Pemerintah Kota Halaman 2" in second and "Pemerintah Kabupaten Lain" not in second
    assert 'value="halaman"' in second
    assert_constant_queries("/ditjen/badan?status=all")


def test_account_list_next_page_keeps_search_and_status(client, factories, app, monkeypatch):
    body, admin = factories.tenant()
    for i in range(4):
        factories.user(body=body, name=f"Pegawai Keuangan {i}", unit="Keuangan")
    sign_in(client, admin)
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    import re

    first = client.get("/pengelola/akun?q=keuangan&status=active").get_data(as_text=True)
    link = re.search(r'href="(/pengelola/akun\?[^"]*setelah=[^"]+)"', first).group(1).replace("&amp;", "&")
    assert "q=keuangan" in link and "status=active" in link
    second = client.get(link).get_data(as_text=True)
    assert "Pegawai Keuangan 2" in second and "Pegawai Keuangan 0" not in second
    assert "Halaman pertama" in second or "First page" in second


def test_a_suspension_without_a_reason_shows_the_form_again(client, factories, session):
    body, _admin = factories.tenant()
    sign_in(client, factories.user(roles=("pejabat",)))
    response = client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": ""})
    assert response.status_code == 422 and 'aria-invalid="true"' in response.get_data(as_text=True)
    session.refresh(body)
    assert body.tenant_status == "active"
    again = client.post(f"/ditjen/badan/{body.id}/pulihkan", data={"reason": "Tidak ditangguhkan"})
    assert again.status_code == 409  # only a suspended tenant is reactivated: the page again, with the message
    assert "Hanya tenant yang ditangguhkan" in again.get_data(as_text=True)


def test_an_import_that_is_not_checked_is_not_started(client, session, factories):
    from sep_portal.core.storage import StoredFile

    body, admin = factories.tenant()
    stored = StoredFile(stored_name="w" * 40, original_name="a.csv", kind="csv", content_type="text/csv", size=1,
                        sha256="0" * 64, purpose="import:source")
    session.add(stored)
    session.flush()
    job = AccountImport(body_id=body.id, created_by_id=admin.id, file_id=stored.id, status="invalid")
    session.add(job)
    session.commit()
    sign_in(client, admin)
    response = client.post(f"/pengelola/impor/{job.id}/jalankan", follow_redirects=True)
    assert response.status_code == 200 and "tidak dapat dimulai" in response.get_data(as_text=True)
    session.refresh(job)
    assert job.status == "invalid"


@pytest.mark.parametrize("feature", ["tenants", "api"])
def test_the_views_do_not_query_or_filter_by_tenant_by_hand(feature):
    from pathlib import Path

    import sep_portal

    source = (Path(sep_portal.__file__).parent / feature / "views.py").read_text()
    assert source.count("select(") == 0 and "body_id ==" not in source


def test_disabling_an_account_asks_for_a_reason_and_tells_the_person(client, session, factories):
    from sep_portal.core.audit import AuditEntry
    from tests.factories import outbox_mails

    body, admin = factories.tenant()
    asn = factories.user(body=body, name="Ani Lestari")
    sign_in(client, admin)
    page = client.get(f"/pengelola/akun/{asn.id}").get_data(as_text=True)
    assert 'name="reason"' in page and "Nonaktifkan akun" in page
    refused = client.post(f"/pengelola/akun/{asn.id}/nonaktifkan", data={"reason": "  "})
    assert refused.status_code == 422 and "wajib diisi" in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, asn.id).status == "active" and not outbox_mails(session, "tenants/account_disabled")

    assert client.post(f"/pengelola/akun/{asn.id}/nonaktifkan", data={"reason": "Cuti di luar tanggungan"}
                       ).status_code == 302
    session.expire_all()
    assert session.get(User, asn.id).status == "disabled"
    (mail,) = outbox_mails(session, "tenants/account_disabled")
    assert mail.recipients == [asn.email] and "Cuti di luar tanggungan" in mail.body_text
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.disabled"))
    assert entry.after["reason"] == "Cuti di luar tanggungan"

    page = client.get(f"/pengelola/akun/{asn.id}").get_data(as_text=True)
    assert "Aktifkan akun" in page
    assert client.post(f"/pengelola/akun/{asn.id}/aktifkan", data={"reason": ""}).status_code == 422
    assert client.post(f"/pengelola/akun/{asn.id}/aktifkan", data={"reason": "Kembali bertugas"}).status_code == 302
    session.expire_all()
    assert session.get(User, asn.id).status == "active"
    (mail,) = outbox_mails(session, "tenants/account_enabled")
    assert mail.recipients == [asn.email] and "Kembali bertugas" in mail.body_text
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "account.enabled"))
    assert entry.after["reason"] == "Kembali bertugas"


def test_suspending_a_tenant_through_the_pages_takes_two_officials(client, app, session, factories):
    from sep_portal.tenants.models import TenantStatusChange
    from tests.factories import outbox_mails

    body, admin = factories.tenant()
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    first = factories.user(roles=("pejabat",), name="Pak Pengusul")
    second = factories.user(roles=("pejabat",), name="Bu Penyetuju")
    sign_in(client, first)
    refused = client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": ""})
    assert refused.status_code == 422 and "wajib diisi" in refused.get_data(as_text=True)
    assert client.post(f"/ditjen/badan/{body.id}/tangguhkan", data={"reason": "Audit keamanan"}).status_code == 302
    page = client.get(f"/ditjen/badan/{body.id}").get_data(as_text=True)
    assert "menunggu konfirmasi" in page and "Pak Pengusul" in page and "Audit keamanan" in page
    change = session.scalar(select(TenantStatusChange))
    url = f"/ditjen/badan/{body.id}/usulan/{change.id}"
    assert client.post(f"{url}/setujui").status_code == 422  # never one's own (the message on the form)
    session.expire_all()
    assert session.get(type(body), body.id).tenant_status == "active"
    assert not outbox_mails(session, "tenants/tenant_suspended")

    other = app.test_client()
    sign_in(other, second)
    work = other.get("/tugas").get_data(as_text=True)
    assert f"/ditjen/badan/{body.id}" in work and body.name in work
    assert other.post(f"{url}/setujui").status_code == 302
    session.expire_all()
    assert session.get(type(body), body.id).tenant_status == "suspended"
    mails = outbox_mails(session, "tenants/tenant_suspended")
    assert sorted(m.recipients[0] for m in mails) == sorted([sekretaris.email, admin.email])
    assert all("Audit keamanan" in m.body_text and "/tiket/publik" in m.body_text for m in mails)
    assert body.name not in other.get("/tugas").get_data(as_text=True)  # done: gone from the list
