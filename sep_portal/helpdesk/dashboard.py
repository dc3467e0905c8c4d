"""Ditjen's helpdesk monitoring (DESIGN §6): the month's volume, SLA attainment, breaches and
satisfaction index at /ditjen/helpdesk, with charts drawn on the server and CSV/XLSX exports."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date as babel_format_date
from flask import Blueprint, Response, current_app, render_template, request, send_file
from flask_babel import format_percent
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from sep_portal.core import clock, storage
from sep_portal.core.exports import csv_lines, safe_cell, xlsx_file
from sep_portal.core.formatting import current_language, format_decimal, format_number
from sep_portal.core.permissions import DITJEN_ROLES, require_role
from sep_portal.extensions import db
from sep_portal.helpdesk import charts, reports
from sep_portal.helpdesk.labels import survey_grade_label, ticket_priority_label
from sep_portal.helpdesk.models import OPEN_STATUSES, SURVEY_ELEMENTS

bp = Blueprint("helpdesk_dashboard", __name__)

MONTH_ARG = re.compile(r"(\d{4})-(\d{2})")


def _month() -> tuple[int, int]:
    """The month asked for (``?month=2026-11``), else the current month in WIB."""
    match = MONTH_ARG.fullmatch(request.args.get("month", ""))
    if match and 2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return int(match[1]), int(match[2])
    today = clock.to_wib(clock.now())
    return today.year, today.month


# -- formatting for the reader's language ----------------------------------------------------------

def num(value: int) -> str:
    return format_number(value)


def pct(value: float | None) -> str:
    return _("No data yet") if value is None else format_percent(value, "#,##0.#%")


def attainment(met: int, whole: int) -> str:
    """``92% (46 dari 50)``, or "no data yet" when there is nothing to measure."""
    if not whole:
        return _("No data yet")
    return _("%(percent)s (%(num)s of %(total)s)", percent=pct(met / whole), num=num(met), total=num(whole))


def index_text(value: Decimal | None) -> str:
    return _("No data yet") if value is None else format_decimal(value, 2)


def mean_text(value: float | None) -> str:
    return format_decimal(value, 2)


def grade_text(grade: str | None) -> str:
    return "–" if grade is None else f"{grade} ({survey_grade_label(grade)})"


def month_name(year: int, month: int, pattern: str = "MMMM yyyy") -> str:
    return babel_format_date(date(year, month, 1), pattern, locale=current_language())


def service_name(name: str | None) -> str:
    return _("All services") if name is None else name


# -- the charts ------------------------------------------------------------------------------------

def _charts(summary: reports.HelpdeskSummary) -> dict[str, Any]:
    open_by_priority = summary.open_by_priority
    priority = charts.bar_chart(
        "chart-open-priority", _("Open tickets now by priority"),
        [charts.Bar(ticket_priority_label(p), n, num(n)) for p, n in open_by_priority.items()])
    rated = [r for r in summary.satisfaction if r.responses]
    satisfaction = charts.bar_chart(
        "chart-ikm", _("Satisfaction index (IKM, 25–100) per service"),
        [charts.Bar(service_name(r.service_name), float(r.index) if r.index is not None else None,
                    index_text(r.index)) for r in rated], scale_max=100, color=charts.GREEN) if rated else None
    months = [month_name(t.year, t.month, "MMM yyyy") for t in summary.trend]
    highest = max([t.opened for t in summary.trend] + [t.resolved for t in summary.trend] + [0])
    ticks = [(v, format_number(v)) for v in charts.nice_ticks(highest)]
    volume = charts.column_chart(
        "chart-trend-volume", _("Tickets opened and resolved, last six months"), months,
        [charts.Series(_("Opened"), [t.opened for t in summary.trend], charts.BLUE),
         charts.Series(_("Resolved"), [t.resolved for t in summary.trend], charts.AMBER)], ticks)
    quality = charts.line_chart(
        "chart-trend-quality", _("Share resolved within the SLA target and satisfaction index, last six months"),
        months,
        [charts.Series(_("Resolved within the SLA target"),
                       [None if t.resolution_share is None else 100 * t.resolution_share for t in summary.trend],
                       charts.BLUE),
         charts.Series(_("IKM"), [None if t.index is None else float(t.index) for t in summary.trend],
                       charts.GREEN)],
        [(v, format_number(v)) for v in (0, 25, 50, 75, 100)])
    return {"priority": priority, "satisfaction": satisfaction, "volume": volume, "quality": quality}


@bp.route("/ditjen/helpdesk")
@require_role(*sorted(DITJEN_ROLES))
def dashboard() -> Any:
    year, month = _month()
    summary = reports.helpdesk_summary(db.session, year, month, escalated_limit=current_app.config["SEP_PAGE_SIZE"])
    previous, following = reports.shift_month(year, month, -1), reports.shift_month(year, month, 1)
    return render_template(
        "helpdesk/dashboard.html", s=summary, charts=_charts(summary), month_arg=f"{year:04d}-{month:02d}",
        previous_arg="{:04d}-{:02d}".format(*previous), next_arg="{:04d}-{:02d}".format(*following),
        month_label=month_name(year, month), open_statuses=OPEN_STATUSES, elements=SURVEY_ELEMENTS,
        num=num, pct=pct, attainment=attainment, index_text=index_text, mean_text=mean_text, grade_text=grade_text,
        month_name=month_name, service_name=service_name)


# -- exports ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("periode", "layanan", "tiket_dibuka", "tiket_selesai", "selesai_tepat_waktu",
                  "selesai_terlambat", "capaian_penyelesaian_persen", "respons_pertama", "respons_tepat_waktu",
                  "capaian_respons_persen", "terbuka_saat_ini", "terbuka_dieskalasi", "responden_survei",
                  *(f"rerata_{e}" for e in ("kecepatan", "kompetensi", "kejelasan", "kesopanan")), "ikm", "mutu")


def _percent(value: float | None) -> float | str:
    return "" if value is None else round(100 * value, 1)


def export_rows(summary: reports.HelpdeskSummary) -> Iterator[list[Any]]:
    """One row per service with anything in the month, then one for every service together.
    Figures are numbers (typed cells in XLSX); text goes through the formula-injection guard."""
    period = f"{summary.year:04d}-{summary.month:02d}"
    volumes = {v.service_id: v for v in summary.services}
    ratings = {r.service_id: r for r in summary.satisfaction}
    names = {v.service_id: v.service_name for v in summary.services} | {
        r.service_id: r.service_name for r in summary.satisfaction if r.service_id is not None}
    order = sorted(names, key=lambda sid: (names[sid] or "", sid or 0))
    empty = reports.ServiceVolume(None, None, 0, 0, 0, 0, 0, 0, 0, 0)
    for sid in [*order, None]:
        v = summary.total if sid is None else volumes.get(sid, empty)
        r = ratings.get(sid)
        means = [round(r.means[e], 2) if r and r.means[e] is not None else "" for e in SURVEY_ELEMENTS]
        yield [period, safe_cell(service_name(names.get(sid))), v.opened, v.resolved, v.resolution_met,
               v.resolution_missed, _percent(v.resolution_share), v.responded, v.response_met,
               _percent(v.response_share), v.open_now, v.escalated_now, r.responses if r else 0, *means,
               float(r.index) if r and r.index is not None else "", grade_text(r.grade) if r and r.grade else ""]


@bp.route("/ditjen/helpdesk/ekspor.<fmt>")
@require_role(*sorted(DITJEN_ROLES))
def export(fmt: str) -> Any:
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    year, month = _month()
    summary = reports.helpdesk_summary(db.session, year, month, escalated_limit=0)
    filename = f"helpdesk-{year:04d}-{month:02d}.{fmt}"
    if fmt == "csv":
        response = Response("".join(csv_lines(export_rows(summary), EXPORT_COLUMNS)),
                            mimetype="text/csv; charset=utf-8")
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "private, no-store"
        return response
    path = storage.work_path(".xlsx")
    xlsx_file(export_rows(summary), EXPORT_COLUMNS, path)
    response = send_file(path, mimetype=storage.KINDS["xlsx"], as_attachment=True, download_name=filename,
                         max_age=0)
    response.call_on_close(lambda: path.unlink(missing_ok=True))
    return response
