from datetime import UTC, date, datetime, timedelta

import pytest

from sep_portal.core import clock
from sep_portal.core.nip import asn_type, is_valid_nip, nip_problem, normalize_nip


@pytest.mark.parametrize("nip", ["198703152010122001", "1987 0315 201012 2 001", "197005051995031002"])
def test_valid_nips(ctx, nip):
    assert is_valid_nip(nip)


@pytest.mark.parametrize("nip, fragment", [
    ("19870315201012200", "18 digit"),                # 17 digits
    ("1987031520101220011", "18 digit"),              # 19 digits
    ("19870315201012200A", "18 digit"),
    ("198702302010122001", "tanggal lahir"),          # 30 February
    ("203001012050011001", "tanggal lahir"),          # born in the future
    ("198703152010132001", "bulan pengangkatan"),     # month 13
    ("198703151987022001", "setelah tanggal lahir"),  # appointed before birth
    ("198703152010123001", "jenis kelamin"),          # sex digit 3
    ("198703152010122000", "000"),
])
def test_invalid_nips_say_why_in_indonesian(ctx, nip, fragment):
    assert fragment in nip_problem(nip)


@pytest.mark.parametrize("nip, kind", [
    ("198703152010122001", "pns"),
    ("198903152021211001", "pppk"),   # NI PPPK: appointed 2021, code 21, male, serial 001
    ("199706052024212045", "pppk"),   # appointed 2024, code 21, female, serial 045
    ("1997 0605 2024 21 2 045", "pppk"),
])
def test_pppk_numbers_are_accepted_beside_pns_nips(ctx, nip, kind):
    assert nip_problem(nip) is None and asn_type(nip) == kind


@pytest.mark.parametrize("nip, fragment", [
    ("198903152021171001", "kode PPPK"),         # 17: neither a month nor a PPPK code
    ("198903152018211001", "2019"),              # no PPPK before 2019
    ("198903152027211001", "2019"),              # appointed in the future (the clock is in 2026)
    ("198903152021213001", "jenis kelamin"),     # the sex digit holds for PPPK too
    ("198902302021211001", "tanggal lahir"),     # and the date of birth
    ("198903152021211000", "000"),
])
def test_pppk_numbers_keep_the_checks_that_apply_to_both(ctx, nip, fragment):
    assert fragment in nip_problem(nip)


def test_normalize_nip():
    assert normalize_nip("1987.0315 2010-12 2 001") == "198703152010122001"


def test_clock_freeze_and_advance():
    start = clock.now()
    assert start == datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert clock.advance(timedelta(days=1)) == start + timedelta(days=1)
    assert clock.now() == start + timedelta(days=1)


def test_clock_refuses_naive_times():
    with pytest.raises(ValueError):
        clock.freeze(datetime(2026, 1, 1))


def test_parse_timestamp_reads_wib_by_default():
    assert clock.parse_timestamp("2026-11-30 23:59") == datetime(2026, 11, 30, 16, 59, tzinfo=UTC)
    assert clock.parse_timestamp("2026-11-30T10:00:00+00:00") == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_nip_uses_the_portal_clock(ctx):
    # Born "today" per the frozen clock is valid; tomorrow is in the future.
    today = clock.now().astimezone(clock.WIB).date()
    tomorrow = today + timedelta(days=1)
    assert nip_problem(f"{tomorrow:%Y%m%d}203001" + "1001") is not None
    assert date(2026, 11, 24) == today


def test_sweep_at_moves_the_clock_for_the_command(app, connection):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sep", "sweep", "--at", "2026-12-01 08:00"])
    assert result.exit_code == 0, result.output
    assert "Sweep at 2026-12-01T01:00:00+00:00" in result.output
