"""Reading one source file of a manifest: the original bytes, then its rows as raw text per field.

This is the stage's one entry for files. It keeps the original bytes and their SHA-256 (the batch
keeps the file as received), picks the reader from the extension, finds the header (in one sheet,
or in every sheet that has one), maps columns to the dataset's fields and hands back every row
either as a record or as a rejection. Problems with the file as a whole — missing, empty, not a
workbook, encrypted, unreadable text, header or required columns missing — are LamsachErrors,
gathered and raised together (an ExceptionGroup when there is more than one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Rejection, SourceSpec
from lamsach.domain.files import check_size
from lamsach.ingest.csv_reader import read_csv
from lamsach.ingest.encoding import detect, text_lines
from lamsach.ingest.grid import Grid
from lamsach.ingest.headers import (
    ColumnMapping,
    HeaderCandidate,
    HeaderIndex,
    find_header,
    header_score,
    map_columns,
    visible_headers,
)
from lamsach.ingest.records import Records
from lamsach.ingest.rows import RowsOut, extract_rows
from lamsach.ingest.xlsx_reader import WORKBOOK_FORMATS, read_workbook

TEXT_EXTENSIONS = ("csv", "txt", "tsv")
COLUMNAR_FORMATS = ("parquet",)
_MIN_FIELDS_WITHOUT_KEY = 3


@dataclass
class SourceRead:
    """One file as read: provenance, how it was read, and its rows (raw text, not yet standardised).

    `rows`, `row_numbers` and `sheets` are parallel: the row the user sees and the sheet it is on
    (None for CSV). `rows` holds the values as columns (`Records`: a sequence of per-row mappings
    built on demand). `sheet` and `header_row` describe the first sheet read; `sheet` is None when
    rows come from several sheets. `rows_read == len(rows) + len(rejections)`. A read whose rows
    wait on disk (`ingest.spill`) holds its row numbers as an `array` and `sheets` empty when
    every row is on `sheet`.
    """

    file: str
    sha256: str
    content: bytes = field(repr=False)
    format: str
    encoding: str | None
    sheet: str | None
    header_row: int
    column_map: dict[str, str]
    ignored_columns: list[str]
    rows: Records
    row_numbers: Sequence[int]
    rejections: list[Rejection]
    rows_read: int
    sheets: list[str | None] = field(default_factory=list)
    delimiter: str | None = None
    unmapped_columns: list[tuple[str, str | None]] = field(default_factory=list)
    """Columns with a header or data that no field took and the manifest does not ignore, each
    with the field it may mean: named in the pass's summary and report, so a column the aliases
    miss is never dropped without a word."""
    read_key: str | None = None
    """How the file was read (`read_key`), kept with its batch: a re-run finding it again leaves
    the file unread."""
    local: str | None = None
    """Where the bytes are on this machine when `file` is a URL: the pass's fetched copy."""

    def original(self) -> bytes:
        """The file's bytes as read: held, or (rows kept on disk, `ingest.spill`) read again and
        refused when they are no longer the bytes the rows were read from."""
        if self.content:
            return self.content
        try:
            content = Path(self.local or self.file).read_bytes()
        except OSError as problem:
            raise LamsachError(ErrorCode.INGEST_FILE_CHANGED, Location(file=self.file),
                               {"sha256": self.sha256, "actual": type(problem).__name__}) from None
        actual = hashlib.sha256(content).hexdigest()
        if actual != self.sha256:
            raise LamsachError(ErrorCode.INGEST_FILE_CHANGED, Location(file=self.file),
                               {"sha256": self.sha256, "actual": actual})
        return content


