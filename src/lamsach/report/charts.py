"""Bar charts as inline SVG, drawn on the server.

`report.html` must open and print on a machine with no network and no JavaScript allowed, so
charts are plain SVG in the page: they scale, print sharply and need no library. Scores sit mostly
between 80% and 100%, so the axis starts at the tenth below the lowest value (and says so by its
tick labels) rather than at zero, where every bar would look full.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from lamsach.report.labels import grade, percent

COLOURS = {"good": "#2e7d32", "fair": "#e0a000", "poor": "#c62828", "none": "#9e9e9e"}
REFERENCE_COLOUR = "#222222"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # a share, 0..1
    reference: float | None = None  # e.g. the province's share, drawn as a tick across the bar
    href: str | None = None  # where the label links to (a unit's page)


def axis_start(values: Sequence[float | None]) -> float:
    """The axis' left end: the tenth at or below the lowest value less two points, never below 0."""
    present = [v for v in values if v is not None]
    if not present:
        return 0.0
    return max(0.0, math.floor((min(present) - 0.02) * 10) / 10)


def _ticks(start: float) -> list[float]:
    step = 0.05 if 1 - start <= 0.2 else 0.1 if 1 - start <= 0.5 else 0.25
    count = round((1 - start) / step)
    return [round(start + i * step, 4) for i in range(count + 1)]


def bar_chart(bars: Sequence[Bar], title: str, width: int = 760, label_width: int = 230,
              row_height: int = 20, start: float | None = None) -> Markup:
    """A horizontal bar chart of shares, one row per bar, coloured by the report's thresholds."""
    if start is None:
        start = axis_start([b.value for b in bars] + [b.reference for b in bars])
    left, right, top = label_width, 56, 8
    plot = width - left - right
    height = top + row_height * len(bars) + 24

    def x(share: float) -> float:
        return left + plot * (max(share, start) - start) / (1 - start)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>"]
    axis_y = top + row_height * len(bars)
    for tick in _ticks(start):
        tx = x(tick)
        parts.append(f'<line x1="{tx:.1f}" y1="{top}" x2="{tx:.1f}" y2="{axis_y}" stroke="#ddd"/>'
                     f'<text x="{tx:.1f}" y="{axis_y + 14}" text-anchor="middle" fill="#555">'
                     f"{escape(percent(tick, 0))}</text>")
    for i, bar in enumerate(bars):
        y = top + i * row_height
        label = f'<text x="{left - 6}" y="{y + row_height * 0.7:.1f}" text-anchor="end">{escape(bar.label)}</text>'
        parts.append(f'<a href="{escape(bar.href)}">{label}</a>' if bar.href else label)
        if bar.value is not None:
            parts.append(f'<rect x="{left}" y="{y + 3}" width="{x(bar.value) - left:.1f}" height="{row_height - 6}" '
                         f'fill="{COLOURS[grade(bar.value)]}"><title>{escape(bar.label)}: '
                         f"{escape(percent(bar.value))}</title></rect>")
        if bar.reference is not None:
            rx = x(bar.reference)
            parts.append(f'<line x1="{rx:.1f}" y1="{y + 1}" x2="{rx:.1f}" y2="{y + row_height - 1}" '
                         f'stroke="{REFERENCE_COLOUR}" stroke-width="2"/>')
        if bar.value is not None:  # in a column right of the plot: never under a bar's end or a tick
            parts.append(f'<text x="{width - 4}" y="{y + row_height * 0.7:.1f}" text-anchor="end">'
                         f"{escape(percent(bar.value))}</text>")
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{axis_y}" stroke="#555"/></svg>')
    return Markup("".join(parts))


def bar_charts(bars: Sequence[Bar], title: str, per_chart: int = 40, **options) -> list[Markup]:
    """The same chart cut into pieces of `per_chart` rows, so none is taller than a printed page.

    Every piece shares one axis, so bars in different pieces compare by eye.
    """
    start = axis_start([b.value for b in bars] + [b.reference for b in bars])
    return [bar_chart(bars[i:i + per_chart], title, start=start, **options)
            for i in range(0, len(bars), per_chart)]
