"""The integration API and webhooks: tokens and scopes, lookups, pages, the OpenAPI document,
signed webhook deliveries to a real HTTP server, and retries."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.api import operations as api_ops
from sep_portal.core import clock, outbox
from sep_portal.core.outbox import OutboxMessage
from sep_portal.tenants import operations as tenant_ops
from sep_portal.tenants.models import Body
from tests.conftest import free_port
from tests.factories import sign_in


@pytest.fixture
def api(app, session, factories):
    """Two tenants, a read token, a tenant token for the first, and a revoked token."""
    operator = factories.user(roles=("superadmin",))
    body, admin = factories.tenant(name="Pemerintah Kabupaten API")
    other, _ = factories.tenant(name="Pemerintah Kota Lain")
    asn = factories.user(body=body, email="asn.api@kab.go.id", name="Asn Api")
    stranger = factories.user(body=other, email="asing@kota.go.id")
    with app.test_request_context():
        read, read_token = api_ops.create_service_account(session, operator, name="SEP", scope="read", body_id=None,
                                                          now=clock.now())
        _t, tenant_token = api_ops.create_service_account(session, operator, name="HR", scope="tenant",
                                                          body_id=body.id, now=clock.now())
        gone, gone_token = api_ops.create_service_account(session, operator, name="Old", scope="read",
                                                          body_id=None, now=clock.now())
        api_ops.revoke_service_account(session, operator, gone, now=clock.now())
    session.commit()
    return {"body": body, "other": other, "asn": asn, "stranger": stranger, "admin": admin,
            "read": read_token, "tenant": tenant_token, "revoked": gone_token, "operator": operator}


def _get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def test_tokens_are_required_and_stored_hashed(client, session, api):
    assert _get(client, "/api/v1/accounts/lookup?nip=1").status_code == 401
    assert _get(client, "/api/v1/accounts/lookup?nip=1", "sep_nope_nope").status_code == 401
    assert _get(client, f"/api/v1/accounts/lookup?nip={api['asn'].nip}", api["revoked"]).status_code == 401
    from sep_portal.api.models import ServiceAccount

    stored = session.scalars(select(ServiceAccount.token_hash)).all()
    assert api["read"] not in stored and hashlib.sha256(api["read"].encode()).hexdigest() in stored


def test_lookup_by_nip_or_email_within_the_tokens_scope(client, api):
    response = _get(client, f"/api/v1/accounts/lookup?nip={api['asn'].nip}", api["read"])
    assert response.status_code == 200
    assert response.json == {"nip": api["asn"].nip, "email": "asn.api@kab.go.id", "name": "Asn Api",
                             "status": "active", "active": True, "tenant": api["body"].code,
                             "tenant_status": "active"}
    assert _get(client, "/api/v1/accounts/lookup?email=ASN.API@kab.go.id", api["tenant"]).status_code == 200
    # The tenant token does not see another tenant's account: as if it did not exist.
    assert _get(client, f"/api/v1/accounts/lookup?nip={api['stranger'].nip}", api["tenant"]).status_code == 404
    assert _get(client, f"/api/v1/accounts/lookup?nip={api['stranger'].nip}", api["read"]).status_code == 200
    assert _get(client, "/api/v1/accounts/lookup", api["read"]).status_code == 400


def test_a_deactivated_or_suspended_account_is_inactive_at_once(client, app, session, api, factories):
    with app.test_request_context():
        tenant_ops.disable_account(session, session.get(User, api["admin"].id), session.get(Body, api["body"].id),
                                   session.get(User, api["asn"].id), reason="Uji", now=clock.now())
    session.commit()
    data = _get(client, f"/api/v1/accounts/lookup?nip={api['asn'].nip}", api["read"]).json
    assert data["status"] == "disabled" and data["active"] is False
    factories.tenant_status_change(session.get(Body, api["other"].id), confirmer=api["operator"])
    data = _get(client, f"/api/v1/accounts/lookup?nip={api['stranger'].nip}", api["read"]).json
    assert data["status"] == "active" and data["active"] is False and data["tenant_status"] == "suspended"


def test_tenant_accounts_are_paged_by_cursor(client, factories, api):
    for i in range(5):
        factories.user(body=api["body"], name=f"Zaki {i}")
    code = api["body"].code
    first = _get(client, f"/api/v1/tenants/{code}/accounts?limit=4", api["tenant"]).json
    assert len(first["accounts"]) == 4 and first["next_cursor"]
    second = _get(client, f"/api/v1/tenants/{code}/accounts?limit=4&cursor={first['next_cursor']}", api["tenant"]).json
    names = [a["name"] for a in first["accounts"] + second["accounts"]]
    assert len(names) == 7 and len(set(names)) == 7 and second["next_cursor"] is None
    assert _get(client, f"/api/v1/tenants/{api['other'].code}/accounts", api["tenant"]).status_code == 404


def test_openapi_document_is_valid_and_matches_the_routes(client, app):
    from openapi_spec_validator import validate

    document = client.get("/api/v1/openapi.json").json
    validate(document)
    routes = {rule.rule.replace("/api/v1", "").replace("<code>", "{code}") for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1")}
    assert set(document["paths"]) == routes


class _Receiver:
    """A real HTTP server that answers with the queued statuses and records what it gets."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = HTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> _Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_webhooks_are_signed_and_retried_until_accepted(app, ctx, factories):
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    body, admin = factories.tenant()
    asn = factories.user(body=body)
    with _Receiver() as receiver:
        endpoint, secret = api_ops.create_webhook(ctx, operator, name="SEP", url=f"http://127.0.0.1:{receiver.port}/h",
                                                  body_id=None, now=clock.now())
        tenant_ops.disable_account(ctx, ctx.get(User, admin.id), ctx.get(Body, body.id), ctx.get(User, asn.id),
                                   reason="Uji", now=clock.now())
        ctx.commit()
        receiver.statuses = [500]
        report = outbox.deliver_webhooks()
        assert (report.sent, report.failed) == (0, 1)
        message = ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
        ctx.refresh(message)
        assert message.status == "pending" and message.attempts == 1
        assert outbox.deliver_webhooks().claimed == 0  # not yet due: backoff
        clock.advance(timedelta(minutes=1, seconds=1))
        assert outbox.deliver_webhooks().sent == 1
        ctx.refresh(message)
        assert message.status == "sent"
    assert len(receiver.received) == 2
    headers, raw = receiver.received[-1]
    payload = json.loads(raw)
    assert headers["x-sep-event"] == "account.disabled" and payload["event"] == "account.disabled"
    assert payload["accounts"][0]["nip"] == asn.nip and payload["accounts"][0]["active"] is False
    timestamp, signature = (part.split("=", 1)[1] for part in headers["x-sep-signature"].split(","))
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    assert abs(int(timestamp) - clock.now().timestamp()) < 120


