"""The helpdesk's SLA clock in working hours, the pause, and notices never sent at night."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core import calendar, clock, sweep
from sep_portal.core.errors import ConflictError, NotPermitted
from sep_portal.helpdesk import operations as ops
from sep_portal.helpdesk import sla
from sep_portal.helpdesk.models import HelpdeskService, Ticket
from tests.factories import outbox_mails

WIB = clock.WIB


def _service(ctx) -> int:
    return ctx.scalar(select(HelpdeskService.id).where(HelpdeskService.code == "sep-aplikasi"))


@pytest.fixture
def people(ctx, factories):
    return (ctx.get(User, factories.user(roles=("asn",)).id),
            ctx.get(User, factories.user(roles=("helpdesk",), email="agen@kominfo.go.id").id))


def test_priority_from_impact_and_urgency():
    assert sla.priority_for(1, 1) == 1 and sla.priority_for(2, 1) == 2 and sla.priority_for(2, 2) == 3
    assert sla.priority_for(3, 3) == 4 and sla.priority_for(1, 3) == sla.priority_for(3, 1) == 3


def test_a_ticket_opened_friday_16_00_before_a_long_weekend(ctx, people):
    """Fri 14 Aug 2026 16:00 WIB: 30 working minutes are left on Friday; Mon 17 Aug is
    Independence Day. A critical ticket (4 working hours) is due Tue 18 Aug 11:00 WIB."""
    requester, _agent = people
    clock.freeze(datetime(2026, 8, 14, 16, 0, tzinfo=WIB))
    ticket = ops.open_ticket(ctx, requester, type_="incident", service_id=_service(ctx),
                             subject="SEP tidak bisa dibuka", description="Layar putih.", impact=1, urgency=1,
                             now=clock.now())
    cal = calendar.get_calendar()
    targets = sla.targets_for(ctx, ticket.service_id, ticket.priority)
    assert ticket.priority == 1 and targets.resolution == timedelta(hours=4)
    assert sla.resolution_due(ticket, cal, targets) == datetime(2026, 8, 18, 11, 0, tzinfo=WIB)
    assert sla.response_due(ticket, cal, targets) == datetime(2026, 8, 14, 16, 30, tzinfo=WIB)  # 30 min: Friday
    # Saturday noon: only Friday's half hour has been used.
    assert sla.resolution_left(ticket, cal, targets, datetime(2026, 8, 15, 12, 0, tzinfo=WIB)) == timedelta(
        hours=3, minutes=30)


def test_waiting_on_the_requester_stops_the_clock(ctx, people):
    requester, agent = people
    ticket = ops.open_ticket(ctx, requester, type_="question", service_id=_service(ctx), subject="Cara disposisi",
                             description="Bagaimana?", impact=2, urgency=2, now=clock.now())  # Tue 24 Nov 10:00
    cal = calendar.get_calendar()
    targets = sla.targets_for(ctx, ticket.service_id, ticket.priority)
    due = sla.resolution_due(ticket, cal, targets)
    ops.reply(ctx, ticket.id, agent, "Mohon tangkapan layar.", public=True, now=clock.now() + timedelta(minutes=20))
    assert ticket.first_response_at is not None and ticket.status == "in_progress"
    ops.wait_on_requester(ctx, ticket.id, agent, now=clock.now() + timedelta(minutes=30))
    assert sla.resolution_due(ticket, cal, targets) is None  # frozen
    frozen = sla.resolution_left(ticket, cal, targets, clock.now() + timedelta(hours=1))
    assert frozen == sla.resolution_left(ticket, cal, targets, clock.now() + timedelta(hours=3))
    ops.requester_reply(ctx, ticket.id, requester, "Ini tangkapannya.",
                        now=clock.now() + timedelta(hours=2, minutes=30))
    assert ticket.status == "in_progress" and ticket.paused_seconds == 2 * 3600
    assert sla.resolution_due(ticket, cal, targets) == cal.add_working_time(due, timedelta(hours=2))
    with pytest.raises(NotPermitted):
        ops.requester_reply(ctx, ticket.id, agent, "bukan pemohon", now=clock.now())


def test_resolve_reopen_window_and_auto_close(app, ctx, people):
    requester, agent = people
    ticket = ops.open_ticket(ctx, requester, type_="incident", service_id=_service(ctx), subject="Gagal unggah",
                             description="x", now=clock.now())
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    ops.reopen(ctx, ticket.id, requester, now=clock.now() + timedelta(days=1))
    assert ticket.status == "in_progress"
    ops.resolve(ctx, ticket.id, agent, now=clock.now())
    with pytest.raises(ConflictError):  # 5 working days after Tue 24 Nov: Tue 1 Dec 23:59:59
        ops.reopen(ctx, ticket.id, requester, now=datetime(2026, 12, 2, 8, 0, tzinfo=WIB))
    ctx.commit()
    clock.freeze(datetime(2026, 12, 2, 8, 0, tzinfo=WIB))
    sweep.run_sweep()
    ctx.expire_all()
    assert ctx.get(Ticket, ticket.id).status == "closed"


def test_escalation_at_breach_but_never_at_night(app, ctx, people, factories):
    requester, agent = people
    factories.user(roles=("superadmin",), email="lead@kominfo.go.id")
    clock.freeze(datetime(2026, 11, 27, 12, 0, tzinfo=WIB))  # Friday
    ticket = ops.open_ticket(ctx, requester, type_="incident", service_id=_service(ctx), subject="Down",
                             description="x", impact=1, urgency=1, now=clock.now())
    ops.assign(ctx, ticket.id, agent, agent.id, now=clock.now())
    ctx.commit()
    # 4 working hours from Fri 12:00: Fri 12:00-16:30 has 4.5 h, so the breach is Fri 16:00.
    clock.freeze(datetime(2026, 11, 27, 15, 20, tzinfo=WIB))  # 40 minutes left (< a fifth of 4 h)
    sweep.run_sweep()
    clock.freeze(datetime(2026, 11, 27, 20, 0, tzinfo=WIB))  # breached, but Friday night
    sweep.run_sweep()
    escalations = outbox_mails(ctx, "helpdesk/escalation")
    warnings = outbox_mails(ctx, "helpdesk/breach_warning")
    assert [w.recipients for w in warnings] == [["agen@kominfo.go.id"]] and escalations == []
    clock.freeze(datetime(2026, 11, 28, 9, 0, tzinfo=WIB))  # Saturday: not a working day either
    sweep.run_sweep()
    assert outbox_mails(ctx, "helpdesk/escalation") == []
    clock.freeze(datetime(2026, 11, 30, 7, 31, tzinfo=WIB))  # Monday morning: now
    sweep.run_sweep()
    sweep.run_sweep()
    escalations = outbox_mails(ctx, "helpdesk/escalation")
    assert [e.recipients for e in escalations] == [["lead@kominfo.go.id"]]


def test_only_the_helpdesk_works_tickets(ctx, people):
    requester, _agent = people
    ticket = ops.open_ticket(ctx, requester, type_="question", service_id=_service(ctx), subject="Tanya",
                             description="x", now=clock.now())
    with pytest.raises(NotPermitted):
        ops.resolve(ctx, ticket.id, requester, now=clock.now())
    other = requester
    assert ticket.can_view(other)


def test_an_unanswered_unassigned_ticket_warns_the_leads_once_near_its_first_response_target(app, ctx, people,
                                                                                             factories):
    requester, _agent = people
    factories.user(roles=("superadmin",), email="lead@kominfo.go.id")
    clock.freeze(datetime(2026, 11, 24, 15, 30, tzinfo=WIB))  # Tuesday; working hours end at 16:00
    ticket = ops.open_ticket(ctx, requester, type_="incident", service_id=_service(ctx), subject="Down",
                             description="x", impact=1, urgency=1, now=clock.now())  # P1: 30 working minutes
    ctx.commit()
    clock.freeze(datetime(2026, 11, 24, 15, 50, tzinfo=WIB))  # 10 minutes left: not yet a fifth
    sweep.run_sweep()
    assert outbox_mails(ctx, "helpdesk/response_warning") == []
    clock.freeze(datetime(2026, 11, 24, 15, 55, tzinfo=WIB))  # 5 minutes left
    sweep.run_sweep()
    sweep.run_sweep()
    warnings = outbox_mails(ctx, "helpdesk/response_warning")
    assert [w.recipients for w in warnings] == [["lead@kominfo.go.id"]]
    assert "5" in warnings[0].body_text and ticket.reference in warnings[0].subject
