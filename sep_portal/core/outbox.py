"""Transactional outbox for e-mail and webhooks.

``enqueue`` renders a message from templates and writes it as a row in the caller's transaction:
if the change that caused it rolls back, nothing is sent; if SMTP is down, nothing is lost.
``deliver_pending`` (run by ``flask sep sweep`` and ``flask sep worker``) claims due rows and
sends them through Flask-Mail, with exponential backoff on failure. A row is claimed by a
conditional UPDATE from ``pending`` to ``sending`` (on PostgreSQL after ``FOR UPDATE SKIP
LOCKED``), committed before any mail leaves, so concurrent sweeps never send a message twice.
Webhooks (``enqueue_webhook``) travel the same way on the ``webhook`` channel: POSTed as JSON,
signed with HMAC-SHA256 under the endpoint's secret, retried with the same backoff.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import Message
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sep_portal.core import clock
from sep_portal.core.db import Base
from sep_portal.core.identity import email_key

log = logging.getLogger(__name__)

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")
CHANNELS = ("email", "webhook")
CLAIM_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=1)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES!r}", name="status"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        CheckConstraint("channel <> 'webhook' OR endpoint_id IS NOT NULL", name="webhook_has_endpoint"),
        Index("ix_outbox_due", "channel", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    channel: Mapped[str] = mapped_column(String(10), default="email", server_default="email")
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id"))
    template: Mapped[str] = mapped_column(String(100))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]


def enqueue(session: Session, template: str, recipients: Sequence[str], context: dict[str, Any] | None = None,
            *, locale: str | None = None) -> OutboxMessage:
    """Render ``templates/emails/<template>.{subject.txt,txt,html}`` in the recipient's language
    and add the message to the caller's transaction. The HTML part is optional."""
    if not recipients:
        raise ValueError("an e-mail needs at least one recipient")
    context = dict(context or {})
    context.setdefault("base_url", current_app.config["SEP_BASE_URL"].rstrip("/"))
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        body_text = render_template(f"emails/{template}.txt", **context)
        try:
            body_html: str | None = render_template(f"emails/{template}.html", **context)
        except Exception as exc:  # TemplateNotFound: the text part is enough
            if type(exc).__name__ != "TemplateNotFound":
                raise
            body_html = None
    message = OutboxMessage(
        template=template,
        recipients=[email_key(r) for r in recipients],
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        status="pending",
        next_attempt_at=clock.now(),
    )
    session.add(message)
    session.flush()
    return message


def enqueue_many(session: Session, template: str, context: dict[str, Any],
                 rows: Iterable[tuple[str, dict[str, str]]], *, locale: str | None = None,
                 chunk: int = 5000) -> int:
    """Queue one message per row for bulk work (an import of 100 000 accounts). The template is
    rendered once with ``context``, whose per-person values are placeholders (e.g. a name of
    ``"\x00NAME\x00"``); each row is (recipient, {placeholder: value}) and gets its own copy
    with the placeholders replaced. Same rows as ``enqueue``, inserted in bulk."""
    from sep_portal.core.db import bulk_insert

    ctx = {"base_url": current_app.config["SEP_BASE_URL"].rstrip("/"), **context}
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = " ".join(render_template(f"emails/{template}.subject.txt", **ctx).split())
        body = render_template(f"emails/{template}.txt", **ctx)
    now = clock.now()
    count, batch = 0, []
    for recipient, values in rows:
        text, title = body, subject
        for placeholder, value in values.items():
            text, title = text.replace(placeholder, value), title.replace(placeholder, value)
        batch.append({"created_at": now, "channel": "email", "endpoint_id": None, "template": template,
                      "recipients": [email_key(recipient)], "subject": title[:300], "body_text": text,
                      "body_html": None, "status": "pending", "attempts": 0, "next_attempt_at": now,
                      "last_error": None, "sent_at": None, "claim_token": None, "claimed_until": None})
        if len(batch) >= chunk:
            bulk_insert(session, OutboxMessage.__table__, batch, json_columns=("recipients",))
            count, batch = count + len(batch), []
    bulk_insert(session, OutboxMessage.__table__, batch, json_columns=("recipients",))
    return count + len(batch)


