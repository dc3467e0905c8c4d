"""Application-wide behaviour: security headers, CSRF, configuration, roles, language."""
import re

import pytest

from config import ProductionConfig, TestConfig
from sep_portal import create_app, safe_next
from tests.factories import PASSWORD, sign_in


def test_security_headers(client):
    response = client.get("/masuk")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "cdn" not in csp.lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # only in production (HTTPS)


def test_pages_use_no_cdn(client):
    html = client.get("/masuk").get_data(as_text=True)
    assert "https://" not in html.split("<body", 1)[0]


def test_csrf_token_required(client, app, monkeypatch, factories):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = factories.user(roles=("asn",))
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/dasbor").status_code == 302
    # With the token from the form, it works.
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://x@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)
    monkeypatch.setenv("SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_sends_hsts(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.db'}")
    app = create_app(ProductionConfig, {"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    response = app.test_client().get("/masuk", base_url="https://sep.example.go.id")
    assert "max-age=31536000" in response.headers.get("Strict-Transport-Security", "")
    http = app.test_client().get("/masuk", base_url="http://sep.example.go.id")
    assert http.status_code in (301, 302) and http.headers["Location"].startswith("https://")


def test_superadmin_pages_need_the_role(client, factories):
    assert client.get("/admin/kalender").status_code == 302  # anonymous: to sign in
    sign_in(client, factories.user(roles=("verifikator",)))
    assert client.get("/admin/kalender").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/kotak-keluar").status_code == 403


def test_default_language_is_indonesian_and_english_is_available(client):
    page = client.get("/masuk").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk" in page
    client.post("/bahasa/en", data={"next": "/masuk"})
    page = client.get("/masuk").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page
    assert client.post("/bahasa/xx").status_code == 400


def test_chosen_language_is_remembered_on_the_account(client, factories, session):
    from sep_portal.accounts.models import User

    user = factories.user(roles=("asn",))
    sign_in(client, user)
    client.post("/bahasa/en", data={"next": "/dasbor"})
    session.expire_all()
    assert session.get(User, user.id).locale == "en"


def test_dashboard_per_role(client, factories):
    sign_in(client, factories.user(roles=("sekretaris", "asn")))
    page = client.get("/dasbor").get_data(as_text=True)
    assert 'id="role-sekretaris"' in page and 'id="role-asn"' in page and 'id="role-superadmin"' not in page


def test_safe_next():
    assert safe_next("/dasbor") == "/dasbor"
    for bad in ("https://evil.example", "//evil.example", "/\\evil", "dasbor", None):
        assert safe_next(bad) is None


def test_error_pages_are_friendly(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404 and "<h1>" in response.get_data(as_text=True)


def test_no_personal_data_in_logs(client, factories, caplog):
    import logging

    from sep_portal.core.logging import redact

    assert redact("user budi@uji.go.id nip 198703152010122001") == "user [email] nip [nip]"
    assert redact("GET /kata-sandi/atur/abcdefghijklmnopqrstuvwxyz123456 HTTP/1.1") == \
        "GET /kata-sandi/atur/[token] HTTP/1.1"
    caplog.set_level(logging.INFO)
    logging.getLogger("sep_portal.test").warning("sign-in failed for %s", "budi@uji.go.id")
    assert "budi@uji.go.id" not in caplog.text
    # Tracebacks too: database errors quote the values of a violated constraint.
    try:
        raise RuntimeError('duplicate key: DETAIL: Key (email)=(ani.rahasia@uji.go.id) already exists')
    except RuntimeError:
        logging.getLogger("sep_portal.test").exception("import failed")
    assert "ani.rahasia" not in caplog.text and "Key (email)=([redacted])" in caplog.text


def test_config_test_is_used():
    assert TestConfig.TESTING


def test_optional_fields_are_not_marked_required(client, factories):
    """WTForms renders None attributes as text; an optional field must carry no required attribute."""
    sign_in(client, factories.user(roles=("superadmin",)))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert 'required="None"' not in html and "=\"None\"" not in html
    assert 'id="action"' in html and not re.search(r'<input[^>]*id="action"[^>]*required', html)
