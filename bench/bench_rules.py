"""The validate stage at a million rows, and lamsach next to Great Expectations and Pandera.

    .venv/bin/python bench/bench_rules.py [--rows 1000000] [--seed 1] [--repeat 3]

Part 1 runs the full rule set of the population register and the land parcels (with a small death
register) exactly as the pass's `_validate_all` does, on data standardised by `standardise_dataset`
(its time is reported apart: that is issue 3's cost), and prints the rule stage's wall time, its
peak memory and the findings per rule. Part 2 runs the same 8 simple checks through lamsach, Great
Expectations and Pandera on the same rows, checks that all three report the same failing rows per
check, and prints the medians and the ratios to lamsach.

Each measured run is a fresh interpreter (`--child`), so its peak memory (`ru_maxrss`) is its
own and no tool reuses another repeat's objects; inputs are read and shaped before the clock
starts, and imports are not timed. Data is built once per rows/seed and cached as Parquet under
`bench/out/rules-<rows>-<seed>/` (see `rules_data.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lamsach.backends.engine import DuckDBDialect, DuckDBEngine
from lamsach.domain import DatasetSchema, FieldSpec
from lamsach.validate import (
    RuleContext,
    run_rules,
    validate_datasets,
)
from lamsach.validate.rule_library import Pattern, Range, Required, RuleSpecBase, Stale, Unique, ValueSet
from rules_data import DATASETS, REFERENCE_DATE, prepare

HERE = Path(__file__).resolve().parent
quote = DuckDBDialect().quote
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")  # no usage reports from Great Expectations

TOOLS = ("lamsach", "great_expectations", "pandera")

# --- the 8 simple checks -------------------------------------------------------------------------

CHECKS = ("not_null:owner_id", "not_null:owner_name", "not_null:area_m2", "regex:owner_id",
          "range:area_m2", "unique:parcel_key", "value_set:sex", "fresh:updated_at")
ID_PATTERN = "[0-9]{12}"  # a 12-digit personal ID, nothing else
AREA_MIN, AREA_MAX = 1.0, 5_000_000.0
SEXES = ("Nam", "Nữ")
FRESH_DAYS = 365
PARCEL_KEY = ("commune_code", "map_sheet", "parcel_no")  # a parcel's identity in the land database


def fresh_since() -> date:
    """The oldest update date that still passes the freshness check."""
    return REFERENCE_DATE - timedelta(days=FRESH_DAYS)


def _field(name: str, label: str) -> FieldSpec:
    return FieldSpec(name=name, type="text", label_vi=label)


CHECKS_SCHEMA = DatasetSchema(
    name="land_checks", label_vi="Người sử dụng đất (bảng so sánh)", key="record_id",
    fields=(_field("record_id", "Mã hồ sơ"), _field("commune_code", "Mã xã"), _field("map_sheet", "Số tờ bản đồ"),
            _field("parcel_no", "Số thửa"), _field("land_use_code", "Mục đích sử dụng"),
            _field("owner_name", "Tên người sử dụng đất"), _field("owner_id", "Số giấy tờ tùy thân"),
            _field("area_m2", "Diện tích (m2)"), _field("sex", "Giới tính"), _field("updated_at", "Ngày cập nhật")),
    freshness_days=FRESH_DAYS)

# each check as a lamsach spec; a finding's (rule, field) tells which check it answers
LAMSACH_SPECS: dict[str, RuleSpecBase] = {
    "not_null:owner_id": Required(rule="missing_required", field="owner_id"),
    "not_null:owner_name": Required(rule="missing_required", field="owner_name"),
    "not_null:area_m2": Required(rule="missing_required", field="area_m2"),
    "regex:owner_id": Pattern(rule="format_invalid", field="owner_id", pattern=ID_PATTERN,
                                     expected="12 chữ số"),
    "range:area_m2": Range(rule="value_out_of_range", field="area_m2", min=AREA_MIN, max=AREA_MAX),
    "unique:parcel_key": Unique(rule="duplicate_record", fields=PARCEL_KEY),
    "value_set:sex": ValueSet(rule="code_not_in_table", field="sex", values=SEXES, table="Giới tính"),
    "fresh:updated_at": Stale(rule="stale_record", field="updated_at", days=FRESH_DAYS),
}


def _finding_key(spec: RuleSpecBase) -> tuple[str, str]:
    fields = getattr(spec, "fields", None)
    field = ("*" if len(fields) > 1 else fields[0]) if fields else spec.field  # type: ignore[attr-defined]
    return spec.rule, field


# --- the three tools: input (not timed), validate (timed), failing rows (not timed) --------------

def load_input(tool: str, folder: Path) -> Any:
    """The checks table as each tool takes it: Arrow text columns for lamsach (as the pass holds
    standardised data), a typed pandas frame indexed by record_id for the two pandas tools."""
    table = pq.read_table(folder / "checks.parquet")
    if tool == "lamsach":
        return table
    import pandas as pd

    frame = table.drop_columns(["__unit", "__row_order"]).to_pandas()
    frame["area_m2"] = pd.to_numeric(frame["area_m2"], errors="coerce")
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], format="%Y-%m-%d", errors="coerce")
    return frame.set_index("record_id")


def validate(tool: str, data: Any, steps: dict[str, float] | None = None) -> Any:
    """Run the 8 checks with `tool`; for lamsach, `steps` receives the seconds of each step."""
    if tool == "lamsach":
        return validate_lamsach(data, steps)
    return {"great_expectations": validate_ge, "pandera": validate_pandera}[tool](data)


def failing(tool: str, result: Any) -> dict[str, set[str]]:
    """record_ids failing each check, from the tool's own result object."""
    return {"lamsach": failing_lamsach, "great_expectations": failing_ge, "pandera": failing_pandera}[tool](result)


