"""Bimtek as plain functions: capacity, waiting list, cancellation, attendance, certificates,
reminders (DESIGN §5)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sep_portal.bimtek import operations as ops
from sep_portal.bimtek import queries
from sep_portal.bimtek.models import BimtekRegistration, BimtekSession
from sep_portal.core import clock, sweep
from sep_portal.core.audit import AuditEntry
from sep_portal.core.errors import ConflictError, DomainError, NotPermitted
from sep_portal.core.outbox import OutboxMessage
from tests.bimtek.helpers import STARTS, details, make_session


@pytest.fixture
def people(ctx, factories):
    from sep_portal.accounts.models import User

    made = {"agent": factories.user(roles=("helpdesk",), email="agen@kominfo.go.id"),
            "a": factories.user(email="satu@kab.go.id", name="Peserta Satu"),
            "b": factories.user(roles=("admin_pengelola",), email="dua@kab.go.id", name="Peserta Dua"),
            "c": factories.user(roles=("sekretaris",), email="tiga@kab.go.id", name="Peserta Tiga"),
            "d": factories.user(email="empat@kab.go.id", name="Peserta Empat")}
    return {k: ctx.get(User, u.id) for k, u in made.items()}


def _mails(ctx, template):
    return ctx.scalars(select(OutboxMessage).where(OutboxMessage.template == f"bimtek/{template}")
                       .order_by(OutboxMessage.id)).all()


@pytest.fixture
def since(ctx):
    """The audit log's end before the test (races on PostgreSQL commit entries that stay)."""
    return ctx.scalar(select(func.max(AuditEntry.seq))) or 0


def _actions(ctx, since, prefix="bimtek."):
    return [a for a in ctx.scalars(select(AuditEntry.action).where(AuditEntry.seq > since).order_by(AuditEntry.seq))
            if a.startswith(prefix)]


def test_only_agents_schedule_and_bad_input_is_refused_with_its_field(ctx, people, since):
    with pytest.raises(NotPermitted):
        make_session(ctx, people["a"])
    cases = [({"topic": "  "}, "topic"), ({"starts_at": clock.now() - timedelta(hours=1)}, "date"),
             ({"ends_at": STARTS}, "end_time"), ({"mode": "online", "online_url": "http://meet.example.go.id/x"},
                                                 "online_url"),
             ({"mode": "online", "online_url": "javascript:alert(1)"}, "online_url"),
             ({"place": ""}, "place"), ({"capacity": 0}, "capacity"), ({"capacity": 5000}, "capacity")]
    for changes, field in cases:
        with pytest.raises(DomainError) as exc:
            make_session(ctx, people["agent"], **changes)
        assert exc.value.field == field, changes
    assert ctx.scalar(select(BimtekSession.id)) is None
    online = make_session(ctx, people["agent"], mode="online", online_url="https://zoom.us/j/123", place="ignored")
    assert online.place is None and online.location == "https://zoom.us/j/123"
    assert _actions(ctx, since) == ["bimtek.session_created"]


def test_capacity_then_waiting_list_in_order_and_promotion_on_cancel(ctx, people, since):
    bimtek = make_session(ctx, people["agent"], capacity=2)
    first = ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    second = ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    third = ops.register(ctx, bimtek.id, people["c"], now=clock.now())
    fourth = ops.register(ctx, bimtek.id, people["d"], now=clock.now())
    assert [r.status for r in (first, second, third, fourth)] == ["registered", "registered", "waitlisted",
                                                                  "waitlisted"]
    assert (third.position, fourth.position) == (1, 2)
    with pytest.raises(ConflictError):
        ops.register(ctx, bimtek.id, people["a"], now=clock.now())

    confirmations = _mails(ctx, "registered")
    assert [m.recipients for m in confirmations] == [["satu@kab.go.id"], ["dua@kab.go.id"]]
    body = confirmations[0].body_text
    assert "26 November 2026 09.00 WIB" in body and "Ruang Rapat Lt. 3" in body
    waitlisted = _mails(ctx, "waitlisted")
    assert [m.recipients for m in waitlisted] == [["tiga@kab.go.id"], ["empat@kab.go.id"]]
    assert "nomor 2" in waitlisted[1].body_text.lower()

    # A seat frees up: the first on the waiting list takes it and is told; the order holds.
    ops.cancel_registration(ctx, bimtek.id, people["b"], now=clock.now())
    assert (second.status, third.status, third.position, fourth.status) == ("cancelled", "registered", None,
                                                                            "waitlisted")
    assert [m.recipients for m in _mails(ctx, "promoted")] == [["tiga@kab.go.id"]]
    # Leaving the waiting list promotes nobody.
    ops.cancel_registration(ctx, bimtek.id, people["d"], now=clock.now())
    assert len(_mails(ctx, "promoted")) == 1
    # Registering again after a cancellation queues at the back (the only one waiting now).
    again = ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    assert again.id == second.id and again.status == "waitlisted" and again.position == 1
    assert _actions(ctx, since) == ["bimtek.session_created", "bimtek.registered", "bimtek.registered",
                             "bimtek.waitlisted", "bimtek.waitlisted", "bimtek.registration_cancelled",
                             "bimtek.promoted", "bimtek.registration_cancelled", "bimtek.waitlisted"]


