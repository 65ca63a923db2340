"""`already_married`: a spouse with an earlier marriage registration, in either role.

The rule joins each registration with the earlier ones that name one of its spouses as husband
or as wife; each finding names the earliest such registration.
"""

from __future__ import annotations

from datetime import date

from lamsach.backends.engine import DuckDBEngine
from lamsach.data import load_schema
from lamsach.standardise import standardise_dataset
from lamsach.standardise.records_table import engine_table
from lamsach.validate import validate_datasets

A, B, C, D, E = (f"0380{n}0000001" for n in "12345")
# (record, registration date, husband ID, wife ID)
MARRIAGES = [
    ("KH1", "01/02/2010", A, B),
    ("KH2", "01/02/2015", B, C),  # B was the wife of KH1: B married again, in the other role
    ("KH3", "01/02/2016", D, A),  # A was the husband of KH1 (roles swapped): the earliest is KH1
    ("KH4", "01/02/2016", E, D),  # D married in KH3 the same day, listed before: KH3 comes first
    ("KH5", "01/02/2020", "", ""),  # no IDs: nothing to compare
]


def _already_married() -> list[tuple[str, str, str]]:
    schema = load_schema("marriage")
    keys = [m[0] for m in MARRIAGES]
    n = len(MARRIAGES)
    columns = {
        "record_id": keys, "registration_no": [str(i) for i in range(n)],
        "registration_date": [m[1] for m in MARRIAGES], "commune_code": ["16012"] * n,
        "husband_name": ["Nguyễn Văn An"] * n, "husband_id": [m[2] for m in MARRIAGES],
        "husband_dob": ["01/01/1980"] * n, "wife_name": ["Lê Thị Bình"] * n,
        "wife_id": [m[3] for m in MARRIAGES], "wife_dob": ["01/01/1982"] * n,
    }
    result = standardise_dataset(schema, columns, reference_date=date(2026, 11, 1))
    engine = DuckDBEngine(threads=2)
    tables = {"marriage": engine.register("ds_marriage", engine_table(schema, keys, result, [None] * n))}
    name = validate_datasets(engine, tables, "2026-11-01")
    rows = engine.rows(f'SELECT record_id, field, message FROM "{name}" WHERE rule = \'already_married\'')
    return sorted((r["record_id"], r["field"], r["message"].split("(")[1].split(")")[0]) for r in rows)


def test_a_spouse_married_before_in_either_role_is_found_with_the_earliest_registration():
    assert _already_married() == [
        ("KH2", "husband_id", "KH1"),
        ("KH3", "wife_id", "KH1"),
        ("KH4", "wife_id", "KH3"),
    ]