def validate_lamsach(table: pa.Table, steps: dict[str, float] | None = None) -> pa.Table:
    """Register the table, run the 8 specs into a findings table, fetch every finding."""
    clock = _Laps(steps)
    engine = DuckDBEngine()
    tables = {CHECKS_SCHEMA.name: engine.register(f"ds_{CHECKS_SCHEMA.name}", table)}
    clock.lap("register")
    ctx = RuleContext(CHECKS_SCHEMA, tables, REFERENCE_DATE.isoformat())
    findings = run_rules(engine, ctx, list(LAMSACH_SPECS.values()))
    clock.lap("run_rules")
    result = engine.arrow(f"SELECT rule, field, record_id, suggested_value FROM {quote(findings)}")
    engine.close()
    clock.lap("fetch")
    return result


class _Laps:
    """Seconds between successive `lap` calls, written into `steps` when one is given."""

    def __init__(self, steps: dict[str, float] | None) -> None:
        self.steps = steps
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.steps is not None:
            self.steps[name] = now - self.last
        self.last = now


def failing_lamsach(findings: pa.Table) -> dict[str, set[str]]:
    """Findings by check. `Unique` reports each duplicate but the first and names the first in
    `suggested_value`; the other tools report every member of a duplicate group, so the first is
    added back here (from the findings alone) to compare the same rows."""
    by_key = {_finding_key(spec): check for check, spec in LAMSACH_SPECS.items()}
    out: dict[str, set[str]] = {check: set() for check in CHECKS}
    for rule, field, record_id, suggested in zip(*(findings.column(c).to_pylist() for c in
                                                   ("rule", "field", "record_id", "suggested_value")),
                                                 strict=True):
        check = by_key[(rule, field)]
        out[check].add(record_id)
        if check == "unique:parcel_key":
            out[check].add(suggested)
    return out


