"""`report.html`: one self-contained page a provincial officer can open and print."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, select_autoescape

from lamsach.backends.engine import Engine
from lamsach.data import read_text
from lamsach.report.queries import CRITERION_VI, report_data


def write_html_report(engine: Engine, path: Path, findings: str, scorecard: str, summary) -> None:
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(read_text("report_templates/report.html.j2"))
    data = report_data(engine, findings, scorecard)
    path.write_text(template.render(s=summary, d=data, crit_vi=CRITERION_VI), encoding="utf-8")
