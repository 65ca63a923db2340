"""Data for `bench_rules.py`: a register, land parcels and deaths with planted defects, as Parquet.

The register comes from `generate_register_rows` (clean, streamed, fast); land parcels and death
registrations are drawn from it here, row by row with one seeded `random.Random` per dataset, so
the same seed gives byte-identical files. Defects are planted at fixed shares (see `LAND_DEFECTS`
and `REGISTER_DEFECTS`) so every rule of the two datasets has rows to find, at a realistic rate:
most rows are clean, as in a real extract.

Three stages, each cached under one folder so repeats do not redo them:

1. `raw_<dataset>.parquet`: the cells as units send them (text, dd/mm/yyyy dates).
2. `std_<dataset>.parquet`: after `standardise_dataset`, in the shape `records_table.py` gives the
   engine (record_id, the fields, derived `__key/__year/__kind` columns, `__unit`, `__row_order`);
   the seconds it took are kept in `standardise.json`, since standardising is issue 3's cost and
   is reported next to the rule stage.
3. `checks.parquet`: one table for the 8 simple checks (land users with their register sex).
"""

from __future__ import annotations

import json
import math
import random
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from lamsach.data import catalogue_rows, load_schema
from lamsach.generate import DEFAULT_REFERENCE_DATE, generate_register_rows
from lamsach.generate.reference import reference
from lamsach.generate.register import format_date, parse_date
from lamsach.standardise import standardise_dataset
from lamsach.standardise.records_table import engine_table

PROVINCE = "38"
REFERENCE_DATE = DEFAULT_REFERENCE_DATE
DATASETS = ("population", "land_parcel", "death")

# shares of rows given each defect (independent draws; a row may carry several)
REGISTER_DEFECTS = {
    "stale": 0.02,  # updated more than 730 days before the reference date
    "duplicate_id": 0.001,  # the citizen_id of an earlier row (a duplicate record)
    "sex_unknown": 0.002,  # "Không rõ": not in the sex code table
    "sex_missing": 0.001,
    "name_missing": 0.0005,
}
LAND_DEFECTS = {
    "id_missing": 0.01,
    "id_cmnd9": 0.02,  # the old 9-digit CMND instead of the 12-digit ID
    "id_unknown": 0.01,  # 12 digits, in no register row
    "id_sex_century": 0.002,  # the real ID with the sex/century digit flipped
    "name_missing": 0.005,
    "name_other": 0.015,  # another person's name
    "name_spelling": 0.01,  # old/new tone position (Thuỷ/Thủy): same key, other spelling
    "birth_year_wrong": 0.005,
    "area_missing": 0.003,
    "area_gross": 0.005,  # 0, negative or over 5 km²: fails any range
    "area_for_code": 0.007,  # plausible for land, not for its land-use code
    "stale": 0.05,  # updated more than 365 days before the reference date
    "duplicate_key": 0.005,  # the (commune, map sheet, parcel no.) of an earlier parcel
    "dead_owner": 0.003,  # the owner is dead in the register
}
DEATHS_PER_1000 = 3  # death registrations per 1,000 register rows (3,000 for a million)

# (code, weight, min m², max m²): the generator's land uses, residential lots included
LAND_USES = [(u.code, (35.0 if u.kind == "residential" and u.code == "ONT" else 5.0)
              if u.kind == "residential" else u.rural_weight, u.min_m2, u.max_m2)
             for u in reference().land_uses]
TONE_SWAPS = {new: old for new, old in [
    ("òa", "oà"), ("óa", "oá"), ("ỏa", "oả"), ("õa", "oã"), ("ọa", "oạ"),
    ("òe", "oè"), ("óe", "oé"), ("ỏe", "oẻ"), ("õe", "oẽ"), ("ọe", "oẹ"),
    ("ùy", "uỳ"), ("úy", "uý"), ("ủy", "uỷ"), ("ũy", "uỹ"), ("ụy", "uỵ")]}
TONE_SWAPS.update({old: new for new, old in list(TONE_SWAPS.items())})


