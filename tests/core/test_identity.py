"""core.identity: the e-mail and password rules, shared by registration, activation, password
changes and every place an account is created (auth, accounts, tenants)."""
from __future__ import annotations

import pytest

from sep_portal.core import identity
from sep_portal.core.errors import DomainError


def test_normalize_email_lowers_and_refuses_what_is_not_an_address(ctx):
    assert identity.normalize_email("  Ani.Lestari@Kab.GO.id ") == "ani.lestari@kab.go.id"
    with pytest.raises(DomainError) as refused:
        identity.normalize_email("ani@")
    assert refused.value.field == "email"


@pytest.mark.parametrize("password, email, nip, problem", [
    ("pendek", None, None, "12"),
    ("x" * 129, None, None, "128"),
    ("indonesia2026", None, None, "mudah"),
    ("aaaaaaaaaaaaaaaa", None, None, "mudah"),
    ("lestari-sangat-rahasia", "lestari@kab.go.id", None, "email"),
    ("sandi-199001012015031001", None, "199001012015031001", "NIP"),
])
def test_password_rules(ctx, password, email, nip, problem):
    message = identity.password_problem(password, email=email, nip=nip)
    assert message is not None and problem in message
    with pytest.raises(DomainError) as refused:
        identity.ensure_good_password(password, email=email, nip=nip)
    assert refused.value.field == "password"


def test_a_good_password_passes(ctx):
    assert identity.password_problem("Sangat-Rahasia-2026", email="ani@kab.go.id", nip="199001012015031001") is None
    identity.ensure_good_password("Sangat-Rahasia-2026")


def test_auth_and_accounts_use_the_core_rules():
    from sep_portal.accounts import operations as accounts_ops
    from sep_portal.auth import operations as auth_ops

    assert auth_ops.normalize_email is identity.normalize_email
    assert accounts_ops.normalize_email is identity.normalize_email
    assert accounts_ops.ensure_good_password is identity.ensure_good_password
    assert not hasattr(auth_ops, "password_problem") and not hasattr(auth_ops, "COMMON_PASSWORDS")
