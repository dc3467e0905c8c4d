"""Account events for integrations (SEP itself acts on them at once): one signed POST per
endpoint, through the outbox, in the transaction of the change."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sep_portal.core import clock, outbox

EVENTS = ("account.created", "account.disabled", "account.deactivated", "account.reactivated")


def account_json(user: Any, body_code: str | None) -> dict[str, Any]:
    return {"nip": user.nip, "email": user.email, "name": user.name, "status": user.status,
            "active": user.status == "active", "tenant": body_code}


def emit(session: Session, event: str, users: Sequence[Any]) -> int:
    """Queue ``event`` about ``users`` for every active endpoint that follows their body."""
    from sep_portal.api.models import WebhookEndpoint
    from sep_portal.tenants.models import Body

    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    if not users:
        return 0
    body_ids = {u.body_id for u in users}
    endpoints = session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.active.is_(True),
        or_(WebhookEndpoint.body_id.is_(None), WebhookEndpoint.body_id.in_([b for b in body_ids if b])),
    )).all()
    if not endpoints:
        return 0
    codes = dict(session.execute(select(Body.id, Body.code).where(Body.id.in_([b for b in body_ids if b]))).all())
    queued = 0
    for endpoint in endpoints:
        mine = [u for u in users if endpoint.body_id is None or u.body_id == endpoint.body_id]
        if not mine:
            continue
        payload = {"id": str(uuid.uuid4()), "event": event, "occurred_at": clock.now().isoformat(),
                   "accounts": [account_json(u, codes.get(u.body_id)) for u in mine]}
        outbox.enqueue_webhook(session, endpoint.id, event, payload)
        queued += 1
    return queued
