"""Smoke test of `bench/bench_rules.py` at 20,000 rows: both parts run, and the three tools agree.

The benchmark's ratios mean something only if lamsach, Great Expectations and Pandera flag the
same rows, so this asserts it check by check on the bench's own data; part 1 must find rows for
every rule the planted defects aim at, or the million-row figures would time empty joins.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("great_expectations", reason="needs the bench extra: pip install -e '.[bench]'")
pytest.importorskip("pandera", reason="needs the bench extra: pip install -e '.[bench]'")

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_rules  # noqa: E402
from rules_data import prepare  # noqa: E402

ROWS = 20_000


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built, _ = prepare(tmp_path_factory.mktemp("bench-rules"), ROWS, seed=1)
    return built


def test_rule_stage_runs_the_full_rule_set(folder: Path) -> None:
    stage = bench_rules.rule_stage(folder)
    assert stage["rows"] == {"population": ROWS, "death": 60, "land_parcel": ROWS}
    found = {(row["dataset"], row["rule"]) for row in stage["findings"] if row["findings"]}
    expected = {("population", r) for r in ("duplicate_record", "stale_record", "death_not_reflected",
                                             "missing_required")}
    expected |= {("land_parcel", r) for r in (
        "missing_required", "duplicate_record", "area_out_of_range", "stale_record", "id_not_in_register",
        "id_sex_century_mismatch", "name_differs_from_register", "name_spelling_differs_from_register",
        "birth_year_differs_from_register", "owner_deceased")}
    assert expected <= found


def test_three_tools_report_the_same_failing_rows(folder: Path) -> None:
    rows = {tool: bench_rules.failing(tool, bench_rules.validate(tool, bench_rules.load_input(tool, folder)))
            for tool in bench_rules.TOOLS}
    for check in bench_rules.CHECKS:
        lamsach = rows["lamsach"][check]
        assert lamsach, f"{check}: no failing row planted"
        assert rows["great_expectations"][check] == lamsach, check
        assert rows["pandera"][check] == lamsach, check


def test_command_prints_both_parts(folder: Path) -> None:
    import subprocess

    out = subprocess.run([sys.executable, str(BENCH / "bench_rules.py"), "--rows", str(ROWS), "--repeat", "1",
                          "--out", str(folder.parent)], capture_output=True, text=True, check=True).stdout
    assert "## Part 1" in out and "## Part 2" in out and "fastest:" in out
    assert " NO" not in out
