"""The working-day calendar, with real 2026 and 2027 dates (DESIGN §7)."""
from datetime import date, datetime, time, timedelta

import pytest

from sep_portal.core import calendar as cal_mod
from sep_portal.core.calendar import CalendarDay, WorkingCalendar, build_calendar, parse_working_hours
from sep_portal.core.clock import WIB
from sep_portal.core.errors import DomainError


def wib(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=WIB)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, tzinfo=WIB)


@pytest.fixture
def cal():
    return WorkingCalendar()


def test_design_example_tuesday_plus_four_is_next_monday(cal):
    # DESIGN §7: declared complete Tue 24 Nov 2026 10:00 WIB → due Mon 30 Nov 2026 23:59:59 WIB.
    due = cal.add_working_days(wib(2026, 11, 24), 4)
    assert due == end_of(2026, 11, 30)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)  # stored as UTC


def test_five_working_days_spans_a_weekend(cal):
    assert cal.add_working_days(wib(2026, 11, 24), 5) == end_of(2026, 12, 1)


def test_start_on_saturday_does_not_count_the_start_day(cal):
    assert cal.add_working_days(wib(2026, 11, 28, 9), 1) == end_of(2026, 11, 30)


def test_start_late_at_night_uses_the_wib_calendar_day(cal):
    # 23:30 WIB on Friday is 16:30 UTC the same day; a UTC date would give the same answer here,
    # but 00:30 WIB on Saturday is still Friday in UTC.
    saturday_early = datetime(2026, 11, 28, 0, 30, tzinfo=WIB)
    assert cal.add_working_days(saturday_early, 1) == end_of(2026, 11, 30)


def test_christmas_and_cuti_bersama_2026(cal):
    # Wed 23 Dec 2026 + 1: Thu 24 Dec is cuti bersama, Fri 25 Dec Christmas → Mon 28 Dec.
    assert cal.add_working_days(wib(2026, 12, 23), 1) == end_of(2026, 12, 28)


def test_new_year_2027(cal):
    # Thu 31 Dec 2026 + 1: Fri 1 Jan 2027 is New Year → Mon 4 Jan 2027.
    assert cal.add_working_days(wib(2026, 12, 31), 1) == end_of(2027, 1, 4)


def test_idul_fitri_2026_break(cal):
    # Tue 17 Mar 2026 + 1: 18 Mar cuti bersama Nyepi, 19 Mar Nyepi, 20 Mar cuti bersama,
    # 21–22 Mar Idul Fitri (weekend), 23–24 Mar cuti bersama → Wed 25 Mar 2026.
    assert cal.add_working_days(wib(2026, 3, 17), 1) == end_of(2026, 3, 25)
    assert cal.add_working_days(wib(2026, 3, 17), 4) == end_of(2026, 3, 30)


def test_idul_fitri_2027_break(cal):
    # 2027: 9 Mar cuti bersama, 10–11 Mar Idul Fitri, 12 and 15 Mar cuti bersama.
    # Mon 8 Mar 2027 is Nyepi; starting Fri 5 Mar 2027, the first working day is Tue 16 Mar.
    assert cal.add_working_days(wib(2027, 3, 5), 1) == end_of(2027, 3, 16)


def test_start_on_a_holiday(cal):
    # Starting on Independence Day (Mon 17 Aug 2026), the day itself is not counted.
    assert cal.add_working_days(wib(2026, 8, 17), 1) == end_of(2026, 8, 18)


