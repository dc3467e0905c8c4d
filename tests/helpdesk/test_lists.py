"""The helpdesk's lists and form actions: the one pager keeps every filter, and every action runs
through run_action (the same answers for bad input, conflicts and refusals everywhere)."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from sep_portal.helpdesk.models import HelpdeskService, SavedView, Ticket
from tests.factories import sign_in


def _service(session, code="sep-aplikasi") -> int:
    return session.scalar(select(HelpdeskService.id).where(HelpdeskService.code == code))


def _open(client, session, subject, *, kind="incident", service="sep-aplikasi", impact="3", urgency="3"):
    response = client.post("/tiket/baru", data={"type": kind, "service_id": _service(session, service),
                                                "subject": subject, "description": "x", "impact": impact,
                                                "urgency": urgency})
    assert response.status_code == 302
    return session.scalar(select(Ticket).where(Ticket.subject == subject))


def _next(page: str) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)" rel="next"', page).group(1))


def test_page_two_of_the_queue_keeps_every_filter(client, app, factories, session, monkeypatch):
    requester, agent = factories.user(), factories.user(roles=("helpdesk",))
    sign_in(client, requester)
    wanted = [_open(client, session, f"Surat gagal {n}", kind="question", service="data") for n in range(3)]
    _open(client, session, "Surat gagal lain jenis", service="data")  # another kind
    _open(client, session, "Surat gagal lain layanan", kind="question")  # another service
    _open(client, session, "Tanda tangan", kind="question", service="data")  # other words
    _open(client, session, "Surat gagal mendesak", kind="question", service="data", impact="1",
          urgency="1")  # another priority
    client.post("/keluar")
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    sign_in(client, agent)
    data = _service(session, "data")
    first = client.get(f"/helpdesk?status=new&priority=4&service={data}&type=question&assignee=none&q=surat+gagal")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "3 tiket" in page
    link = _next(page)
    for kept in ("status=new", "priority=4", f"service={data}", "type=question", "assignee=none", "q=surat",
                 "page=2"):
        assert kept in link, (kept, link)
    second = client.get(link).get_data(as_text=True)
    shown = set(re.findall(r"TKT-\d{6}", page)) | set(re.findall(r"TKT-\d{6}", second))
    assert shown == {t.reference for t in wanted}


def test_page_two_of_my_tickets(client, app, factories, session, monkeypatch):
    sign_in(client, factories.user())
    tickets = [_open(client, session, f"Masalah {n}") for n in range(3)]
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    page = client.get("/tiket").get_data(as_text=True)
    second = client.get(_next(page)).get_data(as_text=True)
    assert tickets[0].reference in second and tickets[2].reference in page and "rel=\"next\"" not in second


def test_a_requester_reply_refused_by_the_ticket_says_why(client, factories, session):
    requester, agent = factories.user(), factories.user(roles=("helpdesk",))
    sign_in(client, requester)
    ticket = _open(client, session, "Sudah beres")
    client.post("/keluar")
    sign_in(client, agent)
    client.post(f"/tiket/{ticket.id}/selesai")
    client.post("/keluar")
    sign_in(client, requester, advance=False)
    response = client.post(f"/tiket/{ticket.id}/balas", data={"rr-body": "Masih ada satu hal lagi."})
    assert response.status_code == 409 and "sudah tidak terbuka" in response.get_data(as_text=True)
    assert client.post(f"/tiket/{ticket.id}/balas", data={"rr-body": ""}).status_code == 422


def test_agent_buttons_refused_by_the_status_say_so_on_the_ticket(client, factories, session):
    requester, agent = factories.user(), factories.user(roles=("helpdesk",))
    sign_in(client, requester)
    ticket = _open(client, session, "Tombol dua kali")
    client.post("/keluar")
    sign_in(client, agent)
    assert client.post(f"/tiket/{ticket.id}/selesai").status_code == 302
    again = client.post(f"/tiket/{ticket.id}/selesai")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/tiket/{ticket.id}")
    assert "alert-danger" in client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    assert client.post(f"/tiket/{ticket.id}/tugaskan", data={"as-assignee_id": "x"}).status_code == 302
    assert client.post("/tiket/999999/selesai").status_code == 404
    client.post("/keluar")
    sign_in(client, requester, advance=False)
    assert client.post(f"/tiket/{ticket.id}/selesai").status_code == 403


def test_a_view_without_a_name_is_refused_on_the_queue_with_its_filters(client, factories, session):
    sign_in(client, factories.user(roles=("helpdesk",)))
    response = client.post("/helpdesk/tampilan", data={"name": "   ", "query": "status=all&type=question"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/helpdesk?status=all&type=question")
    assert "Beri nama tampilan" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert session.scalar(select(SavedView)) is None
