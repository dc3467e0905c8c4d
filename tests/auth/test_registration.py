"""Sekretaris self-registration and e-mail verification."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.audit import AuditEntry
from sep_portal.core.outbox import OutboxMessage
from tests.factories import PASSWORD, emailed_path, make_nip

FORM = {
    "name": "Drs. Budi Santoso, M.Si.",
    "nip": "197204121998031001",
    "position": "Sekretaris Daerah",
    "organisation": "Pemerintah Kabupaten Uji",
    "email": "Budi.Santoso@UjiKab.go.id",
    "password": "Kopi-Tubruk-Pagi-2026",
    "password_confirm": "Kopi-Tubruk-Pagi-2026",
}


def _verify_link(session, email):
    path = emailed_path(session, "auth/verify_email", to=email)
    assert path.startswith("/verifikasi/")
    return path


def test_register_creates_pending_sekretaris_and_sends_link(client, session):
    response = client.post("/daftar", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/daftar/periksa-email")
    user = session.scalar(select(User).where(User.email == "budi.santoso@ujikab.go.id"))
    assert user.status == "pending" and user.roles == {"sekretaris"} and user.email_verified_at is None
    assert user.password_hash.startswith("$argon2id$")
    _verify_link(session, user.email)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "account.registered",
                                                   AuditEntry.target_id == str(user.id))) is not None


def test_verification_link_is_single_use_and_get_does_not_use_it(client, session):
    client.post("/daftar", data=FORM)
    path = _verify_link(session, "budi.santoso@ujikab.go.id")
    # A mail scanner opening the link (GET) must not use it up.
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk")
    session.expire_all()
    user = session.scalar(select(User).where(User.email == "budi.santoso@ujikab.go.id"))
    assert user.status == "active" and user.email_verified_at == clock.now()
    second = client.post(path)
    assert second.status_code == 400
    assert client.get(path).status_code == 400


def test_verification_link_expires(client, session, app):
    client.post("/daftar", data=FORM)
    path = _verify_link(session, "budi.santoso@ujikab.go.id")
    clock.advance(timedelta(hours=app.config["SEP_EMAIL_VERIFY_HOURS"], seconds=1))
    assert client.post(path).status_code == 400
    session.expire_all()
    assert session.scalar(select(User.status).where(User.email == "budi.santoso@ujikab.go.id")) == "pending"


def test_unverified_account_cannot_sign_in_and_can_ask_for_a_new_link(client, session):
    client.post("/daftar", data=FORM)
    response = client.post("/masuk", data={"email": FORM["email"], "password": FORM["password"]})
    assert response.status_code == 200
    assert "email" in response.get_data(as_text=True).lower()
    before = session.scalar(select(func.count()).select_from(OutboxMessage))
    client.post("/daftar/kirim-ulang", data={"email": FORM["email"]})
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == before + 1


def test_duplicate_email_reveals_nothing_and_warns_the_owner(client, session, factories):
    existing = factories.user(roles=("asn",), email="budi.santoso@ujikab.go.id")
    response = client.post("/daftar", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/daftar/periksa-email")
    assert session.scalar(select(func.count()).select_from(User).where(User.email == existing.email)) == 1
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.template == "auth/already_registered" and message.recipients == [existing.email]


def test_invalid_nip_and_weak_password_get_clear_errors_and_nothing_is_saved(client, session):
    data = dict(FORM, nip="197202301998031001", password="pendek", password_confirm="pendek")
    response = client.post("/daftar", data=data)
    assert response.status_code == 422  # the form again, with its errors
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert session.scalar(select(func.count()).select_from(User)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_duplicate_nip_is_refused(client, session, factories):
    factories.user(nip=FORM["nip"])
    response = client.post("/daftar", data=FORM)
    assert response.status_code == 422  # the form again, with its errors
    assert session.scalar(select(func.count()).select_from(User).where(User.email == "budi.santoso@ujikab.go.id")) == 0


def test_password_mismatch(client, session):
    response = client.post("/daftar", data=dict(FORM, password_confirm=PASSWORD))
    assert response.status_code == 422  # the form again, with its errors
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_make_nip_is_valid(ctx):
    from sep_portal.core.nip import nip_problem

    assert nip_problem(make_nip(7)) is None


def test_every_problem_is_told_in_one_answer_and_the_typed_passwords_are_kept(client, session):
    """A wrong NIP, a bad e-mail, a short password and a mismatched repeat: all four in one answer,
    in Indonesian, each on its field, and both password fields still hold what was typed."""
    data = dict(FORM, nip="1972 0412", email="budi@", password="pendek", password_confirm="pendek2")
    response = client.post("/daftar", data=data)
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"  # the page holds the typed passwords
    html = response.get_data(as_text=True)
    for message in ("NIP terdiri atas tepat 18 digit", "paling sedikit 12 karakter", "tidak sama"):
        assert message in html, message
    invalid = set(re.findall(r'<input[^>]*\bname="(\w+)"[^>]*aria-invalid="true"', html)
                  + re.findall(r'<input[^>]*aria-invalid="true"[^>]*\bname="(\w+)"', html))
    assert invalid == {"nip", "email", "password", "password_confirm"}
    assert 'value="pendek"' in html and 'value="pendek2"' in html
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_a_password_that_holds_the_nip_is_refused_with_the_other_problems(client, session):
    data = dict(FORM, email="budi.santoso@ujikab.go.id", password=f"Kopi{FORM['nip']}",
                password_confirm=f"Kopi{FORM['nip']}", name="")
    html = client.post("/daftar", data=data).get_data(as_text=True)
    assert "tidak boleh memuat NIP" in html and "wajib diisi" in html
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_the_empty_registration_page_is_not_cached(client):
    assert client.get("/daftar").headers["Cache-Control"] == "no-store"


def test_a_sekretaris_who_is_pppk_registers_with_the_ni_pppk(client, session):
    assert client.post("/daftar", data=dict(FORM, nip="1989 0315 2021 21 1 001")).status_code == 302
    user = session.scalar(select(User).where(User.email == "budi.santoso@ujikab.go.id"))
    assert user.nip == "198903152021211001" and user.asn_type_label == "PPPK"
