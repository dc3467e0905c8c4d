"""Application pages through the test client: the applicant's path, access rules, files,
the review queue, decisions, letter verification and the Admin Pengelola's activation."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.applications.models import Application
from sep_portal.core import clock, storage
from sep_portal.core.storage import StoredFile
from tests.factories import outbox_mails, pdf_bytes, png_bytes, sign_in, totp_code


def _current_step(html: str) -> str:
    """The label of the step marked current in the application's stepper."""
    match = re.search(r'aria-current="step">.*?<span class="step-label">([^<]*)</span>', html, re.S)
    assert match, "no current step"
    return match.group(1)


def _file(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def test_sekretaris_applies_through_the_pages(client, factories, session):
    sekretaris = factories.user(roles=("sekretaris",))
    body = factories.body(tenant_status="none", name="Pemerintah Kabupaten Contoh")
    sign_in(client, sekretaris)
    assert client.get("/permohonan").status_code == 200
    response = client.post("/permohonan/baru")
    assert response.status_code == 302
    url = response.headers["Location"]
    application_id = int(url.rsplit("/", 1)[1])

    page = client.get(url).get_data(as_text=True)
    assert "Pemerintah Kabupaten Contoh" in page  # the reference list is offered
    assert "Pemerintah Provinsi Aceh" in page

    assert _current_step(page) == "Data"
    response = client.post(f"{url}/ubah", data={  # the data and both documents in one form
        "body_id": str(body.id), "admin_name": "Siti Rahma", "admin_nip": "1990 0101 201503 2 001",
        "admin_email": "Siti.Rahma@contohkab.go.id", "admin_position": "Pranata Komputer Ahli Muda",
        "surat_kuasa": _file(pdf_bytes(), "kuasa.pdf"),
        "identity_doc_type": "sk_pengangkatan", "identity_file": _file(png_bytes(), "sk.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.post(f"{url}/ubah", data={  # saving the data again keeps the documents and their kind
        "body_id": str(body.id), "admin_name": "Siti Rahma", "admin_nip": "199001012015032001",
        "admin_email": "siti.rahma@contohkab.go.id", "admin_position": "Pranata Komputer Ahli Muda",
        "identity_doc_type": "sk_pengangkatan"}).status_code == 302
    assert client.post(f"{url}/ajukan").status_code == 302

    application = session.get(Application, application_id)
    session.refresh(application)
    assert application.status == "submitted"
    assert application.admin_nip == "199001012015032001" and application.admin_email == "siti.rahma@contohkab.go.id"
    assert application.identity_doc_type == "sk_pengangkatan"
    assert {d.doc_type for d in application.current_documents} == {"surat_kuasa", "sk_pengangkatan"}
    page = client.get(url).get_data(as_text=True)
    assert application.reference in page and "dinyatakan lengkap" in page  # due date starts at completeness


def test_submitting_an_incomplete_application_lists_what_is_missing(client, factories):
    sign_in(client, factories.user(roles=("sekretaris",)))
    url = client.post("/permohonan/baru").headers["Location"]
    response = client.post(f"{url}/ajukan")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="problems"' in html and html.count("<li>", html.index('id="problems"')) >= 7


def test_a_disguised_file_is_refused_with_a_message_and_nothing_saved(client, factories, session):
    sign_in(client, factories.user(roles=("sekretaris",)))
    url = client.post("/permohonan/baru").headers["Location"]
    before = session.scalar(select(func.count()).select_from(StoredFile))
    response = client.post(f"{url}/ubah", content_type="multipart/form-data",
                           data={"admin_name": "Siti Rahma", "admin_nip": "199001012015032001",
                                 "surat_kuasa": _file(b"<html><script>x</script>", "kuasa.pdf")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Jenis berkas ini tidak diterima" in html
    assert 'value="Siti Rahma"' in html and 'value="199001012015032001"' in html  # what was typed is still there
    assert session.scalar(select(func.count()).select_from(StoredFile)) == before
    application = session.get(Application, int(url.rsplit("/", 1)[1]))
    session.refresh(application)
    assert application.admin_name is None  # nothing half-saved: the data waits for a good file or none


def test_an_identity_file_without_its_kind_is_refused_with_the_data_kept(client, factories, session):
    sign_in(client, factories.user(roles=("sekretaris",)))
    url = client.post("/permohonan/baru").headers["Location"]
    response = client.post(f"{url}/ubah", content_type="multipart/form-data",
                           data={"admin_name": "Siti Rahma", "identity_file": _file(png_bytes(), "k.png")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="identity_doc_type-error"' in html and "KPNS atau SK Pengangkatan" in html
    assert 'value="Siti Rahma"' in html
    stored = select(func.count()).select_from(StoredFile).where(StoredFile.purpose.like("application:%"))
    assert session.scalar(stored) == 0


def test_the_steps_say_where_the_file_is_and_who_acts_next(client, factories):
    application = factories.application(stage="submitted")
    sign_in(client, application.applicant)
    html = client.get(f"/permohonan/{application.id}").get_data(as_text=True)
    steps = html[html.index('class="stepper"'):html.index("</nav>", html.index('class="stepper"'))]
    assert steps.count("step-done") == 3 and steps.count('aria-current="step"') == 1
    assert _current_step(html) == "Verifikasi"
    assert "Verifikator Ditjen Aptika memeriksa berkas" in steps
    recommended = factories.application(stage="recommended")
    client.post("/keluar")
    sign_in(client, recommended.applicant)
    html = client.get(f"/permohonan/{recommended.id}").get_data(as_text=True)
    assert _current_step(html) == "Keputusan" and "Pejabat memutuskan." in html


def test_the_steps_of_each_status(app):
    from types import SimpleNamespace

    from sep_portal.applications.labels import progress

    applicant = SimpleNamespace(id=1)
    def states(status, **fields):
        application = SimpleNamespace(status=status, applicant_id=1, body_id=None, proposed_body_name=None,
                                      proposed_body_kind=None, admin_name=None, admin_nip=None, admin_email=None,
                                      admin_position=None, identity_doc_type=None, recommendation=None,
                                      submitted_at=None, current_document=lambda t: None)
        vars(application).update(fields)
        with app.test_request_context("/"):
            result = progress(application, applicant)
        return [step.state for step in result.steps], result.next_actor

    assert states("draft") == (["current", "todo", "todo", "todo", "todo"],
                               "Anda: lengkapi yang ditandai, lalu ajukan.")
    filled = {"body_id": 5, "admin_name": "A", "admin_nip": "1" * 18, "admin_email": "a@b.go.id", "admin_position": "P"}
    assert states("returned", **filled)[0] == ["done", "current", "todo", "todo", "todo"]
    assert states("complete", recommendation="approve")[1] == "Pejabat memutuskan."
    assert states("approved") == (["done"] * 5, "")
    assert states("withdrawn", submitted_at=1) == (["done", "done", "done", "todo", "todo"], "")


def test_the_body_picker_is_a_plain_select_with_a_search_box_for_scripts(client, factories):
    factories.body(tenant_status="none", name="Badan Riset Contoh")
    sign_in(client, factories.user(roles=("sekretaris",)))
    url = client.post("/permohonan/baru").headers["Location"]
    html = client.get(url).get_data(as_text=True)
    picker = html[html.index('data-picker="body_id"'):html.index("</select>", html.index('data-picker="body_id"'))]
    assert '<select id="body_id" name="body_id"' in picker and "Badan Riset Contoh" in picker
    assert '<label for="body_id-search">' in picker and 'class="picker-search" hidden' in picker
    assert "/static/js/picker.js" in html


def test_an_oversized_request_is_refused_with_413(client, factories, app):
    sign_in(client, factories.user(roles=("sekretaris",)))
    url = client.post("/permohonan/baru").headers["Location"]
    big = pdf_bytes() + b"\0" * (app.config["SEP_MAX_UPLOAD_BYTES"] + 100_000)
    response = client.post(f"{url}/ubah", data={"surat_kuasa": _file(big, "besar.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_only_people_allowed_see_an_application_and_its_files(client, factories):
    application = factories.application(stage="submitted")
    doc = application.current_document("surat_kuasa")
    base = f"/permohonan/{application.id}"
    assert client.get(base).status_code == 302  # anonymous: to sign in

    sign_in(client, factories.user(roles=("sekretaris",)))  # another body's Sekretaris
    for path in (base, f"{base}/dokumen/{doc.id}", f"{base}/surat"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{base}/tarik").status_code == 404
    client.post("/keluar")

    sign_in(client, factories.user(roles=("asn",)))
    assert client.get("/antrean").status_code == 403
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/lengkap").status_code == 403


def test_download_is_an_attachment_with_nosniff(client, factories, app):
    application = factories.application(stage="submitted")
    doc = application.current_document("surat_kuasa")
    sign_in(client, application.applicant)
    response = client.get(f"/permohonan/{application.id}/dokumen/{doc.id}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"
    with app.app_context():
        assert response.data == storage.read_bytes(doc.file)
    # The applicant does not get the reviewers' preview.
    assert client.get(f"/permohonan/{application.id}/dokumen/{doc.id}/pratinjau").status_code == 403


def test_reviewers_preview_documents_in_a_sandboxed_frame(client, factories):
    application = factories.application(stage="submitted")
    doc = application.current_document("surat_kuasa")
    sign_in(client, factories.user(roles=("verifikator",)))
    page = client.get(f"/permohonan/{application.id}").get_data(as_text=True)
    assert re.search(r'<iframe class="preview" sandbox="allow-same-origin"', page)
    preview = client.get(f"/permohonan/{application.id}/dokumen/{doc.id}/pratinjau")
    assert preview.status_code == 200
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]  # default-src 'none'
    image = client.get(f"/permohonan/{application.id}/dokumen/{doc.id}/halaman/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/permohonan/{application.id}/dokumen/{doc.id}/halaman/9.png").status_code == 404
    # Ordinary pages may still not be framed.
    assert client.get(f"/permohonan/{application.id}").headers["X-Frame-Options"] == "DENY"


def test_verifier_returns_and_declares_complete_through_the_pages(client, factories, session):
    application = factories.application(stage="submitted")
    sign_in(client, factories.user(roles=("verifikator",)))
    base = f"/permohonan/{application.id}"
    response = client.post(f"{base}/kembalikan", data={"ret-message": "Kurang"})
    assert response.status_code == 422  # nothing ticked
    assert client.post(f"{base}/kembalikan", data={"ret-missing": ["surat_kuasa"], "ret-message": "Tanda tangan"}
                       ).status_code == 302
    session.refresh(application)
    assert application.status == "returned"
    # A second verifier acting on the old state gets a clear message, not an error page.
    response = client.post(f"{base}/lengkap", follow_redirects=True)
    assert "tidak dapat dilakukan lagi" in response.get_data(as_text=True)


def test_queue_filters_shows_due_dates_and_highlights_overdue(client, factories, session, app, monkeypatch,
                                                              assert_constant_queries):
    late = factories.application(stage="complete")
    factories.application(stage="submitted")
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, verifier)
    html = client.get("/antrean").get_data(as_text=True)
    assert "30 November 2026 23.59 WIB" in html and "4 hari kerja lagi" in html
    clock.advance(timedelta(days=7))  # Tue 1 Dec: overdue (and the idle session has ended)
    sign_in(client, verifier)
    html = client.get("/antrean?overdue=1").get_data(as_text=True)
    assert late.reference in html and 'class="overdue-row"' in html and html.count("PRM-") == 1
    html = client.get("/antrean?status=submitted&kind=kabupaten").get_data(as_text=True)
    assert late.reference not in html and html.count("PRM-") == 1

    for _ in range(4):
        factories.application(stage="submitted")
    assert_constant_queries("/antrean?status=all")


def test_decision_through_the_pages_and_the_public_verification(client, factories, session):
    application = factories.application(stage="recommended")
    sign_in(client, factories.user(roles=("pejabat",)))
    base = f"/permohonan/{application.id}"
    assert client.post(f"{base}/tolak", data={"rej-reason": "x"}).status_code == 422  # no ground
    assert client.post(f"{base}/setujui").status_code == 302
    session.refresh(application)
    assert application.status == "approved"
    again = client.post(f"{base}/tolak", data={"rej-grounds": ["a"], "rej-reason": "x"}, follow_redirects=True)
    assert "sudah diputuskan" in again.get_data(as_text=True)

    letter = client.get(f"{base}/surat")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    assert letter.headers["Content-Disposition"].startswith("attachment")
    client.post("/keluar")
    verify = client.get(f"/surat/{application.letter.verify_code}")  # public: no sign-in
    html = verify.get_data(as_text=True)
    assert verify.status_code == 200
    assert application.letter.number in html and application.letter.sha256 in html and "24 November 2026" in html
    assert client.get("/surat/000000000000000000000000").status_code == 404

    # The person who received the letter drops the PDF: the very document, or not.
    path = f"/surat/{application.letter.verify_code}"

    def check(data, name="surat.pdf"):
        return client.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    stored_before = session.scalar(select(func.count()).select_from(StoredFile))
    same = check(letter.data)
    assert same.status_code == 200 and "bukan dokumen" not in same.get_data(as_text=True).lower()
    assert "persis dokumen" in same.get_data(as_text=True)
    changed = check(letter.data + b"\n% diubah")
    assert changed.status_code == 200 and "BUKAN dokumen" in changed.get_data(as_text=True)
    assert check(b"").status_code == 422
    not_pdf = check(png_bytes(), "surat.png")
    assert not_pdf.status_code == 422 and "bukan PDF" in not_pdf.get_data(as_text=True)
    assert client.post("/surat/000000000000000000000000", data={"file": (io.BytesIO(letter.data), "s.pdf")},
                       content_type="multipart/form-data").status_code == 404
    assert session.scalar(select(func.count()).select_from(StoredFile)) == stored_before  # nothing kept


def test_admin_pengelola_activates_from_the_invitation(client, factories, session):
    application = factories.application(stage="recommended", admin_email="admin.baru@kab.go.id")
    pejabat = factories.user(roles=("pejabat",))
    sign_in(client, pejabat)
    client.post(f"/permohonan/{application.id}/setujui")
    client.post("/keluar")
    (mail,) = outbox_mails(session, "applications/admin_invitation")
    link = re.search(r"http://localhost(/aktivasi/\S+)", mail.body_text).group(1)

    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "Admin-Baru-2026!", "password_confirm": "Admin-Baru-2026!"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/masuk/daftarkan-2fa")
    admin = session.scalar(select(User).where(User.email == "admin.baru@kab.go.id"))
    session.refresh(admin)
    assert admin.status == "active" and admin.email_verified_at is not None
    # The enrolment page finishes the activation; then the account signs in with TOTP.
    client.get("/masuk/daftarkan-2fa")
    with client.session_transaction() as s:
        secret = s["enrol_secret"]
    import pyotp

    response = client.post("/masuk/daftarkan-2fa", data={"code": pyotp.TOTP(secret).at(clock.now())})
    assert response.status_code == 200 and response.get_data(as_text=True).count("<code>") == 10  # recovery codes
    session.refresh(admin)
    assert admin.totp_enabled
    assert client.get(link).status_code == 400  # used once
    assert client.get("/dasbor").status_code == 200
    client.post("/keluar")
    clock.advance(timedelta(seconds=60))
    assert client.post("/masuk", data={"email": "admin.baru@kab.go.id", "password": "Admin-Baru-2026!"}
                       ).headers["Location"].endswith("/masuk/kode")
    assert client.post("/masuk/kode", data={"code": totp_code(admin)}).status_code == 302
