"""Checks that need two fields of the same record: an ID against its person's sex and birth year.

The schema says which fields belong to one person (`person_role`/`role_part`); a dataset whose
fields carry no role (the population register) uses its own citizen_id, sex, date_of_birth.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from lamsach.domain import CellProblem, Criterion, DatasetSchema
from lamsach.standardise.addresses import commune_name
from lamsach.standardise.ids import check_id_person
from lamsach.standardise.name_sex import sex_from_name

_REGISTER_PERSON = {"id": "citizen_id", "sex": "sex", "dob": "date_of_birth"}


def person_parts(schema: DatasetSchema) -> list[dict[str, str]]:
    """For each person of a record, its part -> field name map (id, sex, dob, birth_year, …)."""
    people = [parts for parts in schema.person_roles().values() if "id" in parts]
    names = set(schema.field_names)
    if not people and set(_REGISTER_PERSON.values()) <= names:
        people.append(dict(_REGISTER_PERSON))
    return people


def id_person_problems(
    schema: DatasetSchema,
    columns: dict[str, list[str | None]],
    derived: dict[str, list[Any]],
    found: list[CellProblem] = (),
) -> list[CellProblem]:
    """12-digit IDs whose sex/century or year digits disagree with the person's fields. A date
    already reported (impossible, in the future) is no evidence against the ID and is skipped."""
    doubtful = {(p.field, p.index) for p in found}
    problems: list[CellProblem] = []
    for parts in person_parts(schema):
        spec = schema.field(parts["id"])
        kinds = derived.get(f"{spec.name}__kind", [])
        ids = columns[spec.name]
        sexes = columns.get(parts.get("sex", ""))
        sex_source = "record"
        if sexes is None and "name" in parts:
            sexes = [None if n is None else sex_from_name(n) for n in columns[parts["name"]]]
            sex_source = "name"
        sexes = sexes or [None] * len(ids)
        year_field = parts.get("dob") or parts.get("birth_year") or ""
        years = derived.get(f"{year_field}__year") or [None] * len(ids)
        for index, (value, kind) in enumerate(zip(ids, kinds, strict=True)):
            if kind == "cccd12" and value is not None:
                year = None if (year_field, index) in doubtful else years[index]
                found_here = check_id_person(index, spec, value, sexes[index], year)
                if sex_source == "name":
                    found_here = [_from_name(p) for p in found_here]
                problems.extend(found_here)
    return problems


def _from_name(problem: CellProblem) -> CellProblem:
    if problem.rule != "id_sex_century_mismatch":
        return problem
    params = dict(problem.params, sex_source="name", sex=f"{problem.params.get('sex', '')} (theo tên)")
    return CellProblem(problem.index, problem.field, problem.rule, problem.criterion, problem.severity, params)


def address_commune_problems(
    schema: DatasetSchema, columns: dict[str, list[str | None]], derived: dict[str, list[Any]]
) -> list[CellProblem]:
    """Addresses of the record's own place (not a person's: an owner may live elsewhere) whose
    commune is not the record's commune code."""
    unit_field = schema.unit_field
    if not unit_field or f"{unit_field}__resolved" not in derived:
        return []
    record_codes = derived[f"{unit_field}__resolved"]
    problems: list[CellProblem] = []
    for spec in schema.fields:
        if spec.type != "address" or spec.person_role:
            continue
        for index, (code, own) in enumerate(zip(derived[f"{spec.name}__commune_code"], record_codes, strict=True)):
            if code is None or own is None or code == own:
                continue
            params = {
                "field": spec.label_vi, "value": columns[spec.name][index], "commune_code": own,
                "address_commune_code": code, "address_commune": commune_name(code),
            }
            # no suggested value: the fix may be the address or the record's commune code, and a
            # code is not an address an officer could accept into this field (the message names it)
            problems.append(CellProblem(index, spec.name, "address_commune_mismatch", Criterion.UNIFIED, params=params))
    return problems


def cross_field_problems(schema: DatasetSchema, columns: dict[str, list[str | None]],
                         derived: dict[str, list[Any]], found: list[CellProblem]) -> list[CellProblem]:
    """The checks that need two fields of one record (each row on its own: any slice of rows)."""
    return [*id_person_problems(schema, columns, derived, found), *address_commune_problems(schema, columns, derived)]


