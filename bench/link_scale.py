"""A register of n people and n land users derived from it with realistic noise, for bench_link.py.

The register comes from `lamsach.generate.generate_register_rows` (clean, as the national
register is); each land user is an adult of it, drawn with replacement (people hold several
parcels), written as a commune land office writes them. The noise, per land user:

| what | share |
| --- | ---: |
| ID missing | 3% |
| old 9-digit CMND instead of the ID | 3% |
| 12-digit ID mistyped (a number the register does not hold) | 2% |
| name: one tone lost / last letter dropped / middle name changed | 2% / 1% / 1% |
| birth year off by one / missing | 1.5% / 1% |
| address in another commune (moved) | 5% |
| owner not in the register at all (lives in another province) | 1% |

Both tables are written once to `bench/out/link-<n>-<seed>/` as Parquet, in the columns the pass's
standardised tables have (`*__key`, `*__kind`, `*__year`, address parts), so the timed part
runs lamsach's own link stage on them and nothing else.
"""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from lamsach.generate import DEFAULT_REFERENCE_DATE, generate_register_rows
from lamsach.standardise import name_key

NOISE = {"id_missing": 0.03, "cmnd": 0.03, "id_mistyped": 0.02, "tone_lost": 0.02, "letter_dropped": 0.01,
         "middle_changed": 0.01, "year_off": 0.015, "year_missing": 0.01, "moved": 0.05, "outsider": 0.01}
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Xuân", "Quang", "Thu")
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _toneless(word: str) -> str:
    """`word` with its tone mark removed (the vowel's other marks kept): a tone lost in typing."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", word) if c not in TONE_MARKS))


def _iso(ddmmyyyy: str) -> str | None:
    parts = ddmmyyyy.split("/")
    return f"{parts[2]}-{parts[1]}-{parts[0]}" if len(parts) == 3 else None


def _noisy_name(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    draw = rng.random()
    p = NOISE
    if draw < p["tone_lost"]:
        i = rng.randrange(len(words))
        words[i] = _toneless(words[i])
    elif draw < p["tone_lost"] + p["letter_dropped"] and len(words[-1]) > 2:
        words[-1] = words[-1][:-1]
    elif draw < p["tone_lost"] + p["letter_dropped"] + p["middle_changed"] and len(words) > 2:
        words[1] = rng.choice([m for m in MIDDLE if m != words[1]])
    return " ".join(words)


def register_table(rows: list[dict]) -> pa.Table:
    keys = {n: name_key(n) for n in {r["full_name"] for r in rows}}
    cols: dict[str, list] = {c: [] for c in (
        "record_id", "citizen_id", "citizen_id__kind", "full_name", "full_name__key", "date_of_birth",
        "date_of_birth__year", "sex", "commune_code", "address", "address__commune_code", "address__hamlet",
        "household_id", "__row_order")}
    for i, r in enumerate(rows):
        dob = _iso(r["date_of_birth"])
        for name, value in (("record_id", r["record_id"]), ("citizen_id", r["citizen_id"]),
                            ("citizen_id__kind", "cccd12"), ("full_name", r["full_name"]),
                            ("full_name__key", keys[r["full_name"]]), ("date_of_birth", dob),
                            ("date_of_birth__year", int(dob[:4]) if dob else None), ("sex", r["sex"]),
                            ("commune_code", r["commune_code"]), ("address", r["address"]),
                            ("address__commune_code", r["commune_code"]),
                            ("address__hamlet", r["address"].split(", ")[0]),
                            ("household_id", r["household_id"]), ("__row_order", i)):
            cols[name].append(value)
    return pa.table(cols)


def land_table(rows: list[dict], n: int, seed: int) -> tuple[pa.Table, pa.Table]:
    """n land users and the truth (record_id -> citizen_id, empty for outsiders)."""
    rng = random.Random(f"{seed}:land")
    adults = [r for r in rows if r["date_of_birth"][-4:] <= str(DEFAULT_REFERENCE_DATE.year - 18)]
    communes = sorted({r["commune_code"] for r in rows})
    hamlet_of = {r["commune_code"]: r["address"] for r in rows}
    out: dict[str, list] = {c: [] for c in (
        "record_id", "commune_code", "owner_name", "owner_id", "owner_id__kind", "owner_birth_year",
        "owner_address", "owner_address__commune_code", "owner_address__hamlet", "__row_order")}
    truth: dict[str, list] = {"record_id": [], "citizen_id": []}
    for i in range(n):
        person = rng.choice(adults)
        record_id = f"TD{i + 1:08d}"
        year = person["date_of_birth"][-4:]
        name, citizen_id, commune, address = (person["full_name"], person["citizen_id"], person["commune_code"],
                                              person["address"])
        truth_id: str | None = citizen_id
        if rng.random() < NOISE["outsider"]:
            other = rng.choice(adults)
            name, year = f"{other['full_name'].split(' ')[0]} {person['full_name'].split(' ', 1)[1]}", str(
                int(year) + rng.randint(1, 9))
            citizen_id, truth_id = f"0{rng.randint(1, 96):02d}{rng.randrange(10**9):09d}", None
        draw = rng.random()
        kind = "cccd12"
        if draw < NOISE["id_missing"]:
            citizen_id, kind = None, None
        elif draw < NOISE["id_missing"] + NOISE["cmnd"]:
            citizen_id, kind = str(rng.randrange(100_000_000, 400_000_000)), "cmnd9"
        elif draw < NOISE["id_missing"] + NOISE["cmnd"] + NOISE["id_mistyped"]:
            citizen_id = citizen_id[:6] + f"{rng.randrange(10**6):06d}"
        name = _noisy_name(rng, name)
        draw = rng.random()
        if draw < NOISE["year_off"]:
            year = str(int(year) + rng.choice((-1, 1)))
        elif draw < NOISE["year_off"] + NOISE["year_missing"]:
            year = None
        if rng.random() < NOISE["moved"]:
            commune = rng.choice(communes)
            address = hamlet_of[commune]
        for col, value in (("record_id", record_id), ("commune_code", rng.choice(communes)), ("owner_name", name),
                           ("owner_id", citizen_id), ("owner_id__kind", kind), ("owner_birth_year", year),
                           ("owner_address", address), ("owner_address__commune_code", commune),
                           ("owner_address__hamlet", address.split(", ")[0]), ("__row_order", i)):
            out[col].append(value)
        truth["record_id"].append(record_id)
        truth["citizen_id"].append(truth_id)
    keys = {v: name_key(v) for v in set(out["owner_name"])}
    table = pa.table(out).append_column("owner_name__key", pa.array([keys[v] for v in out["owner_name"]]))
    return table, pa.table(truth)


def build(folder: Path, n: int, seed: int) -> Path:
    """Write register.parquet, land.parquet and truth.parquet into `folder` unless already there."""
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / "truth.parquet").exists():
        return folder
    rows = list(generate_register_rows(n, seed=seed))
    pq.write_table(register_table(rows), folder / "register.parquet")
    land, truth = land_table(rows, n, seed)
    pq.write_table(land, folder / "land.parquet")
    pq.write_table(truth, folder / "truth.parquet")
    return folder
