"""Outbox: e-mail rows written with their cause, delivered to a real SMTP server (aiosmtpd)."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.core import clock, outbox
from sep_portal.core.outbox import OutboxMessage
from sep_portal.extensions import db


def _enqueue(session, n=1, to="penerima@uji.go.id"):
    user = User(email=to, name="Penerima Uji")
    return [outbox.enqueue(session, "auth/password_changed", [to], {"user": user, "when": clock.now()})
            for _ in range(n)]


def _reload(session, message):
    session.expire_all()
    return session.get(OutboxMessage, message.id)


def test_enqueue_renders_in_indonesian_by_default(ctx):
    (message,) = _enqueue(ctx)
    assert message.status == "pending" and message.recipients == ["penerima@uji.go.id"]
    assert "24 November 2026 10.00 WIB" in message.body_text
    assert message.subject != "Your SEP Portal password was changed"  # the Indonesian catalogue is used
    assert "kata sandi" in (message.subject + message.body_text).lower()


def test_rollback_sends_nothing(ctx, mailbox):
    with ctx.begin_nested() as nested:
        _enqueue(ctx)
        nested.rollback()
    report = outbox.deliver_pending()
    assert report.claimed == 0 and mailbox.messages == []


def test_delivers_pending_mail_once(ctx, mailbox):
    messages = _enqueue(ctx, 3)
    ctx.commit()
    report = outbox.deliver_pending()
    assert (report.claimed, report.sent) == (3, 3)
    assert len(mailbox.to("penerima@uji.go.id")) == 3
    assert all(_reload(ctx, m).status == "sent" for m in messages)
    assert {m["X-SEP-Outbox-Id"] for m in mailbox.messages} == {str(m.id) for m in messages}
    # A second sweep finds nothing to send.
    assert outbox.deliver_pending().claimed == 0
    assert len(mailbox.messages) == 3


def test_smtp_outage_loses_nothing_and_retries_with_backoff(ctx, mailbox, smtp_server):
    (message,) = _enqueue(ctx)
    ctx.commit()
    smtp_server.stop()
    try:
        report = outbox.deliver_pending()
        assert report.failed == 1 and report.sent == 0
        row = _reload(ctx, message)
        assert row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at == clock.now() + timedelta(minutes=1)
        assert "ConnectionRefusedError" in row.last_error
        # Still down a minute later: the second delay doubles.
        clock.advance(timedelta(minutes=1))
        outbox.deliver_pending()
        row = _reload(ctx, message)
        assert row.attempts == 2 and row.next_attempt_at == clock.now() + timedelta(minutes=2)
    finally:
        smtp_server.start()
    # Back up, but not due yet: nothing is sent early.
    assert outbox.deliver_pending().claimed == 0
    clock.advance(timedelta(minutes=2))
    report = outbox.deliver_pending()
    assert report.sent == 1
    assert len(mailbox.messages) == 1
    assert _reload(ctx, message).status == "sent"


def test_gives_up_after_max_attempts_and_can_be_requeued(app, ctx, mailbox, smtp_server):
    (message,) = _enqueue(ctx)
    ctx.commit()
    smtp_server.stop()
    try:
        for _ in range(app.config["SEP_OUTBOX_MAX_ATTEMPTS"]):
            outbox.deliver_pending()
            clock.advance(timedelta(hours=1))
    finally:
        smtp_server.start()
    row = _reload(ctx, message)
    assert row.status == "failed"
    assert outbox.deliver_pending().claimed == 0
    outbox.requeue(ctx, None, row)
    ctx.commit()
    assert outbox.deliver_pending().sent == 1


def test_a_crashed_sender_releases_its_claim_after_the_lease(ctx, mailbox):
    (message,) = _enqueue(ctx)
    ctx.commit()
    row = _reload(ctx, message)
    row.status, row.claim_token, row.claimed_until = "sending", "x" * 32, clock.now() + outbox.CLAIM_LEASE
    ctx.commit()
    assert outbox.deliver_pending().claimed == 0  # someone else holds it
    clock.advance(outbox.CLAIM_LEASE + timedelta(seconds=1))
    assert outbox.deliver_pending().sent == 1


def test_sweep_command_delivers(app, ctx, mailbox):
    _enqueue(ctx, 2)
    ctx.commit()
    result = app.test_cli_runner().invoke(args=["sep", "sweep"])
    assert result.exit_code == 0, result.output
    assert "sent 2" in result.output
    assert len(mailbox.messages) == 2


@pytest.mark.postgres
def test_concurrent_sweeps_never_send_a_message_twice(app, committed, mailbox):
    with app.test_request_context():
        with db.new_session() as s:
            ids = [m.id for m in _enqueue(s, 60)]
            s.commit()
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def sweep():
        try:
            with app.app_context():
                barrier.wait()
                while True:
                    report = outbox.deliver_pending(limit=7)
                    reports.append(report)
                    if report.claimed == 0:
                        return
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    delivered = sorted(int(m["X-SEP-Outbox-Id"]) for m in mailbox.messages)
    assert delivered == sorted(ids)  # every message exactly once
    assert sum(r.sent for r in reports) == 60
    with db.bound(app).factory() as s:
        assert set(s.scalars(select(OutboxMessage.status).where(OutboxMessage.id.in_(ids)))) == {"sent"}
