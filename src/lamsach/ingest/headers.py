"""Which column holds which field: header folding, the header row search, the column mapping.

Units type headers by hand, so "Mã hồ sơ", "MÃ HỒ SƠ" and "Ma ho so:" must all find `record_id`:
headers are compared *folded* (accents, đ, case, spacing and punctuation removed) against each
field's name, label and aliases from its schema. The manifest's `columns:` mapping wins over the
aliases, because it is the unit telling us what its own file means. Exports put title rows above
the header, so the header is the row among the first N that names the most fields (the key and at
least one other); merged header cells are read from their top cell.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from lamsach.data import load_yaml
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, shown
from lamsach.ingest.grid import Grid, column_label, column_letter, is_blank

IGNORE = ""
"""A manifest `columns:` value that means "ignore this column" (written as null or "")."""

_MIN_FIELDS = 2
_CLOSEST_RATIO = 0.6
_CONTAINED_RATIO = 0.9
_CONTAINED_MIN = 5


def fold(text: str) -> str:
    """Header text reduced to what identifies it: no accents, đ as d, lower case, letters and digits."""
    text = text.replace("đ", "d").replace("Đ", "D").replace("ð", "d").replace("Ð", "D")
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


@cache
def _row_number_headers() -> frozenset[str]:
    doc = load_yaml("catalogues/ingest/headers.yaml", "catalogue")
    return frozenset(fold(h) for h in doc["row_number_headers"])


class HeaderIndex:
    """Folded header text -> canonical field, for one dataset and one source's overrides."""

    def __init__(
        self, schema: DatasetSchema, columns: Mapping[str, str | None] | None = None, file: str | None = None
    ) -> None:
        self.schema = schema
        self.key = schema.key
        self.aliases: dict[str, str] = {}
        for spec in schema.fields:
            for name in (spec.name, spec.label_vi, *spec.aliases):
                self.aliases.setdefault(fold(name), spec.name)
        self.overrides = {fold(h): (f or IGNORE) for h, f in (columns or {}).items()}
        unknown = sorted({f for f in self.overrides.values() if f and f not in schema.field_names})
        if unknown:  # load_manifest already refuses these; a SourceSpec built in code may not
            raise LamsachError(
                ErrorCode.MANIFEST_COLUMN_UNKNOWN,
                Location(file=file),
                {
                    "value": ", ".join(unknown),
                    "dataset": schema.name,
                    "expected": ", ".join(schema.field_names),
                },
            )

    def field_for(self, header: str | None) -> str | None:
        """The field a header names (manifest first, then aliases), or None."""
        if is_blank(header):
            return None
        folded = fold(header)
        if folded in self.overrides:
            return self.overrides[folded] or None
        return self.aliases.get(folded)

    def is_override(self, header: str) -> bool:
        return fold(header) in self.overrides

    def is_row_number(self, header: str) -> bool:
        """An STT column: ignored like any unknown column, but never offered as a look-alike."""
        folded = fold(header)
        return folded not in self.overrides and folded in _row_number_headers()


@dataclass(frozen=True)
class HeaderCandidate:
    """The best header row of a grid: its index, how many fields it names, whether the key is one."""

    row_index: int
    score: int
    has_key: bool


@dataclass
class ColumnMapping:
    """The result of reading a header row: which column index holds which field."""

    row_index: int
    row_number: int
    fields: dict[int, str]
    column_map: dict[str, str]
    ignored: list[str]
    labels: dict[int, str]
    width: int
    unnamed: list[int] = field(default_factory=list)
    unmapped: list[tuple[str, str | None]] = field(default_factory=list)
    """Named columns no field took and the manifest does not ignore: (header, closest field or None)."""


def header_texts(grid: Grid, row_index: int) -> list[str | None]:
    """The header cells of a row, an empty cell inside a vertical merge taking the merge's top value."""
    texts = list(grid.rows[row_index])
    # A horizontal span names one column, its leftmost; the other cells of the span stay empty.
    for top, left, bottom, _right in grid.merged:
        if top < row_index <= bottom and left < len(texts) and is_blank(texts[left]):
            texts[left] = grid.cell(top, left)
    return texts


def _fields_named(texts: list[str | None], index: HeaderIndex) -> set[str]:
    return {f for f in (index.field_for(t) for t in texts) if f}


def find_header(grid: Grid, index: HeaderIndex, search_rows: int) -> HeaderCandidate | None:
    """The first row naming the most fields: with the key if any row has it, else the best other."""
    best_keyed: HeaderCandidate | None = None
    best_other: HeaderCandidate | None = None
    for i in range(min(search_rows, len(grid.rows))):
        named = _fields_named(header_texts(grid, i), index)
        if len(named) < _MIN_FIELDS:
            continue
        candidate = HeaderCandidate(i, len(named), index.key in named)
        if candidate.has_key:
            if best_keyed is None or candidate.score > best_keyed.score:
                best_keyed = candidate
        elif best_other is None or candidate.score > best_other.score:
            best_other = candidate
    return best_keyed or best_other


def header_score(rows: list[list[str | None]], index: HeaderIndex) -> int:
    """How well some parsed rows look like this dataset's header (for choosing a CSV delimiter)."""
    return max((len(_fields_named(r, index)) for r in rows), default=0)


