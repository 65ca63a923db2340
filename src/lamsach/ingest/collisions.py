"""Record keys claimed twice: the later row is refused with both places named, never overwritten.

The store keys a record by campaign, dataset and `record_id`, "the source's own key", which is
also how the contract files name it. A second row carrying a key already taken would silently
replace the first record's fields and unit, and the counts would still reconcile. Keeping both
would need a key that is not the source's own, so the design's choice here is to refuse: the
first claim keeps the key and the later row is rejected with a reason that names the key, the
file, row and unit that hold it, and this row's unit — the same treatment a key repeated inside
one file gets (`INGEST_ROW_KEY_DUPLICATE`). Every row is still stored or rejected, and the
rejected row stays in its batch's original as received.

Two cases:
- within one pass, two files of one dataset carry the same key: the file listed first in the
  manifest keeps it (`INGEST_ROW_KEY_COLLISION`);
- across passes, a file whose unit the manifest names carries a key stored earlier for another
  unit (`INGEST_ROW_KEY_OTHER_UNIT`). A unit sending its own record again is an update, and a
  file without a declared unit takes each row's unit from its commune code, which a correction
  may legitimately change, so neither is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from lamsach.data import load_schema
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Rejection, SourceSpec
from lamsach.ingest.records import KEY_COLUMN, Records
from lamsach.ingest.source import SourceRead

_NO_UNIT = "—"


def row_key(values: Mapping[str, str | None], schema: DatasetSchema) -> str:
    return str(values[schema.key]).strip()


def row_unit(values: Mapping[str, str | None], schema: DatasetSchema, declared: str | None) -> str | None:
    """The unit a row belongs to: the manifest's, else its commune code as sent (a lost leading
    zero restored); standardising may still correct it later."""
    if declared:
        return declared
    return _unit_of(values.get(schema.unit_field) if schema.unit_field else None)


def row_keys(records: Records) -> list[str]:
    """`row_key` of every row, read from the key column."""
    return records.keys


def row_units(records: Records, schema: DatasetSchema, declared: str | None) -> list[str | None]:
    """`row_unit` of every row, read from the unit field's column."""
    if declared or not schema.unit_field:
        return [declared or None] * len(records)
    return [_unit_of(value) for value in records.column(schema.unit_field)]


def _unit_of(value: str | None) -> str | None:
    raw = (value or "").strip()
    if raw.endswith(".0"):
        raw = raw[:-2]
    return raw.zfill(5) if raw.isdigit() and len(raw) <= 5 else (raw or None)


@dataclass(frozen=True)
class _Claim:
    file: str
    sheet: str | None
    row: int
    unit: str | None


def reject_pass_collisions(sources: Sequence[SourceSpec], reads: Sequence[SourceRead], lang: str = "vi") -> int:
    """Refuse rows whose key an earlier file of the pass (manifest order) already carries; returns
    how many rows were refused. `reads` are changed in place, parallel to `sources`.

    The keys each file carries are compared as Arrow columns, so only keys found in more than one
    file become Python objects: a pass of millions of rows holds no per-row claim."""
    files_of: dict[str, list[int]] = {}
    for n, source in enumerate(sources):
        files_of.setdefault(source.dataset, []).append(n)
    drops: dict[int, dict[int, Rejection]] = {}
    for dataset, files in files_of.items():
        if len(files) < 2:
            continue
        schema = load_schema(dataset)
        for key, places in _shared_keys([reads[n].rows for n in files]).items():
            first_file, first_row = places[0]
            claimer = files[first_file]
            claim = _Claim(reads[claimer].file, _sheet(reads[claimer], first_row),
                           reads[claimer].row_numbers[first_row], _unit(reads[claimer], schema, sources[claimer],
                                                                        first_row))
            for file, i in places[1:]:
                n = files[file]
                if n == claimer:
                    continue
                unit = _unit(reads[n], schema, sources[n], i)
                params = {"value": key, "other_file": claim.file, "other_row": _row_text(claim),
                          "other_unit": claim.unit or _NO_UNIT, "unit": unit or _NO_UNIT}
                drops.setdefault(n, {})[i] = _rejection(reads[n], i, schema, ErrorCode.INGEST_ROW_KEY_COLLISION,
                                                        params, lang)
    return sum(_refuse(reads[n], dict(sorted(drop.items()))) for n, drop in sorted(drops.items()))


