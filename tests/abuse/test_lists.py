"""The misuse lists: filters kept on page 2, constant queries per page, status words not codes."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from sep_portal.abuse.models import AbuseCase, AbuseCategory, ReactivationRequest
from sep_portal.core import clock
from tests.factories import sign_in


def _category(session, code: str) -> int:
    return session.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code))


def _cases(session, factories, body, category_id: int, count: int, *, assigned_to=None, status="open",
           opened_at=None) -> list[AbuseCase]:
    """``count`` cases, each about another account of ``body`` (one open case per account)."""
    rows = []
    for _ in range(count):
        account = factories.user(body=body)
        case = AbuseCase(account_id=account.id, body_id=body.id, category_id=category_id, status=status,
                         opened_at=opened_at or clock.now(), assigned_to_id=assigned_to.id if assigned_to else None)
        session.add(case)
        rows.append(case)
    session.commit()
    return rows


def test_page_two_of_the_cases_keeps_every_filter(client, app, factories, session, monkeypatch):
    verifier = factories.user(roles=("verifikator",))
    body = factories.body(code="KAB-PAGER")
    other = factories.body(code="KAB-LAIN")
    spam, fraud = _category(session, "spam"), _category(session, "penipuan")
    early = clock.now() - timedelta(days=10)
    wanted = _cases(session, factories, body, spam, 3, assigned_to=verifier, opened_at=early)
    _cases(session, factories, body, fraud, 2, assigned_to=verifier, opened_at=early)  # another category
    _cases(session, factories, other, spam, 2, assigned_to=verifier, opened_at=early)  # another body
    _cases(session, factories, body, spam, 2, opened_at=early)  # not assigned to the verifier
    _cases(session, factories, body, spam, 2, assigned_to=verifier)  # opened after the date
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    sign_in(client, verifier)
    day = (clock.now() - timedelta(days=5)).astimezone(clock.WIB).strftime("%Y-%m-%d")
    first = client.get(f"/kasus?status=all&category={spam}&body=KAB-PAGER&opened_before={day}&mine=1")
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "3 kasus" in page
    link = html.unescape(re.search(r'<a href="([^"]+)" rel="next"', page).group(1))
    for kept in (f"category={spam}", "body=KAB-PAGER", f"opened_before={day}", "mine=1", "status=all", "page=2"):
        assert kept in link, (kept, link)
    second = client.get(link).get_data(as_text=True)
    shown = set(re.findall(r"KSS-\d{6}", page)) | set(re.findall(r"KSS-\d{6}", second))
    assert shown == {c.reference for c in wanted}


def test_the_case_list_runs_the_same_queries_for_any_page_size(client, factories, session, assert_constant_queries):
    body = factories.body()
    _cases(session, factories, body, _category(session, "spam"), 7)
    sign_in(client, factories.user(roles=("verifikator",)))
    assert_constant_queries("/kasus?status=all")


def test_reactivation_requests_show_their_status_in_words(client, factories, session):
    body, _admin = factories.tenant()
    sekretaris = factories.user(roles=("sekretaris",), body=body)
    pejabat = factories.user(roles=("pejabat",))
    for status in ("pending", "approved", "rejected"):
        account = factories.user(body=body, status="deactivated")
        session.add(ReactivationRequest(user_id=account.id, body_id=body.id, requested_by_id=sekretaris.id,
                                        statement="Mohon.", status=status, reason=None if status == "pending" else "x",
                                        decided_by_id=None if status == "pending" else pejabat.id,
                                        decided_at=None if status == "pending" else clock.now()))
    session.commit()
    decided = session.scalar(select(ReactivationRequest).where(ReactivationRequest.status == "approved"))
    sign_in(client, pejabat)
    for path in ("/reaktivasi", f"/reaktivasi/{decided.id}"):
        text = re.sub(r"<[^>]+>", " ", client.get(path).get_data(as_text=True))
        assert not re.search(r"\b(pending|approved|rejected)\b", text), path
    listing = client.get("/reaktivasi").get_data(as_text=True)
    assert "menunggu keputusan" in listing and "diaktifkan kembali" in listing and "ditolak" in listing
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, sekretaris, advance=False)
    text = re.sub(r"<[^>]+>", " ", client.get("/badan/reaktivasi").get_data(as_text=True))
    assert not re.search(r"\b(pending|approved|rejected)\b", text)


def test_the_categories_page_refuses_a_used_code_and_switches_one_off(client, factories, session):
    sign_in(client, factories.user(roles=("superadmin",)))
    response = client.post("/admin/kategori", data={"code": "spam", "name": "Spam lagi", "description": "x"})
    assert response.status_code == 422 and "Kode ini sudah digunakan" in response.get_data(as_text=True)
    assert client.post("/admin/kategori", data={"code": "doxing", "name": "Doxing", "description": "x"}
                       ).status_code == 302
    category = session.scalar(select(AbuseCategory).where(AbuseCategory.code == "doxing"))
    assert client.post(f"/admin/kategori/{category.id}/nonaktifkan").status_code == 302
    assert client.post(f"/admin/kategori/{category.id}/hapus").status_code == 404
    session.expire_all()
    assert not session.get(AbuseCategory, category.id).active