def test_more_seats_fill_from_the_waiting_list_and_fewer_than_taken_are_refused(ctx, people):
    bimtek = make_session(ctx, people["agent"], capacity=1)
    ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    waiting = ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    ops.update_session(ctx, bimtek.id, people["agent"], details(capacity=2), now=clock.now())
    assert waiting.status == "registered" and len(_mails(ctx, "promoted")) == 1
    assert _mails(ctx, "session_changed") == []  # only the seats changed
    later = STARTS + timedelta(days=1)
    ops.update_session(ctx, bimtek.id, people["agent"], details(capacity=2, starts_at=later,
                                                                ends_at=later + timedelta(hours=2)), now=clock.now())
    changed = _mails(ctx, "session_changed")
    assert sorted(r for m in changed for r in m.recipients) == ["dua@kab.go.id", "satu@kab.go.id"]
    assert "27 November 2026 09.00 WIB" in changed[0].body_text
    with pytest.raises(DomainError) as exc:
        ops.update_session(ctx, bimtek.id, people["agent"], details(capacity=1), now=clock.now())
    assert exc.value.field == "capacity"


def test_cancelling_a_session_tells_everyone_and_closes_registration(ctx, people):
    bimtek = make_session(ctx, people["agent"], capacity=1)
    ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    with pytest.raises(DomainError):
        ops.cancel_session(ctx, bimtek.id, people["agent"], reason=" ", now=clock.now())
    with pytest.raises(NotPermitted):
        ops.cancel_session(ctx, bimtek.id, people["a"], reason="x", now=clock.now())
    ops.cancel_session(ctx, bimtek.id, people["agent"], reason="Narasumber berhalangan.", now=clock.now())
    assert bimtek.status == "cancelled"
    mails = _mails(ctx, "session_cancelled")
    assert sorted(r for m in mails for r in m.recipients) == ["dua@kab.go.id", "satu@kab.go.id"]
    assert "Narasumber berhalangan." in mails[0].body_text
    assert set(ctx.scalars(select(BimtekRegistration.status))) == {"cancelled"}
    with pytest.raises(ConflictError):
        ops.register(ctx, bimtek.id, people["c"], now=clock.now())


def test_attendance_after_the_start_and_certificates_only_for_attendees(ctx, people, since):
    bimtek = make_session(ctx, people["agent"], capacity=3)
    came = ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    missed = ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    with pytest.raises(ConflictError):  # not yet started
        ops.record_attendance(ctx, bimtek.id, people["agent"], {came.id}, now=clock.now())
    after = STARTS + timedelta(hours=3)
    with pytest.raises(NotPermitted):
        ops.record_attendance(ctx, bimtek.id, people["a"], {came.id}, now=after)
    with pytest.raises(DomainError):  # an id that is not a participant: nothing saved
        ops.record_attendance(ctx, bimtek.id, people["agent"], {came.id, 999999}, now=after)
    assert came.status == "registered"
    with pytest.raises(ConflictError):  # too late to cancel
        ops.cancel_registration(ctx, bimtek.id, people["a"], now=after)
    ops.record_attendance(ctx, bimtek.id, people["agent"], {came.id}, now=after)
    assert (came.status, missed.status, bimtek.status) == ("attended", "absent", "held")

    with pytest.raises(NotPermitted):
        ops.issue_certificate(ctx, missed.id, people["b"], now=after)
    with pytest.raises(NotPermitted):  # someone else's certificate
        ops.issue_certificate(ctx, came.id, people["b"], now=after)
    stored = ops.issue_certificate(ctx, came.id, people["a"], now=after)
    assert stored.content_type == "application/pdf" and came.certificate_code
    again = ops.issue_certificate(ctx, came.id, people["agent"], now=after)
    assert again.id == stored.id  # made once
    assert queries.by_certificate_code(ctx, came.certificate_code).id == came.id

    # A correction withdraws it.
    ops.record_attendance(ctx, bimtek.id, people["agent"], set(), now=after)
    assert came.status == "absent" and came.certificate_file_id is None
    assert queries.by_certificate_code(ctx, came.certificate_code) is None
    assert "bimtek.certificate_issued" in _actions(ctx, since) and "bimtek.attendance_recorded" in _actions(ctx, since)