def _shared_keys(parts: Sequence[Records]) -> dict[str, list[tuple[int, int]]]:
    """Keys carried by more than one of `parts`, each with its places (part, row) in part then
    row order."""
    tables = [pa.table({"k": part.table.column(KEY_COLUMN),
                        "p": pa.array([n] * len(part), pa.int64()),
                        "i": pa.array(range(len(part)), pa.int64())}) for n, part in enumerate(parts)]
    every = pa.concat_tables(tables)
    files = every.group_by("k", use_threads=False).aggregate([("p", "count_distinct")])
    shared = files.filter(pc.greater(files["p_count_distinct"], 1))["k"]
    if len(shared) == 0:
        return {}
    found = every.filter(pc.is_in(every["k"], value_set=shared)).sort_by([("p", "ascending"), ("i", "ascending")])
    places: dict[str, list[tuple[int, int]]] = {}
    for key, part, row in zip(found["k"].to_pylist(), found["p"].to_pylist(), found["i"].to_pylist(), strict=True):
        places.setdefault(key, []).append((part, row))
    return places


def _unit(read: SourceRead, schema: DatasetSchema, source: SourceSpec, i: int) -> str | None:
    if source.unit or not schema.unit_field:
        return row_unit({}, schema, source.unit)
    return row_unit({schema.unit_field: read.rows.table.column(schema.unit_field)[i].as_py()}, schema, None)


def reject_taken_keys(source: SourceSpec, read: SourceRead, stored_units: Mapping[str, str | None],
                      lang: str = "vi") -> int:
    """Refuse rows of a file of a declared unit whose key is stored for another unit
    (`stored_units`: key -> unit of the stored record); returns how many rows were refused."""
    if not source.unit:
        return 0
    schema = load_schema(source.dataset)
    drop: dict[int, Rejection] = {}
    for i, key in enumerate(row_keys(read.rows)):
        owner = stored_units.get(key)
        if owner and owner != source.unit:
            params = {"value": key, "other_unit": owner, "unit": source.unit}
            drop[i] = _rejection(read, i, schema, ErrorCode.INGEST_ROW_KEY_OTHER_UNIT, params, lang)
    return _refuse(read, drop)


def _refuse(read: SourceRead, drop: dict[int, Rejection]) -> int:
    """Move the rows in `drop` to the read's rejections; `rows_read` stays what it was."""
    if not drop:
        return 0
    keep = [i for i in range(len(read.rows)) if i not in drop]
    sheets = read.sheets if len(read.sheets) == len(read.rows) else [read.sheet] * len(read.rows)
    read.rows = read.rows.take(keep)
    read.row_numbers = [read.row_numbers[i] for i in keep]
    read.sheets = [sheets[i] for i in keep]
    read.rejections = [*read.rejections, *drop.values()]
    return len(drop)


def _sheet(read: SourceRead, i: int) -> str | None:
    return read.sheets[i] if i < len(read.sheets) else read.sheet


def _row_text(claim: _Claim) -> str:
    return f"{claim.row} ({claim.sheet})" if claim.sheet else str(claim.row)


def _rejection(read: SourceRead, i: int, schema: DatasetSchema, code: ErrorCode, params: dict,
               lang: str) -> Rejection:
    column = next((header for header, name in read.column_map.items() if name == schema.key), schema.key)
    where = Location(file=read.file, sheet=_sheet(read, i), row=read.row_numbers[i], column=column)
    error = LamsachError(code, where, params)
    return Rejection(file=read.file, sheet=where.sheet, row=where.row or 0, column=column, code=code.value,
                     message=error.message(lang))
