"""Helpdesk codes in words (helpdesk/labels.py): every code has a label, and pages and e-mails show
the words, never the code."""
from __future__ import annotations

import re

from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.helpdesk import labels
from sep_portal.helpdesk.models import STATUSES, SURVEY_ELEMENTS, TICKET_TYPES, HelpdeskService, Ticket
from sep_portal.helpdesk.sla import PRIORITY_MATRIX
from tests.factories import outbox_mails, sign_in

CODES = re.compile(r"\b(" + "|".join(STATUSES + TICKET_TYPES + SURVEY_ELEMENTS) + r")\b")


def _text(html: str) -> str:
    """What a person reads: the page without its tags (and so without attribute values)."""
    return re.sub(r"<[^>]+>", " ", html)


def test_every_code_has_words():
    assert set(labels.TICKET_STATUS_LABELS) == set(STATUSES)
    assert set(labels.TICKET_TYPE_LABELS) == set(TICKET_TYPES)
    assert set(labels.SURVEY_ELEMENT_LABELS) == set(SURVEY_ELEMENTS)
    assert set(labels.PRIORITY_LABELS) == set(PRIORITY_MATRIX.values())
    assert set(labels.GRADE_LABELS) == {"A", "B", "C", "D"}
    assert labels.ticket_status_label("unknown") == "unknown"  # shown, not a server error
    assert labels.ticket_priority_label(None) == ""


def test_the_words_are_in_the_readers_language(app):
    with app.test_request_context(), app.app_context():
        from flask_babel import force_locale

        with force_locale("id"):
            assert labels.ticket_status_label("waiting") == "Menunggu pemohon"
            assert labels.ticket_priority_label(1) == "P1 kritis"
        with force_locale("en"):
            assert labels.ticket_status_label("waiting") == "Waiting on the requester"


def test_ticket_pages_show_statuses_kinds_and_priorities_in_words(client, factories, session):
    requester, agent = factories.user(), factories.user(roles=("helpdesk",))
    service = session.scalar(select(HelpdeskService.id).where(HelpdeskService.code == "sep-aplikasi"))
    sign_in(client, requester)
    for kind in TICKET_TYPES:
        client.post("/tiket/baru", data={"type": kind, "service_id": service, "subject": f"Perihal {kind[:3]}",
                                         "description": "x", "impact": "1", "urgency": "2"})
    tickets = session.scalars(select(Ticket)).all()
    assert len(tickets) == 3
    assert not CODES.search(_text(client.get("/tiket").get_data(as_text=True)))
    client.post("/keluar")
    sign_in(client, agent)
    client.post(f"/tiket/{tickets[0].id}/tunggu")
    client.post(f"/tiket/{tickets[1].id}/selesai")
    queue = client.get("/helpdesk?status=all").get_data(as_text=True)
    assert not CODES.search(_text(queue))
    assert "Menunggu pemohon" in queue and "Selesai" in queue and "P2 tinggi" in queue
    for t in tickets:
        page = _text(client.get(f"/tiket/{t.id}").get_data(as_text=True))
        assert not CODES.search(page), (t.type, CODES.search(page))
    incident = next(t for t in tickets if t.type == "incident")
    assert "Insiden" in _text(client.get(f"/tiket/{incident.id}").get_data(as_text=True))


def test_the_service_page_names_the_priorities_in_words(client):
    page = _text(client.get("/layanan/sep-aplikasi").get_data(as_text=True))
    assert "P1 kritis" in page and "P4 rendah" in page


def test_e_mails_name_the_priority_in_words(ctx, factories):
    from sep_portal.accounts.models import User
    from sep_portal.helpdesk import operations as ops

    requester = ctx.get(User, factories.user().id)
    agent = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    lead = ctx.get(User, factories.user(roles=("helpdesk",), email="lead@kominfo.go.id").id)
    service = ctx.scalar(select(HelpdeskService.id).where(HelpdeskService.code == "sep-aplikasi"))
    ticket = ops.open_ticket(ctx, requester, type_="incident", service_id=service, subject="Gagal kirim",
                             description="Galat 500.", impact=1, urgency=1, now=clock.now())
    ops.assign(ctx, ticket.id, agent, lead.id, now=clock.now())
    (mail,) = outbox_mails(ctx, "helpdesk/assigned")
    assert "P1 kritis" in mail.body_text and "prioritas 1" not in mail.body_text
