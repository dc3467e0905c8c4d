"""An ASN searches the FAQ, still opens an incident (articles are suggested while the subject is
typed) → an agent replies and sets waiting-on-requester (the SLA clock pauses) → the ASN replies
→ the agent resolves → the ASN rates the service. Driven in Chromium."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.extensions import db
from sep_portal.helpdesk.models import Ticket, TicketSurvey
from sep_portal.knowledge import operations as kb
from tests.browser.conftest import sign_in, submit
from tests.factories import Factories

pytestmark = pytest.mark.browser




def _ticket(app):
    with db.bound(app).factory() as session:
        return session.scalar(select(Ticket).where(Ticket.subject == "Disposisi gagal terkirim"))


def test_faq_then_incident_wait_reply_resolve_and_rate(page, live_server, mailbox):
    clock.freeze(datetime(2026, 11, 24, 9, 0, tzinfo=clock.WIB))  # Tuesday, in working hours
    with db.bound(live_server).factory(expire_on_commit=False) as session:
        f = Factories(live_server, session)
        body, _admin = f.tenant(name="Pemerintah Kabupaten Tiket")
        asn = f.user(body=body, name="Dimas Pemohon", email="dimas.pemohon@tiket.go.id")
        agent = f.user(roles=("helpdesk",), name="Agen Layanan", email="agen.layanan@kominfo.go.id")
        kb.create_article(session, session.get(type(agent), agent.id),
                          {"title": "Disposisi tidak terkirim ke pejabat", "language": "id",
                           "body": "Periksa apakah pejabat tujuan masih aktif di unit kerja Anda."},
                          now=clock.now(), publish=True)
        session.commit()

    # The ASN searches the FAQ first and finds an article, which does not solve it.
    sign_in(page, asn)
    page.click("nav a[href='/bantuan']")
    page.fill("#q", "disposisi")
    submit(page, "form[role=search] button[type=submit]")
    assert "Disposisi tidak terkirim ke pejabat" in page.inner_text("#results")

    # ... and opens an incident; typing the subject suggests the same article.
    page.click("nav a[href='/tiket']")
    page.click("main a[href='/tiket/baru']")
    page.check("input[name=type][value=incident]")
    page.select_option("#service_id", label="Aplikasi SEP") if page.locator(
        "#service_id option", has_text="Aplikasi SEP").count() else page.select_option("#service_id", index=1)
    page.fill("#subject", "Disposisi gagal terkirim")
    page.wait_for_selector("#suggestions:not([hidden]) a")
    assert "Disposisi tidak terkirim ke pejabat" in page.inner_text("#suggestion-list")
    page.fill("#description", "Setiap disposisi ke Kabag Umum berakhir dengan pesan 'Gagal mengirim'.")
    page.select_option("#impact", "2")
    page.select_option("#urgency", "1")
    submit(page, "main form button[type=submit]")
    assert "TKT-" in page.inner_text("h1")
    ticket = _ticket(live_server)
    assert ticket.priority == 2 and ticket.status == "new"

    # The agent answers from the queue and waits on the requester: the clock pauses.
    clock.advance(timedelta(minutes=20))
    sign_in(page, agent)
    page.click("nav a[href='/helpdesk']")
    page.click(f"main a:has-text('{ticket.reference}')")
    page.fill("#ag-body", "Mohon kirim nama pejabat tujuan dan jam kejadian.")
    page.select_option("#ag-then", "wait")
    submit(page, "form[action$='/tanggapi'] button[type=submit]")
    assert "Dijeda" in page.inner_text("#sla") or "dijeda" in page.inner_text("#sla")
    assert "Menunggu pemohon" in page.inner_text("#ticket-status")
    waiting = _ticket(live_server)
    assert waiting.paused_since is not None and waiting.response_met is True

    # Two working hours later the ASN answers (it had the e-mail); the clock runs again.
    clock.advance(timedelta(hours=2))
    sign_in(page, asn)
    page.goto(f"/tiket/{ticket.id}")
    assert "Mohon kirim nama pejabat tujuan" in page.inner_text("main")
    page.fill("#rr-body", "Kabag Umum, pukul 08.45 WIB.")
    submit(page, "form[action$='/balas'] button[type=submit]")
    answered = _ticket(live_server)
    assert answered.status == "in_progress" and 2 * 3600 <= answered.paused_seconds < 2 * 3600 + 60

    # The agent resolves it.
    clock.advance(timedelta(minutes=30))
    sign_in(page, agent)
    page.goto(f"/tiket/{ticket.id}")
    page.fill("#ag-body", "Akun Kabag Umum sudah diaktifkan kembali; silakan coba lagi.")
    page.select_option("#ag-then", "resolve")
    submit(page, "form[action$='/tanggapi'] button[type=submit]")
    assert "Selesai" in page.inner_text("#ticket-status")

    # The ASN rates the service.
    sign_in(page, asn)
    page.goto(f"/tiket/{ticket.id}")
    for element, score in (("speed", "4"), ("competence", "4"), ("clarity", "3"), ("courtesy", "4")):
        page.check(f"input[name='sv-{element}'][value='{score}']")
    page.fill("#sv-comment", "Cepat dan jelas.")
    submit(page, "form[action$='/nilai'] button[type=submit]")
    assert "Terima kasih" in page.inner_text("main")
    with db.bound(live_server).factory() as session:
        survey = session.scalar(select(TicketSurvey))
        assert survey.average == 3.75 and survey.comment == "Cepat dan jelas."
        resolved = session.get(Ticket, ticket.id)
        assert resolved.status == "resolved" and resolved.resolution_met is True