def visible_headers(grid: Grid, search_rows: int) -> list[str]:
    """The non-empty cells of the fullest row near the top, to show when no header is found."""
    rows = [[c.strip() for c in r if not is_blank(c)] for r in grid.rows[:search_rows]]
    return max(rows, key=len, default=[])


def map_columns(
    grid: Grid, row_index: int, index: HeaderIndex, file: str
) -> tuple[ColumnMapping, list[LamsachError]]:
    """Map a header row's columns to fields; errors for duplicate and missing required columns.

    Header texts are reported composed (NFC), as a cp1258 file's decomposed letters look the same,
    and with a byte that was not text shown as U+FFFD (`shown`).
    """
    texts = [shown(unicodedata.normalize("NFC", t)) if t else t for t in header_texts(grid, row_index)]
    row_number = grid.row_numbers[row_index]
    width = max((i + 1 for i, t in enumerate(texts) if not is_blank(t)), default=0)
    labels = {i: column_label(texts[i], i) for i in range(width)}
    by_field: dict[str, list[int]] = {}
    mapping = ColumnMapping(row_index, row_number, {}, {}, [], labels, width)
    for i in range(width):
        text = texts[i]
        if is_blank(text):
            mapping.unnamed.append(i)
            continue
        target = index.field_for(text)
        if target is None:
            mapping.ignored.append(text.strip())
            if not index.is_override(text) and not index.is_row_number(text):
                mapping.unmapped.append((text.strip(), None))
        else:
            by_field.setdefault(target, []).append(i)
    errors: list[LamsachError] = []
    where = Location(file=file, sheet=grid.sheet, row=row_number)
    for target, cols in by_field.items():
        chosen = [c for c in cols if index.is_override(texts[c])] or cols
        mapping.ignored.extend(texts[c].strip() for c in cols if c not in chosen)
        if len(chosen) > 1:
            found = ", ".join(labels[c] for c in chosen)
            errors.append(
                LamsachError(ErrorCode.INGEST_COLUMN_DUPLICATE, where, {"value": target, "found": found})
            )
            continue
        mapping.fields[chosen[0]] = target
        mapping.column_map[texts[chosen[0]].strip()] = target
    taken = set(by_field)
    mapping.unmapped = [(h, closest_field(h, index.schema, taken)) for h, _ in mapping.unmapped]
    found_text = ", ".join(f"“{t.strip()}”" for t in texts[:width] if not is_blank(t))
    unmatched = [
        t.strip()
        for t in texts[:width]
        if not is_blank(t) and index.field_for(t) is None and not index.is_row_number(t)
    ]
    for spec in index.schema.fields:
        if (spec.required or spec.name == index.key) and spec.name not in by_field:
            params = {
                "value": spec.label_vi,
                "dataset": index.schema.name,
                "found": found_text,
                "closest": closest_names(spec.label_vi, (spec.name, *spec.aliases), unmatched),
            }
            errors.append(LamsachError(ErrorCode.INGEST_REQUIRED_COLUMN_MISSING, where, params))
    return mapping, errors


def closest_names(label: str, aliases: tuple[str, ...], headers: list[str]) -> str:
    """File headers that look like a missing field, as `“header” → “known name”`; else its names.

    Compared folded with difflib, so a header that only lost its accents or gained a word is
    offered as the column to rename or map in the manifest.
    """
    known = list(dict.fromkeys((label, *aliases)))
    pairs: list[tuple[float, str, str]] = []
    for header in headers:
        scored = [(difflib.SequenceMatcher(None, fold(header), fold(n)).ratio(), n) for n in known]
        ratio, name = max(scored)
        if ratio >= _CLOSEST_RATIO:
            pairs.append((ratio, header, name))
    if pairs:
        pairs.sort(key=lambda p: -p[0])
        return ", ".join(f"“{h}” → “{n}”" for _, h, n in pairs[:3])
    return ", ".join(f"“{n}”" for n in known[:4])


def closest_field(header: str, schema: DatasetSchema, taken: set[str]) -> str | None:
    """The field an unmapped header most likely means, among fields no column took, or None.

    "Ngay sinh (dd-mm-yyyy)" is not an alias of any field — a format hint in brackets is part
    of what a header says ("Diện tích (ha)" is not `area_m2`) — so it is offered, not mapped:
    a folded name contained in the header counts as a strong likeness, else difflib's ratio.
    """
    folded = fold(header)
    best: tuple[float, str] | None = None
    for spec in schema.fields:
        if spec.name in taken:
            continue
        for name in (spec.label_vi, *spec.aliases, spec.name):
            known = fold(name)
            if not known:
                continue
            ratio = difflib.SequenceMatcher(None, folded, known).ratio()
            if len(known) >= _CONTAINED_MIN and known in folded:
                ratio = max(ratio, _CONTAINED_RATIO)
            if ratio >= _CLOSEST_RATIO and (best is None or ratio > best[0]):
                best = (ratio, spec.name)
    return best[1] if best else None


def unnamed_label(col: int) -> str:
    """How an ignored column without header text is listed: its letter in brackets."""
    return f"[{column_letter(col)}]"