def validate_ge(frame: Any) -> Any:
    """An ephemeral context, a pandas data source and a suite of the 8 expectations, COMPLETE."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (context.data_sources.add_pandas("bench").add_dataframe_asset("land_checks")
             .add_batch_definition_whole_dataframe("all"))
    expect = gx.expectations
    since = datetime.combine(fresh_since(), datetime.min.time())
    expectations = {
        "not_null:owner_id": expect.ExpectColumnValuesToNotBeNull(column="owner_id"),
        "not_null:owner_name": expect.ExpectColumnValuesToNotBeNull(column="owner_name"),
        "not_null:area_m2": expect.ExpectColumnValuesToNotBeNull(column="area_m2"),
        "regex:owner_id": expect.ExpectColumnValuesToMatchRegex(column="owner_id", regex=f"^{ID_PATTERN}$"),
        "range:area_m2": expect.ExpectColumnValuesToBeBetween(column="area_m2", min_value=AREA_MIN,
                                                              max_value=AREA_MAX),
        "unique:parcel_key": expect.ExpectCompoundColumnsToBeUnique(column_list=list(PARCEL_KEY)),
        "value_set:sex": expect.ExpectColumnValuesToBeInSet(column="sex", value_set=list(SEXES)),
        "fresh:updated_at": expect.ExpectColumnValuesToBeBetween(column="updated_at", min_value=since),
    }
    suite = gx.ExpectationSuite(name="land_checks")
    for check, expectation in expectations.items():
        expectation.meta = {"check": check}
        suite.add_expectation(expectation)
    suite = context.suites.add(suite)
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="land_checks", data=batch,
                                                                            suite=suite))
    return definition.run(batch_parameters={"dataframe": frame}, result_format={"result_format": "COMPLETE"})


def failing_ge(result: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in result.results:
        if item.exception_info.get("raised_exception"):
            raise RuntimeError(f"Great Expectations failed on {item.expectation_config.type}: "
                               f"{item.exception_info.get('exception_message')}")
        rows = item.result.get("unexpected_index_list") or []
        out[item.expectation_config.meta["check"]] = {row["record_id"] for row in rows}
    return out


def validate_pandera(frame: Any) -> Any:
    """A `DataFrameSchema` with the 8 checks (no dtype checks), validated lazily: every failure."""
    import pandas as pd
    import pandera.pandas as pa_
    from pandera.errors import SchemaErrors

    schema = pa_.DataFrameSchema(
        {
            "owner_id": pa_.Column(nullable=False, checks=pa_.Check.str_matches(f"^{ID_PATTERN}$")),
            "owner_name": pa_.Column(nullable=False),
            "area_m2": pa_.Column(nullable=False, checks=pa_.Check.in_range(AREA_MIN, AREA_MAX)),
            "sex": pa_.Column(nullable=True, checks=pa_.Check.isin(list(SEXES))),
            "updated_at": pa_.Column(nullable=True, checks=pa_.Check.ge(pd.Timestamp(fresh_since()))),
        },
        unique=list(PARCEL_KEY), report_duplicates="all")
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return pd.DataFrame(columns=["column", "check", "index"])


PANDERA_CHECKS = (("not_nullable", "not_null:{column}"), ("str_matches", "regex:{column}"),
                  ("in_range", "range:{column}"), ("multiple_fields_uniqueness", "unique:parcel_key"),
                  ("isin", "value_set:{column}"), ("greater_than_or_equal_to", "fresh:{column}"))


def failing_pandera(cases: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {check: set() for check in CHECKS}
    for (column, check), group in cases.groupby(["column", "check"]):
        name = next((c.format(column=column) for prefix, c in PANDERA_CHECKS if str(check).startswith(prefix)),
                    None)
        if name is None:
            raise RuntimeError(f"unexpected Pandera failure {check!r} on {column!r}")
        out[name].update(group["index"])
    return out


# --- part 1: the full rule set, as the pass runs it --------------------------------------------

def _peak_mib() -> float:
    """Peak resident memory of this process (the parent stays small, so its share at fork is small)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    """CPU seconds of this process, all threads: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rule_stage(folder: Path) -> dict:
    """Register the standardised tables and run every dataset's rules as `_validate_all` does.

    Returns seconds (registering apart from the rules), peak memory and findings per rule.
    """
    engine = DuckDBEngine()
    tables: dict[str, str] = {}
    register_s = 0.0
    for name in sorted(DATASETS, key=lambda d: (d != "population", d != "death", d)):
        arrow = pq.read_table(folder / f"std_{name}.parquet")  # reading is not timed
        started = time.perf_counter()
        tables[name] = engine.register(f"ds_{name}", arrow)
        register_s += time.perf_counter() - started
        del arrow
    reference = REFERENCE_DATE.isoformat()

    started, cpu = time.perf_counter(), _cpu_s()
    per_dataset: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(dataset: str) -> None:
        per_dataset[dataset] = time.perf_counter() - clock[0]
        clock[0] = time.perf_counter()

    name = validate_datasets(engine, tables, reference, on_dataset=lap)
    rules_s, cpu = time.perf_counter() - started, _cpu_s() - cpu
    counts = engine.rows(f"SELECT dataset, rule, count(*) AS findings FROM {quote(name)} GROUP BY ALL "
                         f"ORDER BY dataset, rule")
    rows = {d: engine.run(f"SELECT count(*) FROM {quote(t)}")[0][0] for d, t in tables.items()}
    engine.close()
    return {"register_s": register_s, "rules_s": rules_s, "rules_cpu_s": cpu, "steps_s": per_dataset, "rows": rows,
            "findings": counts, "peak_mib": _peak_mib()}


# --- children and the parent that runs them ------------------------------------------------------

def child(kind: str, folder: Path, result_file: Path | None) -> None:
    """One measured run in this (fresh) interpreter; its last stdout line is JSON."""
    if kind == "rules":
        print(json.dumps(rule_stage(folder)))
        return
    data = load_input(kind, folder)
    validate(kind, data[:1000])  # warm-up on fresh objects: lazy imports and first-call setup are not timed
    steps: dict[str, float] = {}
    started, cpu = time.perf_counter(), _cpu_s()
    result = validate(kind, data, steps)
    seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu
    rows = failing(kind, result)
    if result_file:
        result_file.write_text(json.dumps({c: sorted(rows.get(c, ())) for c in CHECKS}))
    print(json.dumps({"seconds": seconds, "cpu_s": cpu, "steps": steps, "peak_mib": _peak_mib()}))


def _run_child(kind: str, folder: Path | None, result_file: Path | None = None,
               extra: list[str] | None = None) -> dict:
    """Run `--child kind` in a fresh interpreter; the JSON of its last stdout line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *(extra or [])]
    if folder:
        command += ["--data", str(folder)]
    if result_file:
        command += ["--result", str(result_file)]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"child {kind} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def part1(folder: Path, repeat: int) -> None:
    """The rule stage `repeat` times, each in a fresh process: medians, peak memory, findings per rule."""
    runs = [_run_child("rules", folder) for _ in range(repeat)]
    first = runs[0]

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"\n## Part 1: the full rule set ({', '.join(f'{d} {n:,}' for d, n in first['rows'].items())} rows), "
          f"median of {repeat}, fresh process each")
    print(f"{'register the tables in DuckDB':<34}{med('register_s'):>8.2f} s  (the pass does this while standardising)")
    for step in first["steps_s"]:
        label = "union and de-duplicate" if step == "union" else f"rules of {step}"
        print(f"{label:<34}{statistics.median(r['steps_s'][step] for r in runs):>8.2f} s")
    print(f"{'rule stage':<34}{med('rules_s'):>8.2f} s  (target < 60 s; CPU {med('rules_cpu_s'):.2f} s)")
    peak = med("peak_mib")
    print(f"{'peak memory of the process':<34}{peak:>8,.0f} MiB (max {max(r['peak_mib'] for r in runs):,.0f}; "
          f"target < 6 GiB = 6,144 MiB)")
    print(f"\n{'dataset':<14}{'rule':<40}{'findings':>10}")
    for row in first["findings"]:
        print(f"{row['dataset']:<14}{row['rule']:<40}{row['findings']:>10,}")
    print(f"{'total':<54}{sum(r['findings'] for r in first['findings']):>10,}")


