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

from lamsach.data import load_schema
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Rejection, SourceSpec
from lamsach.ingest.source import SourceRead

_NO_UNIT = "—"


def row_key(values: Mapping[str, str | None], schema: DatasetSchema) -> str:
    return str(values[schema.key]).strip()


def row_unit(values: Mapping[str, str | None], schema: DatasetSchema, declared: str | None) -> str | None:
    """The unit a row belongs to: the manifest's, else its commune code as sent (a lost leading
    zero restored); standardising may still correct it later."""
    if declared:
        return declared
    raw = (values.get(schema.unit_field) or "").strip() if schema.unit_field else ""
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
    how many rows were refused. `reads` are changed in place, parallel to `sources`."""
    claims: dict[str, dict[str, _Claim]] = {}
    refused = 0
    for source, read in zip(sources, reads, strict=True):
        schema = load_schema(source.dataset)
        taken = claims.setdefault(source.dataset, {})
        mine: dict[str, _Claim] = {}
        drop: dict[int, Rejection] = {}
        for i, values in enumerate(read.rows):
            key = row_key(values, schema)
            unit = row_unit(values, schema, source.unit)
            first = taken.get(key)
            if first is None:
                mine.setdefault(key, _Claim(read.file, _sheet(read, i), read.row_numbers[i], unit))
                continue
            params = {"value": key, "other_file": first.file, "other_row": _row_text(first),
                      "other_unit": first.unit or _NO_UNIT, "unit": unit or _NO_UNIT}
            drop[i] = _rejection(read, i, schema, ErrorCode.INGEST_ROW_KEY_COLLISION, params, lang)
        taken.update(mine)
        refused += _refuse(read, drop)
    return refused


def reject_taken_keys(source: SourceSpec, read: SourceRead, stored_units: Mapping[str, str | None],
                      lang: str = "vi") -> int:
    """Refuse rows of a file of a declared unit whose key is stored for another unit
    (`stored_units`: key -> unit of the stored record); returns how many rows were refused."""
    if not source.unit:
        return 0
    schema = load_schema(source.dataset)
    drop: dict[int, Rejection] = {}
    for i, values in enumerate(read.rows):
        key = row_key(values, schema)
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
    read.rows = [read.rows[i] for i in keep]
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