def data_folder(root: Path, rows: int, seed: int) -> Path:
    return root / f"rules-{rows}-{seed}"


def _columns(rows: list[dict[str, str]]) -> pa.Table:
    names = list(rows[0])
    return pa.table({n: pa.array([r[n] for r in rows], pa.string()) for n in names})


def _respell(name: str) -> str:
    """The same name with the other tone placement where it has oa/oe/uy; unchanged otherwise."""
    for new, old in TONE_SWAPS.items():
        if new in name:
            return name.replace(new, old, 1)
    return name


def build_register(rows: int, seed: int) -> list[dict[str, str]]:
    """`rows` register rows from the generator, with `REGISTER_DEFECTS` planted."""
    people = list(generate_register_rows(rows, seed=seed, province=PROVINCE, reference_date=REFERENCE_DATE))
    rng = random.Random(f"{seed}:bench-register")
    d = REGISTER_DEFECTS
    for i, person in enumerate(people):
        if rng.random() < d["stale"]:
            person["updated_at"] = format_date(REFERENCE_DATE - timedelta(days=731 + rng.randrange(1500)))
        if i and rng.random() < d["duplicate_id"]:
            person["citizen_id"] = people[rng.randrange(i)]["citizen_id"]
        draw = rng.random()
        if draw < d["sex_unknown"]:
            person["sex"] = "Không rõ"
        elif draw < d["sex_unknown"] + d["sex_missing"]:
            person["sex"] = ""
        if rng.random() < d["name_missing"]:
            person["full_name"] = ""
    return people


def _one_of(rng: random.Random, shares: dict[str, float], *names: str) -> str | None:
    """At most one of `names` (exclusive defects of one cell), each with its share of rows."""
    draw = rng.random()
    for name in names:
        if draw < shares[name]:
            return name
        draw -= shares[name]
    return None


def _area(rng: random.Random, low: float, high: float) -> str:
    return f"{math.exp(rng.uniform(math.log(low), math.log(high))):.1f}"


