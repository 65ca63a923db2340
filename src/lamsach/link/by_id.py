"""Person references tied to the register by their 12-digit ID, in one SQL statement per role.

`id_verified` when the register agrees on the name key and the birth year, `id` when the ID is
known but a detail disagrees (the disagreement is a *unified* finding of the validate stage).
References without a usable ID are left to the probabilistic linker.
"""

from __future__ import annotations

from lamsach.backends.engine import Engine
from lamsach.domain import DatasetSchema
from lamsach.validate import register_by_id_sql

LINK_COLUMNS = ("dataset", "record_id", "role", "citizen_id", "match_probability", "method")
LINK_PROBABILITY_DECIMALS = 6
"""Decimals of `match_probability` in links.csv: a model's probability means nothing past a few
digits, and past the twelfth two engines summing the same numbers in another order part."""
ID_VERIFIED_PROBABILITY = 1.0
ID_ONLY_PROBABILITY = 0.9
"""An ID match whose name or birth year disagrees: the same number, but a detail to review."""


def register_by_id_table(engine: Engine, register: str) -> str:
    """The register (engine table `register`) one row per citizen_id as an engine table, made once
    for every dataset's ID links (each reduced it again: on Spark, a shuffle per person role)."""
    name = engine.table_name("link_register_by_id")
    engine.run(f"CREATE OR REPLACE TABLE {engine.dialect.quote(name)} AS SELECT * FROM "
               f"{register_by_id_sql(engine.dialect, register)}", rule="link register")
    return name


def link_by_id(engine: Engine, schema: DatasetSchema, table: str, register_by_id: str) -> str | None:
    """Links of every person role of `schema` as engine table `links_<dataset>`; None if no role.
    `register_by_id` is the register one row per citizen_id (`register_by_id_table`)."""
    quote = engine.dialect.quote
    selects = []
    reg = quote(register_by_id)
    for role, parts in schema.person_roles().items():
        if "id" not in parts:
            continue
        idq = "d." + quote(parts["id"])
        checks = []
        if "name" in parts:
            key = "d." + quote(parts["name"] + "__key")
            checks.append(f"({key} IS NULL OR {key} = r.full_name__key)")
        if "dob" in parts:
            year = "d." + quote(parts["dob"] + "__year")
            checks.append(f"({year} IS NULL OR {year} = r.date_of_birth__year)")
        elif "birth_year" in parts:
            year = "TRY_CAST(d." + quote(parts["birth_year"]) + " AS INTEGER)"
            checks.append(f"({year} IS NULL OR {year} = r.date_of_birth__year)")
        verified = " AND ".join(checks) or "true"
        selects.append(
            f"SELECT '{schema.name}' AS dataset, d.record_id, '{role}' AS role, r.citizen_id, "
            f"CASE WHEN {verified} THEN {ID_VERIFIED_PROBABILITY} ELSE {ID_ONLY_PROBABILITY} END "
            f"AS match_probability, CASE WHEN {verified} THEN 'id_verified' ELSE 'id' END AS method "
            f"FROM {quote(table)} d JOIN {reg} r ON r.citizen_id = {idq}")
    if not selects:
        return None
    name = engine.table_name(f"links_{schema.name}")
    engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS " + " UNION ALL ".join(selects),
               rule=f"link {schema.name}")
    return name
