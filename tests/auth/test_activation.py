"""Activation of an account created for someone: the first password from the e-mailed link, then
(for roles that need it) two-step enrolment before the first sign-in."""
from __future__ import annotations

from datetime import timedelta

from sep_portal.auth import operations as ops
from sep_portal.core import clock
from tests.factories import PASSWORD


def _activation_path(app, session, user):
    with app.test_request_context():
        token = ops.issue_token(session, session.get(type(user), user.id), "activate", timedelta(days=3), clock.now())
        session.commit()
    return f"/aktivasi/{token}"


def test_an_asn_activates_and_signs_in(client, app, factories, session):
    asn = factories.user(roles=("asn",), status="pending", totp=False)
    path = _activation_path(app, session, asn)
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "pendek", "password_confirm": "pendek"})
    assert weak.status_code == 422 and 'aria-invalid="true"' in weak.get_data(as_text=True)
    session.refresh(asn)
    assert asn.status == "pending"  # nothing was kept, and the link still works
    done = client.post(path, data={"password": PASSWORD, "password_confirm": PASSWORD}, follow_redirects=True)
    assert done.request.path == "/masuk" and "Akun Anda sudah aktif" in done.get_data(as_text=True)
    session.refresh(asn)
    assert asn.status == "active"
    assert client.get(path).status_code == 400  # used


def test_an_admin_activates_and_goes_on_to_two_step_enrolment(client, app, factories, session):
    body = factories.body()
    admin = factories.user(roles=("admin_pengelola",), body=body, status="pending", totp=False)
    path = _activation_path(app, session, admin)
    response = client.post(path, data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk/daftarkan-2fa")
    enrol = client.get(response.headers["Location"])
    assert enrol.status_code == 200 and "verifikasi dua langkah" in enrol.get_data(as_text=True).lower()
    assert client.get("/dasbor").status_code == 302  # not signed in before enrolling
