"""Monthly helpdesk figures (DESIGN §6): volume, SLA attainment, breaches and the community
satisfaction index (IKM, PermenPANRB 14/2017). Plain functions of a session and a month.

Every figure is aggregated in SQL (GROUP BY, SUM over CASE), so the number of queries does not
grow with the number of tickets. Months are calendar months in WIB: their bounds are computed
here in Python and given to the database as UTC range predicates, the same on SQLite and
PostgreSQL (no dialect-specific date functions).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from sep_portal.core.clock import UTC, WIB
from sep_portal.helpdesk.models import OPEN_STATUSES, SURVEY_ELEMENTS, HelpdeskService, Ticket, TicketSurvey

TREND_MONTHS = 6
ESCALATED_CAP = 50

# PermenPANRB 14/2017: the index (25–100) and the quality of service it stands for.
GRADES = (("A", Decimal("88.31")), ("B", Decimal("76.61")), ("C", Decimal("65.00")), ("D", Decimal("25.00")))


# -- months ----------------------------------------------------------------------------------------

def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first instant of the calendar month in WIB and of the next one, in UTC."""
    start = datetime(year, month, 1, tzinfo=WIB)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=WIB)
    return start.astimezone(UTC), end.astimezone(UTC)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _between(column: Any, bounds: tuple[datetime, datetime]) -> Any:
    return and_(column >= bounds[0], column < bounds[1])


def _count_if(*conditions: Any) -> Any:
    return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)


