"""Service accounts and webhook endpoints, managed by the superadmin."""
from __future__ import annotations

import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sep_portal.api.models import SCOPES, ServiceAccount, WebhookEndpoint
from sep_portal.core import audit
from sep_portal.core.errors import DomainError, NotPermitted
from sep_portal.core.permissions import SUPERADMIN
from sep_portal.core.security import hash_token
from sep_portal.tenants.models import Body

# A token's last use is written at most this often: a busy integration does not write on every call.
LAST_USED_EVERY_SECONDS = 60


def authenticate(session: Session, bearer_token: str, *, now: datetime) -> ServiceAccount | None:
    """The active service account whose token is ``bearer_token``, or None (unknown or revoked).
    Only the token's SHA-256 is compared, as only it is stored. Its last use is noted (flushed;
    the caller commits), at most once a minute and by a plain UPDATE, so that concurrent calls
    with one token never conflict."""
    if not bearer_token:
        return None
    account = session.scalar(select(ServiceAccount).where(ServiceAccount.token_hash == hash_token(bearer_token)))
    if account is None or account.revoked_at is not None:
        return None
    if account.last_used_at is None or (now - account.last_used_at).total_seconds() > LAST_USED_EVERY_SECONDS:
        session.execute(update(ServiceAccount).where(ServiceAccount.id == account.id).values(last_used_at=now))
    return account


def _ensure_operator(actor: object) -> None:
    if not getattr(actor, "has_role", lambda _r: False)(SUPERADMIN):
        raise NotPermitted("superadmin only")


def create_service_account(session: Session, actor: object, *, name: str, scope: str, body_id: int | None,
                           now: datetime) -> tuple[ServiceAccount, str]:
    """Returns the account and its token, which is shown once and never stored."""
    _ensure_operator(actor)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DomainError("name", _("Give the system a name."))
    if scope not in SCOPES:
        raise DomainError("scope", _("Choose a scope."))
    if scope == "tenant":
        if body_id is None or session.get(Body, body_id) is None:
            raise DomainError("body_id", _("A tenant-scoped token needs its government body."))
    else:
        body_id = None
    prefix = secrets.token_hex(4)
    token = f"sep_{prefix}_{secrets.token_urlsafe(32)}"
    account = ServiceAccount(name=name, scope=scope, body_id=body_id, token_prefix=prefix,
                             token_hash=hash_token(token), created_by_id=getattr(actor, "id", None), created_at=now)
    session.add(account)
    session.flush()
    audit.record(session, actor, "api.service_account_created", account,
                 after={"name": name, "scope": scope, "body_id": body_id, "prefix": prefix})
    return account, token


def revoke_service_account(session: Session, actor: object, account: ServiceAccount, *, now: datetime) -> None:
    _ensure_operator(actor)
    if account.revoked_at is None:
        account.revoked_at = now
        session.flush()
        audit.record(session, actor, "api.service_account_revoked", account)


def create_webhook(session: Session, actor: object, *, name: str, url: str, body_id: int | None,
                   now: datetime) -> tuple[WebhookEndpoint, str]:
    """Returns the endpoint and its signing secret (shown once to the operator)."""
    _ensure_operator(actor)
    name = " ".join((name or "").split())[:200]
    if not name:
        raise DomainError("name", _("Give the endpoint a name."))
    parts = urlsplit((url or "").strip())
    allowed = ("https",) if current_app.config["SEP_FORCE_HTTPS"] else ("https", "http")
    if parts.scheme not in allowed or not parts.netloc:
        raise DomainError("url", _("Enter the full address, starting with https://."))
    if body_id is not None and session.get(Body, body_id) is None:
        raise DomainError("body_id", _("Choose a government body, or none for all."))
    from sep_portal.core.outbox import webhook_address_problem

    if webhook_address_problem(url.strip()):
        raise DomainError("url", _("This address cannot receive webhooks: it must be a public address of the "
                                   "receiving system."))
    secret = secrets.token_hex(32)
    endpoint = WebhookEndpoint(name=name, url=url.strip()[:500], secret=secret, body_id=body_id,
                               created_by_id=getattr(actor, "id", None), created_at=now)
    session.add(endpoint)
    session.flush()
    audit.record(session, actor, "api.webhook_created", endpoint,
                 after={"name": name, "url": endpoint.url, "body_id": body_id})
    return endpoint, secret


def set_webhook_active(session: Session, actor: object, endpoint: WebhookEndpoint, active: bool) -> None:
    _ensure_operator(actor)
    if endpoint.active != active:
        endpoint.active = active
        session.flush()
        audit.record(session, actor, "api.webhook_" + ("enabled" if active else "disabled"), endpoint)
