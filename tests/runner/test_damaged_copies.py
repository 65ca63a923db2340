"""200 randomly damaged copies of the sample's files: each is refused with a documented error or
read, and every row read is stored or rejected with no readable value silently emptied.

Copies are made with a seeded `random.Random` (set LAMSACH_DAMAGE_SEED to try another), each
from a run of rows of one sample file with its record keys made its own (so copies do not
collide with one another), then damaged one to three times: bytes flipped, inserted, deleted
or cut off, lines repeated or lost, a stray quote, another code page, a damaged header; for
workbooks, cells blanked, typed differently or turned into formulas without a saved result (as
openpyxl writes them), columns added, rows repeated, or the zip itself damaged.

Every copy is first read alone, in-process: a file-level problem must be a LamsachError. The
copies that read are then run through `lamsach run` in a few passes, which must exit 0 without
a traceback; those refused run in one pass that must exit 1, the documented error exit, again
without a traceback. Each accepted file is then checked against an independent reading of its
bytes (the csv module, openpyxl): counts reconcile, every row with a key is stored or rejected,
and every non-blank cell under a read column arrives non-blank in the stored row, unless the
row was rejected; a column not read is named in the pass's summary.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import random
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.cli.app import app
from lamsach.data import load_schema, load_yaml
from lamsach.domain import LamsachError, SourceSpec
from lamsach.ingest import fold, load_manifest, read_source
from lamsach.ingest.grid import column_letter

COPIES = 200
ROWS = 30  # data rows kept per copy: enough for every kind of damage, small enough for CI
PASS_SIZE = 100
SEED = int(os.environ.get("LAMSACH_DAMAGE_SEED", "12"))
ENV = {"COLUMNS": "200", "LAMSACH_LINK_MIN_REFERENCES": "1000000"}  # ID links only: no model to train


@dataclass
class Copy:
    path: Path
    dataset: str
    unit: str | None
    encoding: str | None  # how the oracle decodes a CSV copy; None for a workbook
    damage: list[str] = field(default_factory=list)


# -- making the copies -------------------------------------------------------------------------


def csv_base(source: Path, n: int, rng: random.Random) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"), newline="")))
    header, data = rows[0], rows[1:]
    start = rng.randrange(max(1, len(data) - ROWS))
    return [header] + [[f"{r[0]}-{n:03d}", *r[1:]] for r in data[start:start + ROWS]]


def damage_csv(rows: list[list[str]], rng: random.Random, copy: Copy) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
    text = buffer.getvalue()
    if rng.random() < 0.15:
        kind = rng.choice(["header", "cell", "extra"])
        copy.damage.append(f"text:{kind}")
        lines = text.splitlines(keepends=True)
        if kind == "header":
            cells = lines[0].split(",")
            i = rng.randrange(len(cells))
            cells[i] = cells[i][: rng.randrange(len(cells[i]) + 1)] + rng.choice(["?", " (dd-mm-yyyy)", "x", ""])
            lines[0] = ",".join(cells) if cells[-1].endswith("\n") else ",".join(cells) + "\n"
        elif kind == "cell" and len(lines) > 1:
            i = rng.randrange(1, len(lines))
            lines[i] = lines[i].replace(",", ",,", 1)
        elif len(lines) > 1:
            i = rng.randrange(1, len(lines))
            lines[i] = lines[i].rstrip("\r\n") + ",ghi chú thêm\n"
        text = "".join(lines)
    copy.encoding = "utf-8"
    if rng.random() < 0.1:
        copy.encoding = rng.choice(["utf-16", "utf-8-sig"])
        copy.damage.append(f"encoding:{copy.encoding}")
    data = bytearray(text.encode(copy.encoding))
    for _ in range(rng.randint(1, 3)):
        data = damage_bytes(data, rng, copy, text_file=True)
    return bytes(data)


def damage_bytes(data: bytearray, rng: random.Random, copy: Copy, text_file: bool) -> bytearray:
    kinds = ["flip", "insert", "delete", "truncate"]
    if text_file:
        kinds += ["repeat_line", "drop_line", "quote", "nul", "none", "none"]
    kind = rng.choice(kinds)
    copy.damage.append(f"bytes:{kind}")
    if not data:
        return data
    at = rng.randrange(len(data))
    if kind == "flip":
        data[at] = rng.randrange(256)
    elif kind == "insert":
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
    elif kind == "delete":
        del data[at:at + rng.randint(1, 20)]
    elif kind == "truncate":
        del data[max(1, at):]
    elif kind == "quote":
        data[at:at] = b'"'
    elif kind == "nul":
        data[at:at] = b"\x00"
    elif kind in ("repeat_line", "drop_line"):
        lines = bytes(data).split(b"\n")
        i = rng.randrange(len(lines))
        if kind == "repeat_line":
            lines.insert(i, lines[i])
        elif len(lines) > 2:
            del lines[i]
        data = bytearray(b"\n".join(lines))
    return data


@functools.cache
def workbook_rows(source: Path) -> tuple[int, list[list]]:
    """A sample workbook's first sheet as values (read once: openpyxl is slow to load), and the
    index of its header row."""
    sheet = openpyxl.load_workbook(source, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return next(i for i, r in enumerate(rows) if "Mã hồ sơ" in r), rows


def damage_workbook(source: Path, n: int, rng: random.Random, copy: Copy) -> bytes:
    header, rows = workbook_rows(source)
    start = header + 1 + rng.randrange(max(1, len(rows) - header - 1 - ROWS))
    data_rows = [[f"{r[1]}-{n:03d}" if i == 1 and r[1] else v for i, v in enumerate(r)]
                 for r in rows[start:start + ROWS]]
    grid = [list(r) for r in rows[:header + 1]] + data_rows
    last = len(grid) - 1
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["formula", "blank", "typed", "column", "repeat", "extra", "header"])
        copy.damage.append(f"cell:{kind}")
        r, c = rng.randint(header + 1, last), rng.randrange(14)
        row = grid[r]
        if kind == "formula":
            row[c] = f"=E{r + 1}*1"
        elif kind == "blank":
            row[c] = None
        elif kind == "typed":
            row[c] = rng.choice([3.5, 0, True, -1, "  ", "#N/A", "1e5"])
        elif kind == "column":
            grid[header] += [None] * (15 - len(grid[header]))
            grid[header][14] = rng.choice(["Ghi chú", "Ngay cap nhat (dd-mm-yyyy)", "Dien tich (ha)"])
            row += [None] * (15 - len(row))
            row[14] = "x"
        elif kind == "repeat":
            grid.append(list(row))
        elif kind == "extra":
            row += [None] * (16 - len(row))
            row[15] = "ô thừa"
        else:
            grid[header][c] = f"{grid[header][c] or ''}?"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Thua dat"
    for row in grid:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    if rng.random() < 0.12:
        data = damage_bytes(data, rng, copy, text_file=False)
    return bytes(data)


def make_copies(sample_dir: Path, folder: Path) -> list[Copy]:
    rng = random.Random(SEED)
    sources = load_manifest(sample_dir / "manifest.yaml").sources
    copies = []
    for n in range(COPIES):
        source = rng.choice(sources)
        suffix = source.path.suffix
        copy = Copy(folder / f"{n:03d}-{source.path.stem}{suffix}", source.dataset, source.unit, None)
        if suffix == ".csv":
            copy.path.write_bytes(damage_csv(csv_base(source.path, n, rng), rng, copy))
        else:
            copy.path.write_bytes(damage_workbook(source.path, n, rng, copy))
        copies.append(copy)
    return copies


# -- running them --------------------------------------------------------------------------------


def read_alone(copy: Copy):
    """The copy read in-process: its SourceRead, or the LamsachErrors refusing it."""
    try:
        return read_source(SourceSpec(copy.path, copy.dataset, copy.unit), load_schema(copy.dataset))
    except LamsachError as error:
        return [error]
    except ExceptionGroup as group:
        assert all(isinstance(e, LamsachError) for e in group.exceptions), (copy.damage, group.exceptions)
        return list(group.exceptions)


def write_manifest(folder: Path, name: str, copies: list[Copy]) -> Path:
    sources = [{"path": c.path.name, "dataset": c.dataset, **({"unit": c.unit} if c.unit else {})} for c in copies]
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": "Tệp hỏng", "province": "38", "reference_date": "2026-11-20",
                                    "sources": sources}, allow_unicode=True), encoding="utf-8")
    return path


def cli_run(manifest: Path, out: Path, data: Path):
    result = CliRunner(env=ENV).invoke(app, ["run", str(manifest), "--out", str(out), "--data-dir", str(data)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.fixture(scope="module")
def damaged(sample_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("damaged")
    started = time.perf_counter()
    copies = make_copies(sample_dir, folder)
    made = time.perf_counter()
    reads = {c.path.name: read_alone(c) for c in copies}
    print(f"made {made - started:.1f}s, read {time.perf_counter() - made:.1f}s")
    accepted = [c for c in copies if not isinstance(reads[c.path.name], list)]
    refused = [c for c in copies if isinstance(reads[c.path.name], list)]
    data = folder / "data"
    for i in range(0, len(accepted), PASS_SIZE):
        result = cli_run(write_manifest(folder, f"pass{i}", accepted[i:i + PASS_SIZE]), folder / f"out{i}", data)
        assert result.exit_code == 0, result.output[-3000:]
        print(f"pass {i}: {time.perf_counter() - started:.1f}s")
    if refused:
        result = cli_run(write_manifest(folder, "refused", refused), folder / "out-refused", data)
        assert result.exit_code == 1, result.output[-3000:]
    store = SqlAlchemyStore.open(f"sqlite:///{data / 'lamsach.db'}")
    return copies, reads, accepted, refused, store


def test_the_copies_are_both_refused_and_read(damaged):
    copies, _, accepted, refused, _ = damaged
    assert len(copies) == COPIES
    assert len(accepted) > COPIES // 2 and len(refused) > COPIES // 20  # the damage is neither too kind nor fatal


def test_a_refused_copy_is_refused_before_anything_is_stored(damaged):
    _, _, _, refused, store = damaged
    names = {b["file_name"] for b in store.batches()}
    assert not names & {str(c.path) for c in refused}


def test_every_accepted_copy_reconciles_and_keeps_every_readable_value(damaged):
    _, reads, accepted, _, store = damaged
    batches = {b["file_name"]: b for b in store.batches()}
    problems: list[str] = []
    for copy in accepted:
        batch = batches[str(copy.path)]
        assert batch["rows_read"] == batch["rows_stored"] + batch["rows_rejected"], copy.path.name
        rejected = {r["row_no"] for r in store.rejections(batch["id"])}
        with store.engine.connect() as conn:
            stored = {r.row_no: json.loads(r.raw) for r in conn.execute(
                select(t.records.c.row_no, t.RECEIVED.label("raw")).where(t.records.c.batch_id == batch["id"]))}
        assert len(stored) == batch["rows_stored"], copy.path.name
        run = store.run(batch["run_id"])
        summary = json.loads(run["summary"])
        [source] = [s for s in summary["sources"] if s["file"] == str(copy.path)]
        unmapped = {u["column"] for u in source["unmapped_columns"]}
        for problem in check_values(copy, reads[copy.path.name], stored, rejected, unmapped):
            problems.append(f"{copy.path.name} {copy.damage}: {problem}")
    assert not problems, "\n".join(problems[:20])


# -- the independent reading -------------------------------------------------------------------


@functools.cache
def row_number_headers() -> frozenset[str]:
    """Headers of "số thứ tự" columns, which ingest skips as carrying no data."""
    return frozenset(fold(h) for h in load_yaml("catalogues/ingest/headers.yaml", "catalogue")["row_number_headers"])


def not_data(header: str | None) -> bool:
    return fold(header or "") in row_number_headers()


def same(header: str) -> str:
    """A header as both readings can agree on it: composed, trimmed, without the marks of bytes
    that were not text (one per byte in lamsach, one per bad sequence in Python's "replace")."""
    return unicodedata.normalize("NFC", header).replace("\ufffd", "").strip()


def readable(value) -> bool:
    if value is None:
        return False
    text = unicodedata.normalize("NFC", str(value)).replace("\ufffd", "").replace("\x00", "")
    return bool(text.strip())


def check_values(copy: Copy, read, stored: dict, rejected: set, unmapped: set) -> list[str]:
    grid = csv_grid(copy, read) if copy.encoding else workbook_grid(copy, read)
    if grid is None:
        return []
    header_no, header = read.header_row, None
    problems = []
    mapped = {same(h): f for h, f in read.column_map.items()}
    unmapped = {same(h) for h in unmapped}
    for row_no, cells in grid:
        if row_no == header_no:
            header = [same(str(c)) if c is not None else None for c in cells]
            width = max((i + 1 for i, h in enumerate(header) if readable(h)), default=0)
            for h in header:
                if readable(h) and h not in mapped and h not in unmapped and not not_data(h):
                    problems.append(f"column “{h}” neither read nor named")
            continue
        if header is None or row_no < header_no or not any(readable(c) for c in cells):
            continue
        if row_no in rejected:
            continue
        if row_no not in stored:
            problems.append(f"row {row_no} neither stored nor rejected")
            continue
        for i, value in enumerate(cells):
            if not readable(value):
                continue
            if i >= width:
                problems.append(f"row {row_no}: cell {column_letter(i)} beyond the header stored without a word")
                continue
            name = header[i]
            target = mapped.get(name) if readable(name) else None
            if target is None:
                label = name if readable(name) else f"[{column_letter(i)}]"
                if label not in unmapped and not not_data(name):
                    problems.append(f"row {row_no}: column {label} dropped without a word")
            elif not readable(stored[row_no].get(target)):
                problems.append(f"row {row_no}: {target} = “{value}” in the file, empty in the store")
    return problems


def csv_grid(copy: Copy, read) -> list[tuple[int, list]]:
    text = copy.path.read_bytes().decode(read.encoding or "utf-8", errors="replace")
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=read.delimiter or ",")
    rows, start = [], 1
    for cells in reader:
        rows.append((start, cells))
        start = reader.line_num + 1
    return rows


def workbook_grid(copy: Copy, read) -> list[tuple[int, list]] | None:
    """The sheet as openpyxl reads it; None when openpyxl cannot open a zip calamine could read
    (then only the counts are checked)."""
    try:
        book = openpyxl.load_workbook(copy.path)
    except Exception:  # any failure of the second reader only limits the check
        return None
    sheet = book[read.sheet] if read.sheet else book.worksheets[0]
    return [(row[0].row, [c.value for c in row]) for row in sheet.iter_rows() if row]
