"""The contract files (findings, clean data, links, duplicates, scorecard) and the reports.

Everything a pass writes — these, and the link stage's model, charts and weights — goes into a
fresh staging folder beside the target (`open_staging`) and is moved into place at the end
(`publish`), so a crash never leaves a half-written set of files that other tools would read
as complete, nor files of two passes side by side.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.data import load_schema
from lamsach.domain import CRITERIA, ErrorCode, LamsachError, Location
from lamsach.link import LINK_COLUMNS
from lamsach.measure import OVERALL, SCORECARD_COLUMNS
from lamsach.report import write_reports
from lamsach.validate import FINDING_COLUMNS, quote

CONTRACT_FINDING_COLUMNS = [c for c in FINDING_COLUMNS if c != "unit"]


def _copy(engine: Engine, sql: str, path: Path) -> None:
    escaped = str(path).replace("'", "''")
    engine.run(f"COPY ({sql}) TO '{escaped}' (HEADER, DELIMITER ',', QUOTE '\"')", rule=f"write {path.name}")


def open_staging(out_dir: Path) -> Path:
    """A fresh folder beside `out_dir` that the pass writes into until `publish`."""
    out_dir = Path(out_dir)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    except OSError as exc:
        raise LamsachError(ErrorCode.OUTPUT_NOT_WRITABLE, Location(file=str(out_dir)),
                           {"reason": exc.strerror or str(exc)}) from None


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out_dir: Path, previous: tuple[str, ...] = ()) -> None:
    """Move everything staged into `out_dir`, replacing what an earlier pass left there under the
    same names or under `previous` (files a pass may or may not write, such as a chart)."""
    out_dir = Path(out_dir)
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    for name in {*previous, *(item.name for item in staging.iterdir())}:
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for item in staging.iterdir():
        item.rename(out_dir / item.name)
    staging.rmdir()


def write_outputs(engine: Engine, staging: Path, datasets: list[str], tables: dict[str, str], findings: str,
                  links: str, scorecard: str, summary) -> None:
    """Write the contract files and the reports into `staging`."""
    f = quote(findings)
    _copy(engine, f"SELECT {', '.join(CONTRACT_FINDING_COLUMNS)} FROM {f}", staging / "findings.csv")
    (staging / "clean").mkdir()
    for dataset in datasets:
        fields = ", ".join(quote(n) for n in load_schema(dataset).field_names)
        _copy(engine, f"SELECT {fields} FROM {quote(tables[dataset])} ORDER BY __row_order",
              staging / "clean" / f"{dataset}.csv")
    _copy(engine, f"SELECT {', '.join(LINK_COLUMNS)} FROM {quote(links)} ORDER BY dataset, record_id, role",
          staging / "links.csv")
    _copy(engine, f"SELECT dataset, record_id, suggested_value AS duplicate_of FROM {f} "
                  f"WHERE rule = 'duplicate_record' ORDER BY dataset, record_id", staging / "duplicates.csv")
    _copy(engine, f"SELECT {', '.join(SCORECARD_COLUMNS)} FROM {quote(scorecard)} "
                  f"WHERE criterion <> '{OVERALL}'", staging / "scorecard.csv")
    _fill_counts(engine, f, links, summary)
    write_reports(engine, staging, tables, findings, scorecard, summary)


def _fill_counts(engine: Engine, findings: str, links: str, summary) -> None:
    rows = engine.run(f"SELECT criterion, status, count(*) FROM {findings} GROUP BY ALL")
    by_criterion: dict[str, dict[str, int]] = {c.value: {} for c in CRITERIA}
    for criterion, status, count in rows:
        by_criterion.setdefault(criterion, {})[status] = count
    summary.findings_by_criterion = by_criterion
    summary.links = engine.run(f"SELECT count(*) FROM {quote(links)}")[0][0]
    summary.duplicates = engine.run(f"SELECT count(*) FROM {findings} WHERE rule = 'duplicate_record'")[0][0]
