"""Helpdesk pages through the test client: the requester, the public form, the agents' queue."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from sep_portal.core import clock
from sep_portal.core.outbox import OutboxMessage
from sep_portal.helpdesk.models import HelpdeskService, SavedView, Ticket, TicketRequest, TicketSurvey
from tests.factories import pdf_bytes, sign_in


def _service(session, code="sep-aplikasi") -> int:
    return session.scalar(select(HelpdeskService.id).where(HelpdeskService.code == code))


def _open(client, session, subject="Tidak bisa mengunggah surat", **extra):
    data = {"type": "incident", "service_id": _service(session), "subject": subject,
            "description": "Muncul pesan galat 500.", "impact": "2", "urgency": "1", **extra}
    response = client.post("/tiket/baru", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return session.scalar(select(Ticket).where(Ticket.subject == subject))


def _mails(session, to, template):
    return [m for m in session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                       .order_by(OutboxMessage.id)).all() if to in m.recipients]


def _link(session, to, template, prefix):
    """The path of the first link starting with ``prefix`` in the last such e-mail to ``to``."""
    body = _mails(session, to, template)[-1].body_text
    return re.search(r"https?://[^\s/]+(" + re.escape(prefix) + r"[^\s]*)", body).group(1)


def test_an_asn_opens_a_ticket_with_an_attachment_and_is_acknowledged(client, factories, session):
    asn = factories.user(email="budi@kab.go.id")
    sign_in(client, asn)
    page = client.get("/tiket/baru").get_data(as_text=True)
    assert "Aplikasi SEP" in page or "SEP" in page
    assert 'id="suggestions"' in page and "ticket-suggest.js" in page
    ticket = _open(client, session, files=[(io.BytesIO(pdf_bytes("Tangkapan")), "galat.pdf")])
    assert ticket.requester_id == asn.id and ticket.priority == 2 and ticket.status == "new"
    assert [a.file.original_name for a in ticket.attachments] == ["galat.pdf"]
    detail = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    assert ticket.reference in detail and "galat.pdf" in detail and "jam kerja" in detail
    assert client.get(f"/tiket/{ticket.id}/lampiran/{ticket.attachments[0].id}").status_code == 200
    assert _mails(session, "budi@kab.go.id", "helpdesk/opened")
    assert ticket.reference in client.get("/tiket").get_data(as_text=True)


def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(client, factories, session):
    sign_in(client, factories.user())
    response = client.post("/tiket/baru", data={"type": "incident", "service_id": "", "subject": "",
                                                "description": "x", "impact": "3", "urgency": "3"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    response = client.post("/tiket/baru", data={"type": "incident", "service_id": _service(session),
                                                "subject": "Berkas", "description": "x", "impact": "3",
                                                "urgency": "3", "files": [(io.BytesIO(b"MZ not a pdf"), "a.pdf")]})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_an_asn_cannot_see_or_touch_another_asns_ticket(client, factories, session):
    owner, other = factories.user(), factories.user()
    sign_in(client, owner)
    ticket = _open(client, session, subject="Rahasia saya", files=[(io.BytesIO(pdf_bytes()), "a.pdf")])
    client.post("/keluar")
    sign_in(client, other)
    assert "Rahasia saya" not in client.get("/tiket").get_data(as_text=True)
    assert client.get(f"/tiket/{ticket.id}").status_code == 404
    assert client.get(f"/tiket/{ticket.id}/lampiran/{ticket.attachments[0].id}").status_code == 404
    assert client.post(f"/tiket/{ticket.id}/balas", data={"rr-body": "saya juga"}).status_code == 404
    assert client.post(f"/tiket/{ticket.id}/nilai", data={"sv-speed": "1"}).status_code == 404
    assert client.post(f"/tiket/{ticket.id}/buka-kembali").status_code == 404
    assert client.get("/helpdesk").status_code == 403
    assert client.post(f"/tiket/{ticket.id}/selesai").status_code == 403
    session.refresh(ticket)
    assert len(ticket.messages) == 0 and ticket.status == "new"


def test_reply_wait_answer_resolve_and_rate(client, factories, session):
    asn = factories.user(email="ani@kab.go.id")
    agent = factories.user(roles=("helpdesk",), email="agen@kominfo.go.id")
    sign_in(client, asn)
    ticket = _open(client, session)
    client.post("/keluar")
    sign_in(client, agent)
    assert ticket.reference in client.get("/helpdesk").get_data(as_text=True)
    # An internal note: the requester neither sees it nor hears of it.
    client.post(f"/tiket/{ticket.id}/tanggapi", data={"ag-body": "Cek log server dulu.", "ag-visibility": "internal"})
    assert not _mails(session, "ani@kab.go.id", "helpdesk/agent_reply")
    response = client.post(f"/tiket/{ticket.id}/tanggapi", data={
        "ag-body": "Mohon kirim tangkapan layar.", "ag-visibility": "public", "ag-then": "wait"})
    assert response.status_code == 302
    session.refresh(ticket)
    assert ticket.status == "waiting" and ticket.paused_since is not None and ticket.assignee_id == agent.id
    assert ticket.first_response_at is not None and ticket.response_met is True
    reply_mail = _mails(session, "ani@kab.go.id", "helpdesk/agent_reply")[-1]
    assert ticket.reference in reply_mail.subject and "Mohon kirim tangkapan layar." in reply_mail.body_text
    client.post("/keluar")

    clock.advance(timedelta(hours=1))
    sign_in(client, asn, advance=False)
    page = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    assert "Mohon kirim tangkapan layar." in page and "Cek log server dulu." not in page
    assert "dijeda" in page.lower() or "Dijeda" in page
    client.post(f"/tiket/{ticket.id}/balas", data={"rr-body": "Terlampir.",
                                                  "rr-files": [(io.BytesIO(pdf_bytes()), "layar.pdf")]})
    session.refresh(ticket)
    assert ticket.status == "in_progress" and ticket.paused_since is None and ticket.paused_seconds == 3600
    assert _mails(session, "agen@kominfo.go.id", "helpdesk/requester_reply")
    client.post("/keluar")

    sign_in(client, agent, advance=False)
    client.post(f"/tiket/{ticket.id}/selesai")
    session.refresh(ticket)
    assert ticket.status == "resolved" and ticket.resolution_met is True
    assert _mails(session, "ani@kab.go.id", "helpdesk/resolved")
    client.post("/keluar")

    sign_in(client, asn, advance=False)
    assert "Bagaimana layanan kami?" in client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    response = client.post(f"/tiket/{ticket.id}/nilai", data={"sv-speed": "4", "sv-competence": "3"})
    assert response.status_code == 422
    assert session.scalar(select(func.count()).select_from(TicketSurvey)) == 0
    client.post(f"/tiket/{ticket.id}/nilai", data={"sv-speed": "4", "sv-competence": "3", "sv-clarity": "4",
                                                  "sv-courtesy": "4", "sv-comment": "Cepat."})
    survey = session.scalar(select(TicketSurvey).where(TicketSurvey.ticket_id == ticket.id))
    assert survey.average == 3.75 and survey.comment == "Cepat."
    # The rating as an Indonesian reads a number: a decimal comma.
    rated = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    assert "3,8 dari 4" in rated and "3.8" not in rated
    client.post(f"/tiket/{ticket.id}/nilai", data={"sv-speed": "1", "sv-competence": "1", "sv-clarity": "1",
                                                  "sv-courtesy": "1"})
    assert session.scalar(select(func.count()).select_from(TicketSurvey)) == 1
    # Reopen within the window: back to work.
    client.post(f"/tiket/{ticket.id}/buka-kembali")
    session.refresh(ticket)
    assert ticket.status == "in_progress" and ticket.resolved_at is None


def test_files_of_an_internal_note_stay_inside_the_helpdesk(client, factories, session):
    asn, agent = factories.user(), factories.user(roles=("helpdesk",))
    sign_in(client, asn)
    ticket = _open(client, session)
    client.post("/keluar")
    sign_in(client, agent)
    client.post(f"/tiket/{ticket.id}/tanggapi", data={"ag-body": "Log internal", "ag-visibility": "internal",
                                                      "ag-files": [(io.BytesIO(pdf_bytes()), "log.pdf")]})
    session.refresh(ticket)
    note_file = ticket.attachments[0]
    assert client.get(f"/tiket/{ticket.id}/lampiran/{note_file.id}").status_code == 200
    client.post("/keluar")
    sign_in(client, asn, advance=False)
    assert client.get(f"/tiket/{ticket.id}/lampiran/{note_file.id}").status_code == 404
    assert "log.pdf" not in client.get(f"/tiket/{ticket.id}").get_data(as_text=True)


def test_the_public_form_opens_a_ticket_only_after_the_email_is_confirmed(client, session):
    page = client.get("/tiket/publik").get_data(as_text=True)
    assert 'name="email"' in page
    response = client.post("/tiket/publik", data={
        "name": "Siti", "email": "siti@desa.go.id", "type": "service_request",
        "service_id": _service(session, "aktivasi-akun"), "subject": "Akun belum aktif",
        "description": "Tautan aktivasi kedaluwarsa."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tiket/publik?terkirim=1")
    assert "Periksa email Anda" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Ticket)) == 0
    link = _link(session, "siti@desa.go.id", "helpdesk/public_verify", "/tiket/publik/konfirmasi/")
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    ticket = session.scalar(select(Ticket))
    assert ticket.requester_email == "siti@desa.go.id" and ticket.requester_id is None
    follow = response.headers["Location"]
    followed = client.get(follow)
    assert followed.status_code == 200 and followed.headers["Cache-Control"] == "no-store"
    assert client.get(re.sub(r"/[^/]+$", "/" + "0" * 64, follow)).status_code == 404
    # The e-mail about the open ticket carries the same link; the confirmation link is spent.
    assert _link(session, "siti@desa.go.id", "helpdesk/opened", f"/tiket/publik/{ticket.id}/") == follow
    assert client.post(link).status_code == 400
    client.post(follow + "/balas", data={"rr-body": "Mohon dibantu segera."})
    session.refresh(ticket)
    assert [m.body for m in ticket.messages] == ["Mohon dibantu segera."]
    assert session.scalar(select(TicketRequest.ticket_id)) == ticket.id


def test_the_public_form_sends_signed_in_people_to_the_normal_form(client, factories):
    sign_in(client, factories.user())
    assert client.get("/tiket/publik").headers["Location"].endswith("/tiket/baru")


def test_the_queue_filters_and_saved_views(client, factories, session, assert_constant_queries):
    asn, agent = factories.user(), factories.user(roles=("helpdesk",))
    sign_in(client, asn)
    for n in range(7):
        _open(client, session, subject=f"Masalah nomor {n}", impact="1" if n == 0 else "3",
              urgency="1" if n == 0 else "3")
    client.post("/keluar")
    sign_in(client, agent)
    page = client.get("/helpdesk?priority=1").get_data(as_text=True)
    assert "Masalah nomor 0" in page and "Masalah nomor 1" not in page
    first = session.scalar(select(Ticket).where(Ticket.subject == "Masalah nomor 3"))
    page = client.get(f"/helpdesk?q={first.reference}").get_data(as_text=True)
    assert "Masalah nomor 3" in page and "Masalah nomor 4" not in page
    assert client.get("/helpdesk?q=TKT-99999999999999999999").status_code == 200
    client.post(f"/tiket/{first.id}/ambil")
    page = client.get("/helpdesk?assignee=me").get_data(as_text=True)
    assert "Masalah nomor 3" in page and "Masalah nomor 4" not in page
    client.post("/helpdesk/tampilan", data={"name": "Punya saya", "query": "assignee=me&x=\r\nSet-Cookie:a"})
    view = session.scalar(select(SavedView))
    assert view.name == "Punya saya" and view.user_id == agent.id
    assert 'href="/helpdesk?assignee=me"' in client.get("/helpdesk").get_data(as_text=True)
    assert_constant_queries("/helpdesk?status=all")
    other_agent = factories.user(roles=("helpdesk",))
    client.post("/keluar")
    sign_in(client, other_agent)
    assert client.post(f"/helpdesk/tampilan/{view.id}/hapus").status_code == 404


def test_reply_and_resolve_sends_one_mail_with_the_answer_the_survey_and_the_reopen_deadline(client, factories,
                                                                                              session):
    asn = factories.user(email="budi@kab.go.id")
    agent = factories.user(roles=("helpdesk",))
    sign_in(client, asn)
    ticket = _open(client, session, subject="Lupa cara mengganti tanda tangan")
    client.post("/keluar")
    sign_in(client, agent)
    response = client.post(f"/tiket/{ticket.id}/tanggapi", data={
        "ag-body": "Buka Profil lalu Tanda tangan, unggah berkas baru.", "ag-visibility": "public",
        "ag-then": "resolve"})
    assert response.status_code == 302
    session.refresh(ticket)
    assert ticket.status == "resolved"
    assert not _mails(session, "budi@kab.go.id", "helpdesk/agent_reply")  # one e-mail, not two
    (mail,) = _mails(session, "budi@kab.go.id", "helpdesk/resolved")
    assert "Buka Profil lalu Tanda tangan" in mail.body_text
    assert f"/tiket/{ticket.id}" in mail.body_text  # where the survey and the reopen button are
    from sep_portal.core.formatting import format_datetime
    from sep_portal.helpdesk.operations import reopen_until

    with client.application.test_request_context():
        assert format_datetime(reopen_until(ticket), locale="id") in mail.body_text
