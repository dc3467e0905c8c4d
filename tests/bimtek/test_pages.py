"""Bimtek pages through the test client."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sep_portal.bimtek.models import BimtekRegistration, BimtekSession
from sep_portal.core import clock
from tests.bimtek.helpers import STARTS
from tests.factories import outbox_mails, sign_in

FORM = {"topic": "Tata Naskah Dinas Elektronik", "description": "Membuat surat dinas di SEP.", "date": "2026-11-26",
        "start_time": "09:00", "end_time": "12:00", "mode": "in_person", "place": "Aula Kominfo, Jakarta",
        "online_url": "", "capacity": "1"}


def _switch(client, user):
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, user, advance=False)


def _scheduled(client, factories, session):
    agent = factories.user(roles=("helpdesk",))
    sign_in(client, agent)
    response = client.post("/bimtek/kelola", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)
    bimtek = session.scalar(select(BimtekSession).order_by(BimtekSession.id.desc()))
    return agent, bimtek


def test_an_agent_schedules_and_bad_input_gets_a_clear_message(client, factories, session):
    agent, bimtek = _scheduled(client, factories, session)
    assert bimtek.starts_at == STARTS and bimtek.capacity == 1
    page = client.get(f"/bimtek/{bimtek.id}/kelola").get_data(as_text=True)
    assert "Tata Naskah Dinas Elektronik" in page and "26 November 2026 09.00 WIB" in page
    response = client.post("/bimtek/kelola", data={**FORM, "mode": "online", "online_url": "http://zoom.us/j/1"})
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)
    response = client.post("/bimtek/kelola", data={**FORM, "end_time": "08:00"})
    assert response.status_code == 422 and "Waktu selesai harus setelah waktu mulai" in response.get_data(as_text=True)
    assert session.scalar(select(BimtekSession.id).where(BimtekSession.id != bimtek.id)) is None


def test_asn_registers_waits_and_cannot_manage(client, factories, session):
    agent, bimtek = _scheduled(client, factories, session)
    first, second = factories.user(email="a@kab.go.id"), factories.user(email="b@kab.go.id")
    _switch(client, first)
    assert "Tata Naskah Dinas Elektronik" in client.get("/bimtek").get_data(as_text=True)
    assert client.post(f"/bimtek/{bimtek.id}/daftar").status_code == 302
    assert "Anda telah terdaftar" in client.get(f"/bimtek/{bimtek.id}").get_data(as_text=True)
    assert client.get("/bimtek/kelola").status_code == 403
    assert client.get(f"/bimtek/{bimtek.id}/kelola").status_code == 403
    assert client.post(f"/bimtek/{bimtek.id}/kelola/kehadiran", data={"attended": "1"}).status_code == 403
    _switch(client, second)
    client.post(f"/bimtek/{bimtek.id}/daftar")
    assert "nomor 1 dalam daftar tunggu" in client.get(f"/bimtek/{bimtek.id}").get_data(as_text=True)
    _switch(client, first)
    client.post(f"/bimtek/{bimtek.id}/batal")
    statuses = dict(session.execute(select(BimtekRegistration.user_id, BimtekRegistration.status)).all())
    assert statuses == {first.id: "cancelled", second.id: "registered"}
    promoted = outbox_mails(session, "bimtek/promoted")
    assert [m.recipients for m in promoted] == [["b@kab.go.id"]]


def test_attendance_in_one_post_then_only_the_participant_gets_the_certificate(client, factories, session):
    agent, bimtek = _scheduled(client, factories, session)
    client.post(f"/bimtek/{bimtek.id}/kelola", data={**{f"edit-{k}": v for k, v in FORM.items()}, "edit-capacity": "3"})
    participant, absent, other = factories.user(), factories.user(), factories.user()
    for person in (participant, absent):
        _switch(client, person)
        client.post(f"/bimtek/{bimtek.id}/daftar")
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat").status_code == 404  # not yet attended
    clock.freeze(STARTS + timedelta(hours=3))
    _switch(client, agent)
    regs = {r.user_id: r.id for r in session.scalars(select(BimtekRegistration))}
    page = client.get(f"/bimtek/{bimtek.id}/kelola").get_data(as_text=True)
    assert f'name="attended" value="{regs[participant.id]}"' in page
    response = client.post(f"/bimtek/{bimtek.id}/kelola/kehadiran", data={"attended": [str(regs[participant.id])]})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(BimtekSession, bimtek.id).status == "held"

    _switch(client, participant)
    response = client.get(f"/bimtek/{bimtek.id}/sertifikat")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert response.data.startswith(b"%PDF") and response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat/{participant.id}").status_code == 200
    _switch(client, absent)
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat").status_code == 404
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat/{participant.id}").status_code == 404
    _switch(client, other)
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat/{participant.id}").status_code == 404
    _switch(client, agent)
    assert client.get(f"/bimtek/{bimtek.id}/sertifikat/{participant.id}").status_code == 200
    code = session.scalar(select(BimtekRegistration.certificate_code).where(
        BimtekRegistration.user_id == participant.id))
    client.post("/keluar")
    assert participant.name in client.get(f"/bimtek/verifikasi/{code}").get_data(as_text=True)
    assert client.get("/bimtek/verifikasi/salah").status_code == 404


def test_an_agent_cancels_with_a_reason_and_lists_are_paginated(client, factories, session, app, monkeypatch):
    agent, bimtek = _scheduled(client, factories, session)
    response = client.post(f"/bimtek/{bimtek.id}/kelola/batalkan", data={"cancel-reason": ""})
    assert response.status_code == 422
    assert session.get(BimtekSession, bimtek.id).status == "scheduled"
    client.post("/bimtek/kelola", data={**FORM, "topic": "Sesi Kedua"})
    client.post("/bimtek/kelola", data={**FORM, "topic": "Sesi Ketiga"})
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    first = client.get("/bimtek").get_data(as_text=True)
    assert "Halaman 1 dari 2" in first
    assert client.get("/bimtek/kelola?page=2").status_code == 200
    response = client.post(f"/bimtek/{bimtek.id}/kelola/batalkan", data={"cancel-reason": "Narasumber berhalangan."})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(BimtekSession, bimtek.id).status == "cancelled"
    assert "Tata Naskah Dinas Elektronik" not in client.get("/bimtek").get_data(as_text=True)
