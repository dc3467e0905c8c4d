"""ASN reports another ASN for penipuan → the verifier substantiates → the pejabat issues the
warning → the user and that body's Sekretaris see it (another body's Sekretaris does not) → the
clock passes the deadline → `flask sep sweep` deactivates → the user cannot sign in → the
Sekretaris requests reactivation → the pejabat reactivates. Driven in Chromium."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sep_portal.abuse.models import WarningLetter
from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import run_sweep, sign_in, submit
from tests.factories import PASSWORD, Factories

pytestmark = pytest.mark.browser




def test_report_warn_deadline_deactivate_reactivate(page, live_server, mailbox):
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        f = Factories(live_server, session)
        body, _admin = f.tenant(name="Pemerintah Kabupaten Jurnal")
        other_body, _ = f.tenant(name="Pemerintah Kota Seberang")
        sekretaris = f.user(roles=("sekretaris",), body=body, name="Sekretaris Jurnal")
        other_sekretaris = f.user(roles=("sekretaris",), body=other_body, name="Sekretaris Seberang")
        reporter = f.user(body=body, name="Pelapor Jujur")
        target = f.user(body=body, name="Penipu Ulung", email="penipu.ulung@jurnal.go.id")
        verifier = f.user(roles=("verifikator",), name="Verifikator Kasus")
        pejabat = f.user(roles=("pejabat",), name="Pejabat Kasus")

    # The ASN reports.
    sign_in(page, reporter)
    page.click("nav a[href='/lapor']")
    page.fill("#target", target.email)
    page.select_option("#category_id", label="Penipuan")
    page.fill("#description", "Meminta transfer Rp5.000.000 atas nama pimpinan lewat disposisi SEP.")
    submit(page, "main form button[type=submit]")
    assert page.locator("#report-received").count() == 1

    # The verifier substantiates.
    sign_in(page, verifier)
    page.goto("/kasus")
    page.click("main table a")
    page.fill("#sub-material", "Disposisi 12 November 2026 meminta transfer uang atas nama pimpinan.")
    submit(page, "form[action$='/benarkan'] button")

    # The pejabat issues the warning.
    sign_in(page, pejabat)
    page.goto("/kasus?status=substantiated")
    page.click("main table a")
    submit(page, "form[action$='/terbitkan'] button")
    with db.bound(live_server).factory() as session:
        warning = session.scalar(select(WarningLetter))
        number, due, warning_id = warning.letter.number, warning.reply_due_at, warning.id

    # The user sees it, with the deadline in WIB and the working days left.
    sign_in(page, target)
    page.click(f"a[href='/peringatan/{warning_id}']")
    text = page.inner_text("main")
    assert "Disposisi 12 November 2026" in text and "1 Desember 2026 23.59 WIB" in text and "hari kerja lagi" in text

    # That body's Sekretaris sees the copy; another body's Sekretaris does not.
    sign_in(page, sekretaris)
    page.goto("/badan")
    assert number in page.inner_text("#inbox-h + p + table")
    sign_in(page, other_sekretaris)
    page.goto("/badan")
    assert number not in page.inner_text("main")

    # Past the deadline the sweep deactivates; the user cannot sign in any more.
    clock.freeze(due + timedelta(minutes=1))
    run_sweep(live_server)
    clock.advance(timedelta(seconds=30))
    page.context.clear_cookies()
    page.goto("/masuk")
    page.fill("#email", target.email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    assert "/masuk" in page.url and page.locator(".alert-danger").count() == 1
    assert "dinonaktifkan" in mailbox.text(target.email, "dinonaktifkan").lower()

    # The Sekretaris requests reactivation; the pejabat reactivates.
    sign_in(page, sekretaris)
    page.goto("/badan/reaktivasi")
    page.select_option("#user_id", label=f"Penipu Ulung ({target.nip})")
    page.fill("#statement", "Yang bersangkutan telah dibina dan menyesali perbuatannya.")
    submit(page, "main form[enctype] button[type=submit]")
    sign_in(page, pejabat)
    page.goto("/reaktivasi")
    page.click("main a:has-text('Penipu Ulung')")
    page.check("input[name='decision'][value='approve']")
    page.fill("#reason", "Pernyataan badan diterima; pelanggaran tetap tercatat.")
    submit(page, "main form button[type=submit]")

    sign_in(page, target)
    assert "Penipu Ulung" in page.inner_text("h1")
