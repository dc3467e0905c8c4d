"""Races for the last seat on PostgreSQL with real threads and connections (SQLite ignores FOR
UPDATE)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.bimtek import operations as ops
from sep_portal.bimtek.models import BimtekRegistration
from sep_portal.core import clock
from tests.bimtek.helpers import details

pytestmark = pytest.mark.postgres


def _session(app, factories, session, capacity):
    agent = factories.user(roles=("helpdesk",))
    with app.test_request_context("/"):
        bimtek = ops.create_session(session, session.get(User, agent.id), details(capacity=capacity),
                                    now=clock.now())
        session.commit()
    return bimtek


def test_many_people_racing_for_few_seats_never_overbook(app, real, race):
    factories, session = real
    bimtek = _session(app, factories, session, capacity=2)
    people = [factories.user() for _ in range(6)]

    results = race([lambda s, p=p: ops.register(s, bimtek.id, s.get(User, p.id), now=clock.now()).status
                          for p in people])
    assert sorted(results) == ["registered"] * 2 + ["waitlisted"] * 4, results
    positions = sorted(session.scalars(select(BimtekRegistration.position)
                                       .where(BimtekRegistration.status == "waitlisted")))
    assert positions == [1, 2, 3, 4]


def test_cancelling_and_registering_at_once_promote_exactly_one(app, real, race):
    factories, session = real
    bimtek = _session(app, factories, session, capacity=1)
    holder, waiting, late = factories.user(), factories.user(), factories.user()
    with app.test_request_context("/"):
        for person in (holder, waiting):
            ops.register(session, bimtek.id, session.get(User, person.id), now=clock.now())
        session.commit()

    results = race([
        lambda s: ops.cancel_registration(s, bimtek.id, s.get(User, holder.id), now=clock.now()).status,
        lambda s: ops.register(s, bimtek.id, s.get(User, late.id), now=clock.now()).status,
    ])
    assert results[0] == "cancelled" and results[1] == "waitlisted", results
    session.expire_all()
    seated = session.scalar(select(func.count()).select_from(BimtekRegistration)
                            .where(BimtekRegistration.status == "registered"))
    assert seated == 1
    assert session.scalar(select(BimtekRegistration.user_id).where(BimtekRegistration.status == "registered")) \
        == waiting.id
