"""Planters for defects a record shows on its own: a value missing, impossible or out of date.

These break *complete*, *correct* or *live* without needing the register to see them: a blank
required field, a date in the future or before the event it follows, a certificate serial of
the wrong shape, a land-use code not in the table, an implausible area, an address naming a
commune abolished in 2025 or another commune than the record's code, an old last-update date.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import cache

from lamsach.data import load_yaml, read_csv
from lamsach.domain.errors import LamsachError
from lamsach.generate.defects import Job, Planter
from lamsach.generate.places import Commune
from lamsach.generate.register import format_date, parse_date

SERIAL = re.compile(r"^([A-Z]{2}) (\d{6})$")


def missing_required(job: Job) -> bool:
    if not job.value or not job.claim():
        return False
    job.set("")
    job.error()
    job.register_changed()
    return True


def date_in_future(job: Job) -> bool:
    """A typo that lands after the reference date: 2013 typed 2031, or a plainly later date."""
    day, today = parse_date(job.value), job.world.today
    if day is None or not job.claim():
        return False
    swapped = day.year // 100 * 100 + day.year % 10 * 10 + day.year // 10 % 10
    try:
        future = day.replace(year=swapped)
    except ValueError:
        future = day
    if future <= today:
        future = today + timedelta(days=job.rng.randint(30, 3000))
    job.set(format_date(future))
    job.error()
    job.register_changed()
    return True


def date_order_invalid(job: Job) -> bool:
    """The date before the one it must follow (a registration before the birth it records)."""
    before_field = job.config["date_order"].get(job.dataset.name, {}).get(job.field)
    if before_field is None:
        return False
    before = parse_date(job.row.get(before_field, ""))
    if before is None or parse_date(job.value) is None or not job.claim(job.field, before_field):
        return False
    job.set(format_date(before - timedelta(days=job.rng.randint(3, 400))))
    job.error()
    return True


def format_invalid(job: Job) -> bool:
    """A certificate serial with a digit too few or too many, one letter, or a letter among the
    digits (a lost space, a dash or lower case are repairs, not this defect)."""
    match = SERIAL.match(job.value)
    if match is None or not job.claim():
        return False
    letters, digits = match.groups()
    variants = [f"{letters} {digits[:-1]}", f"{letters} {digits}{job.rng.randrange(10)}", f"{letters[0]} {digits}",
                f"{letters} {digits[:2]}O{digits[3:]}"]
    if "O" in letters:
        variants.append(f"{letters.replace('O', '0')} {digits}")
    job.set(job.rng.choice(variants))
    job.error()
    return True


def code_not_in_table(job: Job) -> bool:
    """A code no table knows: a land-use typo or group code, or a sector's (`invalid_codes`)."""
    wrong = job.config.get("invalid_codes", {}).get(f"{job.dataset.name}.{job.field}")
    codes = [c for c in wrong or job.config["invalid_land_use_codes"] if c != job.value]
    if not job.value or not job.claim(job.field, "area_m2"):
        return False
    job.set(job.rng.choice(codes))
    job.error()
    return True


@cache
def _working_bounds() -> dict[str, tuple[float, float]]:
    """The campaign's plausible-area bounds per land-use code, if the rules catalogue has them:
    a planted area must fall outside what the pass will accept, or it would go unseen."""
    try:
        document = load_yaml("catalogues/rules/area_plausibility.yaml", "catalogue")
        rows = read_csv(f"catalogues/rules/{document['files']['bounds']}")
    except (FileNotFoundError, KeyError, LamsachError):
        return {}
    return {r["land_use_code"]: (float(r["min_m2"]), float(r["max_m2"])) for r in rows}


def area_out_of_range(job: Job) -> bool:
    """Zero, a few m² (typed in hectares), or far above the largest plausible plot of the code."""
    land_use = job.world.ref.land_use(job.row.get("land_use_code", ""))
    if land_use is None or not job.value or not job.claim(job.field, "land_use_code"):
        return False
    low, high = _working_bounds().get(land_use.code, (land_use.min_m2, land_use.max_m2))
    rng, draw = job.rng, job.rng.random()
    if draw < 0.2:
        text = "0"
    elif draw < 0.6:
        text = f"{rng.uniform(0.01, min(low, land_use.min_m2) / 2):.2f}"
    else:
        text = f"{max(high, land_use.max_m2) * rng.uniform(2, 20):.1f}"
    job.set(text)
    job.error()
    return True


def stale_record(job: Job) -> bool:
    """Last updated well before the dataset's freshness window (and after its other dates)."""
    freshness = job.dataset.schema.freshness_days
    if freshness is None or not job.value:
        return False
    stale = job.world.today - timedelta(days=freshness + job.rng.randint(30, 1500))
    others = [parse_date(v) for f, v in job.row.items() if f != job.field and "/" in v]
    if any(d is not None and d > stale for d in others) or not job.claim():
        return False
    job.set(format_date(stale))
    job.error()
    return True


def _address_commune(job: Job) -> Commune | None:
    """The commune an address field describes: the person's home, or the record's commune."""
    if job.role_fields().get("address") == job.field:
        person = job.person()
        return person.commune if person else None
    return job.world.commune(job.row["commune_code"])


def abolished_admin_unit(job: Job) -> bool:
    """The address as written before 1 July 2025: old commune, old district."""
    commune = _address_commune(job)
    if commune is None or not commune.old_units or not job.value or not job.claim():
        return False
    hamlet = job.value.split(", ")[0]
    job.set(commune.old_address(hamlet, job.rng.choice(commune.old_units)))
    job.error()
    job.register_changed()
    return True


def address_commune_mismatch(job: Job) -> bool:
    """The address names another commune of the province than the record's commune code."""
    code = job.row.get("commune_code")
    others = [c for c in job.world.communes if c.code != code]
    if not others or not job.value or not job.claim():
        return False
    other = job.rng.choice(others)
    job.set(other.address(job.rng.choice(other.hamlets)))
    job.error()
    job.register_changed()
    return True


PLANTERS: dict[str, Planter] = {
    "missing_required": missing_required,
    "date_in_future": date_in_future,
    "date_order_invalid": date_order_invalid,
    "format_invalid": format_invalid,
    "code_not_in_table": code_not_in_table,
    "area_out_of_range": area_out_of_range,
    "stale_record": stale_record,
    "abolished_admin_unit": abolished_admin_unit,
    "address_commune_mismatch": address_commune_mismatch,
}
