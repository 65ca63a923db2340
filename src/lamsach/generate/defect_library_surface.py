"""Planters for *clean* defects: legacy encodings, spacing and case, old tones, lost zeros, copies.

Surface defects change how a value is written, never what it means, so each records the value
a cleaner must restore (`clean_values.csv`). They run last, on the final text, and skip fields
a whole-file quirk (the TCVN3 commune, the numeric-ID commune) already rewrites.
The encoders are the standardise stage's own (`lamsach.standardise.encode`), so the generator
writes exactly the legacy text the cleaner is built to read back.
"""

from __future__ import annotations

from datetime import timedelta

from lamsach.generate.defects import Job, Planter
from lamsach.generate.ids import is_citizen_id
from lamsach.generate.register import format_date, parse_date
from lamsach.generate.spelling import messy_spacing_case, old_tone, typo


def legacy_text(text: str, encoding: str) -> str | None:
    """`text` as a cell in a legacy encoding shows it, or None if the encoding cannot carry it."""
    from lamsach.standardise import encode  # the cleaner's own encoders, loaded when first needed

    try:
        return encode(text, encoding)
    except ValueError:
        return None


def _surface(job: Job, variant: str | None) -> bool:
    original = job.value
    if not original or variant is None or variant == original:
        return False
    if job.field in job.world.quirk_fields(job.dataset.name, job.row) or not job.claim():
        return False
    job.set(variant)
    job.clean(original)
    job.error()
    return True


def encoding(job: Job) -> bool:
    """encoding_<name>: the value typed in that legacy encoding (tcvn3, vni, nfd, viqr, ...)."""
    name = job.error_type.removeprefix("encoding_")
    return bool(job.value) and _surface(job, legacy_text(job.value, name))


def spacing_case(job: Job) -> bool:
    return bool(job.value) and _surface(job, messy_spacing_case(job.rng, job.value))


def old_tone_placement(job: Job) -> bool:
    return bool(job.value) and _surface(job, old_tone(job.value))


def id_leading_zero_lost(job: Job) -> bool:
    """The ID as a number: its leading zero gone (a CSV that went through Excel)."""
    value = job.value
    if not is_citizen_id(value) or not value.startswith("0"):
        return False
    return _surface(job, value.lstrip("0"))


def duplicate_record(job: Job) -> bool:
    """A second copy of an untouched record under a new id, updated on another day; a register
    copy sometimes with a slip in the name (records naming that person are then involved)."""
    dataset, world = job.dataset, job.world
    if not job.claim("*"):
        return False
    values = {k: v for k, v in job.row.items() if k != "record_id"}
    updated = parse_date(values.get("updated_at", ""))
    if updated is not None:
        floor = max([d for d in map(parse_date, values.values()) if d and d <= world.today] or [updated])
        span = (world.today - floor).days
        values["updated_at"] = format_date(floor + timedelta(days=job.rng.randrange(span + 1)))
    if "full_name" in values and job.rng.random() < 0.3:
        values["full_name"] = typo(job.rng, values["full_name"])
    index = dataset.add(world.ref, values, dict(dataset.persons[job.index]))
    if dataset.name == "population":  # two register entries for one ID: a record may meet either
        job.register_changed()
    dataset.claim(index, "*")
    world.truth.duplicate(dataset.name, dataset.record_id(index), job.record_id)
    job.error(index=index)
    return True


PLANTERS: dict[str, Planter] = {
    "encoding_tcvn3": encoding,
    "encoding_vni": encoding,
    "encoding_nfd": encoding,
    "encoding_viqr": encoding,
    "encoding_viscii": encoding,
    "encoding_cp1258": encoding,
    "encoding_utf8_mojibake": encoding,
    "spacing_case": spacing_case,
    "old_tone": old_tone_placement,
    "id_leading_zero_lost": id_leading_zero_lost,
    "duplicate_record": duplicate_record,
}
