"""Each person starts at the dashboard, finds the next task in "Tugas saya", does it and sees it
leave the list; the person who acts next is told by e-mail. Every page on the way is checked by
axe-core. Driven in Chromium."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from sep_portal.core import clock
from sep_portal.extensions import db
from tests.browser.conftest import assert_accessible, run_sweep, sign_in, submit
from tests.factories import Factories

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=clock.WIB))  # Tuesday, in working hours
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        yield Factories(live_server, session)


def _task(page, kind: str, text: str):
    """The link of the task ``text`` in the group ``kind`` of the work list on the page."""
    return page.locator(f"section[aria-labelledby='work-{kind}'] a", has_text=text)


def _sign_out(page):
    page.click(".user-box button[type=submit]")
    page.wait_for_url("**/masuk")


def test_sekretaris_verifier_and_pejabat_each_find_their_next_step(page, live_server, world, mailbox):
    sekretaris = world.user(roles=("sekretaris",), name="Drs. Sekretaris Tugas")
    verifier = world.user(roles=("verifikator",), name="Verifikator Tugas", email="verifikator.tugas@kominfo.go.id")
    pejabat = world.user(roles=("pejabat",), name="Pejabat Tugas", email="pejabat.tugas@kominfo.go.id")
    application = world.application(stage="draft", applicant=sekretaris)
    ref = application.reference

    # The Sekretaris: the draft waits on her; she sends it and it leaves her list.
    sign_in(page, sekretaris)
    assert_accessible(page)  # the dashboard
    page.goto("/tugas")
    submit(page, f"section[aria-labelledby='work-applications-mine'] a:has-text('{ref}')")
    submit(page, "form[action$='/ajukan'] button")
    page.click("nav a[href='/tugas']")
    assert_accessible(page)
    assert _task(page, "applications-mine", ref).count() == 0
    _sign_out(page)

    # The verifier was told at once, and finds it on his dashboard.
    run_sweep(live_server)
    assert ref in mailbox.text(verifier.email, "Pekerjaan baru")
    sign_in(page, verifier)
    assert int(page.locator("nav .count").first.inner_text().split()[0]) >= 1
    page.click("nav a[href='/tugas']")
    submit(page, f"section[aria-labelledby='work-applications-verify'] a:has-text('{ref}')")
    assert_accessible(page)
    submit(page, "form[action$='/lengkap'] button")
    page.goto("/tugas")
    assert _task(page, "applications-verify", ref).count() == 0
    submit(page, f"section[aria-labelledby='work-applications-recommend'] a:has-text('{ref}')")
    page.check("input[name='rec-recommendation'][value='approve']")
    page.fill("#rec-note", "Dokumen lengkap dan sah.")
    submit(page, "form[action$='/rekomendasi'] button")
    page.goto("/tugas")
    assert _task(page, "applications-recommend", ref).count() == 0
    _sign_out(page)

    # The pejabat was told, with the due date, and decides.
    run_sweep(live_server)
    notice = mailbox.text(pejabat.email, "Pekerjaan baru")
    assert ref in notice and "Tenggat" in notice and "WIB" in notice
    sign_in(page, pejabat)
    page.goto("/tugas")
    decide = _task(page, "applications-decide", ref)
    assert decide.count() == 1
    assert "hari kerja lagi" in page.inner_text("section[aria-labelledby='work-applications-decide']")
    submit(page, f"section[aria-labelledby='work-applications-decide'] a:has-text('{ref}')")
    submit(page, "form[action$='/setujui'] button")
    page.goto("/tugas")
    assert _task(page, "applications-decide", ref).count() == 0


def test_a_helpdesk_agent_takes_a_new_ticket_from_his_list(page, live_server, world, mailbox):
    agent = world.user(roles=("helpdesk",), name="Agen Tugas", email="agen.tugas@kominfo.go.id")
    ticket = world.ticket(status="new", subject="Tidak bisa membuat disposisi")
    run_sweep(live_server)
    assert ticket.reference in mailbox.text(agent.email, "Pekerjaan baru")
    sign_in(page, agent)
    page.goto("/tugas")
    submit(page, f"section[aria-labelledby='work-helpdesk-unassigned'] a:has-text('{ticket.reference}')")
    assert_accessible(page)
    submit(page, f"form[action='/tiket/{ticket.id}/ambil'] button")
    page.goto("/tugas")
    assert _task(page, "helpdesk-unassigned", ticket.reference).count() == 0
    assert _task(page, "helpdesk-mine", ticket.reference).count() == 1


def test_a_warned_asn_replies_from_his_list_and_the_verifier_is_told(page, live_server, world, mailbox):
    verifier = world.user(roles=("verifikator",), email="verifikator.balasan@kominfo.go.id")
    case = world.case(status="warned", verifier=verifier)
    target = world.session.get(type(verifier), case.account_id)
    number = case.warnings[-1].letter.number
    sign_in(page, target)
    assert page.locator("nav a[href='/peringatan']").count() == 1
    page.goto("/tugas")
    submit(page, f"section[aria-labelledby='work-abuse-reply'] a:has-text('{number}')")
    assert_accessible(page)
    page.fill("#text", "Akun saya diretas; sandi sudah saya ganti.")
    submit(page, "main form button[type=submit]")
    page.goto("/tugas")
    assert "Tidak ada yang menunggu Anda." in page.inner_text("main")
    run_sweep(live_server)
    assert case.reference in mailbox.text(verifier.email, "Pekerjaan baru")


def test_an_admin_pengelola_sends_a_new_activation_link_from_his_list(page, live_server, world):
    body, admin = world.tenant(name="Pemerintah Kota Tugas")
    pending = world.user(body=body, status="pending", name="Pegawai Belum Aktif")
    sign_in(page, admin)
    page.goto("/tugas")
    submit(page, "section[aria-labelledby='work-tenants-expired_activation'] a:has-text('Pegawai Belum Aktif')")
    assert_accessible(page)
    submit(page, f"form[action='/pengelola/akun/{pending.id}/kirim-aktivasi'] button")
    page.goto("/tugas")
    assert _task(page, "tenants-expired_activation", "Pegawai Belum Aktif").count() == 0


def test_the_menu_is_one_button_on_a_phone(browser, live_server, world, axe_script):
    asn = world.user(name="Pengguna Ponsel")
    context = browser.new_context(base_url=live_server.base_url, locale="id-ID",
                                  viewport={"width": 390, "height": 844})
    context.add_init_script(path=str(axe_script))
    page = context.new_page()
    try:
        sign_in(page, asn)
        menu = page.locator(".main-nav details.menu")
        assert menu.get_attribute("open") is None  # closed on a phone
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < 0.25 * 844, header
        page.click(".main-nav summary")
        assert page.locator("nav a[href='/tugas']").is_visible()
        assert_accessible(page)
        page.click("nav a[href='/tugas']")
        page.wait_for_url(re.compile(r".*/tugas$"))
    finally:
        context.close()
