"""Sign-in: password, TOTP, recovery codes, lockout, sessions, logout."""
from datetime import timedelta

import pyotp
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.auth.models import RecoveryCode, UserSession
from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from tests.factories import PASSWORD, sign_in, totp_code

GENERIC = "not correct"  # part of the one generic message, in both languages' msgid


def _login(client, email, password=PASSWORD):
    return client.post("/masuk", data={"email": email, "password": password})


def _text(response):
    return response.get_data(as_text=True)


def test_staff_sign_in_needs_password_then_totp(client, factories):
    user = factories.user(roles=("verifikator",))
    response = _login(client, user.email)
    assert response.headers["Location"].endswith("/masuk/kode")
    assert client.get("/dasbor").status_code == 302  # not signed in yet
    clock.advance(timedelta(seconds=30))
    response = client.post("/masuk/kode", data={"code": totp_code(user)})
    assert response.headers["Location"].endswith("/dasbor")
    assert client.get("/dasbor").status_code == 200


def test_totp_code_cannot_be_used_twice(client, factories, app):
    user = factories.user(roles=("pejabat",))
    code = totp_code(user)
    _login(client, user.email)
    assert client.post("/masuk/kode", data={"code": code}).status_code == 302
    other = app.test_client()
    _login(other, user.email)
    response = other.post("/masuk/kode", data={"code": code})
    assert response.status_code == 200  # refused, page shown again with the error
    assert other.get("/dasbor").status_code == 302
    # The next code works.
    clock.advance(timedelta(seconds=30))
    assert other.post("/masuk/kode", data={"code": totp_code(user)}).status_code == 302


def test_a_code_from_an_older_step_than_the_last_used_is_refused(client, factories, app):
    user = factories.user(roles=("helpdesk",))
    old = totp_code(user)  # valid for the previous step too (±1 drift window)
    clock.advance(timedelta(seconds=30))
    sign_in(client, user, advance=False)
    other = app.test_client()
    _login(other, user.email)
    assert other.post("/masuk/kode", data={"code": old}).status_code == 200


def test_asn_without_totp_signs_in_with_password_only(client, factories):
    user = factories.user(roles=("asn",))
    response = _login(client, user.email)
    assert response.headers["Location"].endswith("/dasbor")


def test_operator_can_require_totp_for_asn(client, factories, app, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_TOTP_REQUIRED_FOR_ASN", True)
    user = factories.user(roles=("asn",))
    assert _login(client, user.email).headers["Location"].endswith("/masuk/daftarkan-2fa")


def test_first_sign_in_of_staff_enrols_totp_with_recovery_codes(client, factories, session):
    user = factories.user(roles=("superadmin",), totp=False)
    assert _login(client, user.email).headers["Location"].endswith("/masuk/daftarkan-2fa")
    page = _text(client.get("/masuk/daftarkan-2fa"))
    assert "<svg" in page  # the QR code, inline SVG
    with client.session_transaction() as s:
        secret = s["enrol_secret"]
    wrong = "000000" if pyotp.TOTP(secret).at(clock.now()) != "000000" else "111111"
    response = client.post("/masuk/daftarkan-2fa", data={"code": wrong})
    assert response.status_code == 200 and client.get("/dasbor").status_code == 302  # wrong code: not enrolled
    response = client.post("/masuk/daftarkan-2fa", data={"code": pyotp.TOTP(secret).at(clock.now())})
    assert response.status_code == 200
    codes = [line.strip() for line in _text(response).split("<code>")[1:]]
    codes = [c.split("</code>")[0] for c in codes]
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    assert client.get("/dasbor").status_code == 200
    session.expire_all()
    stored = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)  # hashed
    assert session.get(User, user.id).totp_secret == secret


def test_revisiting_the_enrolment_page_after_enrolling_does_not_say_the_sign_in_timed_out(client, factories):
    user = factories.user(roles=("verifikator",), totp=False)
    _login(client, user.email)
    client.get("/masuk/daftarkan-2fa")
    with client.session_transaction() as s:
        secret = s["enrol_secret"]
    client.post("/masuk/daftarkan-2fa", data={"code": pyotp.TOTP(secret).at(clock.now())})
    again = client.get("/masuk/daftarkan-2fa")  # the back button, after the recovery codes
    assert again.status_code == 302 and again.headers["Location"].endswith("/akun/keamanan")
    page = _text(client.get(again.headers["Location"]))
    assert "terlalu lama" not in page and "sudah aktif" in page
    assert client.get("/dasbor").status_code == 200  # still signed in


def test_recovery_code_signs_in_once(client, factories, app, ctx_free_codes):
    user, codes = ctx_free_codes
    _login(client, user.email)
    assert client.post("/masuk/kode", data={"code": codes[0].lower()}).status_code == 302
    other = app.test_client()
    _login(other, user.email)
    assert other.post("/masuk/kode", data={"code": codes[0]}).status_code == 200
    assert other.post("/masuk/kode", data={"code": codes[1]}).status_code == 302