def part2(folder: Path, repeat: int) -> None:
    """Each tool `repeat` times, interleaved (load on a shared machine hits all three alike); the
    failing rows of the first repeat are compared check by check, and a difference fails the run."""
    rows = pq.read_metadata(folder / "checks.parquet").num_rows
    print(f"\n## Part 2: 8 simple checks on {rows:,} land-user rows, median of {repeat}")
    print("Inputs prepared before timing for every tool (lamsach: the Arrow table of text columns as the pass "
          "holds it; GE and Pandera: a pandas frame indexed by record_id, area as float, updated_at as "
          "datetime). Timed: building the tool's validator and validating until every failing row is "
          "returned. Fresh process per tool and repeat; imports and a warm-up run on the first 1,000 rows "
          "(lazy imports, first-call setup) not timed.")
    seconds: dict[str, list[float]] = {t: [] for t in TOOLS}
    cpus: dict[str, list[float]] = {t: [] for t in TOOLS}
    steps: list[dict[str, float]] = []
    peaks: dict[str, list[float]] = {t: [] for t in TOOLS}
    found: dict[str, dict[str, set[str]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(repeat):
            for tool in TOOLS:
                result = Path(tmp) / f"{tool}.json"
                out = _run_child(tool, folder, result if n == 0 else None)
                seconds[tool].append(out["seconds"])
                cpus[tool].append(out["cpu_s"])
                if tool == "lamsach":
                    steps.append(out["steps"])
                peaks[tool].append(out["peak_mib"])
                if n == 0:
                    found[tool] = {c: set(ids) for c, ids in json.loads(result.read_text()).items()}
    print(f"\n{'check':<22}{'lamsach':>10}{'GE':>10}{'Pandera':>10}  same rows")
    mismatches = 0
    for check in CHECKS:
        same = found["lamsach"][check] == found["great_expectations"][check] == found["pandera"][check]
        mismatches += not same
        print(f"{check:<22}" + "".join(f"{len(found[t][check]):>10,}" for t in TOOLS) + f"  {'yes' if same else 'NO'}")
    base, base_cpu = statistics.median(seconds["lamsach"]), statistics.median(cpus["lamsach"])
    print(f"\n{'tool':<20}{'wall s':>8}{'÷ lamsach':>11}{'CPU s':>8}{'÷ lamsach':>11}{'peak MiB':>10}   wall of each run")
    for tool in TOOLS:
        wall, cpu = statistics.median(seconds[tool]), statistics.median(cpus[tool])
        runs = ", ".join(f"{s:.2f}" for s in seconds[tool])
        print(f"{tool:<20}{wall:>8.2f}{wall / base:>11.1f}{cpu:>8.2f}{cpu / base_cpu:>11.1f}"
              f"{statistics.median(peaks[tool]):>10,.0f}   {runs}")
    print("lamsach's steps (median s): " + ", ".join(
        f"{step} {statistics.median(s[step] for s in steps):.2f}" for step in steps[0]))
    fastest = min(TOOLS, key=lambda t: statistics.median(seconds[t]))
    print(f"ratios (wall): GE/lamsach {statistics.median(seconds['great_expectations']) / base:.1f}, "
          f"Pandera/lamsach {statistics.median(seconds['pandera']) / base:.1f}; fastest: {fastest}")
    if mismatches:
        sys.exit(f"{mismatches} check(s) differ between the tools")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="register rows and land rows (each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the Parquet cache lives")
    parser.add_argument("--part", choices=("all", "1", "2"), default="all")
    parser.add_argument("--restandardise", action="store_true", help="re-run and re-time standardising")
    parser.add_argument("--child", choices=("prepare", "rules", *TOOLS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        folder, timings = prepare(args.out, args.rows, args.seed, args.restandardise)
        print(json.dumps({"folder": str(folder), **timings}))
        return
    if args.child:
        child(args.child, args.data, args.result)
        return

    print(f"python {' '.join(sys.argv)}  ({date.today().isoformat()}, {os.cpu_count()} cores)")
    started = time.perf_counter()
    # built in a child: a parent holding the data would lend its memory to every child's ru_maxrss
    timings = _run_child("prepare", None, extra=["--rows", str(args.rows), "--seed", str(args.seed),
                                                  "--out", str(args.out)]
                         + (["--restandardise"] if args.restandardise else []))
    folder = Path(timings["folder"])
    print(f"data ready in {time.perf_counter() - started:.1f} s (cached in {folder})")
    print(f"\n## Standardise (issue 3's cost), measured {timings['measured']} when the cache was built "
          f"(--restandardise to measure again)")
    for name, entry in timings["datasets"].items():
        rate = entry["rows"] / entry["seconds"] if entry["seconds"] else float("inf")
        print(f"{name:<14}{entry['rows']:>10,} rows{entry['seconds']:>9.2f} s{rate:>10,.0f} rows/s")
    if args.part in ("all", "1"):
        part1(folder, args.repeat)
    if args.part in ("all", "2"):
        part2(folder, args.repeat)


if __name__ == "__main__":
    main()
