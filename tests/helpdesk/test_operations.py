"""Helpdesk operations as plain functions: what the pages rely on."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.core import calendar, clock, sweep
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.outbox import OutboxMessage
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk import sla
from sep_portal.helpdesk.models import HelpdeskService, Ticket, TicketRequest
from tests.factories import outbox_mails

WIB = clock.WIB


def _service(ctx, code="sep-aplikasi") -> int:
    return ctx.scalar(select(HelpdeskService.id).where(HelpdeskService.code == code))


@pytest.fixture
def people(ctx, factories):
    return (ctx.get(User, factories.user(email="ani@kab.go.id").id),
            ctx.get(User, factories.user(roles=("helpdesk",), email="agen@kominfo.go.id").id))


def _ticket(ctx, requester, **kw):
    return ops.open_ticket(ctx, requester, type_="incident", service_id=_service(ctx), subject="Gagal kirim",
                           description="Galat 500.", now=clock.now(), **kw)


def test_a_late_first_response_is_recorded_as_missed(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester, impact=1, urgency=1)  # P1: first response within 30 working minutes
    ops.reply(ctx, ticket.id, agent, "Sedang kami periksa.", public=True, now=clock.now() + timedelta(minutes=45))
    assert ticket.response_met is False and ticket.status == "in_progress" and ticket.assignee_id == agent.id
    # A second reply does not move the first response.
    ops.reply(ctx, ticket.id, agent, "Masih diperiksa.", public=True, now=clock.now() + timedelta(hours=1))
    assert ticket.first_response_at == clock.now() + timedelta(minutes=45)


def test_an_internal_note_is_not_a_response_and_sends_nothing(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    before = ctx.scalar(select(func.count()).select_from(OutboxMessage))
    ops.reply(ctx, ticket.id, agent, "Catatan", public=False, now=clock.now())
    assert ticket.first_response_at is None and ticket.status == "new"
    assert ctx.scalar(select(func.count()).select_from(OutboxMessage)) == before
    with pytest.raises(DomainError):
        ops.reply(ctx, ticket.id, agent, "Catatan", public=False, then="resolve", now=clock.now())


def test_time_between_resolution_and_reopen_does_not_count(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    cal = calendar.get_calendar()
    targets = sla.targets_for(ctx, ticket.service_id, ticket.priority)
    resolved_at = clock.now() + timedelta(hours=1)  # Tue 11:00
    ops.resolve(ctx, ticket.id, agent, now=resolved_at)
    assert ticket.resolution_met is True
    reopened_at = datetime(2026, 11, 26, 10, 0, tzinfo=WIB)  # Thu 10:00: two working days later
    ops.reopen(ctx, ticket.id, requester, now=reopened_at)
    # Only the hour before the resolution has been used.
    assert sla.resolution_left(ticket, cal, targets, reopened_at) == targets.resolution - timedelta(hours=1)


def test_the_survey_needs_every_element_once_and_only_after_resolution(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    scores = {"speed": 4, "competence": 4, "clarity": 3, "courtesy": 4}
    with pytest.raises(ConflictError):
        ops.rate(ctx, ticket.id, requester, scores, None, now=clock.now())
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    with pytest.raises(NotPermitted):
        ops.rate(ctx, ticket.id, agent, scores, None, now=clock.now())
    with pytest.raises(DomainError):
        ops.rate(ctx, ticket.id, requester, {**scores, "clarity": 5}, None, now=clock.now())
    survey = ops.rate(ctx, ticket.id, requester, scores, "  ", now=clock.now())
    assert survey.average == 3.75 and survey.comment is None and survey.service_id == ticket.service_id
    ctx.expire(ticket, ["survey"])
    with pytest.raises(ConflictError):
        ops.rate(ctx, ticket.id, requester, scores, None, now=clock.now())


def test_a_public_ticket_opens_once_by_its_link_and_only_the_link_holder_acts(ctx, people):
    pending = ops.request_public_ticket(ctx, email=" Siti@Desa.go.id ", name="Siti", type_="question",
                                        service_id=_service(ctx, "aktivasi-akun"), subject="Akun",
                                        description="Belum aktif.", now=clock.now())
    assert pending.email == "siti@desa.go.id"
    assert ctx.scalar(select(func.count()).select_from(Ticket)) == 0
    (mail,) = outbox_mails(ctx, "helpdesk/public_verify")
    token = mail.body_text.split("/tiket/publik/konfirmasi/")[1].split()[0]
    ticket, secret = ops.confirm_public_ticket(ctx, token, now=clock.now())
    assert ops.ticket_for_token(ctx, ticket.id, secret) is ticket
    assert ops.ticket_for_token(ctx, ticket.id, secret[:-1] + "0") is None
    assert ops.ticket_for_token(ctx, ticket.id + 1, secret) is None
    with pytest.raises(DomainError):
        ops.confirm_public_ticket(ctx, token, now=clock.now())
    ops.requester_reply(ctx, ticket.id, None, "Mohon dibantu.", now=clock.now())
    requester, _agent = people
    with pytest.raises(NotPermitted):  # a signed-in person is not the public requester
        ops.requester_reply(ctx, ticket.id, requester, "Saya juga.", now=clock.now())


def test_a_public_request_link_expires_and_unconfirmed_requests_are_forgotten(app, ctx):
    ops.request_public_ticket(ctx, email="x@desa.go.id", name="X", type_="question", service_id=_service(ctx),
                              subject="Tanya", description="Bagaimana?", now=clock.now())
    (mail,) = outbox_mails(ctx, "helpdesk/public_verify")
    token = mail.body_text.split("/tiket/publik/konfirmasi/")[1].split()[0]
    hours = app.config["SEP_EMAIL_VERIFY_HOURS"]
    with pytest.raises(DomainError):
        ops.confirm_public_ticket(ctx, token, now=clock.now() + timedelta(hours=hours, minutes=1))
    ctx.commit()
    clock.advance(timedelta(hours=hours + 23))
    sweep.run_sweep()
    assert ctx.scalar(select(func.count()).select_from(TicketRequest)) == 1
    clock.advance(timedelta(hours=2))
    sweep.run_sweep()
    ctx.expire_all()
    assert ctx.scalar(select(func.count()).select_from(TicketRequest)) == 0


def test_priority_correction_follows_the_matrix_and_only_agents_may(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    assert ticket.priority == 4
    with pytest.raises(NotPermitted):
        ops.set_priority(ctx, ticket.id, requester, impact=1, urgency=1)
    ops.set_priority(ctx, ticket.id, agent, impact=1, urgency=2)
    assert ticket.priority == 2


def test_assigning_to_a_colleague_tells_the_colleague(ctx, people, factories):
    requester, agent = people
    colleague = ctx.get(User, factories.user(roles=("helpdesk",), email="rekan@kominfo.go.id").id)
    ticket = _ticket(ctx, requester)
    with pytest.raises(DomainError):
        ops.assign(ctx, ticket.id, agent, requester.id, now=clock.now())
    ops.assign(ctx, ticket.id, agent, colleague.id, now=clock.now())
    mails = outbox_mails(ctx, "helpdesk/assigned")
    assert [m.recipients for m in mails] == [["rekan@kominfo.go.id"]]


def test_a_waiting_ticket_can_be_resolved_and_handed_to_a_colleague(ctx, people, factories):
    requester, agent = people
    colleague = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    ticket = _ticket(ctx, requester)
    ops.wait_on_requester(ctx, ticket.id, agent, now=clock.now())
    ops.assign(ctx, ticket.id, agent, colleague.id, now=clock.now())
    assert ticket.status == "waiting" and ticket.assignee_id == colleague.id
    ops.resolve(ctx, ticket.id, colleague, now=clock.now() + timedelta(hours=2))
    assert ticket.status == "resolved" and ticket.resolution_met is True
    with pytest.raises(ConflictError):
        ops.set_priority(ctx, ticket.id, agent, impact=1, urgency=1)
    with pytest.raises(ConflictError):  # a state the table does not allow is a conflict, not a crash
        ops.assign(ctx, ticket.id, agent, agent.id, now=clock.now())


def test_the_public_form_cannot_flood_one_address(ctx):
    for n in range(ops.MAX_UNCONFIRMED_PER_ADDRESS):
        ops.request_public_ticket(ctx, email="korban@desa.go.id", name="X", type_="question",
                                  service_id=_service(ctx), subject=f"Tanya {n}", description="?", now=clock.now())
    with pytest.raises(DomainError) as refused:
        ops.request_public_ticket(ctx, email="korban@desa.go.id", name="X", type_="question",
                                  service_id=_service(ctx), subject="Lagi", description="?", now=clock.now())
    assert refused.value.field == "email"
    mail = outbox_mails(ctx, "helpdesk/public_verify")[0]
    assert "Tanya 0" not in mail.body_text and "Tanya 0" not in mail.subject


def test_public_ticket_links_are_masked_in_logs():
    from sep_portal.core.logging import redact

    assert redact("GET /tiket/publik/12/" + "a" * 64 + " 200") == "GET /tiket/publik/12/[token] 200"
    assert redact("POST /tiket/publik/konfirmasi/" + "b" * 43) == "POST /tiket/publik/konfirmasi/[token]"
