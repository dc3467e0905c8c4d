"""Operator pages: calendar, audit log, outbox."""
from datetime import date

from sqlalchemy import func, select

from sep_portal.core import audit
from sep_portal.core.audit import AuditEntry
from sep_portal.core.calendar import CalendarDay
from sep_portal.core.outbox import OutboxMessage
from tests.factories import sign_in


def _superadmin(client, factories):
    user = factories.user(roles=("superadmin",))
    sign_in(client, user)
    return user


def test_calendar_page_lists_the_year_with_sources(client, factories):
    _superadmin(client, factories)
    html = client.get("/admin/kalender?tahun=2026").get_data(as_text=True)
    assert "1497 Tahun 2025" in html  # the seeded cuti bersama name their decree
    assert "Desember 2026" in html  # dates in Indonesian
    # 261 weekdays minus 21 weekday holidays and cuti bersama (SKB 1497/2/5 of 2025).
    assert ">240 " in html or "240 hari" in html or "240 working" in html


def test_superadmin_adds_and_removes_a_closure(client, factories, session):
    admin = _superadmin(client, factories)
    response = client.post("/admin/kalender?tahun=2026", data={
        "day": "2026-11-26", "kind": "closure", "description": "Kantor tutup (banjir)",
        "source": "SE Dirjen Aptika No. 5/2026"})
    assert response.status_code == 302
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 11, 26)))
    assert row.created_by_id == admin.id
    assert session.scalar(select(audit.AuditEntry).where(audit.AuditEntry.action == "calendar.day_added")
                          .where(audit.AuditEntry.actor_id == admin.id)) is not None
    response = client.post("/admin/kalender/2026-11-26/hapus")
    assert response.status_code == 302
    session.expire_all()
    assert session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 11, 26))) is None


def test_calendar_form_errors_are_shown_and_nothing_saved(client, factories, session):
    _superadmin(client, factories)
    response = client.post("/admin/kalender", data={"day": "2026-12-24", "kind": "closure",
                                                   "description": "Dobel", "source": "x"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = client.post("/admin/kalender", data={"day": "bukan-tanggal", "kind": "closure",
                                                   "description": "x", "source": "x"})
    assert response.status_code == 422
    assert session.scalar(select(CalendarDay).where(CalendarDay.description == "Dobel")) is None


def test_audit_page_filters_and_pages_by_keyset(client, factories, app, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 3)
    _superadmin(client, factories)
    for i in range(5):
        client.post("/admin/kalender", data={"day": f"2027-07-0{i + 5}", "kind": "closure",
                                             "description": f"Tutup {i}", "source": "SE"})
    html = client.get("/admin/audit?action=calendar.day_added").get_data(as_text=True)
    assert html.count("<td>Hari pada kalender ditambahkan</td>") == 3
    assert "sebelum=" in html
    next_url = html.split('href="', )[-1]  # crude, checked below
    older = client.get("/admin/audit?action=calendar.day_added&sebelum=" +
                       html.split("sebelum=")[1].split('"')[0].split("&")[0])
    assert older.get_data(as_text=True).count("<td>Hari pada kalender ditambahkan</td>") == 2
    assert next_url


def test_audit_page_query_count_is_constant_in_page_size(client, factories, app, monkeypatch, assert_constant_queries):
    _superadmin(client, factories)
    for i in range(6):
        client.post("/admin/kalender", data={"day": f"2027-08-0{i + 2}", "kind": "closure",
                                             "description": f"Tutup {i}", "source": "SE"})
    assert_constant_queries("/admin/audit")


def test_audit_verify_button(client, factories):
    _superadmin(client, factories)
    response = client.post("/admin/audit/verifikasi", follow_redirects=True)
    assert response.status_code == 200 and "alert-success" in response.get_data(as_text=True)


def test_outbox_page_shows_messages_and_requeues_failed(client, factories, session):
    _superadmin(client, factories)
    client.post("/kata-sandi/lupa", data={"email": "tidak.ada@uji.go.id"})  # no mail: unknown address
    user = factories.user(roles=("asn",))
    client.post("/kata-sandi/lupa", data={"email": user.email})
    message = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    html = client.get("/admin/kotak-keluar").get_data(as_text=True)
    assert f"/admin/kotak-keluar/{message.id}" in html
    assert client.get(f"/admin/kotak-keluar/{message.id}").status_code == 200
    refused = client.post(f"/admin/kotak-keluar/{message.id}/ulang", follow_redirects=True)  # not failed
    assert "tidak dapat dilakukan lagi" in refused.get_data(as_text=True).lower()
    requeued = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "outbox.requeued")
    assert session.scalar(requeued) == 0
    message.status, message.attempts = "failed", 10
    session.commit()
    assert client.post(f"/admin/kotak-keluar/{message.id}/ulang").status_code == 302
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == "pending"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.requeued")).one()
    assert entry.target_id == str(message.id)


def test_estimated_days_are_marked_and_the_superadmin_confirms_the_year(client, factories, session):
    admin = _superadmin(client, factories)
    html = client.get("/admin/kalender?tahun=2027").get_data(as_text=True)
    assert "perkiraan" in html and "Konfirmasi 2027" in html
    assert "perkiraan" not in client.get("/admin/kalender?tahun=2026").get_data(as_text=True)  # the SKB of 0002
    response = client.post("/admin/kalender/2027/konfirmasi", data={"yr-decree": ""})
    assert response.status_code == 422 and 'id="yr-decree-error"' in response.get_data(as_text=True)
    response = client.post("/admin/kalender/2027/konfirmasi", data={"yr-decree": "SKB Nomor 9 Tahun 2026"})
    assert response.status_code == 302
    html = client.get("/admin/kalender?tahun=2027").get_data(as_text=True)
    assert "Dikonfirmasi dengan keputusan: SKB Nomor 9 Tahun 2026" in html and "badge-estimate" not in html
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.year_confirmed",
                                                   AuditEntry.actor_id == admin.id)) is not None
