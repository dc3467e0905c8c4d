"""/api/v1: JSON for integrations, with bearer tokens of service accounts.

A token is ``sep_<prefix>_<secret>``; only its SHA-256 is stored. Scope ``read`` sees every
tenant, scope ``tenant`` only its own body (anything else is 404, as if it did not exist).
"""
from __future__ import annotations

from typing import Any

from flask import abort, g, jsonify, request

from sep_portal.api import bp
from sep_portal.api import operations as ops
from sep_portal.api import queries as api_queries
from sep_portal.api.models import ServiceAccount
from sep_portal.api.openapi import document
from sep_portal.api.webhooks import account_json
from sep_portal.core import clock
from sep_portal.core.identity import email_key
from sep_portal.core.security import hash_token
from sep_portal.extensions import csrf, db, limit_from_config, limiter
from sep_portal.tenants import queries

csrf.exempt(bp)  # bearer tokens, no cookies: CSRF does not apply


def _error(status: int, code: str, message: str) -> Any:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sep-portal"'
    return response


def _bearer_token() -> str | None:
    """The token of the ``Authorization: Bearer`` header, or None without one."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _rate_key() -> str:
    """Per token (as authentication reads it, so padding it changes nothing); per address without one."""
    token = _bearer_token()
    return "api:" + hash_token(token)[:32] if token else "api-ip:" + (request.remote_addr or "")


@bp.before_request
def _authenticate() -> Any:
    if request.endpoint == "api.openapi":
        return None
    token = _bearer_token()
    if token is None:
        return _error(401, "unauthorized", "A bearer token is required.")
    account = ops.authenticate(db.session, token, now=clock.now())
    if account is None:
        return _error(401, "unauthorized", "The token is not valid or has been revoked.")
    db.session.commit()  # its last use, when noted
    g.service_account = account
    return None


_limit = limit_from_config("SEP_API_RATE_LIMIT")


limiter.limit(_limit, key_func=_rate_key)(bp)  # every route of the API, per token


@bp.errorhandler(429)
def _too_many(exc: Any) -> Any:
    """API clients get JSON, as the OpenAPI document promises; the blueprint's handler comes
    before the portal's HTML one for every route of the API."""
    return _error(429, "rate_limited", "Too many requests; slow down.")


def _caller() -> ServiceAccount:
    return g.service_account


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(document())


@bp.get("/accounts/lookup")
def lookup() -> Any:
    nip, email = request.args.get("nip", "").strip(), email_key(request.args.get("email"))
    if bool(nip) == bool(email):
        return _error(400, "bad_request", "Give exactly one of nip or email.")
    user = api_queries.account_by_identifier(db.session, nip=nip, email=email)
    if user is None or not _caller().can_see_body(user.body_id):
        return _error(404, "not_found", "No account with that identifier.")
    body = user.body
    data = account_json(user, body.code if body else None)
    data["active"] = user.may_sign_in  # a suspended tenant's accounts are inactive too
    data["tenant_status"] = body.tenant_status if body else None
    return jsonify(data)


@bp.get("/tenants/<code>/accounts")
def tenant_accounts(code: str) -> Any:
    body = api_queries.body_by_code(db.session, code)
    if body is None or not _caller().can_see_body(body.id):
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
