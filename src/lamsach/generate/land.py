"""Land parcels and their land users, as a commune's land database lists them.

Each household holds a residential plot (ONT in a xã, ODT in a phường) and, in the countryside,
a few farm plots whose kind and area follow `land_use_mix.csv`. The land user is the living
head of household or, sometimes, the spouse; a few plots lie in a neighbouring commune, so the
owner's address and the parcel's commune differ without anything being wrong.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

from lamsach.generate.households import Person
from lamsach.generate.reference import LandUse, Weighted
from lamsach.generate.register import format_date
from lamsach.generate.world import World


def plausible_area(rng: random.Random, land_use: LandUse) -> str:
    """An area in m² (one decimal), log-uniform within the code's plausible range."""
    low, high = math.log(land_use.min_m2), math.log(land_use.max_m2)
    return f"{math.exp(rng.uniform(low, high)):.1f}"


class ParcelMaker:
    """Issues parcels with unique (commune, map sheet, parcel no.) and unique certificate serials."""

    def __init__(self, world: World, rng: random.Random) -> None:
        self.world, self.rng = world, rng
        self.cfg = world.ref.config["land"]
        uses = world.ref.land_uses
        self.residential = {
            setting: next(u for u in uses if u.kind == "residential" and getattr(u, f"{setting}_weight") > 0)
            for setting in ("rural", "urban")
        }
        self.farm = {
            setting: Weighted.of([(u.code, getattr(u, f"{setting}_weight")) for u in uses if u.kind != "residential"])
            for setting in ("rural", "urban")
        }
        self.by_code = {u.code: u for u in uses}
        self.used_parcels: set[tuple[str, int, int]] = set()
        self.used_serials: set[str] = set()

    def serial(self) -> str:
        rng = self.rng
        if rng.random() < self.cfg["no_certificate_share"]:
            return ""
        while True:
            serial = f"{rng.choice(self.cfg['certificate_series'])} {rng.randrange(1_000_000):06d}"
            if serial not in self.used_serials:
                self.used_serials.add(serial)
                return serial

    def parcel(self, owner: Person, land_use: LandUse) -> dict[str, str]:
        rng, cfg, world = self.rng, self.cfg, self.world
        commune = owner.commune
        if len(world.communes) > 1 and rng.random() < cfg["other_commune_share"]:
            commune = rng.choice([c for c in world.communes if c.code != owner.commune.code])
        while True:
            sheet, number = rng.randint(*cfg["map_sheets"]), rng.randint(*cfg["parcel_numbers"])
            if (commune.code, sheet, number) not in self.used_parcels:
                self.used_parcels.add((commune.code, sheet, number))
                break
        recent = world.ref.config["civil"]["recent_update_days"]
        return {
            "commune_code": commune.code,
            "map_sheet": str(sheet),
            "parcel_no": str(number),
            "area_m2": plausible_area(rng, land_use),
            "land_use_code": land_use.code,
            "parcel_address": commune.address(rng.choice(commune.hamlets)),
            "certificate_serial": self.serial(),
            "owner_name": owner.full_name,
            "owner_id": owner.citizen_id,
            "owner_birth_year": str(owner.dob.year),
            "owner_address": owner.commune.address(owner.hamlet),
            "updated_at": format_date(world.today - timedelta(days=rng.randrange(recent))),
        }


def build_land(world: World) -> None:
    """The land_parcel dataset: every household's plots, held by a living head or spouse."""
    rng = world.rng("land")
    maker = ParcelMaker(world, rng)
    cfg = maker.cfg
    dataset = world.dataset("land_parcel")
    households: dict[int, list[Person]] = {}
    for person in world.people:
        households.setdefault(person.household, []).append(person)
    for members in households.values():
        holders = [p for p in members if p.relation in ("head", "wife", "husband") and p.died_on is None]
        heads = [p for p in holders if p.relation == "head"]
        if not holders:
            continue
        setting = "urban" if members[0].commune.urban else "rural"
        uses: list[LandUse] = []
        if rng.random() < cfg["residential_share"][setting]:
            uses.append(maker.residential[setting])
        weights = cfg["agricultural_plots_weights"][setting]
        plots = rng.choices(range(len(weights)), weights=weights)[0]
        uses += [maker.by_code[maker.farm[setting].pick(rng)] for _ in range(plots)]
        for land_use in uses:
            spouses = [p for p in holders if p.relation != "head"]
            use_spouse = spouses and (not heads or rng.random() < cfg["spouse_owner_share"])
            owner = spouses[0] if use_spouse else heads[0]
            world.owners.add(owner.index)
            dataset.add(world.ref, maker.parcel(owner, land_use), {"owner": owner.index})