def enqueue_webhook(session: Session, endpoint_id: int, event: str, payload: dict[str, Any]) -> OutboxMessage:
    """Queue one signed POST of ``payload`` (JSON) to a webhook endpoint."""
    message = OutboxMessage(channel="webhook", endpoint_id=endpoint_id, template=f"webhook:{event}"[:100],
                            recipients=[], subject=event[:300],
                            body_text=json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str),
                            status="pending", next_attempt_at=clock.now())
    session.add(message)
    session.flush()
    return message


def sign_webhook(secret: str, timestamp: int, body: bytes) -> str:
    """The X-SEP-Signature value: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``.
    Receivers recompute it and reject old timestamps (replay)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """Delay before the next try after ``attempts`` failed tries: 1, 2, 4 … minutes, at most 1 hour."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _claim(session: Session, now: datetime, limit: int, channel: str = "email") -> list[OutboxMessage]:
    # A sender that died mid-batch leaves rows in "sending"; after the lease they are due again.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.channel == channel, OutboxMessage.status == "sending",
               OutboxMessage.claimed_until < now)
        .values(status="pending", claim_token=None, claimed_until=None)
    )
    query = (
        select(OutboxMessage.id)
        .where(OutboxMessage.channel == channel, OutboxMessage.status == "pending",
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        session.commit()
        return []
    token = secrets.token_hex(16)
    # The status condition makes the claim safe even without row locks (SQLite): a row another
    # sweep claimed in between no longer matches.
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == "pending")
        .values(status="sending", claim_token=token, claimed_until=now + CLAIM_LEASE)
    )
    session.commit()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.claim_token == token)
                                .order_by(OutboxMessage.id)))


def _to_mail(message: OutboxMessage) -> Message:
    return Message(
        subject=message.subject,
        recipients=list(message.recipients),
        body=message.body_text,
        html=message.body_html,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        extra_headers={"X-SEP-Outbox-Id": str(message.id)},
    )


def _mark_failed(message: OutboxMessage, now: datetime, error: BaseException, report: DeliveryReport) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    message.claim_token = None
    message.claimed_until = None
    if message.attempts >= current_app.config["SEP_OUTBOX_MAX_ATTEMPTS"]:
        message.status = "failed"
        report.gave_up += 1
    else:
        message.status = "pending"
        message.next_attempt_at = now + backoff(message.attempts)
    report.failed += 1
    # The message id and the error class only: recipients are personal data.
    log.warning("outbox message %s not delivered (attempt %s): %s", message.id, message.attempts,
                type(error).__name__)


def _mark_sent(message: OutboxMessage, report: DeliveryReport) -> None:
    message.status = "sent"
    message.sent_at = clock.now()
    message.attempts += 1
    message.claim_token = None
    message.claimed_until = None
    message.last_error = None
    report.sent += 1


def deliver_pending(*, limit: int | None = None) -> DeliveryReport:
    """Send due e-mail. Safe to run from several processes at once."""
    from sep_portal.extensions import db, mail

    report = DeliveryReport()
    now = clock.now()
    limit = limit or current_app.config["SEP_OUTBOX_BATCH"]
    with db.new_session() as session:
        messages = _claim(session, now, limit)
        report.claimed = len(messages)
        if not messages:
            return report
        try:
            connection = mail.connect()
            connection.__enter__()
        except (OSError, smtplib.SMTPException) as exc:
            for message in messages:
                _mark_failed(message, now, exc, report)
            session.commit()
            report.errors.append(type(exc).__name__)
            return report
        try:
            for message in messages:
                try:
                    connection.send(_to_mail(message))
                except (OSError, smtplib.SMTPException) as exc:
                    _mark_failed(message, now, exc, report)
                    report.errors.append(type(exc).__name__)
                else:
                    _mark_sent(message, report)
                # Record each outcome at once: a crash later must not resend what went out.
                session.commit()
        finally:
            try:
                connection.__exit__(None, None, None)
            except (OSError, smtplib.SMTPException):
                pass
    return report


