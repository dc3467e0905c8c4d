"""The OpenAPI 3 description of /api/v1, served at /api/v1/openapi.json."""
from __future__ import annotations

from typing import Any

from flask import current_app

ACCOUNT = {
    "type": "object",
    "required": ["nip", "email", "name", "status", "active", "tenant"],
    "properties": {
        "nip": {"type": "string", "pattern": "^[0-9]{18}$", "description": "NIP (18 digits)"},
        "email": {"type": "string", "format": "email"},
        "name": {"type": "string"},
        "status": {"type": "string",
                   "enum": ["pending", "active", "disabled", "deactivated", "permanently_deactivated"],
                   "description": "pending: not yet activated; disabled: by its Admin Pengelola; deactivated "
                                  "and permanently_deactivated: by Ditjen Aptika (misuse)."},
        "active": {"type": "boolean", "description": "May use SEP now (active, and its tenant is not suspended)."},
        "tenant": {"type": ["string", "null"], "description": "Code of the government body."},
    },
}
ERROR = {"type": "object", "properties": {"error": {"type": "object", "properties": {
    "code": {"type": "string"}, "message": {"type": "string"}}}}}


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict[str, Any]:
    base = current_app.config["SEP_BASE_URL"].rstrip("/")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SEP Portal integration API",
            "version": "1.0.0",
            "description": (
                "Account status for SEP (Sistem Elektronik Perkantoran) and other systems. Authenticate with "
                "`Authorization: Bearer <token>` of a service account created by the platform operator. Scope "
                "`read` sees every tenant; scope `tenant` only its own body.\n\nWebhooks: on account.created, "
                "account.disabled, account.deactivated and account.reactivated the portal POSTs "
                "`{id, event, occurred_at, accounts: [Account]}` to each registered endpoint; on tenant.suspended and "
                "tenant.reactivated it POSTs `{id, event, occurred_at, tenant: {code, name, status}}` "
                "(while a tenant is suspended none of its accounts is active). Each POST has the headers "
                "`X-SEP-Event`, `X-SEP-Delivery` and `X-SEP-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "
                "\"<t>.<raw body>\" under the endpoint secret>`. Verify the signature, reject timestamps older "
                "than 5 minutes, and answer 2xx; anything else is retried with backoff (1, 2, 4 … 60 minutes)."
            ),
        },
        "servers": [{"url": f"{base}/api/v1"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Account": ACCOUNT, "Error": ERROR},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/accounts/lookup": {"get": {
                "operationId": "lookupAccount",
                "summary": "An account's status by NIP or e-mail",
                "parameters": [
                    {"name": "nip", "in": "query", "schema": {"type": "string"}},
                    {"name": "email", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "The account", "content": {"application/json": {"schema": {
                        "allOf": [{"$ref": "#/components/schemas/Account"}, {"type": "object", "properties": {
                            "tenant_status": {"type": ["string", "null"]}}}]}}}},
                    "400": _error("Neither or both of nip and email"),
                    "401": _error("No or invalid token"),
                    "404": _error("No such account visible to this token"),
                    "429": _error("Rate limited"),
                },
            }},
            "/tenants/{code}/accounts": {"get": {
                "operationId": "listTenantAccounts",
                "summary": "A tenant's accounts, by pages (keyset cursor)",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "status", "in": "query", "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"},
                     "description": "next_cursor of the previous page"},
                ],
                "responses": {
                    "200": {"description": "One page", "content": {"application/json": {"schema": {
                        "type": "object", "required": ["tenant", "accounts", "next_cursor"], "properties": {
                            "tenant": {"type": "object", "properties": {
                                "code": {"type": "string"}, "name": {"type": "string"},
                                "status": {"type": "string"}}},
                            "accounts": {"type": "array", "items": {"$ref": "#/components/schemas/Account"}},
                            "next_cursor": {"type": ["string", "null"]},
                        }}}}},
                    "401": _error("No or invalid token"),
                    "404": _error("No such tenant visible to this token"),
                    "429": _error("Rate limited"),
                },
            }},
            "/openapi.json": {"get": {"operationId": "openapi", "summary": "This document", "security": [],
                                      "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
        },
    }
