"""Register as Sekretaris → verify the e-mail (link read from the SMTP server) → enrol TOTP →
sign out → sign in with password and TOTP. Driven in Chromium."""
from datetime import timedelta

import pyotp
import pytest

from sep_portal.core import clock
from tests.browser.conftest import run_sweep

pytestmark = pytest.mark.browser

EMAIL = "sekretaris.journey@kabuji.go.id"
PASSWORD = "Teh-Manis-Hangat-2026"


def test_register_verify_enrol_sign_out_sign_in(page, live_server, mailbox):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "id"
    page.click("a[href='/daftar']")

    # Every field is reachable by its label (accessibility), in Indonesian.
    page.fill("#name", "Dra. Sri Wahyuni, M.Si.")
    page.fill("#nip", "197204121998032001")
    page.fill("#position", "Sekretaris Daerah")
    page.fill("#organisation", "Pemerintah Kabupaten Uji Jalan")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    for field in ("name", "nip", "position", "organisation", "email", "password", "password_confirm"):
        assert page.locator(f"label[for={field}]").count() == 1
    page.click("form.form-grid button[type=submit]")
    page.wait_for_url("**/daftar/periksa-email")

    # The sweep delivers the outbox to the real SMTP server; the link is read from the mail.
    run_sweep(live_server)
    link = mailbox.link(EMAIL, "/verifikasi/")
    page.goto(link)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk")
    assert page.locator(".alert-success").count() == 1

    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk/daftarkan-2fa")
    assert page.locator(".qr svg").count() == 1
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("main form button[type=submit]")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    # The codes go home as a text file, once, from the page that shows them.
    with page.expect_download() as download:
        page.click("main a[download]")
    saved = open(download.value.path(), encoding="utf-8").read()
    assert all(code in saved for code in codes)
    page.click("#codes-saved")
    page.wait_for_url("**/dasbor")
    assert "Dra. Sri Wahyuni" in page.inner_text("h1")

    page.click(".user-box button[type=submit]")
    page.wait_for_url("**/masuk")
    page.goto("/dasbor")
    assert "/masuk" in page.url  # signed out for real

    # Sign in again: the enrolment code cannot be reused, so the next 30-second step is needed.
    clock.advance(timedelta(seconds=30))
    page.goto("/masuk")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk/kode")
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dasbor")
    assert page.locator("#role-sekretaris").count() == 1
