"""The whole permohonan in Chromium: the Sekretaris applies with real PDF/PNG files → the verifier
returns it → the Sekretaris replaces a document → the verifier declares it complete (due date
shown) and recommends → the pejabat approves → the Admin Pengelola activates from the e-mailed
link, enrols TOTP and signs in; the decision letter PDF downloads and its verification page
confirms it."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.extensions import db
from sep_portal.tenants.models import Body
from tests.browser.conftest import run_sweep, sign_in
from tests.factories import Factories, pdf_bytes, png_bytes

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "rahmat.admin@bogorkab.go.id"
ADMIN_PASSWORD = "Kopi-Tubruk-Bogor-2026"


def _submit(page, selector):
    """Click a form's button and wait for the page it leads to (often the same URL again)."""
    try:
        with page.expect_navigation():
            page.click(selector)
    except Exception:
        page.screenshot(path="/tmp/journey-fail.png", full_page=True)
        raise
    assert page.locator(".alert-danger").count() == 0, page.inner_text("main")


def _sign_out(page):
    page.click(".user-box button[type=submit]")
    page.wait_for_url("**/masuk")


def test_apply_return_complete_approve_activate(page, live_server, mailbox, tmp_path):
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        factories = Factories(live_server, session)
        sekretaris = factories.user(roles=("sekretaris",), name="Drs. Bambang Sekretaris", locale="id")
        verifier = factories.user(roles=("verifikator",), name="Verifikator Satu")
        pejabat = factories.user(roles=("pejabat",), name="Dr. Pejabat Pemutus")
        body = session.scalar(select(Body).where(Body.code == "32.01"))  # from the reference list
        assert body is not None and body.name == "Pemerintah Kabupaten Bogor"

    kuasa = tmp_path / "surat-kuasa.pdf"
    kuasa.write_bytes(pdf_bytes("Surat kuasa", pages=2))
    kpns = tmp_path / "kpns.png"
    kpns.write_bytes(png_bytes((640, 400)))

    # -- the Sekretaris applies ---------------------------------------------------------------
    sign_in(page, sekretaris)
    page.click("main a[href='/permohonan']")
    page.click("main form[action='/permohonan/baru'] button")
    page.wait_for_url(re.compile(r".*/permohonan/\d+$"))
    application_url = page.url
    assert page.locator(".stepper [aria-current=step] .step-label").inner_text() == "Data"
    # The body from the searchable picker: typing filters the 600-odd options to the few that match.
    page.fill("#body_id-search", body.name.split()[-1])
    assert "cocok" in page.inner_text("#body_id-count")
    visible = page.eval_on_selector_all("#body_id option", "os => os.filter(o => o.value && !o.hidden).length")
    assert 1 <= visible < 10
    page.select_option("#body_id", str(body.id))
    page.fill("#admin_name", "Rahmat Hidayat, S.Kom.")
    page.fill("#admin_nip", "198703152010121002")
    page.fill("#admin_email", ADMIN_EMAIL)
    page.fill("#admin_position", "Pranata Komputer Ahli Muda")
    # The documents go with the data in one form: choosing a file never costs what was typed.
    page.set_input_files("#surat_kuasa", str(kuasa))
    page.check("input[name='identity_doc_type'][value='kpns']")
    page.set_input_files("#identity_file", str(kpns))
    page.click("#documents button[type=submit]")
    page.wait_for_url("**#data")
    assert page.input_value("#admin_name") == "Rahmat Hidayat, S.Kom."
    assert page.locator(".stepper [aria-current=step] .step-label").inner_text() == "Ajukan"
    _submit(page, "form[action$='/ajukan'] button")
    assert page.locator(".badge-status").inner_text() == "Diajukan"
    _sign_out(page)

    # -- the verifier returns it ------------------------------------------------------------------
    sign_in(page, verifier)
    page.goto("/antrean")
    page.click(f"main a[href='/{application_url.split('/', 3)[3]}']")
    assert page.locator("iframe.preview").count() == 2
    frame = page.frame_locator("iframe.preview").first
    assert frame.locator("img").count() == 2  # both pages of the surat kuasa, as pictures
    page.check("input[name='ret-missing'][value='surat_kuasa']")
    page.fill("#ret-message", "Surat kuasa belum ditandatangani dan dicap.")
    _submit(page, "form[action$='/kembalikan'] button")
    _sign_out(page)

    # -- the Sekretaris replaces the surat kuasa and resubmits ------------------------------------
    run_sweep(live_server)
    assert "Surat kuasa belum ditandatangani" in mailbox.text(sekretaris.email, "dilengkapi")
    sign_in(page, sekretaris)
    page.goto(application_url)
    assert "Surat kuasa belum ditandatangani dan dicap." in page.inner_text("#returned-h + .alert")
    kuasa.write_bytes(pdf_bytes("Surat kuasa bertanda tangan"))
    page.set_input_files("#surat_kuasa", str(kuasa))
    page.click("#documents button[type=submit]")
    page.wait_for_url("**#data")
    _submit(page, "form[action$='/ajukan'] button")
    assert page.locator("table tr.muted").count() == 1  # the first version is kept, marked replaced
    _sign_out(page)

    # -- the verifier declares it complete and recommends --------------------------------------
    sign_in(page, verifier)
    page.goto(application_url)
    assert "30 November 2026 23.59 WIB" in page.inner_text("form[action$='/lengkap']")
    _submit(page, "form[action$='/lengkap'] button")
    summary = page.inner_text("section[aria-labelledby='summary-h']")
    assert "30 November 2026 23.59 WIB" in summary and "4 hari kerja lagi" in summary
    page.check("input[name='rec-recommendation'][value='approve']")
    page.fill("#rec-note", "Dokumen lengkap dan sah.")
    _submit(page, "form[action$='/rekomendasi'] button")
    _sign_out(page)

    # -- the pejabat approves -------------------------------------------------------------------
    sign_in(page, pejabat)
    page.goto("/antrean?status=complete")
    assert "Pemerintah Kabupaten Bogor" in page.inner_text("main table")
    page.goto(application_url)
    _submit(page, "form[action$='/setujui'] button")
    assert page.locator(".badge-status").inner_text() == "Disetujui"
    with page.expect_download() as download:
        page.click("a[href$='/surat']")
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    _sign_out(page)

    # The letter's verification page (linked by the QR code) confirms number and hash.
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    text = "".join(document[0].get_textpage().get_text_range().split())
    verify_path = re.search(r"/surat/([0-9a-f]{24})", text).group(0)
    number = re.search(r"B-\d{4}/DJAI/SEP\.01/11/2026", text).group(0)
    page.goto(verify_path)
    confirmed = page.inner_text("main")
    assert number in confirmed and "24 November 2026" in confirmed
    assert hashlib.sha256(pdf).hexdigest() in page.text_content("main code.hash")
    # Whoever holds the PDF drops it on the page and is told it is the very document.
    page.set_input_files("#file", download.value.path())
    _submit(page, "main form[enctype] button")
    assert "tidak diubah" in page.inner_text("main [role=status] >> nth=-1")

    # -- the Admin Pengelola activates, enrols TOTP and signs in -----------------------------------
    run_sweep(live_server)
    page.goto(mailbox.link(ADMIN_EMAIL, "/aktivasi/"))
    page.fill("#password", ADMIN_PASSWORD)
    page.fill("#password_confirm", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk/daftarkan-2fa")
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("main form button[type=submit]")
    assert page.locator("#recovery-codes code").count() == 10
    page.click("#codes-saved")
    page.wait_for_url("**/dasbor")
    assert page.locator("#role-admin_pengelola").count() == 1
    _sign_out(page)

    clock.advance(timedelta(seconds=30))
    page.goto("/masuk")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/masuk/kode")
    page.fill("#code", pyotp.TOTP(secret).at(clock.now()))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/dasbor")
    assert "Rahmat Hidayat" in page.inner_text("h1")
