"""When standardising and a rule report the same verdict, the finding kept does not depend on chance.

The pass once kept one of the two by an unordered `row_number()`: the message and the suggested
value of `id_sex_century_mismatch` changed between identical runs. The kept finding now has the
message standardising wrote (it names the values it compared) and the suggested value whichever of
the two carried it (only the rule's join with the register finds the register's ID).
"""

from __future__ import annotations

from datetime import date

from lamsach.backends.engine import DuckDBEngine
from lamsach.data import load_schema
from lamsach.standardise import standardise_dataset
from lamsach.standardise.records_table import engine_table
from lamsach.validate import validate_datasets

RECORDS = 400


def _death_table(engine: DuckDBEngine) -> dict[str, str]:
    schema = load_schema("death")
    keys = [f"KT{i:05d}" for i in range(RECORDS)]
    columns = {
        "record_id": keys,
        "registration_no": [str(i) for i in range(RECORDS)],
        "registration_date": ["10/10/2026"] * RECORDS,
        "commune_code": ["16012"] * RECORDS,
        "deceased_name": [None] * RECORDS,  # every record misses a required field: one rule finding each
        "deceased_id": ["038060000001"] * RECORDS,
        "date_of_death": ["01/10/2026"] * RECORDS,
    }
    result = standardise_dataset(schema, columns, reference_date=date(2026, 11, 1))
    return {"death": engine.register("ds_death", engine_table(schema, keys, result, [None] * RECORDS))}


def _findings(cell_rows: list[dict]) -> list[dict]:
    engine = DuckDBEngine(threads=2)
    tables = _death_table(engine)
    name = validate_datasets(engine, tables, "2026-11-01", cell_rows=cell_rows)
    return engine.rows(f'SELECT * FROM "{name}" WHERE rule = \'missing_required\' ORDER BY record_id')


def test_duplicate_verdicts_keep_one_finding_chosen_the_same_way_every_run():
    from_rules = _findings([])
    assert len(from_rules) == RECORDS and all("Họ tên người chết" in f["message"] for f in from_rules)
    assert all(f["suggested_value"] is None for f in from_rules)
    # the same verdicts again from standardising, worded differently and with a suggested value
    cells = [{**f, "message": f"Thiếu họ tên ({f['record_id']})", "suggested_value": f"Người {f['record_id']}"}
             for f in from_rules]
    for _ in range(2):
        kept = _findings(cells)
        assert len(kept) == RECORDS  # one finding per verdict
        assert [f["message"] for f in kept] == [c["message"] for c in cells]
        assert [f["suggested_value"] for f in kept] == [c["suggested_value"] for c in cells]

