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
TENANT_EVENTS = ("tenant.suspended", "tenant.reactivated")


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


def emit_tenant(session: Session, event: str, body: Any) -> int:
    """Queue ``event`` about a whole tenant (one small payload, whatever the number of its
    accounts: each account is inactive while its tenant is suspended) for every active endpoint
    that follows the body."""
    from sep_portal.api.models import WebhookEndpoint

    if event not in TENANT_EVENTS:
        raise ValueError(f"unknown webhook event {event}")
    endpoints = session.scalars(select(WebhookEndpoint.id).where(
        WebhookEndpoint.active.is_(True),
        or_(WebhookEndpoint.body_id.is_(None), WebhookEndpoint.body_id == body.id))).all()
    payload = {"id": str(uuid.uuid4()), "event": event, "occurred_at": clock.now().isoformat(),
               "tenant": {"code": body.code, "name": body.name, "status": body.tenant_status}}
    for endpoint_id in endpoints:
        outbox.enqueue_webhook(session, endpoint_id, event, {**payload, "id": str(uuid.uuid4())})
    return len(endpoints)
