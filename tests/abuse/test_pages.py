"""Misuse pages through the test client."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import select

from sep_portal.abuse.models import AbuseCase, AbuseCategory, AbuseReport, WarningLetter
from sep_portal.accounts.models import User
from sep_portal.core import clock
from tests.factories import emailed_path, page_text, sign_in


def _category(session, code="penipuan"):
    return session.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code))


def _case_with_warning(client, app, factories, session):
    """A tenant, its Sekretaris, a target with a warning issued through the pages."""
    body, admin = factories.tenant(name="Pemerintah Kabupaten Halaman")
    sekretaris = factories.user(roles=("sekretaris",), body=body, email="sekda@halaman.go.id")
    target = factories.user(body=body, email="target@halaman.go.id")
    reporter = factories.user(body=body)
    verifier, pejabat = factories.user(roles=("verifikator",)), factories.user(roles=("pejabat",))
    sign_in(client, reporter)
    client.post("/lapor", data={"target": target.email, "category_id": _category(session), "description": "Tipu"})
    client.post("/keluar")
    case = session.scalar(select(AbuseCase).where(AbuseCase.account_id == target.id))
    clock.advance(timedelta(seconds=30))
    sign_in(client, verifier, advance=False)
    client.post(f"/kasus/{case.id}/benarkan", data={"sub-material": "Pesan penipuan."})
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, pejabat, advance=False)
    assert client.post(f"/kasus/{case.id}/terbitkan").status_code == 302
    client.post("/keluar")
    warning = session.scalar(select(WarningLetter).where(WarningLetter.case_id == case.id))
    return body, sekretaris, target, warning


def test_the_report_form_answers_the_same_whether_or_not_the_account_exists(client, factories, session):
    reporter = factories.user()
    known = factories.user(email="ada@kab.go.id")
    sign_in(client, reporter)
    page = client.get("/lapor").get_data(as_text=True)
    assert "Penipuan" in page and "SARA" in page
    answers = []
    for target in (known.email, "tidak-ada@kab.go.id"):
        response = client.post("/lapor", data={"target": target, "category_id": _category(session),
                                               "description": "Meminta pulsa.",
                                               "files": [(io.BytesIO(b"\x89PNG\r\n"), "rusak.png")]})
        answers.append((response.status_code, "report-received" in response.get_data(as_text=True)))
    # A broken file is refused for both alike, and nothing is saved.
    assert answers[0] == answers[1] == (422, False)
    assert session.scalar(select(AbuseReport.id)) is None
    for target in (known.email, "tidak-ada@kab.go.id"):
        response = client.post("/lapor", data={"target": target, "category_id": _category(session),
                                               "description": "Meminta pulsa."}, follow_redirects=True)
        answers.append(re.sub(r"LPR-\d{4}-\d{6}", "LPR-…", page_text(response)))  # each its own reference
    assert 'id="report-received"' in answers[2] and answers[2] == answers[3]
    assert 'id="report-reference">LPR-' in answers[2]
    assert client.post("/lapor", data={"target": known.email, "description": "x"}).status_code == 422


def test_the_public_form_is_off_unless_the_operator_switches_it_on(client, app, factories, session, monkeypatch):
    assert client.get("/lapor/publik").status_code == 404
    monkeypatch.setitem(app.config, "SEP_PUBLIC_ABUSE_FORM", True)
    target = factories.user(email="sasaran@kab.go.id")
    response = client.post("/lapor/publik", data={"email": "warga@gmail.com", "target": target.email,
                                                  "category_id": _category(session, "spam"), "description": "Spam"},
                           follow_redirects=True)
    assert response.status_code == 200
    report = session.scalar(select(AbuseReport))
    assert report.case_id is None and report.verified_at is None  # waits for the e-mail confirmation
    link = emailed_path(session, "abuse/public_verify")
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 200
    session.refresh(report)
    assert report.case_id is not None and report.verified_at is not None
    assert client.post(link).status_code == 400  # once


def test_warning_pages_for_the_user_the_sekretaris_and_nobody_else(client, app, factories, session):
    body, sekretaris, target, warning = _case_with_warning(client, app, factories, session)
    other_body, _ = factories.tenant()
    other_sekretaris = factories.user(roles=("sekretaris",), body=other_body)

    clock.advance(timedelta(seconds=30))
    sign_in(client, target, advance=False)
    assert warning.letter.number in client.get("/dasbor").get_data(as_text=True)
    page = client.get(f"/peringatan/{warning.id}").get_data(as_text=True)
    assert "Pesan penipuan." in page and "1 Desember 2026 23.59 WIB" in page and "5 hari kerja lagi" in page
    letter = client.get(f"/peringatan/{warning.id}/surat")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    response = client.post(f"/peringatan/{warning.id}", data={"text": "Akun saya diretas."})
    assert response.status_code == 302
    assert "Akun saya diretas." in client.get(f"/peringatan/{warning.id}").get_data(as_text=True)
    client.post("/keluar")

    clock.advance(timedelta(seconds=30))
    sign_in(client, sekretaris, advance=False)
    inbox = client.get("/badan").get_data(as_text=True)
    assert warning.letter.number in inbox and "balasan" in inbox.lower()
    assert client.get(f"/peringatan/{warning.id}/surat").status_code == 200
    client.post("/keluar")

    clock.advance(timedelta(seconds=30))
    sign_in(client, other_sekretaris, advance=False)
    assert warning.letter.number not in client.get("/badan").get_data(as_text=True)
    assert client.get(f"/peringatan/{warning.id}/surat").status_code == 404
    assert client.get(f"/peringatan/{warning.id}").status_code == 404


def test_a_late_reply_names_the_deadline(client, app, factories, session):
    _body, _sekretaris, target, warning = _case_with_warning(client, app, factories, session)
    clock.freeze(warning.reply_due_at + timedelta(minutes=1))
    sign_in(client, target)
    page = client.get(f"/peringatan/{warning.id}").get_data(as_text=True)
    assert "<textarea" not in page  # the form is gone after the deadline
    response = client.post(f"/peringatan/{warning.id}", data={"text": "Terlambat."})
    assert response.status_code == 422
    assert "1 Desember 2026 23.59 WIB" in response.get_data(as_text=True)


def test_case_pages_are_for_reviewers(client, app, factories, session):
    _body, _sekretaris, target, warning = _case_with_warning(client, app, factories, session)
    sign_in(client, factories.user(roles=("asn",)))
    assert client.get("/kasus").status_code == 403
    assert client.get(f"/kasus/{warning.case_id}").status_code == 403
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("verifikator",)), advance=False)
    queue = client.get("/kasus?status=warned").get_data(as_text=True)
    assert target.name in queue
    page = client.get(f"/kasus/{warning.case_id}").get_data(as_text=True)
    assert warning.letter.number in page and "Pesan penipuan." in page


def test_reactivation_through_the_pages(client, app, factories, session):
    body, _admin = factories.tenant()
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    gone = factories.user(body=body, status="deactivated", name="Akun Nonaktif")
    sign_in(client, sekretaris)
    form = client.get("/badan/reaktivasi").get_data(as_text=True)
    assert "Akun Nonaktif" in form
    assert client.post("/badan/reaktivasi", data={"user_id": gone.id, "statement": ""}).status_code == 422
    assert client.post("/badan/reaktivasi", data={"user_id": gone.id, "statement": "Sudah dibina."}
                       ).status_code == 302
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    pejabat = factories.user(roles=("pejabat",))
    sign_in(client, pejabat, advance=False)
    from sep_portal.abuse.models import ReactivationRequest

    request_id = session.scalar(select(ReactivationRequest.id))
    assert "Akun Nonaktif" in client.get("/reaktivasi").get_data(as_text=True)
    assert client.post(f"/reaktivasi/{request_id}", data={"decision": "approve", "reason": "Pulih."}
                       ).status_code == 302
    session.expire_all()
    assert session.get(User, gone.id).status == "active"


def test_operator_adds_a_category(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin",)))
    page = client.get("/admin/kategori").get_data(as_text=True)
    assert "Pasal 28 ayat (2)" in page
    client.post("/admin/kategori", data={"code": "doxing", "name": "Doxing",
                                         "description": "Menyebarkan data pribadi orang lain."})
    assert session.scalar(select(AbuseCategory).where(AbuseCategory.code == "doxing")).active


def test_the_sekretaris_copy_shows_the_deadline_with_working_days_left(client, app, factories, session):
    from sep_portal.tenants.models import TembusanCopy

    _body, sekretaris, _target, warning = _case_with_warning(client, app, factories, session)
    copy = session.scalar(select(TembusanCopy).where(TembusanCopy.kind == "warning_letter"))
    clock.advance(timedelta(seconds=30))
    sign_in(client, sekretaris, advance=False)
    page = client.get(f"/badan/tembusan/{copy.id}").get_data(as_text=True)
    assert "1 Desember 2026 23.59 WIB" in page and "5 hari kerja lagi" in page


def test_the_case_page_waits_for_the_user_and_the_user_is_asked_for_their_reply(client, app, factories, session):
    """The same warning status in two voices: the reviewers wait for the user's reply, the warned
    user is asked for theirs."""
    _body, _sekretaris, target, warning = _case_with_warning(client, app, factories, session)
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("verifikator",)), advance=False)
    staff = page_text(client.get(f"/kasus/{warning.case_id}"))
    assert "Menunggu balasan pengguna" in staff and "Menunggu balasan Anda" not in staff
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, target, advance=False)
    own = page_text(client.get(f"/peringatan/{warning.id}"))
    assert "Menunggu balasan Anda" in own and "Menunggu balasan pengguna" not in own
    client.post(f"/peringatan/{warning.id}", data={"text": "Akun saya diretas."})
    assert "Balasan terkirim" in page_text(client.get(f"/peringatan/{warning.id}"))
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, factories.user(roles=("pejabat",)), advance=False)
    assert "Balasan diterima, menunggu penilaian" in page_text(client.get(f"/kasus/{warning.case_id}"))
