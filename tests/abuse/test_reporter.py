"""The reporter follows a misuse report: its reference, its status in the reporter's words, the
signed-in reporter's own pages, the public reporter's private status link, and the reviewers'
search by reference."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sep_portal.abuse import operations as ops
from sep_portal.abuse import queries
from sep_portal.abuse.models import CASE_STATUSES, REPORT_SERIES, AbuseCase, AbuseCategory, AbuseReport
from sep_portal.accounts.models import User
from sep_portal.core import clock
from sep_portal.core.letters import LetterCounter
from sep_portal.core.security import hash_token
from tests.factories import emailed_path, outbox_mails, sign_in

WIB = clock.WIB
REFERENCE = re.compile(r"LPR-\d{4}-\d{6}")


def _category(session, code="penipuan") -> int:
    return session.scalar(select(AbuseCategory.id).where(AbuseCategory.code == code))


def _report(ctx, reporter, target, *, now=None) -> AbuseReport:
    return ops.report_account(ctx, reporter, target=target, category_id=_category(ctx),
                              description="Meminta transfer uang atas nama pimpinan.", files=[],
                              now=now or clock.now())


def _people(ctx, factories, n=2):
    return [ctx.get(User, factories.user().id) for _ in range(n)]


# -- the reference ------------------------------------------------------------------------------------

def test_every_report_gets_its_own_reference_counted_per_year_in_wib(ctx, factories):
    reporter, target = _people(ctx, factories)
    first = _report(ctx, reporter, target.email)
    second = _report(ctx, reporter, "tidak.ada@kab.go.id")  # no such account: numbered all the same
    public = ops.report_publicly(ctx, email="warga@contoh.id", target=target.email, category_id=_category(ctx),
                                 description="Spam.", now=clock.now())
    assert [first.reference, second.reference, public.reference] == ["LPR-2026-000001", "LPR-2026-000002",
                                                                     "LPR-2026-000003"]
    # 31 December 23.30 WIB is still 2026; half an hour later (still 31 December in UTC) is 2027's first.
    late = _report(ctx, reporter, target.email, now=datetime(2026, 12, 31, 23, 30, tzinfo=WIB))
    new_year = _report(ctx, reporter, target.email, now=datetime(2027, 1, 1, 0, 30, tzinfo=WIB))
    assert (late.reference, new_year.reference) == ("LPR-2026-000004", "LPR-2027-000001")
    assert ctx.get(LetterCounter, (REPORT_SERIES, 2027)).last == 1
    # The receipt quotes it; the audit entry records it.
    mails = outbox_mails(ctx, "abuse/report_received")
    assert "LPR-2026-000001" in mails[0].body_text and "/lapor/saya/LPR-2026-000001" in mails[0].body_text
    assert "LPR-2026-000003" in outbox_mails(ctx, "abuse/public_verify")[-1].body_text
    from sep_portal.core.audit import AuditEntry

    entry = ctx.scalars(select(AuditEntry).where(AuditEntry.action == "abuse.reported")
                        .order_by(AuditEntry.seq)).first()
    assert "LPR-2026-000001" in str(entry.after)


def test_a_reference_is_unique_in_the_database(ctx, factories):
    reporter, target = _people(ctx, factories)
    report = _report(ctx, reporter, target.email)
    twin = AbuseReport(reference=report.reference, category_id=report.category_id, reporter_id=reporter.id,
                       target="x", description="x", created_at=clock.now())
    with pytest.raises(IntegrityError), ctx.begin_nested():
        ctx.add(twin)
        ctx.flush()


def test_a_reference_is_read_as_people_type_it():
    assert queries.normalize_reference(" lpr-2026-123 ") == "LPR-2026-000123"
    assert queries.normalize_reference("LPR-2026-000123") == "LPR-2026-000123"
    assert queries.normalize_reference("kss-000004") == "KSS-000004"


# -- the status in the reporter's words ----------------------------------------------------------------

EXPECTED = {"open": "received", "substantiated": "received", "warned": "received", "replied": "received",
            "closed": "handled", "deactivated": "handled", "dismissed": "not_substantiated"}


@pytest.mark.parametrize("status", CASE_STATUSES)
def test_every_case_status_has_a_status_for_the_reporter(status):
    assert set(EXPECTED) == set(CASE_STATUSES)  # a new case status must be worded for the reporter too
    report = AbuseReport(case=AbuseCase(status=status, closed_at=clock.now()))
    assert report.reporter_status == EXPECTED[status]
    assert (report.reporter_status_at is not None) == (EXPECTED[status] in ("handled", "not_substantiated"))


def test_until_the_matter_ends_no_status_tells_whether_the_account_exists():
    # A case taken up reads like a report about an account that does not exist (no case at all).
    assert AbuseReport(case=AbuseCase(status="open", assigned_to_id=7)).reporter_status == "received"
    assert AbuseReport(case=None).reporter_status == "received"


def test_the_status_follows_the_case_through_the_operations(ctx, factories):
    reporter, target = _people(ctx, factories)
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    report = _report(ctx, reporter, target.email)

    def status() -> str:
        ctx.expire_all()
        return queries.own_report(ctx, reporter.id, report.reference).reporter_status

    assert status() == "received"
    ops.assign_case(ctx, report.case_id, verifier, now=clock.now())
    assert status() == "received"
    ops.dismiss_case(ctx, report.case_id, verifier, reason="Pesan resmi dari pimpinan.", now=clock.now())
    assert status() == "not_substantiated"


# -- the signed-in reporter's pages ------------------------------------------------------------------

def _sent(client, session, target_email: str) -> AbuseReport:
    response = client.post("/lapor", data={"target": target_email, "category_id": _category(session),
                                           "description": "Meminta pulsa."})
    assert response.status_code == 302
    reference = response.headers["Location"].rsplit("laporan=", 1)[1]
    return session.scalar(select(AbuseReport).where(AbuseReport.reference == reference))


def test_the_reporter_sees_the_reference_then_follows_the_report(client, factories, session):
    reporter = factories.user()
    target = factories.user(name="Nama Terlapor Rahasia", email="terlapor@kab.go.id")
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, reporter)
    response = client.post("/lapor", data={"target": target.email, "category_id": _category(session),
                                           "description": "Meminta pulsa."}, follow_redirects=True)
    page = response.get_data(as_text=True)
    reference = re.search(r'id="report-reference">(LPR-\d{4}-\d{6})<', page).group(1)
    assert f"/lapor/saya/{reference}" in page
    listing = client.get("/lapor/saya").get_data(as_text=True)
    assert reference in listing and "Diterima" in listing and "Laporan penyalahgunaan saya" in listing
    assert 'aria-current="page"' in listing  # the menu knows the page
    detail = client.get(f"/lapor/saya/{reference.lower()}")
    assert detail.status_code == 200 and "Diterima" in detail.get_data(as_text=True)

    # The case moves on; the reporter reads the outcome, and nothing of the account, notes or measure.
    client.post("/keluar")
    case = session.scalar(select(AbuseCase).where(AbuseCase.account_id == target.id))
    clock.advance(timedelta(seconds=30))
    sign_in(client, verifier, advance=False)
    client.post(f"/kasus/{case.id}/catatan", data={"note-note": "Catatan internal rahasia."})
    client.post(f"/kasus/{case.id}/benarkan", data={"sub-material": "Materi sanksi rahasia."})
    client.post("/keluar")
    clock.advance(timedelta(seconds=30))
    sign_in(client, reporter, advance=False)
    detail = client.get(f"/lapor/saya/{reference}").get_data(as_text=True)
    assert "Diterima, sedang ditangani" in detail and target.email in detail  # what the reporter typed
    for secret in ("Nama Terlapor Rahasia", "Catatan internal rahasia", "Materi sanksi rahasia", "KSS-"):
        assert secret not in detail


def test_nobody_sees_another_persons_report(client, factories, session):
    alice, bob = factories.user(), factories.user()
    target = factories.user(email="sasaran@kab.go.id")
    sign_in(client, alice)
    mine = _sent(client, session, target.email)
    client.post("/keluar")
    for person in (bob, target):  # another reporter, and the reported person
        clock.advance(timedelta(seconds=30))
        sign_in(client, person, advance=False)
        assert client.get(f"/lapor/saya/{mine.reference}").status_code == 404
        assert mine.reference not in client.get("/lapor/saya").get_data(as_text=True)
        sent = client.get(f"/lapor/terkirim?laporan={mine.reference}").get_data(as_text=True)
        assert 'id="report-reference"' not in sent and f"/lapor/saya/{mine.reference}" not in sent
        client.post("/keluar")
    assert client.get(f"/lapor/saya/{mine.reference}").status_code in (302, 401)  # signed out: sign in first


def test_the_list_of_my_reports_is_paged(client, app, factories, session, monkeypatch):
    reporter = factories.user()
    sign_in(client, reporter)
    sent = [_sent(client, session, f"orang{i}@kab.go.id").reference for i in range(3)]
    monkeypatch.setitem(app.config, "SEP_PAGE_SIZE", 2)
    first = client.get("/lapor/saya").get_data(as_text=True)
    second = client.get("/lapor/saya?page=2").get_data(as_text=True)
    assert set(REFERENCE.findall(first)) == set(sent[1:]) and set(REFERENCE.findall(second)) == {sent[0]}
    assert 'rel="next"' in first


# -- the public reporter's status link ----------------------------------------------------------------

def test_the_public_reporter_follows_the_report_by_a_private_link(client, app, factories, session, monkeypatch):
    monkeypatch.setitem(app.config, "SEP_PUBLIC_ABUSE_FORM", True)
    target = factories.user(name="Nama Terlapor Rahasia", email="sasaran@kab.go.id")
    client.post("/lapor/publik", data={"email": "warga@gmail.com", "target": target.email,
                                       "category_id": _category(session, "spam"), "description": "Spam"})
    report = session.scalar(select(AbuseReport))
    confirm = emailed_path(session, "abuse/public_verify")
    assert client.get(f"/lapor/status/{confirm.rsplit('/', 1)[1]}").status_code == 404  # not the confirm link
    page = client.post(confirm).get_data(as_text=True)
    assert report.reference in page
    shown = re.search(r'id="status-link">https?://[^/]+(/lapor/status/[^<]+)<', page).group(1)
    mailed = emailed_path(session, "abuse/report_received", to="warga@gmail.com")
    assert shown == mailed and report.reference in outbox_mails(session, "abuse/report_received")[-1].body_text
    token = mailed.rsplit("/", 1)[1]
    session.refresh(report)
    assert report.status_token_hash == hash_token(token) and token not in (report.status_token_hash or "")

    response = client.get(mailed)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and report.reference in text and "Diterima" in text
    assert "Nama Terlapor Rahasia" not in text
    # Kept by no cache; the address goes to no other site (the portal's referrer policy).
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "same-origin"

    # The case is dismissed: the same link tells.
    verifier = session.get(User, factories.user(roles=("verifikator",)).id)
    with app.test_request_context("/"):
        from sep_portal.extensions import db

        ops.dismiss_case(db.session, report.case_id, db.session.get(User, verifier.id), reason="Bukan spam.",
                         now=clock.now())
        db.session.commit()
    assert "Tidak terbukti" in client.get(mailed).get_data(as_text=True)


@pytest.mark.parametrize("token", ["x" * 43, "pendek", "a" * 300])
def test_a_wrong_status_link_is_a_clear_404(client, token):
    response = client.get(f"/lapor/status/{token}")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and "Tautan status tidak berlaku" in text and text.count("<h1") == 1


def test_a_signed_in_reporters_report_has_no_status_link(ctx, factories):
    reporter, target = _people(ctx, factories)
    report = _report(ctx, reporter, target.email)
    assert report.status_token_hash is None
    assert queries.report_by_status_token(ctx, "") is None


def test_status_links_stay_out_of_the_logs():
    from sep_portal.core.logging import redact

    assert redact("GET /lapor/status/" + "a" * 43 + " 200") == "GET /lapor/status/[token] 200"


# -- the reviewers find a case by a reference --------------------------------------------------------

def test_the_reviewers_find_the_case_by_a_reports_reference(client, factories, session):
    reporter = factories.user()
    verifier = factories.user(roles=("verifikator",))
    target = factories.user(email="sasaran@kab.go.id", name="Sasaran Dicari")
    other = factories.user(email="lain@kab.go.id", name="Orang Lain")
    sign_in(client, reporter)
    wanted = _sent(client, session, target.email)
    _sent(client, session, other.email)
    client.post("/keluar")
    case = session.get(AbuseCase, wanted.case_id)
    case.status, case.outcome_reason, case.closed_at = "dismissed", "Bukan penyalahgunaan.", clock.now()
    session.commit()
    clock.advance(timedelta(seconds=30))
    sign_in(client, verifier, advance=False)
    number = int(wanted.reference.rsplit("-", 1)[1])
    for query in (wanted.reference, f" {wanted.reference.lower()} ", f"LPR-2026-{number}", case.reference):
        # The form sends the default status ("open") along: a reference finds a dismissed case all the same.
        page = client.get("/kasus", query_string={"q": query, "status": "open"}).get_data(as_text=True)
        assert "Sasaran Dicari" in page and "Orang Lain" not in page, query
    nothing = client.get("/kasus", query_string={"q": "LPR-2026-999999"}).get_data(as_text=True)
    assert "Sasaran Dicari" not in nothing and "Orang Lain" not in nothing
    assert wanted.reference in client.get(f"/kasus/{case.id}").get_data(as_text=True)


def test_nobody_finds_a_case_about_their_own_account_by_reference(ctx, factories):
    reporter = ctx.get(User, factories.user().id)
    verifier = ctx.get(User, factories.user(roles=("verifikator",)).id)
    report = _report(ctx, reporter, verifier.email)
    result = queries.case_queue(ctx, queries.CaseFilter(reference=report.reference), reviewer_id=verifier.id,
                                page=1, per_page=10)
    assert result.total == 0


def test_my_reports_run_the_same_queries_for_any_page_size(client, factories, session, assert_constant_queries):
    reporter = factories.user()
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, reporter)
    sent = [_sent(client, session, f"orang{i}@kab.go.id") for i in range(7)]
    for report in sent[:3]:  # some with a case taken up, some without a case
        account = factories.user(email=f"ada{report.id}@kab.go.id")
        case = AbuseCase(account_id=account.id, category_id=report.category_id, status="open",
                         opened_at=clock.now(), assigned_to_id=verifier.id)
        session.add(case)
        session.flush()
        session.get(AbuseReport, report.id).case_id = case.id
    session.commit()
    assert_constant_queries("/lapor/saya")
