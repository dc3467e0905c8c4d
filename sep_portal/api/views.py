"""/api/v1: JSON for integrations, with bearer tokens of service accounts.

A token is ``sep_<prefix>_<secret>``; only its SHA-256 is stored. Scope ``read`` sees every
tenant, scope ``tenant`` only its own body (anything else is 404, as if it did not exist).
"""
from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request
from sqlalchemy import select, update

from sep_portal.accounts.models import User
from sep_portal.api import bp
from sep_portal.api.models import ServiceAccount
from sep_portal.api.openapi import document
from sep_portal.api.webhooks import account_json
from sep_portal.core import clock
from sep_portal.core.security import hash_token
from sep_portal.extensions import csrf, db, limit_from_config, limiter
from sep_portal.tenants import queries
from sep_portal.tenants.models import Body

csrf.exempt(bp)  # bearer tokens, no cookies: CSRF does not apply


def _error(status: int, code: str, message: str) -> Any:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sep-portal"'
    return response


def _rate_key() -> str:
    """Per token (as authentication reads it, so padding it changes nothing); per address without one."""
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    return "api:" + hash_token(token)[:32] if token else "api-ip:" + (request.remote_addr or "")


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return _error(401, "unauthorized", "A bearer token is required.")
    digest = hash_token(header[7:].strip())
    account = db.session.scalar(select(ServiceAccount).where(ServiceAccount.token_hash == digest))
    if account is None or account.revoked_at is not None:
        return _error(401, "unauthorized", "The token is not valid or has been revoked.")
    g.service_account = account
    now = clock.now()
    if account.last_used_at is None or (now - account.last_used_at).total_seconds() > 60:
        db.session.execute(update(ServiceAccount).where(ServiceAccount.id == account.id).values(last_used_at=now))
        db.session.commit()
    return None


_limit = limit_from_config("SEP_API_RATE_LIMIT")


limiter.limit(_limit, key_func=_rate_key)(bp)  # every route of the API, per token


@bp.errorhandler(429)
def _too_many(exc: Any) -> Any:
    """API clients get JSON, as the OpenAPI document promises; the blueprint's handler comes
    before the portal's HTML one for every route of the API."""
    return _error(429, "rate_limited", "Too many requests; slow down.")


def _visible_body_ids() -> set[int] | None:
    account: ServiceAccount = g.service_account
    return None if account.scope == "read" else {account.body_id}  # type: ignore[set-item]


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document())


@bp.get("/accounts/lookup")
def lookup() -> Any:
    nip, email = request.args.get("nip", "").strip(), request.args.get("email", "").strip().lower()
    if bool(nip) == bool(email):
        return _error(400, "bad_request", "Give exactly one of nip or email.")
    query = select(User).where(User.nip == nip) if nip else select(User).where(User.email == email)
    user = db.session.scalar(query)
    visible = _visible_body_ids()
    if user is None or user.body_id is None or (visible is not None and user.body_id not in visible):
        return _error(404, "not_found", "No account with that identifier.")
    body = db.session.get(Body, user.body_id)
    data = account_json(user, body.code if body else None)
    data["active"] = user.may_sign_in  # a suspended tenant's accounts are inactive too
    data["tenant_status"] = body.tenant_status if body else None
    return jsonify(data)


@bp.get("/tenants/<code>/accounts")
def tenant_accounts(code: str) -> Any:
    body = db.session.scalar(select(Body).where(Body.code == code))
    visible = _visible_body_ids()
    if body is None or (visible is not None and body.id not in visible):
        return _error(404, "not_found", "No tenant with that code.")
    try:
        limit = min(max(int(request.args.get("limit", 100)), 1), 1000)
    except ValueError:
        abort(400)
    page = queries.tenant_accounts(db.session, body.id, status=request.args.get("status", ""),
                                   cursor=request.args.get("cursor"), limit=limit)
    suspended = body.tenant_status == "suspended"
    items = []
    for user in page.rows:
        item = account_json(user, body.code)
        item["active"] = item["active"] and not suspended
        items.append(item)
    return jsonify({"tenant": {"code": body.code, "name": body.name, "status": body.tenant_status},
                    "accounts": items, "next_cursor": page.next_cursor})
