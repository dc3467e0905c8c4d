"""An agent schedules a bimtek → an ASN registers → the session starts → the agent records
attendance → the ASN downloads the certificate of attendance (PDF). Driven in Chromium."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from sep_portal.bimtek.models import BimtekSession
from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import sign_in, submit
from tests.factories import Factories

pytestmark = pytest.mark.browser




def test_register_attend_and_download_the_certificate(page, live_server, mailbox):
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        f = Factories(live_server, session)
        body, _admin = f.tenant(name="Pemerintah Kabupaten Bimtek")
        asn = f.user(body=body, name="Rina Peserta Bimtek", email="rina.peserta@bimtek.go.id")
        agent = f.user(roles=("helpdesk",), name="Agen Helpdesk")

    # The agent schedules a session for Thursday morning.
    sign_in(page, agent)
    page.goto("/bimtek/kelola")
    page.fill("#topic", "Pengelolaan Surat Masuk di SEP")
    page.fill("#description", "Registrasi, disposisi dan pengarsipan surat masuk.")
    page.fill("#date", "2026-11-26")
    page.fill("#start_time", "09:00")
    page.fill("#end_time", "11:30")
    page.check("input[name='mode'][value='online']")
    page.fill("#online_url", "https://vicon.kominfo.go.id/bimtek-surat-masuk")
    page.fill("#capacity", "30")
    submit(page, "#new-session button[type=submit]")
    assert "Sesi telah dijadwalkan" in page.inner_text("main")

    # The ASN finds it through the menu and registers.
    sign_in(page, asn)
    page.click("nav a[href='/bimtek']")
    page.click("main a:has-text('Pengelolaan Surat Masuk di SEP')")
    submit(page, "form[action$='/daftar'] button")
    assert "Anda telah terdaftar" in page.inner_text("main")
    assert "https://vicon.kominfo.go.id/bimtek-surat-masuk" in page.inner_text("main")
    with db.bound(live_server).factory() as session:
        bimtek_id = session.scalar(select(BimtekSession.id))

    # The session has started; the agent ticks the participant and saves.
    clock.freeze(datetime(2026, 11, 26, 11, 45, tzinfo=clock.WIB))
    sign_in(page, agent)
    page.goto(f"/bimtek/{bimtek_id}/kelola")
    page.check("label:has-text('Rina Peserta Bimtek')")
    submit(page, "#attendance-form button[type=submit]")
    assert "Daftar hadir telah disimpan" in page.inner_text("main")

    # The ASN downloads the certificate.
    sign_in(page, asn)
    page.goto(f"/bimtek/{bimtek_id}")
    with page.expect_download() as info:
        page.click("a:has-text('Unduh Sertifikat Kehadiran')")
    download = info.value
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF") and download.suggested_filename.endswith(".pdf")