def build_land(people: list[dict[str, str]], rows: int, seed: int) -> list[dict[str, str]]:
    """`rows` parcels whose users are adults of the register, with `LAND_DEFECTS` planted."""
    rng = random.Random(f"{seed}:bench-land")
    adult_before = REFERENCE_DATE.year - 18
    alive = [p for p in people if p["status"] == "Còn sống" and p["citizen_id"]
             and int(p["date_of_birth"][-4:]) <= adult_before]
    dead = [p for p in people if p["status"] != "Còn sống" and p["citizen_id"]]
    known = {p["citizen_id"] for p in people}
    codes = [u[0] for u in LAND_USES]
    weights = [u[1] for u in LAND_USES]
    bounds = {u[0]: (u[2], u[3]) for u in LAND_USES}
    plausible_max = {r["land_use_code"]: float(r["max_m2"]) for r in catalogue_rows("rules/area_plausibility")}
    series = reference().config["land"]["certificate_series"]
    per_commune: dict[str, int] = {}
    d = LAND_DEFECTS
    parcels: list[dict[str, str]] = []
    for i in range(rows):
        owner = rng.choice(dead if dead and rng.random() < d["dead_owner"] else alive)
        commune = owner["commune_code"]
        k = per_commune[commune] = per_commune.get(commune, -1) + 1
        code = rng.choices(codes, weights)[0]
        low, high = bounds[code]
        area = _area(rng, low, high)
        area_defect = _one_of(rng, d, "area_missing", "area_gross", "area_for_code")
        if area_defect == "area_missing":
            area = ""
        elif area_defect == "area_gross":
            area = rng.choice(["0", f"-{area}", f"{rng.uniform(5_000_001, 9_000_000):.1f}"])
        elif area_defect == "area_for_code":
            area = f"{plausible_max[code] * rng.uniform(1.5, 3):.1f}"
        owner_id, name, year = owner["citizen_id"], owner["full_name"], owner["date_of_birth"][-4:]
        id_defect = _one_of(rng, d, "id_missing", "id_cmnd9", "id_unknown", "id_sex_century")
        if id_defect == "id_missing":
            owner_id = ""
        elif id_defect == "id_cmnd9":
            owner_id = str(rng.randrange(100_000_000, 1_000_000_000))
        elif id_defect == "id_unknown":
            while owner_id in known:
                owner_id = f"0{rng.choice(['38', '40', '01'])}{rng.randrange(10**9):09d}"
        elif id_defect == "id_sex_century":
            owner_id = owner_id[:3] + str(int(owner_id[3]) ^ 1) + owner_id[4:]
        name_defect = _one_of(rng, d, "name_missing", "name_other", "name_spelling")
        if name_defect == "name_missing":
            name = ""
        elif name_defect == "name_other":
            name = rng.choice(alive)["full_name"]
        elif name_defect == "name_spelling":
            name = _respell(name)
        if rng.random() < d["birth_year_wrong"]:
            year = str(int(year) + rng.choice([-10, -3, -2, -1, 1, 2, 3]))
        stale = rng.random() < d["stale"]
        updated = REFERENCE_DATE - timedelta(days=366 + rng.randrange(1500) if stale else rng.randrange(300))
        parcels.append({
            "record_id": f"TD{i + 1:08d}",
            "commune_code": commune,
            "map_sheet": str(1 + k // 900),
            "parcel_no": str(1 + k % 900),
            "area_m2": area,
            "land_use_code": code,
            "parcel_address": owner["address"],
            "certificate_serial": f"{series[i % len(series)]} {i // len(series):06d}",
            "owner_name": name,
            "owner_id": owner_id,
            "owner_birth_year": year,
            "owner_address": owner["address"],
            "updated_at": format_date(updated),
        })
    for i in range(1, rows):
        if rng.random() < d["duplicate_key"]:
            other = parcels[rng.randrange(i)]
            parcels[i].update({k: other[k] for k in ("commune_code", "map_sheet", "parcel_no")})
    return parcels


def build_deaths(people: list[dict[str, str]], land: list[dict[str, str]], seed: int) -> list[dict[str, str]]:
    """Death registrations: two thirds of people the register still shows alive (half of them land
    users, so `owner_deceased` and `death_not_reflected` have rows), a third already dead there."""
    rng = random.Random(f"{seed}:bench-deaths")
    count = max(30, len(people) * DEATHS_PER_1000 // 1000)
    by_id = {p["citizen_id"]: p for p in people if p["citizen_id"]}
    owners = sorted({r["owner_id"] for r in land if r["owner_id"] in by_id})
    elderly = [p for p in people if p["status"] == "Còn sống" and int(p["date_of_birth"][-4:]) < 1960]
    dead = [p for p in people if p["status"] != "Còn sống" and p["date_of_death"]]
    chosen = ([by_id[i] for i in rng.sample(owners, min(len(owners), count // 3))]
              + rng.sample(elderly, min(len(elderly), count // 3))
              + rng.sample(dead, min(len(dead), count - 2 * (count // 3))))
    rows = []
    for i, person in enumerate(chosen):
        died = parse_date(person["date_of_death"]) or REFERENCE_DATE - timedelta(days=1 + rng.randrange(400))
        registered = min(REFERENCE_DATE, died + timedelta(days=rng.randrange(30)))
        if rng.random() < 0.01:  # registered before the death: a date-order error
            registered = died - timedelta(days=1 + rng.randrange(60))
        deceased_id = person["citizen_id"]
        if i and rng.random() < 0.01:
            deceased_id = rows[rng.randrange(i)]["deceased_id"]
        rows.append({
            "record_id": f"KT{i + 1:08d}",
            "registration_no": f"{i + 1}/{registered.year}",
            "registration_date": format_date(registered),
            "commune_code": person["commune_code"],
            "deceased_name": person["full_name"],
            "deceased_id": deceased_id,
            "deceased_dob": person["date_of_birth"],
            "date_of_death": format_date(died),
            "updated_at": format_date(registered),
        })
    return rows


def build_raw(folder: Path, rows: int, seed: int) -> None:
    """Write the three raw datasets unless they are there already."""
    if all((folder / f"raw_{name}.parquet").exists() for name in DATASETS):
        return
    folder.mkdir(parents=True, exist_ok=True)
    people = build_register(rows, seed)
    land = build_land(people, rows, seed)
    deaths = build_deaths(people, land, seed)
    for name, data in (("population", people), ("land_parcel", land), ("death", deaths)):
        pq.write_table(_columns(data), folder / f"raw_{name}.parquet")


def records_arrow(schema_name: str, raw: pa.Table) -> tuple[pa.Table, float]:
    """Standardise a raw table and lay it out as `records_table.standardise_records` does.

    Returns the table and the seconds `standardise_dataset` took (the Arrow layout is not timed).
    """
    schema = load_schema(schema_name)
    columns = {name: raw.column(name).to_pylist() for name in schema.field_names if name in raw.column_names}
    started = time.perf_counter()
    result = standardise_dataset(schema, columns, reference_date=REFERENCE_DATE, province=PROVINCE)
    seconds = time.perf_counter() - started
    keys = [str(k).strip() for k in columns[schema.key]]
    return engine_table(schema, keys, result, [None] * len(keys)), seconds


def build_standardised(folder: Path, again: bool = False) -> dict:
    """Standardise each raw dataset once (or `again`); return {dataset: {rows, seconds}, measured}."""
    timings_file = folder / "standardise.json"
    if timings_file.exists() and not again:
        return json.loads(timings_file.read_text())
    timings: dict = {"measured": date.today().isoformat(), "datasets": {}}
    for name in DATASETS:
        table, seconds = records_arrow(name, pq.read_table(folder / f"raw_{name}.parquet"))
        pq.write_table(table, folder / f"std_{name}.parquet")
        timings["datasets"][name] = {"rows": table.num_rows, "seconds": round(seconds, 2)}
        del table
    timings_file.write_text(json.dumps(timings, indent=1))
    (folder / "checks.parquet").unlink(missing_ok=True)
    return timings


CHECKS_SQL = """
SELECT l.record_id, nullif(trim(l.commune_code), '') AS commune_code,
       nullif(trim(l.map_sheet), '') AS map_sheet, nullif(trim(l.parcel_no), '') AS parcel_no,
       nullif(trim(l.land_use_code), '') AS land_use_code, nullif(trim(l.owner_name), '') AS owner_name,
       nullif(trim(l.owner_id), '') AS owner_id, nullif(trim(l.area_m2), '') AS area_m2,
       nullif(trim(r.sex), '') AS sex, nullif(trim(l.updated_at), '') AS updated_at,
       l.__unit, l.__row_order
FROM read_parquet({land}) l
LEFT JOIN (SELECT citizen_id, sex FROM read_parquet({register}) WHERE citizen_id IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY citizen_id ORDER BY __row_order) = 1) r
  ON r.citizen_id = l.owner_id
ORDER BY l.__row_order
"""


def _path_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def build_checks(folder: Path) -> Path:
    """The table of the 8 simple checks: each land parcel's user with the register's sex.

    Blank text is made NULL here, once, so "missing" means the same to all three tools (pandas
    has no notion of a blank string being missing; lamsach's `Required` treats both alike).
    """
    path = folder / "checks.parquet"
    if not path.exists():
        con = duckdb.connect()
        sql = CHECKS_SQL.format(land=_path_literal(folder / "std_land_parcel.parquet"),
                                register=_path_literal(folder / "std_population.parquet"))
        pq.write_table(con.sql(sql).to_arrow_table(), path)
        con.close()
    return path


def prepare(root: Path, rows: int, seed: int, restandardise: bool = False) -> tuple[Path, dict]:
    """Raw, standardised and checks tables for `rows`/`seed`, built only where missing."""
    folder = data_folder(root, rows, seed)
    build_raw(folder, rows, seed)
    timings = build_standardised(folder, again=restandardise)
    build_checks(folder)
    return folder, timings
