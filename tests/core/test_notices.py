"""Notices of new work: at once, in the 07:30 digest, or off; chosen per person and kind."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from sep_portal.accounts.models import User
from sep_portal.applications import operations as app_ops
from sep_portal.core import clock, notices
from sep_portal.core.audit import AuditEntry
from sep_portal.core.notices import DigestEntry
from sep_portal.extensions import db
from tests.factories import outbox_mails, sign_in


def _choose(app, user, **modes):
    with app.test_request_context("/"):
        notices.set_modes(db.session, db.session.get(User, user.id), modes)
        db.session.commit()


def _sweep(app, at):
    with app.app_context():
        return notices.send_digests(at)


def _new_work_to(session, email):
    return [m for m in outbox_mails(session, "work/new_work") if m.recipients == [email]]


def test_verifiers_are_told_of_a_submission_at_once_by_default(factories, session):
    verifier = factories.user(roles=("verifikator",))
    factories.user(roles=("verifikator",), status="disabled")
    application = factories.application(stage="submitted")
    (mail,) = _new_work_to(session, verifier.email)
    assert application.reference in mail.body_text and f"/permohonan/{application.id}" in mail.body_text
    assert "Pekerjaan baru" in mail.subject and "/akun/notifikasi" in mail.body_text
    # A disabled verifier is not told; the pejabat is not told of a mere submission.
    assert all(m.recipients == [verifier.email] for m in outbox_mails(session, "work/new_work"))


def test_a_pejabat_is_told_of_the_first_recommendation_only(app, factories, session):
    pejabat = factories.user(roles=("pejabat",))
    verifier = factories.user(roles=("verifikator",))
    application = factories.application(stage="recommended", verifier=verifier)
    (mail,) = _new_work_to(session, pejabat.email)
    assert "merekomendasikan" in mail.body_text and "Tenggat" in mail.body_text
    with app.test_request_context("/"):
        app_ops.recommend(db.session, db.session.get(type(application), application.id),
                          db.session.get(User, verifier.id), recommendation="approve", grounds=[],
                          note="Ditinjau lagi.", now=clock.now())
        db.session.commit()
    assert len(_new_work_to(session, pejabat.email)) == 1


def test_agents_are_told_of_a_new_ticket_and_pejabat_of_a_substantiated_case(factories, session):
    agent = factories.user(roles=("helpdesk",))
    pejabat = factories.user(roles=("pejabat",))
    ticket = factories.ticket(status="new")
    assert ticket.reference in _new_work_to(session, agent.email)[0].body_text
    case = factories.case(status="substantiated")
    assert case.reference in _new_work_to(session, pejabat.email)[0].body_text


def test_off_tells_nobody_and_digest_waits_for_0730_of_the_next_working_day(app, factories, session):
    off, digest = factories.user(roles=("verifikator",)), factories.user(roles=("verifikator",))
    _choose(app, off, **{"applications.to_verify": "off"})
    _choose(app, digest, **{"applications.to_verify": "digest"})
    clock.freeze(datetime(2026, 12, 4, 9, 0, tzinfo=clock.WIB))  # Friday
    first = factories.application(stage="submitted")
    second = factories.application(stage="submitted")
    assert _new_work_to(session, off.email) == [] and _new_work_to(session, digest.email) == []
    assert len(session.scalars(select(DigestEntry).where(DigestEntry.user_id == digest.id)).all()) == 2
    # Not on Friday after 07:30 (the entries came later), not on the weekend, not before 07:30.
    for at in (datetime(2026, 12, 4, 16, 0), datetime(2026, 12, 5, 8, 0), datetime(2026, 12, 7, 7, 29)):
        assert _sweep(app, at.replace(tzinfo=clock.WIB)) == 0
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=clock.WIB)
    assert _sweep(app, monday) == 1
    assert _sweep(app, monday + timedelta(hours=2)) == 0  # a second sweep sends nothing again
    (mail,) = outbox_mails(session, "work/digest")
    assert mail.recipients == [digest.email] and "2 butir baru" in mail.subject
    assert first.reference in mail.body_text and second.reference in mail.body_text
    assert "Permohonan dikirim atau dikirim ulang" in mail.body_text


def test_the_settings_page_saves_each_choice_and_audits_it(client, factories, session):
    pejabat = factories.user(roles=("pejabat",))
    sign_in(client, pejabat)
    page = client.get("/akun/notifikasi").get_data(as_text=True)
    assert "Permohonan direkomendasikan untuk Anda putuskan" in page
    assert "Tiket baru yang belum ditangani" not in page  # not a helpdesk agent
    response = client.post("/akun/notifikasi", data={"applications__to_decide": "digest", "abuse__to_warn": "off",
                                                     "abuse__reactivation": "now", "tenants__status_change": "now"})
    assert response.status_code == 302
    assert notices.modes_of(session, pejabat.id) == {"applications.to_decide": "digest", "abuse.to_warn": "off",
                                                     "abuse.reactivation": "now", "tenants.status_change": "now"}
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "notices.settings")).one()
    assert entry.after["notices"]["abuse.to_warn"] == "off"
    page = client.get("/akun/notifikasi").get_data(as_text=True)
    assert re.search(r'<input checked [^>]*name="applications__to_decide" [^>]*value="digest"', page)
    # A mode that does not exist is refused with the form again, and nothing changes.
    assert client.post("/akun/notifikasi", data={"applications__to_decide": "sms"}).status_code == 422
    assert notices.modes_of(session, pejabat.id)["applications.to_decide"] == "digest"


def test_a_notice_a_person_may_not_receive_is_refused(app, factories):
    asn = factories.user(roles=("asn",))
    with pytest.raises(ValueError):
        _choose(app, asn, **{"applications.to_verify": "off"})


@pytest.mark.postgres
def test_two_sweeps_at_once_send_the_digest_once(app, real, race):
    factories, session = real
    person = factories.user(roles=("helpdesk",))
    session.add(DigestEntry(user_id=person.id, kind="helpdesk.new_ticket", title="TKT-000001 · Uji", path="/tiket/1",
                            created_at=datetime(2026, 12, 4, 9, 0, tzinfo=clock.WIB)))
    session.commit()
    clock.freeze(datetime(2026, 12, 7, 7, 31, tzinfo=clock.WIB))
    results = race([lambda s: notices.send_digests(clock.now()) for _ in range(3)])
    assert sorted(results) == [0, 0, 1], results
    assert len([m for m in outbox_mails(session, "work/digest") if m.recipients == [person.email]]) == 1