def share(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to measure (never a division by zero)."""
    return part / whole if whole else None


# -- satisfaction index ------------------------------------------------------------------------------

def ikm_value(score_total: int, responses: int) -> Decimal | None:
    """IKM = mean of the element means × 25, rounded to two decimals (half up). With every element
    answered in every response, the mean of the element means is the total over 4 × responses;
    computed exactly from integer sums, so the grade bounds are not blurred by floating point."""
    if not responses:
        return None
    exact = Fraction(score_total, len(SURVEY_ELEMENTS) * responses) * 25
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ikm_grade(index: Decimal | None) -> str | None:
    """A 88.31–100, B 76.61–88.30, C 65.00–76.60, D 25.00–64.99 (PermenPANRB 14/2017)."""
    if index is None:
        return None
    return next((grade for grade, lowest in GRADES if index >= lowest), "D")


@dataclass(frozen=True)
class SatisfactionRow:
    service_id: int | None  # None: every service together
    service_name: str | None
    responses: int
    means: dict[str, float | None]  # element -> mean score, 1–4
    index: Decimal | None  # IKM, 25–100
    grade: str | None  # A, B, C or D

    @classmethod
    def of(cls, service_id: int | None, name: str | None, responses: int, sums: dict[str, int]) -> SatisfactionRow:
        index = ikm_value(sum(sums.values()), responses)
        return cls(service_id, name, responses,
                   {e: (sums[e] / responses if responses else None) for e in SURVEY_ELEMENTS}, index, ikm_grade(index))


def satisfaction_index(session: Session, year: int, month: int) -> list[SatisfactionRow]:
    """Per service with responses in the month (by ``submitted_at`` in WIB), by name, then the
    overall row (``service_id`` None), which is there even for an empty month."""
    bounds = month_bounds(year, month)
    scores = [getattr(TicketSurvey, f"score_{e}") for e in SURVEY_ELEMENTS]
    rows = session.execute(
        select(HelpdeskService.id, HelpdeskService.name, func.count(TicketSurvey.id),
               *(func.coalesce(func.sum(s), 0) for s in scores))
        .join(HelpdeskService, HelpdeskService.id == TicketSurvey.service_id)
        .where(_between(TicketSurvey.submitted_at, bounds))
        .group_by(HelpdeskService.id, HelpdeskService.name)
        .order_by(HelpdeskService.name, HelpdeskService.id)).all()
    result = [SatisfactionRow.of(r[0], r[1], int(r[2]), dict(zip(SURVEY_ELEMENTS, map(int, r[3:]), strict=True)))
              for r in rows]
    totals = {e: sum(int(r[3 + i]) for r in rows) for i, e in enumerate(SURVEY_ELEMENTS)}
    result.append(SatisfactionRow.of(None, None, sum(int(r[2]) for r in rows), totals))
    return result


# -- the monthly summary ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ServiceVolume:
    service_id: int | None  # None: every service together
    service_name: str | None
    opened: int
    resolved: int
    resolution_met: int
    resolution_missed: int
    responded: int
    response_met: int
    open_now: int
    escalated_now: int

    @property
    def resolution_share(self) -> float | None:
        return share(self.resolution_met, self.resolution_met + self.resolution_missed)

    @property
    def resolution_measured(self) -> int:
        return self.resolution_met + self.resolution_missed

    @property
    def response_share(self) -> float | None:
        return share(self.response_met, self.responded)


@dataclass(frozen=True)
class EscalatedTicket:
    id: int
    subject: str
    service_name: str
    priority: int
    status: str
    created_at: datetime
    escalated_at: datetime

    @property
    def reference(self) -> str:
        return f"TKT-{self.id:06d}"


@dataclass(frozen=True)
class TrendMonth:
    year: int
    month: int
    opened: int
    resolved: int
    resolution_met: int
    resolution_measured: int
    survey_responses: int
    index: Decimal | None

    @property
    def resolution_share(self) -> float | None:
        return share(self.resolution_met, self.resolution_measured)


@dataclass
class HelpdeskSummary:
    year: int
    month: int
    open_matrix: dict[str, dict[int, int]]  # status -> priority -> open tickets now
    total: ServiceVolume  # the month, every service
    services: list[ServiceVolume]  # the month, per service with anything to show
    escalated: list[EscalatedTicket]  # open tickets already escalated, oldest escalation first (capped)
    satisfaction: list[SatisfactionRow]  # per service, then overall
    trend: list[TrendMonth]  # the 6 months up to and including this one, oldest first
    escalated_count: int = 0
    priorities: tuple[int, ...] = field(default=(1, 2, 3, 4))

    @property
    def open_by_priority(self) -> dict[int, int]:
        return {p: sum(row.get(p, 0) for row in self.open_matrix.values()) for p in self.priorities}

    @property
    def open_by_status(self) -> dict[str, int]:
        return {s: sum(self.open_matrix[s].values()) for s in OPEN_STATUSES}

    @property
    def open_total(self) -> int:
        return sum(self.open_by_status.values())

    @property
    def resolution_breaches(self) -> int:
        return self.total.resolution_missed

    @property
    def overall_satisfaction(self) -> SatisfactionRow:
        return self.satisfaction[-1]

    @property
    def has_data(self) -> bool:
        return bool(self.total.opened or self.total.resolved or self.total.responded
                    or self.overall_satisfaction.responses)


def _open_matrix(session: Session) -> tuple[dict[str, dict[int, int]], int]:
    rows = session.execute(
        select(Ticket.status, Ticket.priority, func.count(Ticket.id), _count_if(Ticket.escalated_at.is_not(None)))
        .where(Ticket.status.in_(OPEN_STATUSES)).group_by(Ticket.status, Ticket.priority)).all()
    matrix: dict[str, dict[int, int]] = {s: {p: 0 for p in (1, 2, 3, 4)} for s in OPEN_STATUSES}
    for status, priority, count, _escalated in rows:
        matrix[status][priority] = int(count)
    return matrix, sum(int(r[3]) for r in rows)


def _volumes(session: Session, bounds: tuple[datetime, datetime]) -> tuple[ServiceVolume, list[ServiceVolume]]:
    is_open = Ticket.status.in_(OPEN_STATUSES)
    resolved = _between(Ticket.resolved_at, bounds)
    responded = _between(Ticket.first_response_at, bounds)
    rows = session.execute(
        select(HelpdeskService.id, HelpdeskService.name,
               _count_if(_between(Ticket.created_at, bounds)),
               _count_if(resolved),
               _count_if(resolved, Ticket.resolution_met.is_(True)),
               _count_if(resolved, Ticket.resolution_met.is_(False)),
               _count_if(responded),
               _count_if(responded, Ticket.response_met.is_(True)),
               _count_if(is_open),
               _count_if(is_open, Ticket.escalated_at.is_not(None)))
        .join(HelpdeskService, HelpdeskService.id == Ticket.service_id)
        .where(or_(is_open, _between(Ticket.created_at, bounds), resolved, responded))
        .group_by(HelpdeskService.id, HelpdeskService.name)
        .order_by(HelpdeskService.name, HelpdeskService.id)).all()
    services = [ServiceVolume(r[0], r[1], *(int(v) for v in r[2:])) for r in rows]
    total = ServiceVolume(None, None, *(sum(int(r[i]) for r in rows) for i in range(2, 10)))
    return total, services


def _escalated(session: Session, limit: int) -> list[EscalatedTicket]:
    rows = session.execute(
        select(Ticket.id, Ticket.subject, HelpdeskService.name, Ticket.priority, Ticket.status, Ticket.created_at,
               Ticket.escalated_at)
        .join(HelpdeskService, HelpdeskService.id == Ticket.service_id)
        .where(Ticket.status.in_(OPEN_STATUSES), Ticket.escalated_at.is_not(None))
        .order_by(Ticket.escalated_at, Ticket.id).limit(limit)).all()
    return [EscalatedTicket(*r) for r in rows]


def _trend(session: Session, year: int, month: int) -> list[TrendMonth]:
    months = [shift_month(year, month, d) for d in range(-(TREND_MONTHS - 1), 1)]
    bounds = [month_bounds(y, m) for y, m in months]
    span = (bounds[0][0], bounds[-1][1])
    ticket_columns = []
    for b in bounds:
        resolved = _between(Ticket.resolved_at, b)
        ticket_columns += [_count_if(_between(Ticket.created_at, b)), _count_if(resolved),
                           _count_if(resolved, Ticket.resolution_met.is_(True)),
                           _count_if(resolved, Ticket.resolution_met.is_not(None))]
    tickets = session.execute(select(*ticket_columns).where(
        or_(_between(Ticket.created_at, span), _between(Ticket.resolved_at, span)))).one()
    score_total = sum((getattr(TicketSurvey, f"score_{e}") for e in SURVEY_ELEMENTS), start=0)
    survey_columns = []
    for b in bounds:
        inside = _between(TicketSurvey.submitted_at, b)
        survey_columns += [_count_if(inside), func.coalesce(func.sum(case((inside, score_total), else_=0)), 0)]
    surveys = session.execute(select(*survey_columns).where(_between(TicketSurvey.submitted_at, span))).one()
    trend = []
    for i, (y, m) in enumerate(months):
        responses, total = int(surveys[2 * i]), int(surveys[2 * i + 1])
        trend.append(TrendMonth(y, m, *(int(v) for v in tickets[4 * i:4 * i + 4]), responses,
                                ikm_value(total, responses)))
    return trend


def helpdesk_summary(session: Session, year: int, month: int, *, escalated_limit: int = ESCALATED_CAP
                     ) -> HelpdeskSummary:
    """The helpdesk's month: open tickets now (status × priority) and those already escalated,
    tickets opened and resolved in the month with the share that met their targets (resolution:
    of the tickets resolved in the month; first response: of the first responses given in the
    month), volume per service, the satisfaction index, and the trend of the last six months."""
    bounds = month_bounds(year, month)
    matrix, escalated_count = _open_matrix(session)
    total, services = _volumes(session, bounds)
    return HelpdeskSummary(
        year=year, month=month, open_matrix=matrix, total=total,
        services=[s for s in services if s.opened or s.resolved or s.responded or s.open_now],
        escalated=_escalated(session, escalated_limit),
        satisfaction=satisfaction_index(session, year, month), trend=_trend(session, year, month),
        escalated_count=escalated_count)
