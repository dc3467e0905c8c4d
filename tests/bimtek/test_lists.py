"""The bimtek pages read through bimtek/queries.py: constant queries per page, the one pager,
statuses and modes in words, and actions through run_action."""
from __future__ import annotations

import html
import itertools
import re
from datetime import timedelta

from sep_portal.bimtek.labels import MODE_LABELS, REGISTRATION_STATUS_LABELS, SESSION_STATUS_LABELS
from sep_portal.bimtek.models import (
    MODES,
    REGISTRATION_STATUSES,
    SESSION_STATUSES,
    BimtekRegistration,
    BimtekSession,
)
from sep_portal.core import clock
from tests.bimtek.helpers import STARTS
from tests.factories import sign_in

_numbers = itertools.count(1)
CODES = r"\b(scheduled|cancelled|held|registered|waitlisted|attended|absent|in_person|online)\b"


def _text(response) -> str:
    """The words of a page, without its markup, scripts and attribute values."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _sessions(session, agent, count: int, *, status: str = "scheduled", mode: str = "in_person",
              starts_at=STARTS) -> list[BimtekSession]:
    rows = []
    for i in range(count):
        row = BimtekSession(topic=f"Sesi Nomor {next(_numbers)}", description="Materi.",
                            starts_at=starts_at + timedelta(days=i), ends_at=starts_at + timedelta(days=i, hours=2),
                            mode=mode, place="Aula" if mode == "in_person" else None,
                            online_url="https://zoom.us/j/1" if mode == "online" else None, capacity=2,
                            status=status, created_by_id=agent.id, created_at=clock.now(),
                            cancelled_at=clock.now() if status == "cancelled" else None)
        session.add(row)
        rows.append(row)
    session.commit()
    return rows


def _register(session, bimtek, user, status: str, position: int | None = None) -> BimtekRegistration:
    row = BimtekRegistration(session_id=bimtek.id, user_id=user.id, status=status,
                             position=position if status == "waitlisted" else None, created_at=clock.now(),
                             attended_at=clock.now() if status == "attended" else None)
    session.add(row)
    session.commit()
    return row


def test_every_status_and_mode_has_words():
    assert set(SESSION_STATUS_LABELS) == set(SESSION_STATUSES)
    assert set(REGISTRATION_STATUS_LABELS) == set(REGISTRATION_STATUSES)
    assert set(MODE_LABELS) == set(MODES)


def test_the_session_lists_run_the_same_queries_for_any_page_size(client, factories, session,
                                                                  assert_constant_queries):
    agent = factories.user(roles=("helpdesk",))
    rows = _sessions(session, agent, 7)
    person = factories.user()
    # Waiting-list places on /bimtek are read in one statement, however many the person has.
    for bimtek in rows[:3]:
        _register(session, bimtek, factories.user(), "registered")
        _register(session, bimtek, person, "waitlisted", position=1)
    sign_in(client, agent)
    assert_constant_queries("/bimtek/kelola")
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, person, advance=False)
    assert_constant_queries("/bimtek")
    assert _text(client.get("/bimtek")).count("nomor 1") == 3


def test_the_lists_use_the_one_pager(client, factories, session, app, monkeypatch):
    agent = factories.user(roles=("helpdesk",))
    rows = _sessions(session, agent, 3)
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    sign_in(client, agent)
    for path, last in (("/bimtek", rows[2].topic), ("/bimtek/kelola", rows[0].topic)):  # soonest, latest first
        page = client.get(path).get_data(as_text=True)
        link = html.unescape(re.search(r'<a href="([^"]+)" rel="next"', page).group(1))
        assert link.startswith(path + "?") and "page=2" in link
        assert last not in page and last in client.get(link).get_data(as_text=True)


def test_no_status_or_mode_code_is_shown_as_text(client, factories, session):
    agent = factories.user(roles=("helpdesk",))
    person = factories.user()
    scheduled = _sessions(session, agent, 1, mode="online")[0]
    cancelled = _sessions(session, agent, 1, status="cancelled")[0]
    cancelled.cancel_reason = "Narasumber berhalangan."
    held = _sessions(session, agent, 1, status="held", starts_at=clock.now() - timedelta(days=1))[0]
    session.commit()
    _register(session, scheduled, person, "waitlisted", position=1)
    _register(session, cancelled, person, "cancelled")
    _register(session, held, person, "attended")
    _register(session, held, factories.user(), "absent")
    _register(session, scheduled, factories.user(), "registered")
    sign_in(client, agent)
    for bimtek in (scheduled, cancelled, held):
        for path in (f"/bimtek/{bimtek.id}", f"/bimtek/{bimtek.id}/kelola"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert not re.search(CODES, _text(response)), (path, re.search(CODES, _text(response)))
    manage = _text(client.get("/bimtek/kelola"))
    assert not re.search(CODES, manage)
    assert "Dibatalkan" in manage and "Terlaksana" in manage and "Daring" in manage
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, person, advance=False)
    mine = _text(client.get("/bimtek"))
    assert not re.search(CODES, mine) and "Hadir" in mine and "Dalam daftar tunggu" in mine


def test_a_change_after_the_start_is_a_conflict_on_the_page(client, factories, session):
    agent = factories.user(roles=("helpdesk",))
    bimtek = _sessions(session, agent, 1)[0]
    clock.freeze(STARTS + timedelta(minutes=5))
    sign_in(client, agent)
    response = client.post(f"/bimtek/{bimtek.id}/kelola", data={
        "edit-topic": "Topik Baru Diketik", "edit-description": "x", "edit-date": "2026-12-01",
        "edit-start_time": "09:00", "edit-end_time": "10:00", "edit-mode": "in_person", "edit-place": "Aula",
        "edit-capacity": "5"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Hanya sesi terjadwal" in page and 'id="edit-session"' not in page  # no longer editable
    session.expire_all()
    assert session.get(BimtekSession, bimtek.id).topic == bimtek.topic != "Topik Baru Diketik"


def test_attendance_for_a_changed_list_is_refused_on_top_of_the_page(client, factories, session):
    agent = factories.user(roles=("helpdesk",))
    bimtek = _sessions(session, agent, 1)[0]
    seat = _register(session, bimtek, factories.user(), "registered")
    clock.freeze(STARTS + timedelta(hours=1))
    sign_in(client, agent)
    response = client.post(f"/bimtek/{bimtek.id}/kelola/kehadiran", data={"attended": [str(seat.id + 1000)]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/bimtek/{bimtek.id}/kelola")
    assert "Daftar peserta telah berubah" in client.get(response.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    assert session.get(BimtekSession, bimtek.id).status == "scheduled"
    assert client.post(f"/bimtek/{bimtek.id}/kelola/kehadiran", data={"attended": ["x"]}).status_code == 400
