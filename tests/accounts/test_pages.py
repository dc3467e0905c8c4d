"""The signed-in person's own pages: profile and security."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.permissions import ROLE_LABELS, ROLES, role_label
from tests.factories import PASSWORD, sign_in


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


def test_every_role_has_words():
    assert set(ROLE_LABELS) == set(ROLES)
    assert role_label("bukan_peran") == "bukan_peran"  # an unknown code still renders


def test_the_profile_shows_the_roles_in_words(client, factories):
    body = factories.body()
    sign_in(client, factories.user(roles=("admin_pengelola", "asn"), body=body))
    text = _text(client.get("/akun/profil"))
    assert "Admin Pengelola, Aparatur Sipil Negara (ASN)" in text  # in the order of ROLES
    assert not re.search(r"\b(admin_pengelola|asn)\b", text)


def test_the_dashboard_names_each_role_in_words(client, factories):
    sign_in(client, factories.user(roles=("verifikator", "pejabat")))
    text = _text(client.get("/dasbor"))
    assert "Verifikator" in text and "Pejabat pemutus" in text


def test_a_wrong_current_password_is_shown_on_its_field(client, factories):
    user = factories.user()
    sign_in(client, user)
    response = client.post("/akun/keamanan/kata-sandi", data={
        "current_password": "salah", "password": "Kata-Sandi-Baru-2026!", "password_confirm": "Kata-Sandi-Baru-2026!"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_signing_out_elsewhere_counts_the_sessions_and_is_audited(client, factories, app, session):
    user = factories.user()
    for _ in range(2):
        other = app.test_client()
        other.post("/masuk", data={"email": user.email, "password": PASSWORD})
        clock.advance(timedelta(seconds=5))
    sign_in(client, user)
    assert client.get("/akun/keamanan").get_data(as_text=True).count("<tr>") == 1 + 3  # the header and 3 sessions
    response = client.post("/akun/keamanan/keluar-semua", follow_redirects=True)
    assert "2 sesi lain telah dikeluarkan" in response.get_data(as_text=True)
    assert client.get("/akun/keamanan").get_data(as_text=True).count("<tr>") == 1 + 1
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.other_sessions_ended"))
    assert entry.actor_id == user.id and entry.after == {"sessions_ended": 2}