def test_lockout_after_repeated_failures_and_its_end(client, factories, app, session):
    user = factories.user(roles=("asn",))
    for _ in range(app.config["SEP_LOGIN_MAX_FAILURES"]):
        response = _login(client, user.email, "salah-salah-salah")
        assert response.status_code == 200
    # Locked: even the right password is refused, with the time it ends.
    response = _login(client, user.email)
    assert response.status_code == 200
    assert "24 November 2026 10.15 WIB" in _text(response)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.locked_out")) is not None
    clock.advance(timedelta(minutes=app.config["SEP_LOGIN_LOCKOUT_MINUTES"], seconds=1))
    assert _login(client, user.email).headers["Location"].endswith("/dasbor")


def test_unknown_wrong_and_deactivated_with_a_wrong_password_get_the_same_message(client, factories):
    """Only the right password opens the reason of a refusal (tested below)."""
    active = factories.user(roles=("asn",))
    gone = factories.user(roles=("asn",), status="deactivated")
    disabled = factories.user(roles=("asn",), status="disabled")
    pages = [
        _text(_login(client, "tidak.ada@uji.go.id")),
        _text(_login(client, active.email, "kata-sandi-salah-1")),
        _text(_login(client, gone.email, "kata-sandi-salah-1")),
        _text(_login(client, disabled.email, "kata-sandi-salah-1")),
    ]
    def message(html):
        return html.split('id="form-errors">', 1)[1].split("</div>", 1)[0]
    assert message(pages[0]) == message(pages[1]) == message(pages[2]) == message(pages[3])
    assert "tidak benar" in message(pages[0])


def test_unknown_emails_are_locked_out_too(client, app):
    for _ in range(app.config["SEP_LOGIN_MAX_FAILURES"]):
        _login(client, "tidak.ada@uji.go.id", "x" * 12)
    assert "10.15 WIB" in _text(_login(client, "tidak.ada@uji.go.id", "x" * 12))


def test_wrong_totp_codes_count_towards_lockout(client, factories, app):
    user = factories.user(roles=("verifikator",))
    for _ in range(app.config["SEP_LOGIN_MAX_FAILURES"]):
        _login(client, user.email)
        client.post("/masuk/kode", data={"code": "123456" if totp_code(user) != "123456" else "654321"})
    clock.advance(timedelta(seconds=30))
    assert _login(client, user.email).status_code == 200  # locked now


def test_session_is_rotated_on_sign_in(client, factories):
    user = factories.user(roles=("asn",))
    with client.session_transaction() as s:
        s["planted"] = "from before sign-in"
    _login(client, user.email)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"]  # the session token, not the user id
        assert s["_user_id"] != str(user.id)


def test_logout_ends_the_session_for_a_replayed_cookie(client, factories, session):
    user = factories.user(roles=("asn",))
    _login(client, user.email)
    with client.session_transaction() as s:
        stolen = dict(s)
    assert client.post("/keluar").status_code == 302
    assert client.get("/dasbor").status_code == 302
    # Replaying the old cookie contents does not bring the session back.
    with client.session_transaction() as s:
        s.update(stolen)
    assert client.get("/dasbor").status_code == 302
    assert session.scalar(select(UserSession.revoked_reason).where(UserSession.user_id == user.id)) == "logout"


def test_logout_needs_post(client, factories):
    user = factories.user(roles=("asn",))
    _login(client, user.email)
    assert client.get("/keluar").status_code == 405
    assert client.get("/dasbor").status_code == 200


def test_idle_timeout(client, factories, app):
    user = factories.user(roles=("asn",))
    _login(client, user.email)
    clock.advance(timedelta(minutes=app.config["SEP_IDLE_TIMEOUT_MINUTES"] - 1))
    assert client.get("/dasbor").status_code == 200  # activity resets the idle timer
    clock.advance(timedelta(minutes=app.config["SEP_IDLE_TIMEOUT_MINUTES"] - 1))
    assert client.get("/dasbor").status_code == 200
    clock.advance(timedelta(minutes=app.config["SEP_IDLE_TIMEOUT_MINUTES"]))
    response = client.get("/dasbor")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_deactivated_account_loses_its_open_session(client, factories, session):
    user = factories.user(roles=("asn",))
    _login(client, user.email)
    session.get(User, user.id).status = "deactivated"
    session.commit()
    assert client.get("/dasbor").status_code == 302


