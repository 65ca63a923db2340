"""Turn a dataset's stored records into standardised columns and an Arrow table for the engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from lamsach.backends.store import StoredRecord, ValueChange
from lamsach.domain import DatasetSchema, Repair
from lamsach.standardise import standardise_dataset


@dataclass
class StandardisedTable:
    schema: DatasetSchema
    keys: list[str]
    table: pa.Table
    repairs: dict[str, list[Repair]]
    problems: list
    changes: list[ValueChange]


def standardise_records(schema: DatasetSchema, records: list[StoredRecord], reference_date: date,
                        messages: dict[str, dict[str, str]], province: str | None = None) -> StandardisedTable:
    """Standardise every field of `records`; repairs become versioned changes with source `repair`."""
    columns = {name: [r.data.get(name) for r in records] for name in schema.field_names}
    result = standardise_dataset(schema, columns, reference_date=reference_date, province=province)
    keys = [r.key for r in records]
    changes = [
        ValueChange(schema.name, keys[repair.index], field_name, repair.value, "repair",
                    reason=messages.get(repair.rule, {}).get("vi", repair.rule), rule=repair.rule)
        for field_name, repairs in result.repairs.items() for repair in repairs
    ]
    arrays: dict[str, pa.Array] = {"record_id": pa.array(keys, pa.string())}
    for name in schema.field_names:
        if name != "record_id":
            arrays[name] = pa.array(result.columns[name], pa.string())
    for name, values in result.derived.items():
        arrays[name] = pa.array(values)
    communes = result.columns.get(schema.unit_field) if schema.unit_field else None
    units = [r.unit or (communes[i] if communes else None) for i, r in enumerate(records)]
    arrays["__unit"] = pa.array(units, pa.string())
    arrays["__row_order"] = pa.array(range(len(records)), pa.int64())
    return StandardisedTable(schema, keys, pa.table(arrays), result.repairs, result.problems, changes)
