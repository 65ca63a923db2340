"""Turn a dataset's stored records into standardised columns and an Arrow table for the engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from lamsach.backends.store import ValueChange
from lamsach.data import fill_template
from lamsach.domain import DatasetSchema, Repair
from lamsach.standardise import standardise_dataset


def repair_message(schema: DatasetSchema, field_name: str, rule: str, original: str | None, value: str | None,
                   messages: dict[str, dict[str, str]]) -> str:
    """The rule's Vietnamese template filled for one repair: the why of its version."""
    label = next((f.label_vi for f in schema.fields if f.name == field_name), field_name)
    template = messages.get(rule, {}).get("vi", rule)
    return fill_template(template, {"field": label, "original": original, "value": value})


class RecordValues(Protocol):
    """What standardising reads of a record: a `StoredRecord`, or a row the pass has just stored."""

    key: str
    unit: str | None
    data: dict[str, str | None]


def repair_changes(schema: DatasetSchema, keys: Sequence[str], repairs: dict[str, list[Repair]],
                   messages: dict[str, dict[str, str]]) -> list[ValueChange]:
    """Each automatic repair as the versioned change the store records, with source `repair` and its why."""
    return [
        ValueChange(schema.name, keys[repair.index], field_name, repair.value, "repair",
                    reason=repair_message(schema, field_name, repair.rule, repair.original, repair.value, messages),
                    rule=repair.rule)
        for field_name, field_repairs in repairs.items() for repair in field_repairs]


@runtime_checkable
class ColumnarRecords(Protocol):
    """Records held as columns (the rows a pass has just read and stored): keys, units and each
    field's values as lists, without a mapping per record."""

    keys: list[str]
    units: list[str | None]

    def columns(self, names: Sequence[str]) -> dict[str, list[str | None]]: ...


@dataclass
class StandardisedTable:
    schema: DatasetSchema
    keys: list[str]
    table: pa.Table
    repairs: dict[str, list[Repair]]
    problems: list
    changes: list[ValueChange]

    def cells(self, keys: set[str], fields: set[str]) -> dict[str, dict]:
        """For each record in `keys`: its `__unit`, its unit field and those of `fields` the table has."""
        wanted = [c for c in self.table.column_names if c in fields or c in ("__unit", self.schema.unit_field)]
        index = {key: i for i, key in enumerate(self.keys) if key in keys}
        picked = self.table.select(wanted).take(list(index.values())).to_pylist() if index else []
        return dict(zip(index, picked, strict=True))


@dataclass
class EngineStandardised:
    """A dataset standardised into an engine table that stays in the engine (`standardise.in_engine`
    in DuckDB, `standardise.on_spark` on Spark): `StandardisedTable`'s fields without the Arrow
    table; its cells are read back, in the engine's own SQL, only for the records a finding names."""

    schema: DatasetSchema
    keys: list[str]
    table_name: str
    engine: Any
    repairs: dict[str, list[Repair]]
    problems: list
    changes: list[ValueChange]

    def cells(self, keys: set[str], fields: set[str]) -> dict[str, dict]:
        """For each record in `keys`: its `__unit`, its unit field and those of `fields` the table has."""
        if not keys:
            return {}
        q = self.engine.dialect.quote
        columns = [*self.schema.field_names, "__unit"]  # record_id is the record's key, as in StandardisedTable
        wanted = [c for c in columns if c in fields or c in ("__unit", self.schema.unit_field)]
        wanted_keys = self.engine.register("cells_wanted", pa.table({"key": sorted(keys)}))
        try:
            rows = self.engine.rows(
                f"SELECT t.record_id AS __cells_key, {', '.join(f't.{q(c)}' for c in wanted)} FROM {q(self.table_name)} t "
                f"JOIN {q(wanted_keys)} k ON t.record_id = k.key", rule="standardise")
        finally:
            self.engine.drop(wanted_keys)
        return {row.pop("__cells_key"): row for row in rows}


def record_columns(schema: DatasetSchema, records: Sequence[RecordValues]) -> tuple[dict, list[str], list]:
    """Each field's values, the keys and the units of `records`, read column by column when they
    hold their values as columns (`ColumnarRecords`)."""
    if isinstance(records, ColumnarRecords):
        return records.columns(schema.field_names), list(records.keys), list(records.units)
    columns = {name: [r.data.get(name) for r in records] for name in schema.field_names}
    return columns, [r.key for r in records], [r.unit for r in records]


def arrow_columns(schema: DatasetSchema, records: Sequence[RecordValues]
                  ) -> tuple[list[str], list[str | None], dict[str, pa.Array | pa.ChunkedArray]]:
    """The keys, the units and each field's values as Arrow text: the read's own arrays when the
    records hold them (`arrow_columns`), else built from the records one field at a time."""
    if hasattr(records, "arrow_columns"):
        return list(records.keys), list(records.units), records.arrow_columns(schema.field_names)
    if isinstance(records, ColumnarRecords):
        columns = records.columns(schema.field_names)
        return list(records.keys), list(records.units), {n: pa.array(v, pa.string()) for n, v in columns.items()}
    return ([r.key for r in records], [r.unit for r in records],
            {name: pa.array([r.data.get(name) for r in records], pa.string()) for name in schema.field_names})


def standardise_records(schema: DatasetSchema, records: Sequence[RecordValues], reference_date: date,
                        messages: dict[str, dict[str, str]], province: str | None = None,
                        workers: int = 1) -> StandardisedTable:
    """Standardise every field of `records`; repairs become versioned changes with source `repair`.
    Records that hold their values as columns (`ColumnarRecords`) are read column by column."""
    columns, keys, units = record_columns(schema, records)
    result = standardise_dataset(schema, columns, reference_date=reference_date, province=province, workers=workers)
    changes = repair_changes(schema, keys, result.repairs, messages)
    table = engine_table(schema, keys, result, units)
    return StandardisedTable(schema, keys, table, result.repairs, result.problems, changes)


def engine_table(schema: DatasetSchema, keys: list[str], result, units: list[str | None]) -> pa.Table:
    """The layout every rule reads: record_id, the canonical fields as text, the derived columns,
    `__unit` (the unit that sent the record, else its commune code) and `__row_order`."""
    arrays: dict[str, pa.Array] = {"record_id": pa.array(keys, pa.string())}
    for name in schema.field_names:
        if name != "record_id":
            arrays[name] = pa.array(result.columns[name], pa.string())
    for name, values in result.derived.items():
        arrays[name] = pa.array(values)
    communes = result.columns.get(schema.unit_field) if schema.unit_field else None
    arrays["__unit"] = pa.array([u or (communes[i] if communes else None) for i, u in enumerate(units)], pa.string())
    arrays["__row_order"] = pa.array(range(len(keys)), pa.int64())
    return pa.table(arrays)
