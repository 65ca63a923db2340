"""Person references and register people as two tables of the same columns, ready to compare.

Every dataset names people in its own fields (`owner_name`, `mother_id`, ...; the schema's
`person_role`/`role_part` say which). The linker needs them side by side with the register in
one shape, so this module turns each role of each dataset into rows of:

    unique_id, dataset, record_id, role, id_value, id_kind, full_name, name_key, name_plain,
    family, given, rest, rest_plain, dob, birth_year, year_only, sex, commune_code, hamlet, household,
    known

`name_plain` is the name key without tones and with đ as d, so that a lost or misplaced tone
still meets the register; `family`, `given` and `rest` (middle and given names) split the key for
comparisons, since a Vietnamese name is family, middle, given and the family name says little
(Nguyễn is one person in three). `year_only` holds the birth year only for references that know
nothing more (a land user), so a year match there is not confused with a full date match.
`household` is the register household of another person of the same record already tied by ID
(the child's or father's for a mother, the husband's for a wife): Vietnamese registers are kept
by household, and it is the strongest clue for a mother whose ID is missing.
`known` is the register person that *other* records with the same toneless name, date (or year)
of birth, commune and hamlet are tied to by a verified ID, when they all name one person: a land
user holds several parcels and one parcel's missing ID is written on the next; in a register of
millions, where a name, a birth year and a commune no longer single a person out, it is what
tells two namesakes apart.
"""

from __future__ import annotations

from lamsach.backends.engine import Dialect, Engine
from lamsach.domain import DatasetSchema

COLUMNS = ("unique_id", "dataset", "record_id", "role", "id_value", "id_kind", "full_name", "name_key",
           "name_plain", "family", "given", "rest", "rest_plain", "dob", "birth_year", "year_only", "sex",
           "commune_code", "hamlet", "household", "known", "citizen_id")


def _text(dialect: Dialect, value: str | None) -> str:
    return dialect.cast("NULL", "text") if value is None else dialect.literal(value)


def _name_columns(key: str) -> str:
    """SQL for name_key, name_plain, family, given, rest, rest_plain from a name-key expression."""
    plain = f"nullif(trim(replace(strip_accents({key}), 'đ', 'd')), '')"
    rest = f"CASE WHEN strpos({key}, ' ') > 0 THEN substr({key}, strpos({key}, ' ') + 1) END"
    return (f"{key} AS name_key, {plain} AS name_plain, "
            f"nullif(split_part({key}, ' ', 1), '') AS family, "
            f"CASE WHEN strpos({key}, ' ') > 0 THEN string_split({key}, ' ')[-1] END AS given, "
            f"{rest} AS rest, replace(strip_accents({rest}), 'đ', 'd') AS rest_plain")


def implied_sex(schema: DatasetSchema, role: str) -> str | None:
    """The sex a role implies where the record has no sex field (a father is Nam, a wife Nữ),
    as the schema's `register_match` rule declares it."""
    for rule in schema.rules:
        if rule.get("kind") == "register_match" and rule.get("role") == role and rule.get("sex"):
            return str(rule["sex"])
    return None


def role_select(dialect: Dialect, schema: DatasetSchema, table: str, role: str, parts: dict[str, str]) -> str | None:
    """One SELECT of `COLUMNS` for one role of one dataset; None if the role has no name."""
    quote = dialect.quote
    null_text, null_int = dialect.cast("NULL", "text"), dialect.cast("NULL", "integer")
    if "name" not in parts:
        return None
    col = lambda name: "d." + quote(name)  # noqa: E731
    id_value = col(parts["id"]) if "id" in parts else null_text
    id_kind = col(parts["id"] + "__kind") if "id" in parts else null_text
    if "dob" in parts:
        dob = dialect.cast(f"TRY_CAST({col(parts['dob'])} AS DATE)", "text")
        year = dialect.cast(col(parts["dob"] + "__year"), "integer")
        year_only = null_int
    elif "birth_year" in parts:
        dob = null_text
        year = f"TRY_CAST({col(parts['birth_year'])} AS INTEGER)"
        year_only = year
    else:
        dob, year, year_only = null_text, null_int, null_int
    sex = col(parts["sex"]) if "sex" in parts else _text(dialect, implied_sex(schema, role))
    record_commune = "d.commune_code"
    if "address" in parts:
        commune = f"coalesce({col(parts['address'] + '__commune_code')}, {record_commune})"
        hamlet = col(parts["address"] + "__hamlet")
    else:
        commune, hamlet = record_commune, null_text
    return (f"SELECT '{schema.name}|' || d.record_id || '|{role}' AS unique_id, '{schema.name}' AS dataset, "
            f"d.record_id, '{role}' AS role, {id_value} AS id_value, {id_kind} AS id_kind, "
            f"{col(parts['name'])} AS full_name, {_name_columns(col(parts['name'] + '__key'))}, "
            f"{dob} AS dob, {year} AS birth_year, {year_only} AS year_only, {sex} AS sex, "
            f"{commune} AS commune_code, lower({hamlet}) AS hamlet, {null_text} AS household, "
            f"{null_text} AS known, {null_text} AS citizen_id "
            f"FROM {quote(table)} d WHERE {col(parts['name'] + '__key')} IS NOT NULL")