def read_source(
    source: SourceSpec,
    schema: DatasetSchema,
    header_search_rows: int = 30,
    *,
    lang: str = "vi",
    max_bytes: int | None = None,
) -> SourceRead:
    """Read `source` as a file of `schema`'s dataset; rejections' messages are in `lang`.

    A file over `max_bytes` is refused before it is read (by its size on disk, then by reading at
    most one byte more than allowed, for a file that grows or reports no size), so a 1 GB file
    costs no memory; a file within the limit is read once and kept whole as the batch's original.
    """
    file = source.name
    path = Path(source.path)
    if not path.is_file():
        raise LamsachError(ErrorCode.INGEST_FILE_NOT_FOUND, Location(file=file))
    fmt = format_of(path, file)
    try:
        check_size(path.stat().st_size, max_bytes, file)
        with path.open("rb") as handle:
            content = handle.read(-1 if max_bytes is None else max_bytes + 1)
        check_size(len(content), max_bytes, file)
    except OSError as exc:
        raise LamsachError(
            ErrorCode.INGEST_FILE_CORRUPT,
            Location(file=file),
            {"expected": f".{fmt}", "reason": exc.strerror},
        ) from None
    if not content:
        raise LamsachError(ErrorCode.INGEST_FILE_EMPTY, Location(file=file))
    index = HeaderIndex(schema, source.columns, file)
    encoding = delimiter = None
    if fmt == "csv":
        decoding = detect(content, file)
        encoding = decoding.encoding
        grid, delimiter = read_csv(
            text_lines(content, decoding), file, lambda rows: header_score(rows, index), header_search_rows
        )
        grid.stray_bytes = decoding.stray_bytes
        grids = [grid]
    elif fmt == "parquet":
        grids = [read_parquet(content, file)]
    else:
        grids = read_workbook(content, file, fmt, source.sheet, head_rows=header_search_rows)
    filled = [g for g in grids if not g.is_empty()]
    if not filled:
        raise LamsachError(ErrorCode.INGEST_FILE_EMPTY, Location(file=file, sheet=source.sheet))
    try:
        mappings = _map_headers(filled, index, header_search_rows, file)
    except (LamsachError, ExceptionGroup):
        for grid in filled:  # a CSV file broken further down says so first, as when read whole
            grid.drain()
        raise
    out = RowsOut(schema.field_names)
    for grid, mapping in mappings:
        extract_rows(grid, mapping, schema, file, lang, out)
    records = out.finish(file, lang)
    single = len(mappings) == 1
    if out.rows_read == 0:
        sheet = mappings[0][0].sheet if single else None
        raise LamsachError(ErrorCode.INGEST_FILE_EMPTY, Location(file=file, sheet=sheet))
    column_map: dict[str, str] = {}
    ignored: list[str] = []
    unmapped: dict[str, str | None] = {}
    for _, mapping in mappings:
        column_map.update(mapping.column_map)
        ignored.extend(mapping.ignored)
        for header, closest in mapping.unmapped:
            unmapped.setdefault(header, closest)
    unmapped.update((label, None) for label in out.unnamed_with_data if label not in unmapped)
    return SourceRead(
        file=file,
        local=str(path) if source.url else None,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        format=fmt,
        encoding=encoding,
        sheet=mappings[0][0].sheet if single else None,
        header_row=mappings[0][1].row_number,
        column_map=column_map,
        ignored_columns=list(dict.fromkeys([*ignored, *out.unnamed_with_data])),
        rows=records,
        row_numbers=out.row_numbers,
        rejections=out.rejections,
        rows_read=out.rows_read,
        sheets=out.sheets,
        delimiter=delimiter,
        unmapped_columns=list(unmapped.items()),
    )


def read_key(source: SourceSpec, schema: DatasetSchema, header_search_rows: int, lang: str,
             max_bytes: int | None) -> str | None:
    """A fingerprint of what reading `source` would give, without parsing it: the SHA-256 of the
    file's bytes with everything else the reading depends on (dataset schema, unit, column mapping,
    sheet, header search depth, message language, size limit, lamsach's version). The weekly re-run
    leaves a file whose fingerprint equals its stored batch's unread. None when the file cannot be
    hashed (missing, unreadable, too large): it is then read, and its error reported as usual."""
    from lamsach import __version__

    path = Path(source.path)
    try:
        if not path.is_file() or (max_bytes is not None and path.stat().st_size > max_bytes):
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    options = json.dumps([digest, source.dataset, source.unit, sorted(source.columns.items(), key=str),
                          source.sheet, header_search_rows, lang, max_bytes, __version__, repr(schema)],
                         ensure_ascii=False, default=str)
    return hashlib.sha256(options.encode()).hexdigest()