def test_the_certificate_pdf_names_the_participant(ctx, people):
    import pypdfium2

    from sep_portal.core import storage

    bimtek = make_session(ctx, people["agent"])
    registration = ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    ops.record_attendance(ctx, bimtek.id, people["agent"], {registration.id}, now=STARTS + timedelta(hours=1))
    stored = ops.issue_certificate(ctx, registration.id, people["a"], now=STARTS + timedelta(hours=4))
    data = storage.path_of(stored).read_bytes()
    assert data.startswith(b"%PDF")
    text = pypdfium2.PdfDocument(data)[0].get_textpage().get_text_range()
    assert "SERTIFIKAT KEHADIRAN" in text and "Peserta Satu" in text and people["a"].nip in text
    assert "Direktorat Jenderal Aplikasi Informatika" in text and "26 November 2026 09.00 WIB" in text


def test_the_reminder_goes_once_a_day_before_and_only_to_seated_people(app, ctx, people):
    bimtek = make_session(ctx, people["agent"], capacity=1)
    ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    ops.register(ctx, bimtek.id, people["b"], now=clock.now())  # waiting list: no reminder
    ctx.commit()
    clock.freeze(STARTS - timedelta(hours=24, seconds=1))
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 0
    clock.freeze(STARTS - timedelta(hours=24))
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 1
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 0
    clock.advance(timedelta(hours=2))
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 0
    reminders = _mails(ctx, "reminder")
    assert [m.recipients for m in reminders] == [["satu@kab.go.id"]]
    assert "26 November 2026 09.00 WIB" in reminders[0].body_text
    assert reminders[0].status == "sent"  # the same sweep delivered it
    clock.freeze(STARTS + timedelta(minutes=1))  # after the start: nothing more
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 0


def test_a_seat_given_within_the_last_day_gets_its_reminder_at_the_next_sweep(app, ctx, people):
    bimtek = make_session(ctx, people["agent"], capacity=1)
    ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    ctx.commit()
    clock.freeze(STARTS - timedelta(hours=20))
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 1
    ops.cancel_registration(ctx, bimtek.id, ctx.merge(people["a"]), now=clock.now())
    ctx.commit()
    assert sweep.run_sweep().tasks["bimtek.reminders"] == 1
    assert sorted(r for m in _mails(ctx, "reminder") for r in m.recipients) == ["dua@kab.go.id", "satu@kab.go.id"]


def test_the_waiting_list_shows_the_place_now_keeps_the_link_for_seats_and_closes_when_held(ctx, people):
    bimtek = make_session(ctx, people["agent"], capacity=1, mode="online", online_url="https://zoom.us/j/987",
                          place=None)
    seat = ops.register(ctx, bimtek.id, people["a"], now=clock.now())
    w1 = ops.register(ctx, bimtek.id, people["b"], now=clock.now())
    w2 = ops.register(ctx, bimtek.id, people["c"], now=clock.now())
    w3 = ops.register(ctx, bimtek.id, people["d"], now=clock.now())
    assert (w1.waiting_rank, w2.waiting_rank, w3.waiting_rank) == (1, 2, 3)
    waitlisted_mail = [m for m in _mails(ctx, "waitlisted") if "empat@kab.go.id" in m.recipients][-1]
    assert "https://zoom.us/j/987" not in waitlisted_mail.body_text and "nomor 3" in waitlisted_mail.body_text
    assert "https://zoom.us/j/987" in [m for m in _mails(ctx, "registered")][-1].body_text
    ops.cancel_registration(ctx, bimtek.id, people["b"], now=clock.now())  # W1 leaves the list
    ops.cancel_registration(ctx, bimtek.id, people["a"], now=clock.now())  # the seat goes to W2
    assert w2.status == "registered" and w3.waiting_rank == 1
    ops.record_attendance(ctx, bimtek.id, people["agent"], [w2.id], now=STARTS + timedelta(hours=1))
    assert w3.status == "cancelled" and w3.position is None and seat.status == "cancelled"
