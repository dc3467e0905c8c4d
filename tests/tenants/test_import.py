"""Bulk import (dry run, then all-or-nothing) and export, through the pages."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from sep_portal.accounts.models import User
from sep_portal.auth.models import AuthToken
from sep_portal.core import audit
from sep_portal.core.audit import AuditEntry
from sep_portal.core.outbox import OutboxMessage
from sep_portal.tenants.models import AccountImport
from tests.factories import import_nip, outbox_mails, pdf_bytes, sign_in

HEADER = "nip,nama,email,unit_kerja,jabatan\n"


def _csv(rows: list[tuple[str, ...]], header: str = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    out.write(header.replace(",", delimiter))
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def _rows(n: int, start: int = 3000) -> list[tuple[str, ...]]:
    return [(import_nip(start + i), f"Pegawai {start + i}", f"pegawai{start + i}@kab.go.id", "Bagian Umum", "Staf")
            for i in range(n)]


def _upload(client, data: bytes, name: str = "akun.csv"):
    return client.post("/pengelola/impor", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(re.search(r"/pengelola/impor/(\d+)", response.headers["Location"]).group(1))


@pytest.fixture
def admin_client(client, factories):
    body, admin = factories.tenant()
    sign_in(client, admin)
    client.body, client.admin = body, admin
    return client


def test_the_check_reports_every_bad_row_and_creates_nothing(admin_client, session, factories):
    taken = factories.user(nip=import_nip(100), email="sudah.ada@kab.go.id")
    good = _rows(3)
    rows = [
        *good,
        ("123", "NIP Pendek", "pendek@kab.go.id", "", ""),                       # row 5: NIP rules
        (good[0][0], "Kembar", "kembar@kab.go.id", "", ""),                       # row 6: duplicate NIP in file
        (import_nip(101), "Tanpa Email", "", "", ""),                              # row 7: required
        (taken.nip, "Sudah Ada", "lain@kab.go.id", "", ""),                       # row 8: NIP on the portal
        (import_nip(102), "Email Ada", "sudah.ada@kab.go.id", "", ""),             # row 9: e-mail on the portal
        (import_nip(103), "Email Rusak", "bukan-email", "", ""),                   # row 10
    ]
    before = session.scalar(select(func.count()).select_from(User))
    job_id = _job_id(_upload(admin_client, _csv(rows)))
    page = admin_client.get(f"/pengelola/impor/{job_id}").get_data(as_text=True)
    job = session.get(AccountImport, job_id)
    assert job.status == "invalid" and job.total_rows == 9 and job.error_rows == 6
    problem_rows = [int(r) for r in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert problem_rows == [5, 6, 7, 8, 9, 10]
    assert "baris 2" in page  # the duplicate names the first row
    report = admin_client.get(f"/pengelola/impor/{job_id}/laporan")
    assert report.headers["Content-Disposition"].startswith("attachment")
    lines = list(csv.reader(io.StringIO(report.data.decode("utf-8-sig"))))
    assert lines[0][:5] == ["baris", "nip", "nama", "email", "hasil"] and len(lines) == 10
    assert [line[4] for line in lines[1:]] == ["OK"] * 3 + ["GALAT"] * 6
    # Nothing was created, and an invalid check cannot be imported.
    assert admin_client.post(f"/pengelola/impor/{job_id}/jalankan").status_code == 302
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_a_clean_file_imports_every_account_with_activation_and_audit(admin_client, session, factories):
    rows = _rows(25)
    job_id = _job_id(_upload(admin_client, _csv(rows, delimiter=";"), "akun-titik-koma.csv"))
    job = session.get(AccountImport, job_id)
    assert job.status == "checked" and job.total_rows == 25
    assert session.scalar(select(func.count()).select_from(User).where(User.body_id == admin_client.body.id)) == 1
    assert admin_client.post(f"/pengelola/impor/{job_id}/jalankan").status_code == 302
    session.refresh(job)
    assert job.status == "imported" and job.imported_rows == 25
    created = session.scalars(select(User).where(User.body_id == admin_client.body.id, User.status == "pending")).all()
    assert sorted(u.nip for u in created) == sorted(r[0] for r in rows)
    assert all(u.roles == {"asn"} and u.unit == "Bagian Umum" for u in created)
    ids = [u.id for u in created]
    assert session.scalar(select(func.count()).select_from(AuthToken).where(AuthToken.user_id.in_(ids))) == 25
    mails = outbox_mails(session, "auth/activation")
    assert len(mails) == 25 and all("/aktivasi/" in m.body_text for m in mails)
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "account.created", AuditEntry.target_id.in_([str(i) for i in ids]))) == 25
    assert audit.verify(session).ok  # the bulk entries continue the hash chain
    # The same file again: every row is now taken.
    again = session.get(AccountImport, _job_id(_upload(admin_client, _csv(rows))))
    assert again.status == "invalid" and again.error_rows == 25


def test_the_import_is_all_or_nothing(admin_client, session, factories):
    rows = _rows(10, start=3500)
    job_id = _job_id(_upload(admin_client, _csv(rows)))
    assert session.get(AccountImport, job_id).status == "checked"
    factories.user(nip=rows[7][0], email="perebut@kab.go.id")  # registered between the check and the import
    admin_client.post(f"/pengelola/impor/{job_id}/jalankan")
    job = session.get(AccountImport, job_id)
    session.refresh(job)
    assert job.status == "failed" and "9" in job.message  # row 9 of the file
    assert session.scalar(select(func.count()).select_from(User).where(User.nip.in_([r[0] for r in rows]))) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.template == "auth/activation")) == 0


def test_xlsx_import_and_numbers_that_lost_digits(admin_client, session):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIP", "Nama", "Email", "Unit Kerja", "Jabatan"])
    sheet.append([import_nip(400), "Dewi", "dewi@kab.go.id", "TU", "Staf"])
    sheet.append([float(import_nip(401)), "Angka", "angka@kab.go.id", "", ""])  # typed as a number in Excel
    out = io.BytesIO()
    workbook.save(out)
    job = session.get(AccountImport, _job_id(_upload(admin_client, out.getvalue(), "akun.xlsx")))
    assert job.status == "invalid" and job.total_rows == 2 and job.error_rows == 1
    page = admin_client.get(f"/pengelola/impor/{job.id}").get_data(as_text=True)
    assert "teks" in page  # format the column as text


@pytest.mark.parametrize("data, name", [
    (pdf_bytes(), "akun.csv"),
    (b"\x00\x01\x02binary", "akun.csv"),
    (b"nama,unit\nBudi,TU\n", "akun.csv"),  # columns missing
])
def test_files_that_are_not_an_account_list_are_refused(admin_client, session, data, name):
    response = _upload(admin_client, data, name)
    if response.status_code == 302:  # readable as a file, but not as a list: the check says why
        job = session.get(AccountImport, _job_id(response))
        assert job.status == "invalid" and "nip" in job.message
    else:
        assert response.status_code == 422
        assert "tidak diterima" in response.get_data(as_text=True)


def test_export_has_only_this_tenants_accounts(admin_client, factories):
    other_body, _ = factories.tenant()
    factories.user(body=other_body, name="Orang Lain", email="lain@lain.go.id")
    factories.user(body=admin_client.body, name="Warga Sendiri", email="sendiri@kab.go.id", unit="Bagian TU")
    response = admin_client.get("/pengelola/akun/ekspor.csv")
    text = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "sendiri@kab.go.id" in text and "lain@lain.go.id" not in text
    xlsx = admin_client.get("/pengelola/akun/ekspor.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ("nip", "nama", "email")
    emails = {row[2] for row in values[1:]}
    assert "sendiri@kab.go.id" in emails and "lain@lain.go.id" not in emails
    assert all(isinstance(row[0], str) for row in values[1:])  # NIPs stay text


def test_templates_download(admin_client):
    csv_template = admin_client.get("/pengelola/impor/templat.csv").data.decode("utf-8-sig")
    assert csv_template.splitlines()[0] == "nip,nama,email,unit_kerja,jabatan"
    xlsx = admin_client.get("/pengelola/impor/templat.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_exports_never_carry_a_live_formula(admin_client, factories):
    factories.user(body=admin_client.body, name='=HYPERLINK("http://jahat.example","klik")', email="f@kab.go.id",
                   unit="+SUM(A1)")
    text = admin_client.get("/pengelola/akun/ekspor.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'+SUM(A1)" in text
    sheet = load_workbook(io.BytesIO(admin_client.get("/pengelola/akun/ekspor.xlsx").data)).worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://jahat.example\",\"klik\")" in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    job = _job_id(_upload(admin_client, _csv([(import_nip(600), "@cmd|' /C calc'!A0", "x@kab.go.id", "", "")])))
    report = admin_client.get(f"/pengelola/impor/{job}/laporan").data.decode("utf-8-sig")
    assert "'@cmd" in report


def test_an_xlsx_bomb_and_a_huge_declared_sheet_are_refused(admin_client, session):
    import zipfile

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/sharedStrings.xml", "<sst>" + "A" * 30_000_000 + "</sst>")
    job = session.get(AccountImport, _job_id(_upload(admin_client, bomb.getvalue(), "bom.xlsx")))
    assert job.status == "invalid" and "XLSX" in job.message and len(bomb.getvalue()) < 200_000


def test_names_are_kept_on_one_line(admin_client, session):
    rows = [(import_nip(700), "Budi\nKlik http://jahat.example", "budi.satu@kab.go.id", "  Bagian   Umum ", "")]
    job_id = _job_id(_upload(admin_client, _csv(rows)))
    admin_client.post(f"/pengelola/impor/{job_id}/jalankan")
    from sep_portal.accounts.models import User as Account

    user = session.scalar(select(Account).where(Account.email == "budi.satu@kab.go.id"))
    assert user.name == "Budi Klik http://jahat.example" and user.unit == "Bagian Umum"


def test_one_import_at_a_time_per_tenant(admin_client, session):
    from sep_portal.core.storage import StoredFile

    stored = StoredFile(stored_name="y" * 40, original_name="a.csv", kind="csv", content_type="text/csv", size=1,
                        sha256="0" * 64, purpose="import:source")
    session.add(stored)
    session.flush()
    session.add(AccountImport(body_id=admin_client.body.id, created_by_id=admin_client.admin.id, file_id=stored.id,
                              status="importing"))
    session.commit()
    response = _upload(admin_client, _csv(_rows(1, start=800)))
    assert response.status_code == 422


def test_a_permanently_deactivated_nip_is_never_imported_again(admin_client, session, factories):
    factories.user(nip=import_nip(900), status="permanently_deactivated")
    job_id = _job_id(_upload(admin_client, _csv([(import_nip(900), "Kembali Lagi", "kembali@kab.go.id", "", "")])))
    assert session.get(AccountImport, job_id).status == "invalid"
    assert "permanen" in admin_client.get(f"/pengelola/impor/{job_id}").get_data(as_text=True)


def test_pppk_numbers_import_beside_pns_nips(admin_client, session):
    """PPPK appointed since 2021 carry an NI PPPK (code 21 where a NIP has the month)."""
    rows = [("198903152021211001", "Rina PPPK", "rina.pppk@kab.go.id", "Bagian Umum", "Guru"),
            ("199706052024212045", "Sari PPPK", "sari.pppk@kab.go.id", "Bagian Umum", "Perawat"),
            *_rows(1)]
    job_id = _job_id(_upload(admin_client, _csv(rows)))
    assert session.get(AccountImport, job_id).status == "checked"
    assert admin_client.post(f"/pengelola/impor/{job_id}/jalankan").status_code == 302
    rina = session.scalar(select(User).where(User.nip == "198903152021211001"))
    assert rina is not None and rina.asn_type_label == "PPPK"
    page = admin_client.get(f"/pengelola/akun/{rina.id}").get_data(as_text=True)
    assert "Jenis ASN" in page and "PPPK" in page
