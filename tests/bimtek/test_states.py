"""The bimtek lifecycles (bimtek/states.py) and the rules read from them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from sep_portal.accounts.models import User
from sep_portal.bimtek import operations as ops
from sep_portal.bimtek.models import REGISTRATION_STATUSES, SESSION_STATUSES, BimtekRegistration
from sep_portal.bimtek.states import NOT_REGISTERED, registration_machine, session_machine
from sep_portal.core import clock
from sep_portal.core.errors import ConflictError
from sep_portal.core.states import IllegalTransition
from tests.bimtek.helpers import STARTS, details, make_session


def test_the_machines_are_backed_by_the_status_tuples():
    assert session_machine.states == SESSION_STATUSES
    assert registration_machine.states == REGISTRATION_STATUSES
    assert NOT_REGISTERED in REGISTRATION_STATUSES


def test_the_session_lifecycle():
    assert session_machine.actions_from("cancelled") == []  # the end of a session
    assert session_machine.transition("held", "record_attendance").target == "held"  # a correction
    for action in ("update", "cancel"):
        with pytest.raises(IllegalTransition):
            session_machine.transition("held", action)


def test_the_registration_lifecycle():
    assert registration_machine.transition(NOT_REGISTERED, "take_seat").target == "registered"
    assert registration_machine.transition(NOT_REGISTERED, "join_waitlist").target == "waitlisted"
    assert registration_machine.transition("waitlisted", "promote").target == "registered"
    # Attendance is only for people with a seat; nobody is promoted or attends from a cancellation.
    for state, action in (("waitlisted", "mark_attended"), ("cancelled", "promote"), ("cancelled", "mark_absent"),
                          ("attended", "cancel"), ("absent", "take_seat")):
        with pytest.raises(IllegalTransition):
            registration_machine.transition(state, action)


def test_a_session_is_editable_while_scheduled_and_not_started(ctx, factories):
    agent = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    bimtek = make_session(ctx, agent)
    assert bimtek.can_edit(clock.now()) and bimtek.can_cancel()
    assert not bimtek.can_record_attendance(clock.now())
    assert not bimtek.can_edit(STARTS) and bimtek.can_record_attendance(STARTS)
    ops.cancel_session(ctx, bimtek.id, agent, reason="Narasumber berhalangan.", now=clock.now())
    assert not bimtek.can_edit(clock.now()) and not bimtek.can_cancel()
    assert not bimtek.can_record_attendance(STARTS + timedelta(hours=1))


def test_a_change_after_the_start_is_a_conflict_read_from_can_edit(ctx, factories):
    agent = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    bimtek = make_session(ctx, agent)
    with pytest.raises(ConflictError):
        ops.update_session(ctx, bimtek.id, agent, details(topic="Lain"), now=STARTS + timedelta(minutes=1))


def test_registrations_move_only_through_the_table(ctx, factories):
    agent = ctx.get(User, factories.user(roles=("helpdesk",)).id)
    person = ctx.get(User, factories.user().id)
    bimtek = make_session(ctx, agent, capacity=1)
    registration = ops.register(ctx, bimtek.id, person, now=clock.now())
    ops.record_attendance(ctx, bimtek.id, agent, {registration.id}, now=STARTS + timedelta(hours=1))
    assert registration.status == "attended"
    # An attended registration cannot be cancelled by a cancellation of its session either.
    with pytest.raises(IllegalTransition):
        ops._move(ctx.get(BimtekRegistration, registration.id), "session_cancelled")