class WebhookRefused(Exception):
    """The receiver answered with a status other than 2xx, or may not be called."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an error: a receiver must not send us elsewhere (internal addresses)


_OPENER = urllib.request.build_opener(_NoRedirect)


def webhook_address_problem(url: str) -> str | None:
    """Why ``url`` may not receive webhooks (SSRF guard), or None. Private, loopback and
    link-local addresses are refused unless SEP_WEBHOOK_ALLOW_PRIVATE (development, tests)."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    if current_app.config["SEP_WEBHOOK_ALLOW_PRIVATE"]:
        return None
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError:
        return "unresolvable"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_reserved
                or address.is_multicast or address.is_unspecified):
            return "private address"
    return None


def deliver_webhooks(*, limit: int | None = None) -> DeliveryReport:
    """POST due webhook messages, signed. A 2xx answer is success; anything else (or no answer)
    is retried with backoff. Safe to run from several processes at once."""
    from sqlalchemy import text as sql_text

    from sep_portal.extensions import db

    report = DeliveryReport()
    now = clock.now()
    # Each delivery may take up to the timeout: a batch must end well within the claim lease.
    timeout = current_app.config["SEP_WEBHOOK_TIMEOUT"]
    fits_in_lease = int(CLAIM_LEASE.total_seconds() // (3 * timeout))
    limit = limit or max(1, min(current_app.config["SEP_OUTBOX_BATCH"], fits_in_lease))
    with db.new_session() as session:
        messages = _claim(session, now, limit, channel="webhook")
        report.claimed = len(messages)
        for message in messages:
            endpoint = session.execute(sql_text("SELECT url, secret, active FROM webhook_endpoints WHERE id = :id"),
                                       {"id": message.endpoint_id}).one_or_none()
            try:
                if endpoint is None or not endpoint.active:
                    raise WebhookRefused("endpoint removed or inactive")
                problem = webhook_address_problem(endpoint.url)
                if problem:
                    raise WebhookRefused(f"address refused ({problem})")
                body = message.body_text.encode()
                request = urllib.request.Request(endpoint.url, data=body, method="POST", headers={
                    "Content-Type": "application/json",
                    "User-Agent": "SEP-Portal-Webhook/1",
                    "X-SEP-Event": message.subject,
                    "X-SEP-Delivery": str(message.id),
                    "X-SEP-Signature": sign_webhook(endpoint.secret, int(clock.now().timestamp()), body),
                })
                with _OPENER.open(request, timeout=timeout) as response:
                    if not 200 <= response.status < 300:
                        raise WebhookRefused(f"HTTP {response.status}")
            except urllib.error.HTTPError as exc:  # keep the status only, not what the receiver said
                _mark_failed(message, now, WebhookRefused(f"HTTP {exc.code}"), report)
                report.errors.append("HTTPError")
            except (OSError, urllib.error.URLError, WebhookRefused) as exc:
                _mark_failed(message, now, exc, report)
                report.errors.append(type(exc).__name__)
            else:
                _mark_sent(message, report)
            session.commit()
    return report


def requeue(session: Session, actor: Any, message: OutboxMessage) -> None:
    """Give a message that was given up on another round of attempts (operator action, audited)."""
    from sep_portal.core import audit
    from sep_portal.core.states import IllegalTransition

    if message.status != "failed":
        raise IllegalTransition("outbox", message.status, "requeue")
    audit.record(session, actor, "outbox.requeued", message)
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = clock.now()
    session.flush()
