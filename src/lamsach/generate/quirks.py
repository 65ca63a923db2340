"""Whole-file quirks of a commune's land workbook, as real units' files have them.

One commune still types in TCVN3 (every text cell of its workbook), one exported ID numbers
as Excel numbers (every 12-digit ID lost its leading zero), one holds real Excel dates. The
quirks are chosen before any defect is planted, so surface planters leave those cells alone,
and applied after, on the final values, recording each changed cell in the truth.
"""

from __future__ import annotations

from lamsach.generate.defect_library_surface import legacy_text
from lamsach.generate.ids import is_citizen_id
from lamsach.generate.world import World


def choose_quirk_communes(world: World) -> None:
    """Give each quirk its own commune (as many as there are communes)."""
    quirks = list(world.ref.defects["file_quirks"])
    communes = world.rng("quirks").sample(world.communes, min(len(quirks), len(world.communes)))
    world.file_quirks = {quirk: commune.code for quirk, commune in zip(quirks, communes, strict=False)}


def apply_quirks(world: World) -> None:
    dataset = world.datasets.get("land_parcel")
    if dataset is None:
        return
    specs = world.ref.defects["file_quirks"]
    truth = world.truth
    by_commune = {code: quirk for quirk, code in world.file_quirks.items()}
    for row in dataset.rows:
        quirk = by_commune.get(row["commune_code"])
        if quirk is None:
            continue
        spec = specs[quirk]
        for field in spec["fields"]:
            value = row.get(field, "")
            if not value:
                continue
            if quirk == "tcvn3":
                legacy = legacy_text(value, "tcvn3")
                changed = legacy is not None and legacy != value
                if changed:
                    row[field] = legacy
            else:  # numeric_ids: the writer stores the ID as a number; excel_dates change no text
                changed = quirk == "numeric_ids" and is_citizen_id(value) and value.startswith("0")
            if changed and spec.get("error_type"):
                truth.clean_value(dataset.name, row["record_id"], field, value)
                truth.error(dataset.name, row["record_id"], field, spec["error_type"])
