"""Small charts drawn on the server as inline SVG: no JavaScript, nothing from a CDN, and the
strict CSP holds (presentation attributes only, no style attributes). Each chart is an image
(``role="img"`` with a title); the page shows the same figures in a table next to it.

Labels and values arrive already formatted for the reader's language; this module only draws.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BLUE = "#1d4e89"
AMBER = "#b45309"
GREEN = "#15803d"
GRID = "#d0d5dd"
INK = "#1f2937"
FONT = 'font-family="inherit" font-size="12"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing measured (drawn as no bar)
    text: str  # the value as the reader sees it


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str


def _svg(chart_id: str, title: str, width: int, height: int, body: list[str]) -> Markup:
    t = escape(title)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-label="{t}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet"><title>{t}</title>' + "".join(body) + "</svg>")


def _text(x: float, y: float, content: str, *, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" {FONT}>'
            f"{escape(content)}</text>")


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, scale_max: float | None = None,
              color: str = BLUE) -> Markup:
    """Horizontal bars, one per row, with the label on the left and the value after the bar."""
    label_w, plot_w, value_w, row_h = 190, 300, 70, 28
    top = max(scale_max or 0, *(b.value or 0 for b in bars), 1) if bars else 1
    height = row_h * max(len(bars), 1) + 8
    body = []
    for i, bar in enumerate(bars):
        y = 4 + i * row_h
        body.append(_text(label_w - 8, y + 18, bar.label, anchor="end"))
        length = plot_w * (bar.value or 0) / top
        if bar.value:
            body.append(f'<rect x="{label_w}" y="{y + 5}" width="{max(length, 1):.1f}" height="{row_h - 10}" '
                        f'fill="{color}"/>')
        body.append(_text(label_w + length + 6, y + 18, bar.text))
    body.append(f'<line x1="{label_w}" y1="2" x2="{label_w}" y2="{height - 2}" stroke="{GRID}"/>')
    return _svg(chart_id, title, label_w + plot_w + value_w, height, body)


def _legend(series: Sequence[Series], x: float, y: float) -> list[str]:
    parts = []
    for s in series:
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{s.color}"/>')
        parts.append(_text(x + 18, y, s.name))
        x += 30 + 7 * len(s.name)
    return parts


def _axis(left: int, top: int, plot_w: int, plot_h: int, scale_max: float, ticks: Sequence[tuple[float, str]]
          ) -> list[str]:
    parts = []
    for value, label in ticks:
        y = top + plot_h - plot_h * value / scale_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, label, anchor="end"))
    return parts


def column_chart(chart_id: str, title: str, groups: Sequence[str], series: Sequence[Series],
                 ticks: Sequence[tuple[float, str]]) -> Markup:
    """Vertical bars grouped per period (e.g. opened and resolved per month). ``ticks`` are the
    values (and their labels) of the horizontal grid lines; the highest is the top of the scale."""
    left, top, plot_h, group_w = 48, 30, 160, 84
    plot_w = group_w * max(len(groups), 1)
    scale_max = max((v for v, _label in ticks), default=1) or 1
    body = _legend(series, left, 16) + _axis(left, top, plot_w, plot_h, scale_max, ticks)
    bar_w = (group_w - 20) / max(len(series), 1)
    for g, label in enumerate(groups):
        x0 = left + g * group_w + 10
        for k, s in enumerate(series):
            value = s.values[g] or 0
            h = plot_h * value / scale_max
            if value:
                body.append(f'<rect x="{x0 + k * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" '
                            f'height="{h:.1f}" fill="{s.color}"/>')
        body.append(_text(x0 + (group_w - 20) / 2, top + plot_h + 16, label, anchor="middle"))
    return _svg(chart_id, title, left + plot_w + 10, top + plot_h + 26, body)


def line_chart(chart_id: str, title: str, groups: Sequence[str], series: Sequence[Series],
               ticks: Sequence[tuple[float, str]]) -> Markup:
    """Lines over periods with a dot per measured value; a period without a value breaks the line."""
    left, top, plot_h, group_w = 48, 30, 160, 84
    plot_w = group_w * max(len(groups), 1)
    scale_max = max((v for v, _label in ticks), default=1) or 1
    body = _legend(series, left, 16) + _axis(left, top, plot_w, plot_h, scale_max, ticks)
    for g, label in enumerate(groups):
        body.append(_text(left + g * group_w + group_w / 2, top + plot_h + 16, label, anchor="middle"))
    for s in series:
        segment: list[str] = []
        for g, value in enumerate(list(s.values) + [None]):
            if value is None:
                if len(segment) > 1:
                    body.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="{s.color}" '
                                f'stroke-width="2"/>')
                segment = []
                continue
            x, y = left + g * group_w + group_w / 2, top + plot_h - plot_h * value / scale_max
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{s.color}"/>')
    return _svg(chart_id, title, left + plot_w + 10, top + plot_h + 26, body)


def nice_ticks(highest: float, steps: int = 4) -> list[float]:
    """Grid values from 0 to a round number at or above ``highest`` (whole numbers)."""
    if highest <= steps:
        return [float(v) for v in range(0, max(int(highest), 1) + 1)]
    raw = highest / steps
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(steps + 1)]
