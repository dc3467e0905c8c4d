""""Tugas saya": what waits on each person, and the menu that counts it."""
from __future__ import annotations

import re

from sep_portal.applications import operations as app_ops
from sep_portal.core import clock
from sep_portal.extensions import db
from tests.factories import sign_in


def _group(page: str, code: str) -> str:
    """The HTML of one kind of work on a page."""
    match = re.search(rf'<section class="work-group" aria-labelledby="work-{code}">(.*?)</section>', page, re.S)
    assert match, f"no {code} on the page"
    return match.group(1)


def test_a_verifier_finds_a_submitted_application_and_it_leaves_when_checked(client, app, factories, session):
    application = factories.application(stage="submitted")
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, verifier)
    page = client.get("/tugas").get_data(as_text=True)
    group = _group(page, "applications-verify")
    assert application.reference in group and f'href="/permohonan/{application.id}"' in group
    assert "27 November 2026" in group and "3 hari kerja lagi" in group  # its verification deadline
    # The menu counts it, the dashboard lists it.
    assert re.search(r'Tugas saya\s*<span class="count">1<', page)
    assert application.reference in _group(client.get("/dasbor").get_data(as_text=True), "applications-verify")
    with app.test_request_context("/"):
        app_ops.declare_complete(db.session, db.session.get(type(application), application.id),
                                 db.session.get(type(verifier), verifier.id), now=clock.now())
        db.session.commit()
    page = client.get("/tugas").get_data(as_text=True)
    assert application.reference not in _group(page, "applications-verify")
    # Now it waits on the verifier's recommendation, with the decision's due date.
    recommend = _group(page, "applications-recommend")
    assert application.reference in recommend and "hari kerja lagi" in recommend


def test_a_pejabat_sees_decisions_cases_and_reactivations_not_zero(client, factories, session):
    pejabat = factories.user(roles=("pejabat",))
    application = factories.application(stage="recommended")
    case = factories.case(status="substantiated")
    sign_in(client, pejabat)
    page = client.get("/dasbor").get_data(as_text=True)
    assert application.reference in _group(page, "applications-decide")
    assert case.reference in _group(page, "abuse-warn")
    assert "Tidak ada yang menunggu Anda" not in page
    assert re.search(r'Tugas saya\s*<span class="count">2<', page)


def test_an_asn_sees_his_warning_and_the_ticket_awaiting_his_answer(client, factories, session):
    case = factories.case(status="warned")
    target = session.get(type(case.account), case.account_id)
    ticket = factories.ticket(status="waiting", requester=target)
    sign_in(client, target)
    page = client.get("/dasbor").get_data(as_text=True)
    warning = case.warnings[-1]
    assert warning.letter.number in _group(page, "abuse-reply")
    assert ticket.reference in _group(page, "helpdesk-my_answer")
    assert "Anda tidak memiliki tiket helpdesk yang terbuka" not in page
    # The warning letters are in his menu.
    assert 'href="/peringatan"' in page


def test_a_helpdesk_agent_sees_new_tickets_and_an_empty_kind_says_so(client, factories, session):
    agent = factories.user(roles=("helpdesk",))
    ticket = factories.ticket(status="new")
    sign_in(client, agent)
    page = client.get("/tugas").get_data(as_text=True)
    unassigned = _group(page, "helpdesk-unassigned")
    assert ticket.reference in unassigned and "Tenggat" in unassigned
    assert "Tidak ada." in _group(page, "helpdesk-mine")
    assert "Tidak ada tiket yang menunggu" not in page


def test_someone_with_nothing_to_do_is_told_so(client, factories):
    sign_in(client, factories.user(roles=("asn",)))
    page = client.get("/tugas").get_data(as_text=True)
    assert "Tidak ada yang menunggu Anda." in page and 'class="work-group"' not in page
    assert 'href="/peringatan"' not in page  # never warned: no letters in the menu


def test_an_overdue_item_is_marked(client, factories):
    from datetime import timedelta

    factories.application(stage="recommended")
    pejabat = factories.user(roles=("pejabat",))
    clock.advance(timedelta(days=14))
    sign_in(client, pejabat)
    group = _group(client.get("/tugas").get_data(as_text=True), "applications-decide")
    assert 'class="overdue-item"' in group and "terlambat" in group


def test_the_work_list_runs_the_same_queries_for_few_and_many_items(client, app, factories, session,
                                                                    count_queries):
    verifier = factories.user(roles=("verifikator",))
    sign_in(client, verifier)
    counts = []
    for more in (1, 4):
        for _ in range(more):
            factories.application(stage="submitted")
            factories.case(status="open")
        with count_queries() as statements:
            assert client.get("/tugas").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
