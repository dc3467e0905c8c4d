"""Numbers as the reader writes them (core.formatting): Indonesian groups with a point and
decimals with a comma, English the other way round; pages use the |number, |decimal, |filesize
filters."""
from __future__ import annotations

from decimal import Decimal

import pytest

from sep_portal.core.formatting import format_decimal, format_filesize, format_number


@pytest.mark.parametrize(("locale", "expected"), [("id", "1.234"), ("en", "1,234")])
def test_a_count_is_grouped_by_thousands(locale, expected):
    assert format_number(1234, locale=locale) == expected
    assert format_number(999, locale=locale) == "999"


@pytest.mark.parametrize(("locale", "three_eight", "index"), [("id", "3,8", "90,63"), ("en", "3.8", "90.63")])
def test_a_decimal_keeps_its_places(locale, three_eight, index):
    assert format_decimal(3.75, 1, locale=locale) == three_eight
    assert format_decimal(Decimal("90.63"), 2, locale=locale) == index
    assert format_decimal(4, 1, locale=locale) == ("4,0" if locale == "id" else "4.0")
    assert format_decimal(1234.5, 1, locale=locale) == ("1.234,5" if locale == "id" else "1,234.5")
    assert format_decimal(None) == "–"


@pytest.mark.parametrize(("locale", "mb", "kb"), [("id", "5,0 MB", "820 KB"), ("en", "5.0 MB", "820 KB")])
def test_a_file_size_in_megabytes_or_kilobytes(locale, mb, kb):
    assert format_filesize(5 * 1024 * 1024, locale=locale) == mb
    assert format_filesize(820 * 1024, locale=locale) == kb
    assert format_filesize(10, locale=locale) == "1 KB"  # never "0 KB"
    assert format_filesize(int(1.25 * 1024 * 1024), locale=locale) == ("1,2 MB" if locale == "id" else "1.2 MB")


def test_the_filters_follow_the_language_of_the_request(app):
    template = app.jinja_env.from_string("{{ n|number }} · {{ x|decimal(1) }} · {{ b|filesize }}")
    values = {"n": 1234, "x": 3.75, "b": 5 * 1024 * 1024}
    with app.test_request_context(headers={"Accept-Language": "id"}):
        assert template.render(**values) == "1.234 · 3,8 · 5,0 MB"
