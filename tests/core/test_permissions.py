"""Roles and the per-object permission helpers."""
import pytest
from werkzeug.exceptions import NotFound

from sep_portal.core.errors import NotPermitted
from sep_portal.core.permissions import can, ensure_can, require_role


def test_can_asks_the_model(ctx, factories):
    me = factories.user(roles=("asn",))
    other = factories.user(roles=("asn",))
    operator = factories.user(roles=("superadmin",))
    assert can(me, "view", me)
    assert not can(other, "view", me)
    assert can(operator, "view", me)
    with pytest.raises(NotPermitted):
        ensure_can(other, "view", me)
    assert not can(None, "view", me)


def test_require_role_rejects_unknown_roles():
    with pytest.raises(ValueError):
        require_role("raja")


def test_tenant_scoped_lookup_answers_404_for_another_tenant(ctx, factories):
    """The mixin's lookup, applied to a model with id and body_id (users belong to a body)."""
    from sep_portal.accounts.models import User
    from sep_portal.core.db import TenantScoped

    lookup = TenantScoped.get_for_tenant.__func__  # the classmethod's function, bound to User below
    body_a, body_b = factories.body(), factories.body()
    user = factories.user(body=body_a)
    assert lookup(User, ctx, user.id, body_a.id).id == user.id
    with pytest.raises(NotFound):
        lookup(User, ctx, user.id, body_b.id)


def test_worker_once_delivers(app, ctx, mailbox):
    from sep_portal.accounts.models import User
    from sep_portal.core import clock, outbox

    outbox.enqueue(ctx, "auth/password_changed", ["w@uji.go.id"], {"user": User(name="W"), "when": clock.now()})
    ctx.commit()
    result = app.test_cli_runner().invoke(args=["sep", "worker", "--once"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(mailbox.to("w@uji.go.id")) == 1