def build_references(engine: Engine, schemas: list[DatasetSchema], tables: dict[str, str],
                     id_links: str) -> str:
    """All person references of `schemas` as one engine table, with the household context taken
    from `id_links` (the links by ID of the same pass) and the register."""
    quote = engine.dialect.quote
    selects = [sql for schema in schemas if schema.name in tables
               for role, parts in schema.person_roles().items()
               if (sql := role_select(engine.dialect, schema, tables[schema.name], role, parts))]
    name = engine.table_name("link_references")
    if not selects:
        engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT "
                   + ", ".join(f"{engine.dialect.cast('NULL', 'text')} AS {c}" for c in COLUMNS) + " WHERE false")
        return name
    register = quote(engine.table_name("link_register"))
    key = _known_key(engine.dialect, "u")
    context = {"household": "o.household",
               # the person other records of this name, birth and place are tied to (not counting this one)
               "known": ("CASE WHEN k.one_person AND k.records > CASE WHEN s.unique_id IS NULL THEN 0 ELSE 1 END "
                         "THEN k.citizen_id END")}
    columns = ", ".join(f"{context[c]} AS {c}" if c in context else f"refs.{c}" for c in COLUMNS)
    # each reference's known key made once; a household is the smallest among the record's
    # other roles' (a join on the record with the role excluded, not a correlated subquery: that
    # made the engine first set every reference's (dataset, record, role) apart once more); one
    # person behind a key is its smallest and largest citizen ID being one (no count of distinct)
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"WITH refs AS (SELECT u.*, {key} AS known_key FROM ({' UNION ALL '.join(selects)}) u), "
        f"homes AS (SELECT l.dataset, l.record_id, l.role, min(r.household) AS household FROM {quote(id_links)} l "
        f"  JOIN (SELECT citizen_id, any_value(household) AS household FROM {register} GROUP BY citizen_id) r "
        f"  ON r.citizen_id = l.citizen_id WHERE r.household IS NOT NULL GROUP BY l.dataset, l.record_id, l.role), "
        f"others AS (SELECT refs.unique_id, min(h.household) AS household FROM refs JOIN homes h "
        f"  ON h.dataset = refs.dataset AND h.record_id = refs.record_id AND h.role <> refs.role "
        f"  GROUP BY refs.unique_id), "
        f"tied AS (SELECT refs.unique_id, refs.known_key, l.citizen_id FROM refs JOIN {quote(id_links)} l "
        f"  ON l.dataset = refs.dataset AND l.record_id = refs.record_id AND l.role = refs.role "
        f"  WHERE l.method = 'id_verified' AND refs.known_key IS NOT NULL), "
        f"keys AS (SELECT known_key, min(citizen_id) AS citizen_id, min(citizen_id) = max(citizen_id) AS one_person, "
        f"  count(*) AS records FROM tied GROUP BY known_key) "
        f"SELECT {columns} FROM refs LEFT JOIN keys k ON k.known_key = refs.known_key "
        f"LEFT JOIN tied s ON s.unique_id = refs.unique_id LEFT JOIN others o ON o.unique_id = refs.unique_id",
        rule="link references")
    return name


def _known_key(dialect: Dialect, alias: str) -> str:
    """What two records of one person share: the toneless name, the date of birth (else the year),
    the commune and the hamlet (empty where the record has none). NULL without a name or a birth:
    a name and a commune alone are shared by namesakes too often to stand for one person."""
    text = lambda column: dialect.cast(f"{alias}.{column}", "text")  # noqa: E731
    return (f"CASE WHEN {alias}.name_plain IS NOT NULL AND {alias}.birth_year IS NOT NULL "
            f"AND {alias}.commune_code IS NOT NULL THEN {alias}.name_plain || '|' || "
            f"coalesce({text('dob')}, {text('birth_year')}) || '|' || {alias}.commune_code || '|' || "
            f"coalesce({alias}.hamlet, '') END")


def build_register(engine: Engine, population: str) -> str:
    """The register's people in the same columns as the references (one row per register record:
    a person entered twice meets a reference twice, and the link keeps the better of the two)."""
    quote = engine.dialect.quote
    name = engine.table_name("link_register")
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT d.record_id AS unique_id, 'population' AS dataset, "
        f"d.record_id, 'register' AS role, d.citizen_id AS id_value, d.citizen_id__kind AS id_kind, "
        f"d.full_name, {_name_columns('d.full_name__key')}, "
        f"{engine.dialect.cast('TRY_CAST(d.date_of_birth AS DATE)', 'text')} AS dob, "
        f"CAST(d.date_of_birth__year AS INTEGER) AS birth_year, "
        f"CAST(d.date_of_birth__year AS INTEGER) AS year_only, d.sex, "
        f"coalesce(d.address__commune_code, d.commune_code) AS commune_code, lower(d.address__hamlet) AS hamlet, "
        f"d.household_id AS household, {engine.dialect.cast('NULL', 'text')} AS known, d.citizen_id "
        f"FROM {quote(population)} d WHERE d.citizen_id IS NOT NULL AND d.full_name__key IS NOT NULL",
        rule="link register")
    return name