def test_webhooks_follow_only_their_body(app, ctx, factories):
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    body, admin = factories.tenant()
    other, other_admin = factories.tenant()
    api_ops.create_webhook(ctx, operator, name="Lain", url="http://127.0.0.1:9/x", body_id=other.id, now=clock.now())
    tenant_ops.disable_account(ctx, ctx.get(User, admin.id), ctx.get(Body, body.id),
                               ctx.get(User, factories.user(body=body).id), reason="Uji", now=clock.now())
    assert ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).all() == []


def test_operator_page_shows_a_token_once(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin",)))
    page = client.post("/admin/api/akun-layanan", data={"sa-name": "SEP produksi", "sa-scope": "read"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="shown-value">sep_' in html
    assert 'id="shown-value"' not in client.get("/admin/api").get_data(as_text=True)
    bad = client.post("/admin/api/akun-layanan", data={"sa-name": "HR", "sa-scope": "tenant", "sa-body_code": "ZZ"})
    assert bad.status_code == 422


def test_webhooks_refuse_private_addresses_and_redirects(app, ctx, factories, monkeypatch):
    operator = ctx.get(User, factories.user(roles=("superadmin",)).id)
    monkeypatch.setitem(app.config, "SEP_WEBHOOK_ALLOW_PRIVATE", False)
    from sep_portal.core.errors import DomainError

    for url in ("http://127.0.0.1:8080/h", "http://169.254.169.254/latest", "http://10.0.0.5/x", "ftp://x.go.id/"):
        with pytest.raises(DomainError):
            api_ops.create_webhook(ctx, operator, name="X", url=url, body_id=None, now=clock.now())
    monkeypatch.setitem(app.config, "SEP_WEBHOOK_ALLOW_PRIVATE", True)
    body, admin = factories.tenant()
    with _Receiver() as receiver:
        api_ops.create_webhook(ctx, operator, name="SEP", url=f"http://127.0.0.1:{receiver.port}/h", body_id=None,
                               now=clock.now())
        tenant_ops.disable_account(ctx, ctx.get(User, admin.id), ctx.get(Body, body.id),
                                   ctx.get(User, factories.user(body=body).id), reason="Uji", now=clock.now())
        ctx.commit()
        receiver.statuses = [302]
        report = outbox.deliver_webhooks()
        assert report.failed == 1  # a redirect is not followed: it is a failure, retried later
        message = ctx.scalars(select(OutboxMessage).where(OutboxMessage.channel == "webhook")).one()
        ctx.refresh(message)
        assert message.last_error == "WebhookRefused: HTTP 302"


def test_authenticate_finds_only_an_active_token_and_notes_its_use_once_a_minute(app, ctx, factories):
    from sep_portal.api.models import ServiceAccount

    operator = factories.user(roles=("superadmin",))
    body, _admin = factories.tenant()
    account, token = api_ops.create_service_account(ctx, ctx.get(User, operator.id), name="HR", scope="tenant",
                                                    body_id=body.id, now=clock.now())
    for refused in ("", "sep_nope_nope", token + "x"):
        assert api_ops.authenticate(ctx, refused, now=clock.now()) is None
    first = clock.now()
    assert api_ops.authenticate(ctx, token, now=first) is account and account.last_used_at == first
    assert api_ops.authenticate(ctx, token, now=first + timedelta(seconds=30)).last_used_at == first
    later = first + timedelta(seconds=61)
    assert api_ops.authenticate(ctx, token, now=later).last_used_at == later
    api_ops.revoke_service_account(ctx, ctx.get(User, operator.id), account, now=clock.now())
    assert api_ops.authenticate(ctx, token, now=clock.now()) is None
    assert account.can_see_body(body.id) and not account.can_see_body(body.id + 1)
    assert not account.can_see_body(None)
    reader = ServiceAccount(scope="read")
    assert reader.can_see_body(body.id + 1) and not reader.can_see_body(None)


def test_the_api_views_do_not_query():
    import inspect

    from sep_portal.api import views

    assert "select(" not in inspect.getsource(views)
