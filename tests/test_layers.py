"""The seams between stages, checked on the source: what a module may import.

- `domain` imports nothing else from lamsach (every stage shares it; it must not pull a stage in).
- `report` does not import `runner` (the runner assembles the report stage; the
  pass's summary they share is domain).
- `runner` holds only the order of the stages: every stage (standardise, validate, link, measure,
  review, publish, report) lives in its own package, and none of them imports the runner.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lamsach"


def lamsach_imports(path: Path) -> set[str]:
    """Every `lamsach.…` module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "lamsach" or name.startswith("lamsach.")}


def imports_of(package: str) -> dict[str, set[str]]:
    return {str(p.relative_to(SRC)): lamsach_imports(p) for p in sorted((SRC / package).rglob("*.py"))}


def test_domain_imports_nothing_else_from_lamsach():
    outside = {module: {i for i in found if not i.startswith("lamsach.domain")}
               for module, found in imports_of("domain").items()}
    assert {m: i for m, i in outside.items() if i} == {}


def test_report_does_not_import_the_runner_that_assembles_it():
    report = {m: {i for i in found if i.startswith("lamsach.runner")} for m, found in imports_of("report").items()}
    assert {m: i for m, i in report.items() if i} == {}


STAGES = ("ingest", "standardise", "validate", "link", "measure", "review", "publish", "report")


def test_runner_keeps_only_the_order_of_the_stages():
    assert sorted(p.name for p in (SRC / "runner").glob("*.py")) == ["__init__.py", "pass_run.py", "progress.py"]


def test_no_stage_imports_the_runner():
    found = {m: {i for i in imports if i.startswith("lamsach.runner")}
             for stage in STAGES for m, imports in imports_of(stage).items()}
    assert {m: i for m, i in found.items() if i} == {}
