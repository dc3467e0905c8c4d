"""Ditjen's helpdesk monitoring page and its exports: who may see it, the figures in Indonesian,
charts drawn on the server, an empty month, and a query count that does not grow with tickets."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.factories import sign_in
from tests.helpdesk.test_reports import Helpdesk, wib


@pytest.fixture
def hd(session, factories):
    return Helpdesk(session, factories.user())


@pytest.fixture
def staff(client, factories):
    user = factories.user(roles=("pejabat",))
    sign_in(client, user)
    return user


def _november(hd, *, resolved=4, met=3):
    for i in range(resolved):
        hd.ticket(status="resolved", created=wib(2026, 11, 2, 8, 0), resolved_at=wib(2026, 11, 20, 10, 0),
                  resolution_met=i < met, first_response_at=wib(2026, 11, 2, 9, 0), response_met=True)
    hd.ticket(status="in_progress", priority=1, escalated_at=wib(2026, 11, 23, 10, 0))
    hd.survey((4, 4, 3, 3))
    hd.survey((3, 4, 4, 4), service=hd.other)


@pytest.mark.parametrize("role", ["helpdesk", "superadmin", "pejabat", "verifikator"])
def test_ditjen_staff_see_the_page(client, factories, role):
    sign_in(client, factories.user(roles=(role,)))
    response = client.get("/ditjen/helpdesk")
    assert response.status_code == 200
    assert "Pemantauan Helpdesk" in response.get_data(as_text=True)


def test_an_asn_is_refused_the_page_and_the_exports(client, factories):
    sign_in(client, factories.user(roles=("asn",)))
    for path in ("/ditjen/helpdesk", "/ditjen/helpdesk/ekspor.csv", "/ditjen/helpdesk/ekspor.xlsx"):
        assert client.get(path).status_code == 403
    assert b"/ditjen/helpdesk" not in client.get("/dasbor").data


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get("/ditjen/helpdesk").status_code == 302


def test_the_month_in_indonesian_with_charts_drawn_on_the_server(client, hd, staff):
    _november(hd)
    page = client.get("/ditjen/helpdesk").get_data(as_text=True)  # the clock is in November 2026 (WIB)
    assert "November 2026" in page
    assert "83,3% (5 dari 6)" in page  # resolved within target: 3 of 4, and both surveyed tickets
    assert "100% (4 dari 4)" in page  # first response
    assert "Sangat Baik" in page and "90,63" in page  # IKM of the two surveys together: 90.625
    assert page.count('role="img"') == 4 and page.count("<svg") == 4
    # Drawn on the server: the only script is the portal's own menu, and nothing from a CDN.
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/menu.js" defer>']
    assert "cdn" not in page.lower()
    assert "TKT-" in page  # the escalated ticket
    assert 'href="/ditjen/helpdesk/ekspor.xlsx?month=2026-11"' in page


def test_an_empty_month_says_so_and_divides_nothing(client, hd, staff):
    _november(hd)
    response = client.get("/ditjen/helpdesk?month=2025-03")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Maret 2025" in page and "Belum ada data" in page
    assert "dari 0" not in page


def test_a_bad_month_falls_back_to_the_current_one(client, staff):
    page = client.get("/ditjen/helpdesk?month=2026-13").get_data(as_text=True)
    assert "November 2026" in page


def test_the_csv_export_of_the_month(client, hd, staff):
    _november(hd)
    response = client.get("/ditjen/helpdesk/ekspor.csv?month=2026-11")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="helpdesk-2026-11.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    total = rows[-1]
    assert total["layanan"] == "Semua layanan" and total["periode"] == "2026-11"
    assert (total["tiket_selesai"], total["selesai_tepat_waktu"], total["selesai_terlambat"]) == ("6", "5", "1")
    assert total["responden_survei"] == "2" and total["ikm"] == "90.63"
    assert {r["layanan"] for r in rows} == {"Aplikasi SEP", "Aktivasi akun", "Semua layanan"}


def test_the_xlsx_export_of_the_month(client, hd, staff):
    _november(hd)
    response = client.get("/ditjen/helpdesk/ekspor.xlsx?month=2026-11")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "helpdesk-2026-11.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    by_service = {r[header.index("layanan")]: dict(zip(header, r, strict=True)) for r in rows}
    sep = by_service["Aplikasi SEP"]
    assert sep["tiket_selesai"] == 5 and sep["selesai_tepat_waktu"] == 4  # 3 of 4, and the survey's ticket
    assert sep["capaian_penyelesaian_persen"] == 80 and sep["terbuka_dieskalasi"] == 1
    assert sep["rerata_kecepatan"] == 4 and sep["rerata_kejelasan"] == 3 and sep["ikm"] == 87.5
    assert sep["mutu"] == "B (Baik)"
    other = by_service["Aktivasi akun"]
    assert other["responden_survei"] == 1 and other["ikm"] == 93.75 and other["mutu"] == "A (Sangat Baik)"


def test_an_unknown_export_format_is_not_found(client, staff):
    assert client.get("/ditjen/helpdesk/ekspor.pdf").status_code == 404


def test_the_page_runs_the_same_queries_for_few_and_many_tickets(client, hd, staff, count_queries):
    _november(hd, resolved=2, met=1)
    with count_queries() as few:
        assert client.get("/ditjen/helpdesk").status_code == 200
    _november(hd, resolved=12, met=7)
    for i in range(5):
        hd.ticket(status="assigned", priority=2, escalated_at=wib(2026, 11, 20, 9, i))
    with count_queries() as many:
        page = client.get("/ditjen/helpdesk")
    assert page.status_code == 200
    assert len(few) == len(many), (len(few), len(many))


def test_the_escalated_list_is_capped_at_the_page_size(client, hd, staff, assert_constant_queries):
    for i in range(8):
        hd.ticket(status="assigned", priority=2, escalated_at=wib(2026, 11, 20, 9, i))
    assert_constant_queries("/ditjen/helpdesk")  # page size 2, then 6: the same queries
    page = client.get("/ditjen/helpdesk").get_data(as_text=True)
    assert "6 yang paling lama dieskalasi ditampilkan" in page and page.count('class="overdue-row"') == 6


def test_the_default_month_is_the_current_month_in_wib(client, factories):
    from datetime import datetime

    from sep_portal.core import clock

    clock.freeze(datetime(2026, 11, 30, 20, 0, tzinfo=clock.UTC))  # 1 December 03.00 WIB
    sign_in(client, factories.user(roles=("helpdesk",)))
    page = client.get("/ditjen/helpdesk").get_data(as_text=True)
    assert "Desember 2026" in page and 'value="2026-12"' in page