def test_open_redirect_is_refused(client, factories):
    user = factories.user(roles=("asn",))
    response = client.post("/masuk?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/dasbor")
    client.post("/keluar")
    response = client.post("/masuk?next=/akun/keamanan", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/akun/keamanan")


def test_sign_out_everywhere_else(client, factories, app):
    user = factories.user(roles=("asn",))
    other = app.test_client()
    _login(other, user.email)
    _login(client, user.email)
    client.post("/akun/keamanan/keluar-semua")
    assert client.get("/dasbor").status_code == 200
    assert other.get("/dasbor").status_code == 302


def test_sweep_marks_stale_sessions_ended(app, client, factories, session):
    from sep_portal.auth.operations import end_stale_sessions

    user = factories.user(roles=("asn",))
    _login(client, user.email)
    with app.app_context():
        assert end_stale_sessions(clock.now()) == 0
        clock.advance(timedelta(minutes=app.config["SEP_IDLE_TIMEOUT_MINUTES"]))
        assert end_stale_sessions(clock.now()) == 1
        assert end_stale_sessions(clock.now()) == 0  # idempotent
    session.expire_all()
    assert session.scalar(select(UserSession.revoked_reason).where(UserSession.user_id == user.id)) == "idle"


def test_client_address_behind_a_proxy_is_taken_from_x_forwarded_for():
    from flask import request

    from config import TestConfig
    from sep_portal import create_app

    proxied = create_app(TestConfig, {"SEP_PROXY_COUNT": 1, "DATABASE_URL": "sqlite://"})
    proxied.add_url_rule("/_ip", "ip", lambda: request.remote_addr)
    response = proxied.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"},
                                         environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.get_data(as_text=True) == "203.0.113.7"
    plain = create_app(TestConfig, {"DATABASE_URL": "sqlite://"})
    plain.add_url_rule("/_ip", "ip", lambda: request.remote_addr)
    response = plain.test_client().get("/_ip", headers={"X-Forwarded-For": "203.0.113.7"},
                                       environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert response.get_data(as_text=True) == "10.0.0.2"  # headers are not trusted without a proxy


def test_signed_in_reenrolment_and_new_codes_need_the_password(client, factories, session):
    user = factories.user(roles=("verifikator",))
    sign_in(client, user)
    client.get("/akun/2fa")
    with client.session_transaction() as s:
        secret = s["enrol_secret"]
    clock.advance(timedelta(seconds=60))
    code = pyotp.TOTP(secret).at(clock.now())
    assert client.post("/akun/2fa", data={"code": code, "current_password": "salah-sekali-123"}).status_code == 200
    session.expire_all()
    assert session.get(User, user.id).totp_secret != secret  # unchanged
    response = client.post("/akun/2fa", data={"code": code, "current_password": PASSWORD})
    assert "recovery-codes" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).totp_secret == secret
    assert client.post("/akun/keamanan/kode-pemulihan", data={"current_password": "salah"}).status_code == 400
    response = client.post("/akun/keamanan/kode-pemulihan", data={"current_password": PASSWORD})
    assert response.status_code == 200 and response.get_data(as_text=True).count("<li><code>") == 10


def test_sign_in_rehashes_a_password_made_at_an_older_argon2_cost(client, factories, app, session, monkeypatch):
    user = factories.user(roles=("asn",))  # hashed at the test cost (time cost 1)
    old_hash = user.password_hash
    monkeypatch.setitem(app.config, "SEP_ARGON2_TIME_COST", 2)
    assert _login(client, user.email).status_code == 302
    session.expire_all()
    stored = session.get(User, user.id).password_hash
    assert stored != old_hash and "t=2," in stored
    client.post("/keluar", data={})
    other = app.test_client()
    assert _login(other, user.email).status_code == 302  # the new hash verifies the same password
    session.expire_all()
    assert session.get(User, user.id).password_hash == stored  # no rehash when the cost is current


def test_sign_in_with_a_wrong_password_does_not_rehash(client, factories, app, session, monkeypatch):
    user = factories.user(roles=("asn",))
    monkeypatch.setitem(app.config, "SEP_ARGON2_TIME_COST", 2)
    _login(client, user.email, "Salah-Sekali-2026")
    session.expire_all()
    assert session.get(User, user.id).password_hash == user.password_hash


def _refusal(client, email, password=PASSWORD):
    response = _login(client, email, password)
    assert response.status_code == 200  # not signed in: the form again
    assert client.get("/dasbor").status_code == 302
    return _text(response)


def test_after_the_right_password_a_refused_person_learns_whom_to_contact(client, factories):
    body = factories.body(name="Pemerintah Kota Kontak")
    disabled = factories.user(body=body, status="disabled")
    deactivated = factories.user(body=body, status="deactivated")
    permanent = factories.user(body=body, status="permanently_deactivated")
    assert "Admin Pengelola Pemerintah Kota Kontak" in _refusal(client, disabled.email)
    text = _refusal(client, deactivated.email)
    assert "/badan/reaktivasi" in text and "/tiket/publik" in text and "helpdesk-sep@kominfo.go.id" in text
    text = _refusal(client, permanent.email)
    assert "permanen" in text and "/tiket/publik" in text
    suspended = factories.body(name="Pemerintah Kota Ditangguhkan", tenant_status="suspended")
    member = factories.user(body=suspended)
    text = _refusal(client, member.email)
    assert "Pemerintah Kota Ditangguhkan" in text and "ditangguhkan" in text and "/tiket/publik" in text
