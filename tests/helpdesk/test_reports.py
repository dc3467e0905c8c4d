"""Monthly helpdesk figures: the satisfaction index and its grade, months in WIB, SLA attainment,
breaches, the open-ticket matrix and the six-month trend."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from sep_portal.core import clock
from sep_portal.helpdesk import reports
from sep_portal.helpdesk.models import HelpdeskService, Ticket, TicketSurvey

WIB = clock.WIB
_n = count(1)


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def hd(session, factories):
    """A small helper to write tickets and surveys straight into the session."""
    return Helpdesk(session, factories.user())


class Helpdesk:
    def __init__(self, session, requester):
        self.session = session
        self.requester = requester
        self.service = session.scalar(select(HelpdeskService).where(HelpdeskService.code == "sep-aplikasi"))
        self.other = HelpdeskService(code=f"lain-{next(_n)}", name="Aktivasi akun", description="Uji")
        session.add(self.other)
        session.commit()

    def ticket(self, *, created=None, status="new", priority=4, service=None, **values) -> Ticket:
        ticket = Ticket(type="incident", service_id=(service or self.service).id, requester_id=self.requester.id,
                        subject=f"Tiket uji {next(_n)}", description="Uji", status=status, priority=priority,
                        created_at=created or wib(2026, 11, 2, 9, 0), **values)
        if status == "waiting":
            ticket.paused_since = ticket.created_at
        self.session.add(ticket)
        self.session.commit()
        return ticket

    def survey(self, scores, *, at=None, service=None) -> TicketSurvey:
        service = service or self.service
        ticket = self.ticket(status="resolved", service=service, resolved_at=wib(2026, 11, 3, 9, 0),
                             resolution_met=True)
        speed, competence, clarity, courtesy = scores
        survey = TicketSurvey(ticket_id=ticket.id, service_id=service.id, submitted_at=at or wib(2026, 11, 5, 9, 0),
                              score_speed=speed, score_competence=competence, score_clarity=clarity,
                              score_courtesy=courtesy)
        self.session.add(survey)
        self.session.commit()
        return survey


@pytest.mark.parametrize("index, grade", [
    ("100.00", "A"), ("88.31", "A"), ("88.30", "B"), ("76.61", "B"), ("76.60", "C"), ("65.00", "C"),
    ("64.99", "D"), ("25.00", "D"),
])
def test_grade_bounds_of_permenpanrb_14_2017(index, grade):
    assert reports.ikm_grade(Decimal(index)) == grade


def test_ikm_is_the_mean_of_element_means_times_25_rounded_half_up():
    assert reports.ikm_value(16, 1) == Decimal("100.00")
    assert reports.ikm_value(4, 1) == Decimal("25.00")
    assert reports.ikm_value(29, 2) == Decimal("90.63")  # 3.625 × 25 = 90.625
    assert reports.ikm_value(0, 0) is None and reports.ikm_grade(None) is None


def test_satisfaction_index_per_service_and_overall(session, hd):
    hd.survey((4, 4, 3, 3))
    hd.survey((3, 4, 4, 4))
    hd.survey((2, 3, 3, 2), service=hd.other)
    rows = reports.satisfaction_index(session, 2026, 11)
    assert [r.service_name for r in rows] == ["Aktivasi akun", hd.service.name, None]
    other, sep, overall = rows
    assert sep.responses == 2
    assert sep.means == {"speed": 3.5, "competence": 4.0, "clarity": 3.5, "courtesy": 3.5}
    assert sep.index == Decimal("90.63") and sep.grade == "A"
    assert other.index == Decimal("62.50") and other.grade == "D"
    assert overall.responses == 3 and overall.service_id is None
    assert overall.means["speed"] == pytest.approx(3.0)
    assert overall.index == Decimal("81.25") and overall.grade == "B"  # (9+11+10+9) / 12 × 25


def test_the_month_is_the_calendar_month_in_wib(session, hd):
    hd.survey((1, 1, 1, 1), at=wib(2026, 10, 31, 23, 30))  # 16:30 UTC: still October in Jakarta
    hd.survey((4, 4, 4, 4), at=wib(2026, 11, 1, 0, 0))  # 31 Oct 17:00 UTC: already November
    hd.survey((2, 2, 2, 2), at=wib(2026, 12, 1, 0, 0))
    october = reports.satisfaction_index(session, 2026, 10)[-1]
    november = reports.satisfaction_index(session, 2026, 11)[-1]
    assert (october.responses, october.index) == (1, Decimal("25.00"))
    assert (november.responses, november.index) == (1, Decimal("100.00"))
    assert reports.month_bounds(2026, 11) == (datetime(2026, 10, 31, 17, 0, tzinfo=clock.UTC),
                                              datetime(2026, 11, 30, 17, 0, tzinfo=clock.UTC))
    assert reports.month_bounds(2026, 12)[1] == datetime(2026, 12, 31, 17, 0, tzinfo=clock.UTC)


def test_attainment_breaches_and_volume_in_the_month(session, hd):
    for met in (True, True, True, False):
        hd.ticket(status="resolved", created=wib(2026, 11, 2, 8, 0), resolved_at=wib(2026, 11, 20, 10, 0),
                  resolution_met=met, first_response_at=wib(2026, 11, 2, 9, 0), response_met=met or None)
    # Resolved at 30 Nov 23:00 WIB (16:00 UTC): still November; resolved in October: not counted.
    hd.ticket(status="closed", created=wib(2026, 10, 5, 8, 0), resolved_at=wib(2026, 11, 30, 23, 0),
              resolution_met=False, first_response_at=wib(2026, 10, 5, 9, 0), response_met=False)
    hd.ticket(status="resolved", created=wib(2026, 10, 5, 8, 0), resolved_at=wib(2026, 10, 31, 23, 30),
              resolution_met=True)
    hd.ticket(status="in_progress", priority=1, service=hd.other, escalated_at=wib(2026, 11, 23, 10, 0),
              first_response_at=wib(2026, 11, 2, 10, 0), response_met=True)
    hd.ticket(status="waiting", priority=2)
    hd.ticket(status="new", priority=4, created=wib(2026, 12, 1, 0, 0))  # next month: open now, not opened

    summary = reports.helpdesk_summary(session, 2026, 11)
    total = summary.total
    assert (total.opened, total.resolved) == (6, 5)
    assert (total.resolution_met, total.resolution_measured) == (3, 5)
    assert total.resolution_share == pytest.approx(0.6)
    assert summary.resolution_breaches == 2
    assert (total.response_met, total.responded) == (4, 5)  # 3 met of the resolved four, and the escalated one
    assert summary.open_total == 3 and summary.open_by_priority == {1: 1, 2: 1, 3: 0, 4: 1}
    assert summary.open_matrix["in_progress"][1] == 1 and summary.open_matrix["waiting"][2] == 1
    assert summary.escalated_count == 1 and [t.service_name for t in summary.escalated] == ["Aktivasi akun"]
    by_name = {s.service_name: s for s in summary.services}
    assert by_name["Aktivasi akun"].opened == 1 and by_name["Aktivasi akun"].escalated_now == 1
    assert by_name[hd.service.name].resolved == 5 and by_name[hd.service.name].open_now == 2


def test_an_empty_month_has_no_shares_and_no_index(session, hd):
    summary = reports.helpdesk_summary(session, 2025, 1)
    assert not summary.has_data
    assert summary.total.resolution_share is None and summary.total.response_share is None
    overall = summary.overall_satisfaction
    assert overall.responses == 0 and overall.index is None and overall.grade is None
    assert overall.means == {"speed": None, "competence": None, "clarity": None, "courtesy": None}
    assert [(t.year, t.month) for t in summary.trend] == [(2024, 8), (2024, 9), (2024, 10), (2024, 11), (2024, 12),
                                                          (2025, 1)]
    assert all(t.resolution_share is None and t.index is None for t in summary.trend)


def test_the_trend_covers_six_months_up_to_the_chosen_one(session, hd):
    hd.ticket(created=wib(2026, 5, 31, 23, 0))  # 31 May WIB: before the window
    hd.ticket(status="resolved", created=wib(2026, 6, 30, 9, 0), resolved_at=wib(2026, 7, 1, 9, 0),
              resolution_met=True)
    hd.ticket(status="resolved", created=wib(2026, 9, 1, 9, 0), resolved_at=wib(2026, 9, 2, 9, 0),
              resolution_met=False)
    hd.survey((3, 3, 3, 3), at=wib(2026, 9, 3, 9, 0))  # its ticket: opened 2 Nov, resolved 3 Nov
    trend = reports.helpdesk_summary(session, 2026, 11).trend
    assert [(t.year, t.month) for t in trend] == [(2026, m) for m in range(6, 12)]
    assert [t.opened for t in trend] == [1, 0, 0, 1, 0, 1]
    assert [t.resolved for t in trend] == [0, 1, 0, 1, 0, 1]
    assert [t.resolution_share for t in trend] == [None, 1.0, None, 0.0, None, 1.0]
    assert trend[3].index == Decimal("75.00") and trend[3].survey_responses == 1
