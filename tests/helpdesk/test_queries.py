"""The helpdesk's read side (helpdesk/queries.py): the queue's filters, a requester's own tickets,
files only through their ticket (and an internal note's only for the helpdesk:
TicketAttachment.can_download), the catalogue and the guards against hidden queries."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk import queries
from sep_portal.helpdesk.models import HelpdeskService
from tests.factories import pdf_bytes, sign_in, upload


def _service(ctx, code="sep-aplikasi") -> int:
    return ctx.scalar(select(HelpdeskService.id).where(HelpdeskService.code == code))


def _ticket(ctx, requester, subject="Gagal kirim", *, type_="incident", service="sep-aplikasi", **kw):
    return ops.open_ticket(ctx, requester, type_=type_, service_id=_service(ctx, service), subject=subject,
                           description="Galat 500.", now=clock.now(), **kw)


def _subjects(page) -> list[str]:
    return [t.subject for t in page]


@pytest.fixture
def people(ctx, factories):
    return (ctx.get(User, factories.user().id), ctx.get(User, factories.user(roles=("helpdesk",)).id))


def test_the_queue_filters_by_each_field(ctx, people):
    requester, agent = people
    urgent = _ticket(ctx, requester, "Server mati", impact=1, urgency=1)
    question = _ticket(ctx, requester, "Cara mengganti sandi", type_="question", service="kata-sandi-2fa")
    taken = _ticket(ctx, requester, "Surat tidak terkirim")
    done = _ticket(ctx, requester, "Sudah beres")
    ops.assign(ctx, taken.id, agent, agent.id, now=clock.now())
    ops.resolve(ctx, done.id, agent, now=clock.now())

    def queue(**kw):
        return _subjects(queries.ticket_queue(ctx, queries.TicketFilter(**kw), page=1, per_page=20))

    assert queue() == ["Server mati", "Cara mengganti sandi", "Surat tidak terkirim"]  # priority, then age
    assert queue(status="resolved") == ["Sudah beres"]
    assert len(queue(status="all")) == 4
    assert queue(priority=1) == ["Server mati"]
    assert queue(service_id=_service(ctx, "kata-sandi-2fa")) == ["Cara mengganti sandi"]
    assert queue(type="question") == ["Cara mengganti sandi"]
    assert queue(assignee_id=agent.id) == ["Surat tidak terkirim"]
    assert queue(unassigned=True) == ["Server mati", "Cara mengganti sandi"]
    assert queue(text="sandi") == ["Cara mengganti sandi"]
    assert queue(text=urgent.reference) == ["Server mati"]  # a ticket number: that ticket only
    assert queue(text=str(question.id), status="all") == ["Cara mengganti sandi"]
    assert queue(text="TKT-" + "9" * 20) == []  # too long for a number: a subject search


def test_the_queue_returns_a_page_with_its_total(ctx, people):
    requester, _agent = people
    for n in range(5):
        _ticket(ctx, requester, f"Masalah {n}")
    page = queries.ticket_queue(ctx, queries.TicketFilter(), page=2, per_page=2)
    assert page.total == 5 and page.pages == 3 and _subjects(page) == ["Masalah 2", "Masalah 3"]


def test_a_list_of_tickets_never_loads_the_conversation_row_by_row(ctx, people):
    requester, _agent = people
    _ticket(ctx, requester)
    ctx.flush()
    ctx.expunge_all()
    row = queries.ticket_queue(ctx, queries.TicketFilter(), page=1, per_page=5).rows[0]
    with pytest.raises(InvalidRequestError):
        row.messages  # noqa: B018
    ctx.expunge_all()
    mine = queries.tickets_of(ctx, requester.id, page=1, per_page=5).rows[0]
    with pytest.raises(InvalidRequestError):
        mine.attachments  # noqa: B018


def test_a_requester_lists_only_their_own_tickets_newest_first(ctx, people, factories):
    requester, _agent = people
    other = ctx.get(User, factories.user().id)
    _ticket(ctx, requester, "Pertama")
    _ticket(ctx, other, "Punya orang lain")
    _ticket(ctx, requester, "Kedua")
    page = queries.tickets_of(ctx, requester.id, page=1, per_page=10)
    assert _subjects(page) == ["Kedua", "Pertama"] and page.total == 2


def test_a_file_is_found_only_through_its_own_ticket(ctx, people):
    requester, _agent = people
    with_file = _ticket(ctx, requester, files=[upload(pdf_bytes(), "a.pdf")])
    other = _ticket(ctx, requester)
    file_id = with_file.attachments[0].id
    assert queries.attachment_of(ctx, with_file.id, file_id) is not None
    assert queries.attachment_of(ctx, other.id, file_id) is None


def test_the_catalogue_and_the_targets(ctx, factories):
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    codes = [s.code for s in queries.services(ctx)]
    assert codes[:4] == ["sep-aplikasi", "aktivasi-akun", "kata-sandi-2fa", "data"]
    data = queries.service_by_code(ctx, "data")
    data.active = False
    ctx.flush()
    assert "data" not in [s.code for s in queries.services(ctx, active_only=True)]
    assert queries.service_by_code(ctx, "tidak-ada") is None
    assert sorted(queries.sla_rows(ctx, None)) == [1, 2, 3, 4] and queries.sla_rows(ctx, data.id) == {}
    ops.set_sla_targets(ctx, operator, data.id, {1: (15, 120)})
    assert queries.sla_rows(ctx, data.id)[1].first_response_minutes == 15


def test_my_tickets_runs_the_same_queries_for_any_page_size(client, factories, session, assert_constant_queries):
    sign_in(client, factories.user())
    for n in range(7):
        response = client.post("/tiket/baru", data={
            "type": "incident", "service_id": _service(session), "subject": f"Masalah {n}", "description": "x",
            "impact": "3", "urgency": "3", "files": [(io.BytesIO(pdf_bytes()), "a.pdf")]})
        assert response.status_code == 302
    assert_constant_queries("/tiket")


def test_only_the_helpdesk_downloads_the_files_of_an_internal_note(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester, files=[upload(pdf_bytes(), "awal.pdf")])
    ops.reply(ctx, ticket.id, agent, "Log internal", public=False, files=[upload(pdf_bytes(), "log.pdf")],
              now=clock.now())
    ops.reply(ctx, ticket.id, agent, "Jawaban", public=True, files=[upload(pdf_bytes(), "jawab.pdf")],
              now=clock.now())
    ctx.refresh(ticket, ["attachments"])
    first, note, answer = ticket.attachments
    for attachment in (first, answer):  # the ticket's own file and a public reply's: whoever sees the ticket
        assert attachment.can_download(requester) and attachment.can_download(agent)
        assert attachment.can_download(None)  # the holder of a public ticket's link
    assert note.can_download(agent)
    assert not note.can_download(requester) and not note.can_download(None)
