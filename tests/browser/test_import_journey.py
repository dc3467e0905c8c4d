"""The Admin Pengelola imports a CSV with one bad row → reads the per-row report → fixes the file
→ imports (in the background, with progress) → a new ASN activates the account from the e-mail
and signs in. Driven in Chromium."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import run_sweep
from tests.factories import PASSWORD, Factories

pytestmark = pytest.mark.browser

ROWS = [
    ("198205142008012003", "Ratna Sari", "ratna.sari@kotauji.go.id", "Bagian Umum", "Analis"),
    ("198811302012121004", "Yusuf Maulana", "yusuf.maulana@kotauji.go.id", "Bagian Keuangan", "Bendahara"),
    ("199003082015032005", "Lina Marlina", "lina.marlina@kotauji.go.id", "Bagian Umum", "Staf"),
]
BAD = ("19900308201503", "Nip Terpotong", "nip.terpotong@kotauji.go.id", "Bagian Umum", "Staf")
FIXED = ("199104192016021006", "Nip Terpotong", "nip.terpotong@kotauji.go.id", "Bagian Umum", "Staf")


def _csv(rows) -> str:
    return "nip,nama,email,unit_kerja,jabatan\n" + "".join(",".join(r) + "\n" for r in rows)


def test_import_with_a_bad_row_fix_import_and_activate(page, live_server, mailbox, tmp_path):
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        factories = Factories(live_server, session)
        _body, admin = factories.tenant(name="Pemerintah Kota Uji Impor")

    clock.advance(timedelta(seconds=30))
    page.goto("/masuk")
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.fill("#code", pyotp.TOTP(admin.totp_secret).at(clock.now()))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dasbor")

    # 1. A file with one bad row: the check names the row and creates nothing.
    page.click("nav a[href='/pengelola/impor']")
    bad_file = tmp_path / "akun.csv"
    bad_file.write_text(_csv([*ROWS, BAD]), encoding="utf-8")
    page.set_input_files("#file", str(bad_file))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("#problems", timeout=30000)  # the page refreshes itself until the check ends
    problems = page.inner_text("#problems tbody")
    assert "5" in problems and "nip" in problems and "18" in problems  # row 5: a NIP has 18 digits
    assert page.inner_text("#error-rows") == "1"
    with page.expect_download() as report:
        page.click("a[href$='/laporan']")
    assert "GALAT" in open(report.value.path(), encoding="utf-8-sig").read()
    assert page.locator("form[action$='/jalankan']").count() == 0  # nothing to import

    # 2. The fixed file: checked clean, then imported all at once in the background.
    page.goto("/pengelola/impor")
    good_file = tmp_path / "akun-perbaikan.csv"
    good_file.write_text(_csv([*ROWS, FIXED]), encoding="utf-8")
    page.set_input_files("#file", str(good_file))
    page.click("main form[enctype] button[type=submit]")
    try:
        page.wait_for_selector("form[action$='/jalankan'] button", timeout=30000)
    except Exception:
        print("PAGE:", page.url, page.inner_text("main"))
        raise
    page.click("form[action$='/jalankan'] button")
    page.wait_for_selector("#imported-rows", timeout=30000)
    assert page.inner_text("#imported-rows") == "4"
    page.goto("/pengelola/akun?q=ratna")
    assert "Ratna Sari" in page.inner_text("main table") and "Belum diaktifkan" in page.inner_text("main table")
    page.click(".user-box button[type=submit]")
    page.wait_for_url("**/masuk")

    # 3. A new ASN activates from the e-mail and signs in.
    run_sweep(live_server)
    page.goto(mailbox.link("yusuf.maulana@kotauji.go.id", "/aktivasi/"))
    assert "Yusuf Maulana" in page.inner_text("main")
    page.fill("#password", "Sate-Padang-Enak-2026")
    page.fill("#password_confirm", "Sate-Padang-Enak-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk")
    page.fill("#email", "yusuf.maulana@kotauji.go.id")
    page.fill("#password", "Sate-Padang-Enak-2026")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dasbor")
    assert "Yusuf Maulana" in page.inner_text("h1")
