"""A CSV file's text as a `Grid`: delimiter chosen, quoted newlines kept, line numbers kept.

The delimiter is the one under which the file's top rows look most like the dataset's header
(`,` `;` tab or `|`), so an address full of commas in a semicolon file cannot fool it; when no
header can be recognised, the delimiter giving the most rows of one consistent width wins. An
Excel "sep=;" first line is honoured. Each record keeps the line where it starts, which is what a
clerk finds in a text editor even when a quoted cell spans several lines.

The text comes as lines decoded a chunk at a time (`encoding.text_lines`) and records are parsed
as they are used: the delimiter is chosen on the first 64 KiB, the header searched in the top
rows, and a province's file never sits in memory as one string or one list of rows.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.ingest.grid import Grid

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 65536
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$")

HeaderScore = Callable[[list[list[str | None]]], int]


class _Lines:
    """The text's lines, as csv.reader consumes them, remembering those of the current record."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        return line


def read_csv(text: str | Iterable[str], file: str, header_score: HeaderScore, sample_rows: int) -> tuple[Grid, str]:
    """The grid of a CSV text (a string, or its lines as `io.StringIO(text, newline="")` yields
    them) and the delimiter used. Only the top `sample_rows` rows are parsed here, for the header
    search; the grid's `rest` parses the others as they are used, so the file is never held whole."""
    lines = iter(io.StringIO(text, newline="") if isinstance(text, str) else text)
    first = _first_line(lines)
    hint = _SEP_LINE.match("".join(first).partition("\n")[0])
    skipped_lines = 0
    if hint:
        skipped_lines = 1
        delimiter = hint.group(1)
    else:
        sample, longer = _sample(first, lines)
        delimiter = _sniff(sample, longer, header_score, sample_rows)
        lines = itertools.chain(sample, lines)
    rows = _records(lines, delimiter, file, skipped_lines)
    head = list(itertools.islice(rows, sample_rows))
    grid = Grid(sheet=None, rows=[cells for cells, _ in head], row_numbers=[n for _, n in head], rest=rows)
    return grid, delimiter


def _first_line(lines: Iterator[str]) -> list[str]:
    """The lines up to the first line feed (what `text.partition("\\n")` calls the first line; a
    file ending lines with a bare CR has several), at most `_SAMPLE_CHARS` of them: a longer
    first line cannot be an Excel "sep=" hint."""
    taken: list[str] = []
    size = 0
    for line in lines:
        taken.append(line)
        size += len(line)
        if line.endswith("\n") or size > _SAMPLE_CHARS:
            break
    return taken


def _sample(taken: list[str], lines: Iterator[str]) -> tuple[list[str], bool]:
    """The lines making up the text's first `_SAMPLE_CHARS` characters (and the line that crosses
    that mark), and whether the text is longer than that."""
    size = sum(len(line) for line in taken)
    for line in lines:
        if size > _SAMPLE_CHARS:
            taken.append(line)
            return taken, True
        taken.append(line)
        size += len(line)
    return taken, size > _SAMPLE_CHARS


def sniff_delimiter(text: str, header_score: HeaderScore, sample_rows: int) -> str:
    """The delimiter whose parse of the first rows best shows the header, then the steadiest width."""
    return _sniff(io.StringIO(text, newline=""), len(text) > _SAMPLE_CHARS, header_score, sample_rows)


def _sniff(lines: Iterable[str], longer: bool, header_score: HeaderScore, sample_rows: int) -> str:
    sample = "".join(lines)[:_SAMPLE_CHARS]
    if longer and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best: tuple[int, int, int] | None = None
    chosen = DELIMITERS[0]
    for order, delimiter in enumerate(DELIMITERS):
        rows = _sample_rows(sample, delimiter, sample_rows)
        widths = Counter(len(r) for r in rows if len(r) > 1)
        steady = max(widths.values(), default=0)
        key = (header_score(rows), steady, -order)
        if best is None or key > best:
            best, chosen = key, delimiter
    return chosen


def _sample_rows(sample: str, delimiter: str, limit: int) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    try:
        for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            rows.append([cell or None for cell in row])
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a sample cut mid-record; what was read still shows the delimiter
    return rows


def _records(lines: Iterator[str], delimiter: str, file: str, line_offset: int
             ) -> Iterator[tuple[list[str | None], int]]:
    """Each record's cells and the line it starts on, parsed as they are asked for."""
    source = _Lines(lines)
    reader = csv.reader(source, delimiter=delimiter)
    start = 1
    last_number: int | None = None
    last_record: list[str] = []
    try:
        for row in reader:
            number = start + line_offset
            start = reader.line_num + 1
            last_record, source.current = source.current, []
            last_number = number
            yield [cell or None for cell in row], number
    except csv.Error as exc:
        raise _corrupt(file, start + line_offset, str(exc)) from None
    if last_record and _unterminated(last_record, delimiter):
        raise _corrupt(file, last_number or 1, "a quoted cell is never closed")


def _unterminated(record_lines: list[str], delimiter: str) -> bool:
    """Whether the last record ran to the end of the file inside quotes (csv accepts that silently)."""
    strict = csv.reader(io.StringIO("".join(record_lines), newline=""), delimiter=delimiter, strict=True)
    try:
        for _ in strict:
            pass
    except csv.Error:
        return True
    return False


def _corrupt(file: str, line: int, reason: str) -> LamsachError:
    return LamsachError(
        ErrorCode.INGEST_FILE_CORRUPT, Location(file=file, row=line), {"expected": "CSV", "reason": reason}
    )
