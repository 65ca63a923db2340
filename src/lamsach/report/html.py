"""`report.html`: one self-contained, printable file — the province's page, then a page per unit.

Everything the page needs is inside it (styles, charts as inline SVG), because it is opened from a
shared folder or an e-mail on machines that reach no network. The template receives one typed
context, `HtmlContext`, filled here from the pass summary and `ReportData`.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from lamsach.data import read_text
from lamsach.domain import PassSummary
from lamsach.report.charts import Bar, bar_chart, bar_charts
from lamsach.report.labels import criterion_label, dataset_label, grade, labels, number, percent
from lamsach.report.queries import ReportData, UnitPage, ranked_units
from lamsach.report.scores import OVERALL

TEMPLATE = "report.html.j2"


@dataclass
class HtmlContext:
    """What `report.html.j2` may use; nothing else is passed to it."""

    summary: PassSummary
    data: ReportData
    sources: list[dict]  # the summary's sources, with `name` relative to their common folder
    rejection_reasons: list[dict]  # code, rows, example message
    unmapped_columns: list[dict]  # file (as in `sources`), column, closest field and its label
    unit_charts: list[Markup]  # the province page's chart of overall scores, worst unit first
    criteria_chart: Markup  # the province's score per criterion
    unit_criteria_charts: dict[str, Markup]  # unit code -> its chart of scores per criterion
    score_keys: list[str]  # the five criteria, then OVERALL


def _environment() -> Environment:
    env = Environment(loader=FunctionLoader(lambda name: read_text(f"report_templates/{name}")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=percent, num=number, grade=grade, crit=criterion_label, ds=dataset_label)
    env.globals["labels"] = labels()
    return env


def _sources(summary) -> list[dict]:
    """Sources named relative to the folder they share, so the page does not show a machine's paths."""
    files = [str(s["file"]) for s in summary.sources]
    try:
        root = os.path.commonpath([os.path.dirname(f) for f in files]) if files else ""
    except ValueError:  # paths on different drives
        root = ""
    return [dict(s, name=os.path.relpath(s["file"], root) if root else s["file"]) for s in summary.sources]


def _rejection_reasons(summary) -> list[dict]:
    examples: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for source in summary.sources:
        for rejection in source.get("rejections", []):
            counts[rejection["code"]] += 1
            examples.setdefault(rejection["code"], rejection["message"])
    for code, rows in summary.rejection_reasons.items():
        counts[code] = max(counts[code], rows)
    return [{"code": code, "rows": rows, "example": examples.get(code, "")} for code, rows in counts.most_common()]


def _unmapped_columns(sources: list[dict]) -> list[dict]:
    return [dict(column, file=source["name"]) for source in sources
            for column in source.get("unmapped_columns", [])]


def _criteria_bars(total, reference=None) -> list[Bar]:
    keys = [*labels()["criteria"]]
    return [Bar(criterion_label(c), total.scores.get(c), reference.scores.get(c) if reference else None)
            for c in keys if c in total.scores]


def build_context(summary: PassSummary, data: ReportData) -> HtmlContext:
    ranked = ranked_units(data)
    unit_bars = [Bar(u.title.label, u.total.scores.get(OVERALL), data.province.scores.get(OVERALL),
                     f"#unit-{u.title.code}") for u in ranked]
    sources = _sources(summary)
    return HtmlContext(
        summary=summary, data=data, sources=sources, rejection_reasons=_rejection_reasons(summary),
        unmapped_columns=_unmapped_columns(sources),
        unit_charts=bar_charts(unit_bars, labels()["criteria"][OVERALL]),
        criteria_chart=bar_chart(_criteria_bars(data.province), labels()["province_total"]),
        unit_criteria_charts={u.title.code: _unit_chart(u, data) for u in data.units},
        score_keys=[*data.criteria, OVERALL])


def _unit_chart(unit: UnitPage, data: ReportData) -> Markup:
    return bar_chart(_criteria_bars(unit.total, data.province), unit.title.label)


def render_html(summary: PassSummary, data: ReportData) -> str:
    return _environment().get_template(TEMPLATE).render(c=build_context(summary, data))


def write_html_report(path: Path, summary: PassSummary, data: ReportData) -> None:
    Path(path).write_text(render_html(summary, data), encoding="utf-8")
