"""The weekly report the provincial People's Committee expects: HTML in Vietnamese administrative
form (national motto, issuing body and number, the week), rendered to PDF with WeasyPrint, and
the same figures as an XLSX workbook."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from lamsach.campaign.model import CampaignProgress
from lamsach.catalogue import group_by_database
from lamsach.data import read_text, rule_label
from lamsach.report.labels import day, number, percent, signed_points, week_label
from lamsach.report.weekly_chart import progress_chart
from lamsach.report.weekly_words import CRITERIA_COLUMNS, LAGGING_VI, OUTLOOK_VI
from lamsach.report.weekly_xlsx import write_weekly_xlsx


def week_bounds(week: str) -> tuple[date, date]:
    monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    return monday, monday + timedelta(days=6)


def render_weekly_html(progress: CampaignProgress, issued: date) -> str:
    spec = progress.spec
    week = progress.weeks[-1]
    first, last = week_bounds(week)
    rows = progress.latest()
    records = sum(r.records for r in rows)
    passing = sum(round((r.scores.get("overall") or 0) * r.records) for r in rows)
    target = spec.targets.get("overall")
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "" if v is None else percent(v)
    env.filters["signed"] = signed_points
    env.filters["number"] = number
    env.filters["day"] = day
    env.filters["rule"] = rule_label
    template = env.from_string(read_text("report_templates/weekly.html.j2"))
    return template.render(
        spec=spec, week=week, week_label=week_label(week), first=first, last=last, issued=issued, rows=rows,
        records=records, overall=passing / records if records else None, target=target,
        province=progress.province.get(week, {}), place=report_place(spec),
        lagging=[r for r in rows if r.lagging], criteria=CRITERIA_COLUMNS, lagging_vi=LAGGING_VI,
        outlook_vi=OUTLOOK_VI, on_track=sum(not r.lagging for r in rows),
        chart=Markup(progress_chart(progress, target)),
        databases=group_by_database(progress.scorecard))


def report_place(spec) -> str:
    """The place written before the report's date: the campaign file's `report.place`, else the
    province's name without its kind ("Thanh Hóa" for "Tỉnh Thanh Hóa")."""
    if spec.report_place:
        return spec.report_place
    from lamsach.campaign.units import unit_catalogue

    unit = unit_catalogue(spec.manifest.province).get(spec.manifest.province)
    name = unit.name if unit else ""
    for kind in ("Thành phố ", "Tỉnh "):
        if name.startswith(kind):
            return name[len(kind):]
    return name


def write_weekly_report(progress: CampaignProgress, out_dir: Path, issued: date | None = None) -> dict[str, Path]:
    """Write `tuan-<week>.html`, `.pdf` and `.xlsx` into `out_dir`; return their paths."""
    from weasyprint import HTML  # late: WeasyPrint loads Pango, needed only for this report

    if not progress.weeks:
        raise ValueError("no snapshot yet")
    issued = issued or date.today()
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-tuan-{progress.weeks[-1]}"
    html = render_weekly_html(progress, issued)
    paths = {"html": out_dir / f"{stem}.html", "pdf": out_dir / f"{stem}.pdf", "xlsx": out_dir / f"{stem}.xlsx"}
    paths["html"].write_text(html, encoding="utf-8")
    HTML(string=html, base_url=str(out_dir)).write_pdf(paths["pdf"])
    write_weekly_xlsx(progress, paths["xlsx"], issued)
    return paths
