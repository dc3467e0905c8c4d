"""Tenant codes in words: every status, kind and role has its label, and the pages that showed raw
codes (the account list's roles, the tenant's kind, its history) show words."""
from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import force_locale

from sep_portal.accounts.models import ACCOUNT_STATUSES
from sep_portal.core import clock
from sep_portal.core.permissions import ROLE_LABELS, ROLES, role_label
from sep_portal.tenants import labels
from sep_portal.tenants.models import BODY_KINDS, IMPORT_STATUSES, TEMBUSAN_KINDS, TENANT_STATUSES
from tests.factories import sign_in


def test_every_code_has_words():
    assert set(labels.ACCOUNT_STATUS_LABELS) == set(ACCOUNT_STATUSES)
    assert set(labels.TENANT_STATUS_LABELS) == set(TENANT_STATUSES)
    assert set(labels.BODY_KIND_LABELS) == set(BODY_KINDS)
    assert set(labels.IMPORT_STATUS_LABELS) == set(IMPORT_STATUSES)
    assert set(labels.TEMBUSAN_KIND_LABELS) == set(TEMBUSAN_KINDS)
    assert set(ROLE_LABELS) == set(ROLES)


def test_labels_are_indonesian_on_indonesian_pages(ctx):
    with force_locale("id"):
        assert labels.body_kind_label("kabupaten") == "Kabupaten"
        assert labels.import_status_label("queued_check") == labels.import_status_label("checking")
        assert role_label("admin_pengelola") == "Admin Pengelola" and role_label("pejabat") == "Pejabat pemutus"
        assert labels.account_status_label("disabled") == "Dinonaktifkan oleh admin"
        assert labels.account_status_label("unknown") == "unknown"  # shown, not a failed page


def test_the_account_list_shows_roles_in_words(client, factories):
    body, admin = factories.tenant()
    factories.user(roles=("sekretaris",), body=body, name="Sekretaris Badan")
    sign_in(client, admin)
    page = client.get("/pengelola/akun").get_data(as_text=True)
    assert "(Admin Pengelola)" in page and "(Sekretaris Badan Pemerintahan)" in page
    assert "admin_pengelola" not in page and "(sekretaris)" not in page


def test_the_tenant_page_shows_its_kind_and_history_in_words(client, app, factories, session):
    body, _admin = factories.tenant(name="Pemerintah Kabupaten Riwayat")
    pejabat = factories.user(roles=("pejabat",), name="Bu Pejabat Pemutus")
    factories.tenant_status_change(body, reason="Akun dipakai bersama", confirmer=pejabat)
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("verifikator",)))
    page = client.get(f"/ditjen/badan/{body.id}").get_data(as_text=True)
    assert "Jenis badan" in page and "Kabupaten" in page and "Jenis kabupaten" not in page
    history = page[page.index("Riwayat</h2>"):]
    assert "Tenant ditangguhkan" in history and "tenant.suspended" not in history
    assert "Bu Pejabat Pemutus" in history and not re.search(r"user:\d+", history)
    assert "Status: Tenant aktif → Ditangguhkan" in history and "Alasan: Akun dipakai bersama" in history
    assert "{" not in history and "tenant_status" not in history


def test_import_statuses_in_words(client, factories, session):
    from sep_portal.core.storage import StoredFile
    from sep_portal.tenants.models import AccountImport

    body, admin = factories.tenant()
    stored = StoredFile(stored_name="v" * 40, original_name="a.csv", kind="csv", content_type="text/csv", size=1,
                        sha256="0" * 64, purpose="import:source")
    session.add(stored)
    session.flush()
    for status in ("checked", "invalid", "imported", "failed"):
        session.add(AccountImport(body_id=body.id, created_by_id=admin.id, file_id=stored.id, status=status))
    session.commit()
    sign_in(client, admin)
    page = client.get("/pengelola/impor").get_data(as_text=True)
    for words in ("Sudah diperiksa: siap diimpor", "Gagal"):
        assert words in page
    for code in ("checked", "invalid", "imported", "failed"):
        assert f">{code}<" not in page