def cross_field_inputs(schema: DatasetSchema) -> tuple[list[str], list[str]]:
    """The fields and the derived columns `cross_field_problems` reads: a caller holding a
    dataset's rows a batch at a time needs only those as Python values, not every field."""
    fields: list[str] = []
    derived: list[str] = []
    for parts in person_parts(schema):
        fields += [parts[p] for p in ("id", "sex", "name") if p in parts]
        derived.append(f"{parts['id']}__kind")
        year_field = parts.get("dob") or parts.get("birth_year")
        if year_field:
            derived.append(f"{year_field}__year")
    if schema.unit_field:
        derived.append(f"{schema.unit_field}__resolved")
        for spec in schema.fields:
            if spec.type == "address" and not spec.person_role:
                fields.append(spec.name)
                derived.append(f"{spec.name}__commune_code")
    return list(dict.fromkeys(fields)), list(dict.fromkeys(derived))


_CENTURY_BASE = "CASE substr({id}, 4, 1) WHEN '0' THEN 1900 WHEN '1' THEN 1900 WHEN '2' THEN 2000 WHEN '3' THEN 2000 " \
                "WHEN '4' THEN 2100 WHEN '5' THEN 2100 WHEN '6' THEN 2200 WHEN '7' THEN 2200 ELSE 1800 END"


def cross_field_candidates(schema: DatasetSchema, quote: Callable[[str], str], derived: Collection[str]) -> str:
    """An SQL condition over a standardised table's row (`derived`: the derived columns it has)
    that holds for every row on which `cross_field_problems` can find anything (it may hold for
    more): an ID whose sex or year digits disagree with the record's sex or birth year
    (`ids.check_id_person`), an address whose commune is not the record's. The rows it leaves out
    need not become Python values at all."""
    parts: list[str] = []
    for person in person_parts(schema):
        cid = quote(person["id"])
        tests: list[str] = []
        if "sex" in person:
            sex = quote(person["sex"])
            tests.append(f"({sex} IN ('Nam', 'Nữ') AND {sex} <> CASE WHEN substr({cid}, 4, 1) IN "
                         f"('0', '2', '4', '6', '8') THEN 'Nam' ELSE 'Nữ' END)")
        elif "name" in person:  # the sex read from the name (`name_sex`): any such ID may disagree
            tests.append("TRUE")
        year_field = person.get("dob") or person.get("birth_year")
        if f"{year_field}__year" in derived:
            year = quote(f"{year_field}__year")
            tests.append(f"({year} IS NOT NULL AND {year} <> {_CENTURY_BASE.format(id=cid)} "
                         f"+ CAST(substr({cid}, 5, 2) AS INTEGER))")
        if tests:
            parts.append(f"({quote(person['id'] + '__kind')} = 'cccd12' AND {cid} IS NOT NULL "
                         f"AND ({' OR '.join(tests)}))")
    if schema.unit_field and f"{schema.unit_field}__resolved" in derived:
        own = quote(f"{schema.unit_field}__resolved")
        for spec in schema.fields:
            if spec.type == "address" and not spec.person_role:
                code = quote(f"{spec.name}__commune_code")
                parts.append(f"({code} IS NOT NULL AND {own} IS NOT NULL AND {code} <> {own})")
    return " OR ".join(parts) or "FALSE"


def has_cross_field_checks(schema: DatasetSchema) -> bool:
    """Whether `cross_field_problems` can find anything in this schema's records at all."""
    return bool(person_parts(schema)) or bool(schema.unit_field and any(
        s.type == "address" and not s.person_role for s in schema.fields))


def cross_field_order(schema: DatasetSchema) -> Callable[[int, CellProblem], tuple[int, int, int]]:
    """A sort key putting problems found over slices of rows (row, problem) in the order the
    checks give them over the whole dataset: each person's ID check over all rows, then the
    addresses' commune check over all rows."""
    checks = [p["id"] for p in person_parts(schema)] + [s.name for s in schema.fields if s.type == "address"]

    def order(row: int, problem: CellProblem) -> tuple[int, int, int]:
        kind = 1 if problem.rule == "address_commune_mismatch" else 0
        return kind, checks.index(problem.field) if problem.field in checks else len(checks), row

    return order
