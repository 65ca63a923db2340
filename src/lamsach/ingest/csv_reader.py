"""A CSV file's text as a `Grid`: delimiter chosen, quoted newlines kept, line numbers kept.

The delimiter is the one under which the file's top rows look most like the dataset's header
(`,` `;` tab or `|`), so an address full of commas in a semicolon file cannot fool it; when no
header can be recognised, the delimiter giving the most rows of one consistent width wins. An
Excel "sep=;" first line is honoured. Each record keeps the line where it starts, which is what a
clerk finds in a text editor even when a quoted cell spans several lines.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator

from lamsach.domain import ErrorCode, LamsachError, Location
from lamsach.ingest.grid import Grid

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_CHARS = 65536
_SEP_LINE = re.compile(r"^\s*sep=(.)\s*$")

HeaderScore = Callable[[list[list[str | None]]], int]


class _Lines:
    """The text's lines, as csv.reader consumes them, remembering those of the current record."""

    def __init__(self, text: str) -> None:
        self._lines = io.StringIO(text, newline="")
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.current.append(line)
        return line


def read_csv(text: str, file: str, header_score: HeaderScore, sample_rows: int) -> tuple[Grid, str]:
    """The grid of a CSV text and the delimiter used."""
    first_line, _, rest = text.partition("\n")
    hint = _SEP_LINE.match(first_line)
    skipped_lines = 0
    if hint:
        text, skipped_lines = rest, 1
    delimiter = hint.group(1) if hint else sniff_delimiter(text, header_score, sample_rows)
    return _parse(text, delimiter, file, skipped_lines), delimiter


def sniff_delimiter(text: str, header_score: HeaderScore, sample_rows: int) -> str:
    """The delimiter whose parse of the first rows best shows the header, then the steadiest width."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS and "\n" in sample:
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


def _parse(text: str, delimiter: str, file: str, line_offset: int) -> Grid:
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[list[str | None]] = []
    numbers: list[int] = []
    start = 1
    last_record: list[str] = []
    try:
        for row in reader:
            rows.append([cell or None for cell in row])
            numbers.append(start + line_offset)
            start = reader.line_num + 1
            last_record, lines.current = lines.current, []
    except csv.Error as exc:
        raise _corrupt(file, start + line_offset, str(exc)) from None
    if last_record and _unterminated(last_record, delimiter):
        raise _corrupt(file, numbers[-1] if numbers else 1, "a quoted cell is never closed")
    return Grid(sheet=None, rows=rows, row_numbers=numbers)


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
