"""`generate_province`: a whole sample province with ground truth, in the sample's shape.

The steps run in an order that keeps the story true: people first; register ID defects before
land and civil records copy people's IDs; meaning, then duplicates, then surface defects; the
whole-file quirks last. Every step draws from its own seeded stream (`World.rng`), so the same
seed writes byte-identical files.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from lamsach.generate.civil import build_civil
from lamsach.generate.defects import DUPLICATE, MEANING, PERSON, SURFACE, plant_phase
from lamsach.generate.ids import IdIssuer
from lamsach.generate.land import build_land
from lamsach.generate.names import NameSampler
from lamsach.generate.places import choose_communes
from lamsach.generate.quirks import apply_quirks, choose_quirk_communes
from lamsach.generate.reference import reference
from lamsach.generate.register import DEFAULT_REFERENCE_DATE, build_people, format_date, register_row
from lamsach.generate.sectors import SECTOR_DATASETS, build_sectors, involve_sector_stories
from lamsach.generate.truth import Truth
from lamsach.generate.world import World
from lamsach.generate.writers import LandWorkbook, write_dataset_csv, write_manifest

CIVIL_DATASETS = ("birth", "death", "marriage")


def build_world(people: int = 3000, seed: int = 1, province: str = "38",
                reference_date: date = DEFAULT_REFERENCE_DATE, *, defects: bool = True) -> World:
    """The province in memory, defects planted, truth recorded (nothing written yet).

    With `defects=False` the same seed gives the same province before any defect: the clean
    values every planted defect departs from (tests compare the two record by record).
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    ref = reference()
    communes = choose_communes(ref, province, people, random.Random(f"{seed}:places"))
    rng = random.Random(f"{seed}:people")  # the same stream generate_register_rows uses
    ids = IdIssuer(rng)
    world = World(ref=ref, seed=seed, province=province, today=reference_date, communes=communes, ids=ids,
                  names=NameSampler(ref, province), truth=Truth(ref.defects["criteria"]))
    world.people = build_people(ref, communes, province, reference_date, people, ids, rng)
    population = world.dataset("population")
    for person in world.people:
        values = register_row(ref, person)
        del values["record_id"]
        population.add(ref, values, {"person": person.index})
    if defects:
        choose_quirk_communes(world)
        plant_phase(world, PERSON)
    build_land(world)
    for name in CIVIL_DATASETS:
        world.dataset(name)
    build_civil(world)
    build_sectors(world)
    if defects:
        for phase in (MEANING, DUPLICATE, SURFACE):
            plant_phase(world, phase)
        apply_quirks(world)
        involve_sector_stories(world)
        world.truth.finalise(world.datasets)
    return world


def write_province(world: World, out_dir: Path) -> Path:
    """Write the world as the sample is laid out; returns the manifest's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ref, order = world.ref, world.rng("row-order")
    outputs = ref.config["outputs"]
    sources: list[tuple[str, str, str | None]] = []
    population = world.datasets["population"]
    rows = list(population.rows)
    order.shuffle(rows)
    write_dataset_csv(out_dir / "population.csv", population.schema, rows,
                      bom="population" in outputs["csv_with_bom"])
    sources.append(("population.csv", "population", None))
    land = world.datasets["land_parcel"]
    workbook = LandWorkbook(ref.config["workbook"], land.schema, world.today)
    quirks_of = {}
    for quirk, code in world.file_quirks.items():
        quirks_of.setdefault(code, set()).add(quirk)
    by_commune: dict[str, list[dict[str, str]]] = {c.code: [] for c in world.communes}
    for row in land.rows:
        by_commune[row["commune_code"]].append(row)
    for commune in world.communes:
        rows = by_commune[commune.code]
        order.shuffle(rows)
        path = f"land/{commune.code}.xlsx"
        titles = {"unit_upper": commune.name.upper(), "extract_date": format_date(world.today)}
        workbook.write(out_dir / path, rows, titles, quirks_of.get(commune.code, set()))
        sources.append((path, "land_parcel", commune.code))
    for name in (*CIVIL_DATASETS, *SECTOR_DATASETS):
        dataset = world.datasets[name]
        write_dataset_csv(out_dir / f"{name}.csv", dataset.schema, dataset.rows, bom=name in outputs["csv_with_bom"])
        sources.append((f"{name}.csv", name, None))
    world.truth.write(out_dir / "truth", world.datasets, world.people)
    manifest = out_dir / "manifest.yaml"
    name = outputs["manifest_name"].format(province_name=world.communes[0].province_name)
    write_manifest(manifest, name, world.province, world.today, sources)
    return manifest


def generate_province(out_dir: Path, people: int = 3000, seed: int = 1, province: str = "38",
                      reference_date: date = DEFAULT_REFERENCE_DATE) -> Path:
    """Write a sample province (register, land workbooks, civil registers, truth) to `out_dir`.

    Returns the manifest's path. The same arguments always write byte-identical files.
    """
    world = build_world(people, seed, province, reference_date)
    return write_province(world, Path(out_dir))
