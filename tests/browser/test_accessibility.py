"""axe-core (from the npm registry, injected by Playwright) on the main pages of every role and on
every form, in Chromium: no serious or critical violation. And the check itself: it fails on a
page with a field that lost its label."""
from __future__ import annotations

from datetime import datetime

import pytest

from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import assert_accessible, axe_violations, sign_in
from tests.factories import Factories

pytestmark = pytest.mark.browser

PUBLIC = ["/", "/masuk", "/daftar", "/kata-sandi/lupa", "/tiket/publik", "/bantuan", "/layanan", "/sop"]
SIGNED_IN = ["/dasbor", "/tugas", "/akun/profil", "/akun/keamanan", "/akun/notifikasi", "/tiket", "/tiket/baru",
             "/lapor", "/bimtek", "/peringatan"]
BY_ROLE = {
    "sekretaris": ["/permohonan", "/badan", "/badan/reaktivasi"],
    "admin_pengelola": ["/pengelola/akun", "/pengelola/akun/baru", "/pengelola/impor"],
    "verifikator": ["/antrean", "/kasus", "/ditjen/badan"],
    "pejabat": ["/antrean?status=complete", "/kasus?status=substantiated", "/reaktivasi"],
    "helpdesk": ["/helpdesk", "/bantuan/kelola/artikel", "/bantuan/kelola/artikel/baru", "/bimtek/kelola",
                 "/ditjen/helpdesk"],
    "superadmin": ["/admin/kalender", "/admin/audit", "/admin/kotak-keluar", "/admin/api", "/admin/kategori",
                   "/admin/layanan"],
}


def _check(page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        problems.extend(f"{path}: {p}" for p in axe_violations(page))
    return problems


def test_the_check_fails_on_a_field_without_its_label(page, live_server):
    page.goto("/masuk")
    assert axe_violations(page) == []
    page.evaluate("document.querySelector('label[for=email]').remove()")
    assert any(v.startswith("label (critical)") for v in axe_violations(page)), axe_violations(page)


def test_public_pages_and_a_form_with_its_errors(page, live_server):
    problems = _check(page, PUBLIC)
    page.goto("/daftar")
    page.click("main form button[type=submit]")  # everything empty: every field says what is wrong
    page.wait_for_load_state()
    assert page.locator(".alert-danger, .error").count() > 0
    problems.extend(f"/daftar (errors): {p}" for p in axe_violations(page))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", sorted(BY_ROLE) + ["asn"])
def test_every_role_s_main_pages_and_forms(page, live_server, role):
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=clock.WIB))
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        f = Factories(live_server, session)
        # Something on each list: an application, a case, a ticket of the person's own.
        sekretaris = f.user(roles=("sekretaris",), name=f"Sekretaris Aksesibel {role}")
        application_id = f.application(stage="recommended", applicant=sekretaris).id
        f.case(status="substantiated")
        body, admin = f.tenant(name=f"Pemerintah Kota Aksesibel {role}")
        person = {"admin_pengelola": admin}.get(role) or f.user(
            roles=(role,), body=body if role in ("sekretaris", "asn") else None)
        if role == "sekretaris":  # and a draft application of her own
            application_id = f.application(stage="draft", applicant=person).id
        ticket_id = f.ticket(status="new", requester=person).id
        session.refresh(person)
    sign_in(page, person)
    extra = [f"/tiket/{ticket_id}"]
    if role in ("sekretaris", "verifikator", "pejabat"):
        extra.append(f"/permohonan/{application_id}")
    problems = _check(page, SIGNED_IN + BY_ROLE.get(role, []) + extra)
    assert not problems, "\n".join(problems)
    assert_accessible(page)
