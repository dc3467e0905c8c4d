"""The ticket lifecycle (helpdesk/states.py): the table, the operations that go through it, and
the agent's buttons that follow it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core import clock, sweep
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError
from sep_portal.core.permissions import HELPDESK
from sep_portal.core.states import IllegalTransition
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk.models import OPEN_STATUSES, STATUSES, HelpdeskService, Ticket
from sep_portal.helpdesk.states import INITIAL, ticket_machine
from tests.factories import sign_in


@pytest.fixture
def people(ctx, factories):
    return (ctx.get(User, factories.user().id), ctx.get(User, factories.user(roles=("helpdesk",)).id))


def _ticket(ctx, requester):
    service = ctx.scalar(select(HelpdeskService.id).where(HelpdeskService.code == "sep-aplikasi"))
    return ops.open_ticket(ctx, requester, type_="incident", service_id=service, subject="Gagal kirim",
                           description="Galat 500.", now=clock.now())


def test_the_table_is_backed_by_the_status_tuple():
    assert ticket_machine.states == STATUSES and INITIAL in STATUSES
    assert ticket_machine.actions_from("closed") == []  # the end of a ticket
    # Every open status can be resolved; only a resolved ticket is reopened or closed.
    assert all(ticket_machine.allowed(s, "resolve") for s in OPEN_STATUSES)
    assert [s for s in STATUSES if ticket_machine.allowed(s, "reopen")] == ["resolved"]
    assert [s for s in STATUSES if ticket_machine.allowed(s, "close")] == ["resolved"]


def test_agents_work_tickets_and_requesters_answer_them():
    for action in ("assign", "start", "wait", "resolve"):
        assert not ticket_machine.allowed("new", action, roles=["asn"]), action
        assert ticket_machine.allowed("new", action, roles=[HELPDESK]), action
    assert ticket_machine.allowed("waiting", "requester_replied", roles=["asn"])
    assert ticket_machine.transition("waiting", "requester_replied").target == "in_progress"
    assert ticket_machine.transition("resolved", "reopen").target == "in_progress"
    for state, action in (("closed", "reopen"), ("waiting", "wait"), ("new", "requester_replied"),
                          ("in_progress", "start")):
        with pytest.raises(IllegalTransition):
            ticket_machine.transition(state, action)


def test_every_status_change_of_an_operation_follows_the_table_and_is_audited(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    assert ticket.status == INITIAL
    ops.assign(ctx, ticket.id, agent, agent.id, now=clock.now())
    ops.reply(ctx, ticket.id, agent, "Mohon kirim tangkapan layar.", public=True, then="wait", now=clock.now())
    ops.requester_reply(ctx, ticket.id, requester, "Terlampir.", now=clock.now())
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    ops.reopen(ctx, ticket.id, requester, now=clock.now())
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    moves = [(e.before["status"], e.action.removeprefix("ticket."), e.after["status"])
             for e in ctx.scalars(select(AuditEntry).where(AuditEntry.target_type == "tickets",
                                                           AuditEntry.target_id == str(ticket.id))
                                  .order_by(AuditEntry.seq))
             if "status" in (e.before or {})]
    assert moves == [("new", "assign", "assigned"), ("assigned", "start", "in_progress"),
                     ("in_progress", "wait", "waiting"), ("waiting", "requester_replied", "in_progress"),
                     ("in_progress", "resolve", "resolved"), ("resolved", "reopen", "in_progress"),
                     ("in_progress", "resolve", "resolved")]
    for before, action, after in moves:
        assert ticket_machine.transition(before, action).target == after


def test_an_action_the_status_no_longer_allows_is_a_conflict(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    ops.wait_on_requester(ctx, ticket.id, agent, now=clock.now())
    with pytest.raises(ConflictError):
        ops.wait_on_requester(ctx, ticket.id, agent, now=clock.now())
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    with pytest.raises(ConflictError):
        ops.resolve(ctx, ticket.id, agent, now=clock.now())
    assert ticket.status == "resolved"


def test_the_sweep_closes_through_the_table(ctx, people):
    requester, agent = people
    ticket = _ticket(ctx, requester)
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    ctx.commit()
    clock.advance(timedelta(days=30))
    sweep.run_sweep()
    ctx.expire_all()
    assert ctx.get(Ticket, ticket.id).status == ticket_machine.transition("resolved", "close").target


def test_the_agents_buttons_follow_the_table(client, factories, session):
    requester, agent = factories.user(), factories.user(roles=("helpdesk",))
    service = session.scalar(select(HelpdeskService.id).where(HelpdeskService.code == "sep-aplikasi"))
    sign_in(client, requester)
    client.post("/tiket/baru", data={"type": "incident", "service_id": service, "subject": "Tombol",
                                     "description": "x", "impact": "3", "urgency": "3"})
    ticket = session.scalar(select(Ticket).where(Ticket.subject == "Tombol"))
    client.post("/keluar")
    sign_in(client, agent)
    page = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    for action in ("tunggu", "selesai", "tugaskan", "ambil"):
        assert f"/tiket/{ticket.id}/{action}" in page, action
    client.post(f"/tiket/{ticket.id}/tunggu")
    page = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    assert f"/tiket/{ticket.id}/tunggu" not in page and f"/tiket/{ticket.id}/selesai" in page
    client.post(f"/tiket/{ticket.id}/selesai")
    page = client.get(f"/tiket/{ticket.id}").get_data(as_text=True)
    for action in ("tunggu", "selesai", "tugaskan", "ambil"):
        assert f"/tiket/{ticket.id}/{action}" not in page, action