def test_n_must_be_positive(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(wib(2026, 11, 24), 0)


def test_operator_closure_and_restored_working_day():
    rows = [
        CalendarDay(day=date(2026, 11, 25), kind="closure", description="Banjir", source="SE Dirjen"),
        CalendarDay(day=date(2026, 12, 24), kind="working_day", description="Batal", source="SKB revisi"),
    ]
    cal = build_calendar(rows)
    assert not cal.is_working_day(date(2026, 11, 25))
    assert cal.add_working_days(wib(2026, 11, 24), 4) == end_of(2026, 12, 1)
    assert cal.is_working_day(date(2026, 12, 24))
    assert cal.add_working_days(wib(2026, 12, 23), 1) == end_of(2026, 12, 24)


def test_working_days_between_is_the_inverse(cal):
    start = wib(2026, 11, 24)
    for n in (1, 4, 5, 20):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n
    assert cal.working_days_between(wib(2026, 12, 2), wib(2026, 11, 30)) == -2


def test_year_listing_names_holidays_and_sources(cal):
    days = {info.day: info for info in cal.year(2026)}
    assert date(2026, 12, 24) in days and days[date(2026, 12, 24)].source == "holidays"
    assert date(2026, 11, 28) not in days  # plain weekends are not listed
    assert date(2026, 3, 21) in days  # a holiday on a Saturday is


# -- working hours (helpdesk SLA) ------------------------------------------------------------

def test_working_hours_default_schedule():
    hours = parse_working_hours("mon-thu 07:30-16:00; fri 07:30-16:30")
    assert hours[0] == (time(7, 30), time(16, 0)) and hours[4] == (time(7, 30), time(16, 30))
    assert 5 not in hours


def test_add_working_time_crosses_the_night_and_weekend(cal):
    # Friday 27 Nov 2026 15:30 + 2 h: 1 h left on Friday (until 16:30), then Monday 07:30 + 1 h.
    assert cal.add_working_time(wib(2026, 11, 27, 15, 30), timedelta(hours=2)) == wib(2026, 11, 30, 8, 30)


def test_add_working_time_starting_before_opening(cal):
    assert cal.add_working_time(wib(2026, 11, 24, 6, 0), timedelta(hours=1)) == wib(2026, 11, 24, 8, 30)


def test_add_working_time_skips_holidays(cal):
    # Wed 23 Dec 2026 15:00 + 2 h → 1 h on Wed; 24 (cuti bersama), 25 (Christmas), weekend → Mon 28 08:30.
    assert cal.add_working_time(wib(2026, 12, 23, 15, 0), timedelta(hours=2)) == wib(2026, 12, 28, 8, 30)


def test_working_time_between(cal):
    assert cal.working_time_between(wib(2026, 11, 27, 15, 30), wib(2026, 11, 30, 8, 30)) == timedelta(hours=2)
    assert cal.working_time_between(wib(2026, 11, 28, 9), wib(2026, 11, 29, 17)) == timedelta(0)


# -- database corrections through the operation ---------------------------------------------

def test_seeded_cuti_bersama_2026_rows_name_their_decree(ctx):
    from sqlalchemy import select

    rows = ctx.scalars(select(CalendarDay).where(CalendarDay.day.between(date(2026, 1, 1), date(2026, 12, 31)))).all()
    assert sorted(r.day for r in rows) == [date(2026, 2, 16), date(2026, 3, 18), date(2026, 3, 20),
                                           date(2026, 3, 23), date(2026, 3, 24), date(2026, 5, 15),
                                           date(2026, 5, 28), date(2026, 12, 24)]
    assert all("1497 Tahun 2025" in r.source for r in rows)


def test_add_closure_moves_deadlines_and_is_audited(ctx):
    from sqlalchemy import select

    from sep_portal.core.audit import AuditEntry

    assert cal_mod.add_working_days(wib(2026, 11, 24), 4) == end_of(2026, 11, 30)
    cal_mod.add_calendar_day(ctx, "system:test", date(2026, 11, 26), "closure", "Kantor tutup", "SE No. 1/2026")
    assert cal_mod.add_working_days(wib(2026, 11, 24), 4) == end_of(2026, 12, 1)
    entry = ctx.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "calendar.day_added" and entry.after["day"] == "2026-11-26"
    cal_mod.remove_calendar_day(ctx, "system:test", date(2026, 11, 26))
    assert cal_mod.add_working_days(wib(2026, 11, 24), 4) == end_of(2026, 11, 30)


def test_add_rejects_duplicates_and_nonsense(ctx):
    with pytest.raises(DomainError) as exc:
        cal_mod.add_calendar_day(ctx, None, date(2026, 12, 24), "closure", "x", "y")
    assert exc.value.field == "day"
    with pytest.raises(DomainError):
        cal_mod.add_calendar_day(ctx, None, date(2026, 11, 26), "working_day", "x", "y")  # already working
    with pytest.raises(DomainError) as exc:
        cal_mod.add_calendar_day(ctx, None, date(2026, 11, 26), "closure", "x", "  ")
    assert exc.value.field == "source"


def test_working_time_over_long_spans_equals_a_walk_over_every_day():
    """working_time_between sums whole days from per-year tables; it must equal walking the days
    one by one (holidays, an operator closure, a restored Saturday, year ends)."""
    import random

    cal = build_calendar([CalendarDay(day=date(2026, 11, 26), kind="closure", description="Tutup", source="SE"),
                          CalendarDay(day=date(2026, 11, 28), kind="working_day", description="Masuk",
                                      source="SE")], parse_working_hours("mon-thu 07:30-16:00; fri 07:30-16:30; "
                                                                         "sat 08:00-12:00"))

    def walk(start: datetime, end: datetime) -> timedelta:
        total, day = timedelta(0), start.astimezone(WIB).date()
        while day <= end.astimezone(WIB).date():
            span = cal._intervals(day)
            if span is not None and min(span[1], end) > max(span[0], start):
                total += min(span[1], end) - max(span[0], start)
            day += timedelta(days=1)
        return total

    rng = random.Random(7)
    base = datetime(2025, 12, 1, tzinfo=WIB)
    for _ in range(2000):
        start = base + timedelta(minutes=rng.randrange(0, 500 * 24 * 60))
        end = start + timedelta(minutes=rng.randrange(0, rng.choice((90, 4000, 400_000))))
        assert cal.working_time_between(start, end) == walk(start, end), (start, end)
