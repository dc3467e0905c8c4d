"""The recovery codes page: printable, and its text file downloadable once, right after the codes
were made, in the same sign-in, until the person goes on."""
import logging
import re
from datetime import timedelta

import pyotp

from tests.factories import PASSWORD, sign_in

FILE = "/akun/2fa/kode-pemulihan.txt"


def _codes(response):
    return re.findall(r"<li><code>([A-Z0-9-]{19})</code></li>", response.get_data(as_text=True))


def _new_codes(client):
    response = client.post("/akun/keamanan/kode-pemulihan", data={"current_password": PASSWORD})
    assert response.status_code == 200
    return response


def test_the_codes_page_can_be_printed_and_keeps_no_copy(client, factories):
    user = factories.user(roles=("verifikator",), name="Ratna Verifikator")
    sign_in(client, user)
    response = _new_codes(client)
    page = response.get_data(as_text=True)
    assert "data-print" in page and "js/print.js" in page  # the print button
    assert 'class="panel print-sheet"' in page  # what the print stylesheet keeps
    assert "Ratna Verifikator" in page and user.email in page and "WIB" in page  # on the sheet
    assert f'href="{FILE}"' in page
    assert response.headers["Cache-Control"] == "no-store"


def test_the_file_downloads_once_right_after_new_codes(client, factories, caplog):
    caplog.set_level(logging.DEBUG)
    user = factories.user(roles=("pejabat",), name="Bagus Pejabat")
    sign_in(client, user)
    codes = _codes(_new_codes(client))
    assert len(codes) == 10
    with client.session_transaction() as s:
        kept = s["recovery_file"]
    assert not any(code in kept or code.replace("-", "") in kept for code in codes)  # encrypted in the cookie

    first = client.get(FILE)
    assert first.status_code == 200
    assert first.mimetype == "text/plain"
    assert first.headers["Content-Disposition"].startswith("attachment;")
    assert first.headers["Cache-Control"] == "no-store"
    text = first.get_data(as_text=True)
    assert all(code in text for code in codes)
    assert "Bagus Pejabat" in text and "Portal SEP" in text and "WIB" in text

    again = client.get(FILE)
    assert again.status_code == 410 and again.headers["Cache-Control"] == "no-store"
    assert not any(code in again.get_data(as_text=True) for code in codes)
    assert not any(code in caplog.text for code in codes)  # never in a log


def test_the_file_is_gone_once_the_person_goes_on(client, factories):
    user = factories.user(roles=("helpdesk",))
    sign_in(client, user)
    _new_codes(client)
    assert client.get("/static/css/app.css").status_code == 200  # the page's own stylesheet keeps it
    assert client.get("/akun/keamanan").status_code == 200  # "continue"
    assert client.get(FILE).status_code == 410


def test_the_file_is_not_for_another_sign_in_nor_after_a_while(app, client, factories):
    from sep_portal.core import clock

    user = factories.user(roles=("superadmin",))
    sign_in(client, user)
    _new_codes(client)
    other = app.test_client()
    sign_in(other, user)
    assert other.get(FILE).status_code == 410  # another browser of the same person
    clock.advance(timedelta(minutes=16))  # still signed in (idle after 30), but the file has expired
    assert client.get(FILE).status_code == 410
    assert app.test_client().get(FILE).status_code == 302  # not signed in: to the sign-in page


def test_the_file_after_the_first_enrolment(client, factories):
    user = factories.user(roles=("verifikator",), totp=False)
    client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    client.get("/masuk/daftarkan-2fa")
    with client.session_transaction() as s:
        secret = s["enrol_secret"]
    from sep_portal.core import clock

    response = client.post("/masuk/daftarkan-2fa", data={"code": pyotp.TOTP(secret).at(clock.now())})
    codes = _codes(response)
    assert len(codes) == 10 and response.headers["Cache-Control"] == "no-store"
    download = client.get(FILE)
    assert download.status_code == 200 and all(code in download.get_data(as_text=True) for code in codes)
    assert client.get(FILE).status_code == 410


def test_a_forged_or_foreign_token_opens_nothing(app, client, factories):
    from sep_portal.core import clock
    from sep_portal.core.security import seal, unseal

    with app.app_context():
        token = seal("recovery-codes-file", {"codes": ["X"]}, clock.now())
        assert unseal("recovery-codes-file", token, max_age=timedelta(minutes=1), now=clock.now()) == {"codes": ["X"]}
        assert unseal("other-purpose", token, max_age=timedelta(minutes=1), now=clock.now()) is None
        assert unseal("recovery-codes-file", token[:-4] + "AAAA", max_age=timedelta(minutes=1), now=clock.now()) is None
        later = clock.now() + timedelta(minutes=2)
        assert unseal("recovery-codes-file", token, max_age=timedelta(minutes=1), now=later) is None
    user = factories.user(roles=("pejabat",))
    sign_in(client, user)
    with client.session_transaction() as s:
        s["recovery_file"] = "not-a-token"
    assert client.get(FILE).status_code == 410
