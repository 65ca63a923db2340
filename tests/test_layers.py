"""The seams between stages, checked on the source: what a module may import.

- `domain` imports nothing else from lamsach (every stage shares it; it must not pull a stage in).
- `report` does not import `runner` (the runner assembles the report stage; the
  pass's summary they share is domain).
- stages write SQL that only DuckDB speaks, and quote, through the engine's `Dialect`
  (backends/engine/dialect.py), so a second engine adds a dialect, not edits in every stage;
  they type the store they are handed as the `Store` interface, never `SqlAlchemyStore`.
- `runner` holds only the order of the stages: every stage (standardise, validate, link, measure,
  review, publish, report) lives in its own package, and none of them imports the runner.
"""

from __future__ import annotations

import ast
import re
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
    # the order, and which stages run side by side (beside.py): no stage's own work
    assert sorted(p.name for p in (SRC / "runner").glob("*.py")) == ["__init__.py", "beside.py", "pass_run.py",
                                                                      "progress.py"]


def test_no_stage_imports_the_runner():
    found = {m: {i for i in imports if i.startswith("lamsach.runner")}
             for stage in STAGES for m, imports in imports_of(stage).items()}
    assert {m: i for m, i in found.items() if i} == {}


DUCKDB_ONLY = re.compile(r"QUALIFY|MAP \{|regexp_full_match|arg_max|arg_min|GROUP BY ALL|\* REPLACE|COPY \(|"
                         r"\blist\(|array_to_string|::[A-Z]|AS VARCHAR|strftime\(|date_diff\(|INTERVAL |json_object")


def _sql_texts(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module (SQL lives in f-strings and literals)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_stages_write_duckdb_only_sql_through_the_dialect():
    found = {f"{p.relative_to(SRC)}:{line}": DUCKDB_ONLY.search(text).group()
             for stage in STAGES for p in sorted((SRC / stage).rglob("*.py"))
             for line, text in _sql_texts(p) if DUCKDB_ONLY.search(text)}
    assert found == {}


def test_stages_quote_through_the_dialect_and_use_the_store_interface():
    wrong = {m: {i for i in imports if i == "lamsach.backends.store.sqlalchemy_store"}
             for stage in STAGES for m, imports in imports_of(stage).items()}
    assert {m: i for m, i in wrong.items() if i} == {}
    for stage in STAGES:
        for path in sorted((SRC / stage).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {(node.module, alias.name) for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                     for alias in node.names}
            assert not {n for n in names if n[1] in ("quote", "literal", "SqlAlchemyStore")}, path
            assert not [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("quote", "literal")], path
