"""An inline SVG line chart of weekly overall scores: prints sharply in the PDF, needs no script."""

from __future__ import annotations

from html import escape

from lamsach.campaign.model import CampaignProgress
from lamsach.report.labels import week_label

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP, PAD_RIGHT = 720, 280, 44, 40, 12, 150
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")


def shown_units(latest: list, max_units: int = 8) -> list[str]:
    """The units drawn: all up to `max_units`, else the best and the worst half each (by this
    week's rank); the others are in the table. 150 lines would be a smudge."""
    units = [row.unit for row in latest]
    if len(units) <= max_units:
        return units
    top = max_units // 2
    return units[:top] + units[-(max_units - top):]


def progress_chart(progress: CampaignProgress, target: float | None, max_units: int = 8) -> str:
    """Overall score per week of the province (bold) and of the best and worst units."""
    weeks = progress.weeks
    if not weeks:
        return ""
    latest = progress.latest()
    shown = shown_units(latest, max_units)
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(i: int) -> float:
        return PAD_LEFT + (plot_w * i / max(len(weeks) - 1, 1))

    def y(score: float) -> float:
        return PAD_TOP + plot_h * (1 - score)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="10">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="#ddd"/><text x="{PAD_LEFT - 6}" y="{y(tick) + 3:.1f}" text-anchor="end">'
                     f"{tick:.0%}</text>")  # whole percents: no decimal to write
    for i, week in enumerate(weeks):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle">'
                     f'{escape(week_label(week).split(" (")[0])}</text>')
    if target is not None:
        parts.append(f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{y(target):.1f}" y2="{y(target):.1f}" '
                     f'stroke="#c00" stroke-dasharray="5,4"/><text x="{PAD_LEFT + plot_w + 4}" '
                     f'y="{y(target) + 3:.1f}" fill="#c00">{target:.0%}</text>')
    index = {week: i for i, week in enumerate(weeks)}
    province = [(i, progress.province.get(week, {}).get("overall")) for i, week in enumerate(weeks)]
    province = [(i, v) for i, v in province if v is not None]
    if province:
        parts.append(f'<polyline class="province" points="{" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in province)}" '
                     f'fill="none" stroke="#000" stroke-width="3.5"/>'
                     f'<rect x="{PAD_LEFT + plot_w + 8}" y="{PAD_TOP + 18}" width="10" height="4" fill="#000"/>'
                     f'<text x="{PAD_LEFT + plot_w + 22}" y="{PAD_TOP + 22}" font-weight="bold">Toàn tỉnh</text>')
    if len(latest) > len(shown):
        parts.append(f'<text x="{PAD_LEFT + plot_w + 8}" y="{HEIGHT - 8}" fill="#555">'
                     f'{len(shown) // 2} cao nhất, {len(shown) - len(shown) // 2} thấp nhất / {len(latest)} đơn vị</text>')
    for n, unit in enumerate(shown):
        color = PALETTE[n % len(PALETTE)]
        points = [(index[r.week], r.scores.get("overall")) for r in progress.units.get(unit, [])]
        points = [(i, s) for i, s in points if s is not None]
        if not points:
            continue
        path = " ".join(f"{x(i):.1f},{y(s):.1f}" for i, s in points)
        parts.append(f'<polyline class="unit" data-unit="{escape(unit)}" points="{path}" fill="none" '
                     f'stroke="{color}" stroke-width="2"/>')
        parts += [f'<circle cx="{x(i):.1f}" cy="{y(s):.1f}" r="2.5" fill="{color}"/>' for i, s in points]
        label_y = PAD_TOP + 40 + n * 14
        name = progress.units[unit][-1].unit_name
        parts.append(f'<rect x="{PAD_LEFT + plot_w + 8}" y="{label_y - 8}" width="10" height="3" fill="{color}"/>'
                     f'<text x="{PAD_LEFT + plot_w + 22}" y="{label_y - 4}">{escape(name[:22])}</text>')
    parts.append("</svg>")
    return "".join(parts)
