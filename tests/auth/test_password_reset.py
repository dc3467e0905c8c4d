"""Password reset by single-use, expiring link that ends every session."""
from datetime import timedelta

from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.core.outbox import OutboxMessage
from tests.factories import PASSWORD, emailed_path

NEW = "Nasi-Goreng-Kambing-77"


def _reset_path(session, email):
    return emailed_path(session, "auth/password_reset", to=email)


def test_reset_link_sets_password_once_and_ends_other_sessions(client, factories, session, app):
    user = factories.user(roles=("asn",))
    signed_in = app.test_client()
    signed_in.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert signed_in.get("/dasbor").status_code == 200

    response = client.post("/kata-sandi/lupa", data={"email": user.email})
    assert response.status_code == 200
    path = _reset_path(session, user.email)
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk")
    assert "Kata sandi Anda telah diubah" in client.get("/masuk").get_data(as_text=True)  # kept by the new session

    assert signed_in.get("/dasbor").status_code == 302  # the other session has ended
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 200
    assert client.post("/masuk", data={"email": user.email, "password": NEW}).status_code == 302
    # Single use.
    other = app.test_client()
    again = {"password": "Lain-Lagi-Sandi-99", "password_confirm": "Lain-Lagi-Sandi-99"}
    assert other.post(path, data=again).status_code == 400
    templates = session.scalars(select(OutboxMessage.template).order_by(OutboxMessage.id)).all()
    assert "auth/password_changed" in templates


def test_reset_link_expires(client, factories, session, app):
    user = factories.user(roles=("asn",))
    client.post("/kata-sandi/lupa", data={"email": user.email})
    path = _reset_path(session, user.email)
    clock.advance(timedelta(minutes=app.config["SEP_PASSWORD_RESET_MINUTES"], seconds=1))
    assert client.get(path).status_code == 400
    assert client.post(path, data={"password": NEW, "password_confirm": NEW}).status_code == 400
    assert client.post("/masuk", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_a_newer_link_replaces_the_older_one(client, factories, session):
    user = factories.user(roles=("asn",))
    client.post("/kata-sandi/lupa", data={"email": user.email})
    first = _reset_path(session, user.email)
    client.post("/kata-sandi/lupa", data={"email": user.email})
    second = _reset_path(session, user.email)
    assert first != second
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_unknown_address_gets_the_same_answer_and_no_mail(client, session):
    known_page = client.post("/kata-sandi/lupa", data={"email": "tidak.ada@uji.go.id"})
    assert known_page.status_code == 200
    assert session.scalars(select(OutboxMessage)).all() == []


def test_weak_new_password_is_refused_and_link_still_works(client, factories, session):
    user = factories.user(roles=("asn",))
    client.post("/kata-sandi/lupa", data={"email": user.email})
    path = _reset_path(session, user.email)
    refused = client.post(path, data={"password": "pendek", "password_confirm": "pendek"})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert client.post(path, data={"password": NEW, "password_confirm": NEW}).status_code == 302


def test_change_password_keeps_this_session_and_ends_others(client, factories, app):
    user = factories.user(roles=("asn",))
    other = app.test_client()
    other.post("/masuk", data={"email": user.email, "password": PASSWORD})
    client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    wrong = client.post("/akun/keamanan/kata-sandi",
                        data={"current_password": "salah", "password": NEW, "password_confirm": NEW})
    assert wrong.status_code == 422
    ok = client.post("/akun/keamanan/kata-sandi",
                     data={"current_password": PASSWORD, "password": NEW, "password_confirm": NEW})
    assert ok.status_code == 302
    assert client.get("/dasbor").status_code == 200
    assert other.get("/dasbor").status_code == 302
