"""The operator's lists read through admin/queries.py: the audit log and the outbox in words, the
one pager keeping the filters, constant queries per page."""
from __future__ import annotations

import html
import re

from sep_portal.admin.labels import OUTBOX_STATUS_LABELS
from sep_portal.core import audit, clock
from sep_portal.core.outbox import OUTBOX_STATUSES, OutboxMessage
from tests.factories import sign_in


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _next_link(response) -> str:
    return html.unescape(re.search(r'<a href="([^"]+)" rel="next"', response.get_data(as_text=True)).group(1))


def _message(session, status: str, subject: str = "Pesan uji") -> OutboxMessage:
    message = OutboxMessage(channel="email", template="auth/password_changed", recipients=["a@uji.go.id"],
                            subject=subject, body_text="x", status=status, attempts=0,
                            created_at=clock.now(), next_attempt_at=clock.now(),
                            sent_at=clock.now() if status == "sent" else None)
    session.add(message)
    session.commit()
    return message


def test_every_outbox_status_has_words():
    assert set(OUTBOX_STATUS_LABELS) == set(OUTBOX_STATUSES)


def test_the_audit_log_names_the_actor_and_reads_its_details(client, factories, session):
    operator = factories.user(roles=("superadmin",), name="Operator Platform Uji")
    audit.record(session, "system:sweep", "application.escalated", ("applications", 7),
                 before={"status": "complete"}, after={"status": "complete", "escalated_at": clock.now(),
                                                       "notified": ["a@uji.go.id", "b@uji.go.id"], "late": True})
    session.commit()
    sign_in(client, operator)
    client.post("/admin/kalender", data={"day": "2027-07-05", "kind": "closure", "description": "Tutup banjir",
                                         "source": "SE 1/2027"})
    response = client.get("/admin/audit")
    text = _text(response)
    assert "Operator Platform Uji" in text and f"user:{operator.id}" not in text
    assert "Sistem (tugas terjadwal)" in text and "system:sweep" not in text
    assert "{" not in text and "Keterangan: Tutup banjir" in text  # no JSON, the field in words
    assert "Dieskalasi pada: " + clock.now().astimezone(clock.WIB).strftime("%-d") in text  # a time in words
    assert "Diberi tahu: a@uji.go.id, b@uji.go.id" in text and "late: Ya" in text
    # The action, its object and the statuses in words, never their codes.
    assert "Permohonan yang lewat batas waktu dieskalasi" in text and "application.escalated" not in text
    assert "Hari pada kalender ditambahkan" in text and "calendar.day_added" not in text
    assert "Permohonan 7" in text and "applications 7" not in text
    assert "Status: Lengkap, menunggu keputusan → Lengkap, menunggu keputusan" in text
    # The name leads to that person's entries.
    assert f'href="/admin/audit?actor={operator.id}"' in response.get_data(as_text=True)


def test_the_audit_log_names_the_accounts_and_bodies_its_details_mention(client, factories, session):
    body, admin = factories.tenant(name="Pemerintah Kota Bernama")
    person = factories.user(roles=("asn",), name="Ibu Akun Bernama", body=body)
    audit.record(session, admin, "account.created", person,
                 after={"status": "pending", "roles": ["asn"], "body_id": body.id, "admin_user_id": admin.id})
    session.commit()
    sign_in(client, factories.user(roles=("superadmin",)))
    text = _text(client.get("/admin/audit"))
    assert "Akun dibuat" in text and "Akun: Ibu Akun Bernama" in text and f"users {person.id}" not in text
    assert "Badan Pemerintahan: Pemerintah Kota Bernama" in text and f"Badan Pemerintahan: {body.id}" not in text
    assert "Status: Belum diaktifkan" in text and "Peran: Aparatur Sipil Negara (ASN)" in text
    assert f"Admin Pengelola: {admin.name}" in text


def test_the_outbox_message_names_its_kind_in_words(client, factories, session):
    message = _message(session, "sent")
    sign_in(client, factories.user(roles=("superadmin",)))
    text = _text(client.get(f"/admin/kotak-keluar/{message.id}"))
    assert "Jenis email Masuk dan keamanan akun" in " ".join(text.split())
    assert "Terkirim" in text


def test_page_two_of_the_audit_log_keeps_the_filters(client, factories, app, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    operator = factories.user(roles=("superadmin",))
    sign_in(client, operator)
    for i in range(3):
        client.post("/admin/kalender", data={"day": f"2027-07-0{i + 5}", "kind": "closure",
                                             "description": f"Tutup {i}", "source": "SE"})
    first = client.get(f"/admin/audit?action=calendar.&actor={operator.id}")
    link = _next_link(first)
    assert "action=calendar." in link and f"actor={operator.id}" in link and "sebelum=" in link
    second = client.get(link)
    assert second.get_data(as_text=True).count("<td>Hari pada kalender ditambahkan</td>") == 1
    assert "Halaman pertama" in _text(second)


def test_the_outbox_shows_statuses_in_words_and_pages_keep_the_status(client, factories, session, app, monkeypatch):
    for status in OUTBOX_STATUSES:
        _message(session, status)
    for n in range(3):
        _message(session, "failed", f"Pesan gagal {n + 1}")
    sign_in(client, factories.user(roles=("superadmin",)))
    text = _text(client.get("/admin/kotak-keluar"))
    assert not re.search(r"\b(pending|sending|sent|failed)\b", text)
    assert "Menunggu" in text and "Gagal" in text and "Terkirim" in text
    failed = session.query(OutboxMessage).filter_by(status="failed").first()
    assert not re.search(r"\b(pending|sending|sent|failed)\b", _text(client.get(f"/admin/kotak-keluar/{failed.id}")))
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    link = _next_link(client.get("/admin/kotak-keluar?status=failed"))
    assert "status=failed" in link and "sebelum=" in link
    second = client.get(link).get_data(as_text=True)
    assert "Pesan gagal 1" in second and "Pesan gagal 3" not in second  # newest first
    assert second.count("</td><td>Gagal</td>") == 2 and "</td><td>Menunggu</td>" not in second  # failed only


def test_the_outbox_and_api_pages_run_the_same_queries_for_any_page_size(client, factories, session,
                                                                        assert_constant_queries):
    for _ in range(7):
        _message(session, "pending")
    sign_in(client, factories.user(roles=("superadmin",)))
    assert_constant_queries("/admin/kotak-keluar")
    assert_constant_queries("/admin/kotak-keluar?status=pending")


def test_the_api_page_reads_every_body_at_once(client, factories, count_queries):
    sign_in(client, factories.user(roles=("superadmin",)))
    counts = []
    for _ in range(2):
        body = factories.body()
        client.post("/admin/api/akun-layanan", data={"sa-name": f"HR {body.code}", "sa-scope": "tenant",
                                                     "sa-body_code": body.code})
        client.post("/admin/api/webhook", data={"wh-name": f"Hook {body.code}", "wh-url": "https://sep.example.id/h",
                                                "wh-body_code": body.code})
        with count_queries() as statements:
            page = client.get("/admin/api").get_data(as_text=True)
        assert body.name in page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
