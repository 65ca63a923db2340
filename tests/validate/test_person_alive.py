"""`person_alive`: a reference to someone dead per the register's status or a death registration.

The pass makes the dead IDs once (`dead_by_id`: the register's dead and every ID a death
registration names, with the register's date of death first); each role's rule joins that one
table. A rule run on its own makes the same table inline: both give the same findings.
"""

from __future__ import annotations

from datetime import date

from lamsach.backends.engine import DuckDBEngine
from lamsach.data import load_schema
from lamsach.standardise import standardise_dataset
from lamsach.standardise.records_table import engine_table
from lamsach.validate import RuleContext, rule_specs, run_rules, validate_datasets

A, B, C, D = (f"0380{n}0000001" for n in "1234")
# (citizen ID, status, date of death in the register); D is not in the register at all
REGISTER = [(A, "Đã chết", "05/03/2020"), (B, "Còn sống", ""), (C, "Còn sống", "")]
DEATHS = [(A, "01/01/2021"), (B, "10/06/2019"), (D, "02/02/2022")]  # A's register date is kept
PARCELS = [("T1", A), ("T2", B), ("T3", C), ("T4", D), ("T5", "")]
# (record, registration date, husband, wife): a spouse dead before the registration only
MARRIAGES = [("KH1", "01/01/2021", A, C), ("KH2", "01/01/2019", C, B), ("KH3", "01/01/2023", D, B)]


def _table(engine, name, columns):
    schema = load_schema(name)
    keys = columns["record_id"]
    result = standardise_dataset(schema, columns, reference_date=date(2026, 11, 1))
    return engine.register(f"ds_{name}", engine_table(schema, keys, result, [None] * len(keys)))


def _tables(engine) -> dict[str, str]:
    n = len(REGISTER)
    population = {
        "record_id": [f"DC{i}" for i in range(n)], "citizen_id": [r[0] for r in REGISTER],
        "full_name": ["Nguyễn Văn An"] * n, "date_of_birth": ["01/01/1950"] * n, "sex": ["Nam"] * n,
        "commune_code": ["16012"] * n, "status": [r[1] for r in REGISTER], "date_of_death": [r[2] for r in REGISTER]}
    death = {
        "record_id": [f"KT{i}" for i in range(len(DEATHS))], "registration_no": [str(i) for i in range(len(DEATHS))],
        "registration_date": [d[1] for d in DEATHS], "commune_code": ["16012"] * len(DEATHS),
        "deceased_name": ["Nguyễn Văn An"] * len(DEATHS), "deceased_id": [d[0] for d in DEATHS],
        "date_of_death": [d[1] for d in DEATHS]}
    land = {
        "record_id": [p[0] for p in PARCELS], "commune_code": ["16012"] * len(PARCELS),
        "map_sheet": ["1"] * len(PARCELS), "parcel_no": [str(i) for i in range(len(PARCELS))],
        "area_m2": ["200"] * len(PARCELS), "land_use_code": ["ONT"] * len(PARCELS),
        "owner_name": ["Nguyễn Văn An"] * len(PARCELS), "owner_id": [p[1] for p in PARCELS]}
    m = len(MARRIAGES)
    marriage = {
        "record_id": [r[0] for r in MARRIAGES], "registration_no": [str(i) for i in range(m)],
        "registration_date": [r[1] for r in MARRIAGES], "commune_code": ["16012"] * m,
        "husband_name": ["Nguyễn Văn An"] * m, "husband_id": [r[2] for r in MARRIAGES],
        "husband_dob": ["01/01/1950"] * m, "wife_name": ["Lê Thị Bình"] * m,
        "wife_id": [r[3] for r in MARRIAGES], "wife_dob": ["01/01/1950"] * m}
    return {name: _table(engine, name, cols) for name, cols in
            (("population", population), ("death", death), ("land_parcel", land), ("marriage", marriage))}


RULES = ("owner_deceased", "spouse_deceased")
EXPECTED = [
    ("KH1", "husband_id", "spouse_deceased", "2020-03-05"),  # the register's date, not the registration's
    ("KH3", "husband_id", "spouse_deceased", "2022-02-02"),  # only a death registration names D
    ("KH3", "wife_id", "spouse_deceased", "2019-06-10"),  # alive in the register, registered dead
    ("T1", "owner_id", "owner_deceased", "2020-03-05"),
    ("T2", "owner_id", "owner_deceased", "2019-06-10"),
    ("T4", "owner_id", "owner_deceased", "2022-02-02"),
]


def _found(engine, table) -> list[tuple[str, str, str, str]]:
    rows = engine.rows(f'SELECT record_id, field, rule, message FROM "{table}" '
                       f"WHERE rule IN ({', '.join(repr(r) for r in RULES)})")
    return sorted((r["record_id"], r["field"], r["rule"], r["message"].split(" ngày ")[1].split(" ")[0].rstrip(","))
                  for r in rows)


def test_dead_per_register_or_death_registration_found_once_per_reference():
    engine = DuckDBEngine(threads=2)
    assert _found(engine, validate_datasets(engine, _tables(engine), "2026-11-01")) == EXPECTED


def test_a_rule_run_on_its_own_finds_the_same_as_the_pass():
    engine = DuckDBEngine(threads=2)
    tables = _tables(engine)
    found = []
    for dataset in ("land_parcel", "marriage"):
        schema = load_schema(dataset)
        ctx = RuleContext(schema, tables, "2026-11-01", dialect=engine.dialect)  # no shared tables
        specs = [s for s in rule_specs(schema) if s.kind == "person_alive"]
        found += _found(engine, run_rules(engine, ctx, specs))
    assert sorted(found) == EXPECTED
