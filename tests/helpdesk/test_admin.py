"""The operator's service catalogue and SLA targets."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sep_portal.core.audit import AuditEntry
from sep_portal.helpdesk import sla
from sep_portal.helpdesk.models import HelpdeskService, SlaTarget
from tests.factories import sign_in


def _form(targets):
    data = {}
    for p, (first, resolution) in targets.items():
        data[f"p{p}_first"], data[f"p{p}_resolution"] = first, resolution
    return data


def _service(session, code):
    return session.scalar(select(HelpdeskService).where(HelpdeskService.code == code))


def test_the_operator_sets_general_and_per_service_sla_targets(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin",)))
    page = client.get("/admin/sla").get_data(as_text=True)
    assert 'value="30"' in page and 'value="240"' in page  # the seeded P1 targets
    general = {1: ("20", "180"), 2: ("60", "480"), 3: ("240", "1530"), 4: ("480", "2550")}
    assert client.post("/admin/sla", data=_form(general)).status_code == 302
    service = _service(session, "aktivasi-akun")
    assert sla.targets_for(session, service.id, 1) == sla.Targets(timedelta(minutes=20), timedelta(minutes=180))
    # One service's own P1, the rest from the general targets.
    response = client.post("/admin/sla", data={"layanan": "aktivasi-akun", **_form({1: ("15", "60")})})
    assert response.status_code == 302
    assert sla.targets_for(session, service.id, 1).resolution == timedelta(minutes=60)
    assert sla.targets_for(session, service.id, 2).resolution == timedelta(minutes=480)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "helpdesk.sla_targets_set")
                          .order_by(AuditEntry.seq.desc())).after == {"1": [15, 60]}
    # Cleared again: the general target applies.
    client.post("/admin/sla", data={"layanan": "aktivasi-akun"})
    assert session.scalars(select(SlaTarget).where(SlaTarget.service_id == service.id)).all() == []


def test_bad_targets_are_refused_and_nothing_changes(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin",)))
    bad = {1: ("60", "30"), 2: ("60", "480"), 3: ("240", "1530"), 4: ("480", "2550")}
    response = client.post("/admin/sla", data=_form(bad))
    assert response.status_code == 422
    assert "tidak dapat lebih cepat" in response.get_data(as_text=True)
    missing = {1: ("30", "240"), 2: ("60", ""), 3: ("240", "1530"), 4: ("480", "2550")}
    assert client.post("/admin/sla", data=_form(missing)).status_code == 422
    row = session.scalar(select(SlaTarget).where(SlaTarget.service_id.is_(None), SlaTarget.priority == 1))
    assert (row.first_response_minutes, row.resolution_minutes) == (30, 240)


def test_only_the_operator_manages_the_catalogue(client, factories):
    sign_in(client, factories.user(roles=("helpdesk",)))
    assert client.get("/admin/sla").status_code == 403
    assert client.post("/admin/layanan", data={"code": "x", "name": "X", "description": "x"}).status_code == 403


def test_a_new_service_and_a_switched_off_one(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin", "helpdesk")))
    response = client.post("/admin/layanan", data={"code": "tte", "name": "Tanda tangan elektronik",
                                                   "description": "Bantuan sertifikat TTE di SEP."})
    assert response.status_code == 302
    new = _service(session, "tte")
    assert new.active and "Tanda tangan elektronik" in client.get("/tiket/baru").get_data(as_text=True)
    assert client.post("/admin/layanan", data={"code": "tte", "name": "Lagi", "description": "x"}).status_code == 422
    client.post("/admin/layanan/tte/nonaktifkan")
    session.refresh(new)
    assert not new.active
    assert "Tanda tangan elektronik" not in client.get("/tiket/baru").get_data(as_text=True)
    response = client.post("/tiket/baru", data={"type": "question", "service_id": new.id, "subject": "TTE",
                                                "description": "?", "impact": "3", "urgency": "3"})
    assert response.status_code == 422