def read_parquet(content: bytes, file: str) -> Grid:
    """A Parquet file (what a national extract or a Spark job writes) as one grid: its column
    names as the header row, each value as text the way a workbook cell's value is written. Its
    rows are read a row group's batch at a time, as the grid's `rest`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(pa.BufferReader(content))
        names = list(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise _parquet_corrupt(exc, file) from None
    return Grid(None, [names], [1], rest=_parquet_rows(parquet, file))


def _parquet_rows(parquet, file: str) -> Iterator[tuple[list[str | None], int]]:
    import pyarrow as pa

    from lamsach.ingest.xlsx_reader import cell_text

    number = 1
    try:
        for batch in parquet.iter_batches(batch_size=8192):
            columns = [column.to_pylist() for column in batch.columns]
            for r in range(batch.num_rows):
                number += 1
                yield [cell_text(col[r]) for col in columns], number
    except (pa.ArrowException, OSError) as exc:
        raise _parquet_corrupt(exc, file) from None


def _parquet_corrupt(exc: Exception, file: str) -> LamsachError:
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    return LamsachError(ErrorCode.INGEST_FILE_CORRUPT, Location(file=file), {"expected": ".parquet", "reason": reason})


def format_of(path: Path, file: str) -> str:
    """The reader for a file, by its extension: "csv" for text files, else the workbook format."""
    extension = path.suffix.lower().lstrip(".")
    if extension in TEXT_EXTENSIONS:
        return "csv"
    if extension in WORKBOOK_FORMATS or extension in COLUMNAR_FORMATS:
        return extension
    supported = ", ".join(f".{e}" for e in (*TEXT_EXTENSIONS, *WORKBOOK_FORMATS, *COLUMNAR_FORMATS))
    raise LamsachError(
        ErrorCode.INGEST_FORMAT_UNSUPPORTED,
        Location(file=file),
        {"value": f".{extension}" if extension else path.name, "expected": supported},
    )


def _map_headers(
    grids: list[Grid], index: HeaderIndex, search_rows: int, file: str
) -> list[tuple[Grid, ColumnMapping]]:
    """Column mappings of every grid whose header names the key; all header problems at once."""
    found = [(g, find_header(g, index, search_rows)) for g in grids]
    required = sum(1 for spec in index.schema.fields if spec.required)
    # A sheet that names most of the dataset's fields but not the key is the dataset's data with
    # its key column lost: it is mapped, so the missing key is reported rather than its rows
    # silently skipped. A sheet naming a few fields (a summary, a code list) is not data.
    nearly = max(_MIN_FIELDS_WITHOUT_KEY, (required + 1) // 2)
    chosen: list[tuple[Grid, HeaderCandidate]] = [
        (g, c) for g, c in found if c and (c.has_key or c.score >= nearly)
    ]
    if not any(c.has_key for _, c in chosen):
        # No sheet names the key: map the best header anyway, so the clerk hears which required
        # columns (the key first) are missing and what the file has instead.
        near = [(g, c) for g, c in found if c]
        if not near:
            grid = grids[0]
            raise LamsachError(
                ErrorCode.INGEST_HEADER_MISSING,
                Location(file=file, sheet=grid.sheet),
                {
                    "dataset": index.schema.name,
                    "rows": search_rows,
                    "found": ", ".join(f"“{h}”" for h in visible_headers(grid, search_rows)),
                },
            )
        chosen = [max(near, key=lambda gc: gc[1].score)]
    mappings: list[tuple[Grid, ColumnMapping]] = []
    errors: list[LamsachError] = []
    for grid, candidate in chosen:
        mapping, problems = map_columns(grid, candidate.row_index, index, file)
        mappings.append((grid, mapping))
        errors.extend(problems)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ExceptionGroup(f"ingest {file}", errors)
    return mappings
