"""The province's twelve key databases as data: which datasets each holds, its lead department,
the national system it connects to, the stage its department reports and its target date.

The shipped file (`data/catalogues/key_databases/key_databases.yaml`) lists the twelve; a
province edits its own copy and points `LAMSACH_KEY_DATABASES` (or `--catalogue`) at it. A bad
file is refused with a message naming the file, the database and the key, never half read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lamsach.data import catalogue_rows, load_yaml
from lamsach.domain import ErrorCode, LamsachError, Location

SHIPPED = "catalogues/key_databases/key_databases.yaml"
STAGES = ("planned", "building", "populated", "cleaned", "connected", "shared")
PROVABLE = frozenset({"populated", "cleaned", "shared"})
"""Stages the data itself proves: computed for a database whose datasets lamsach holds."""


@dataclass(frozen=True)
class KeyDatabase:
    id: str
    name_vi: str
    name_en: str
    lead_department: str  # a code of units/departments.csv, or a name
    lead_department_name: str
    national_system: str
    datasets: tuple[str, ...]
    stage: str  # as the lead department reports it
    target_date: date

    def name(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class KeyDatabaseCatalogue:
    databases: tuple[KeyDatabase, ...]
    complete_stage: str
    cleaned_score: float
    shared_score: float
    reference_datasets: tuple[str, ...]
    source_file: str

    def database_of(self, dataset: str) -> KeyDatabase | None:
        """The key database a dataset belongs to (None for the register and unlisted datasets)."""
        return next((d for d in self.databases if dataset in d.datasets), None)

    def get(self, database_id: str) -> KeyDatabase | None:
        return next((d for d in self.databases if d.id == database_id), None)


def stage_index(stage: str) -> int:
    return STAGES.index(stage)


def load_key_databases(path: Path | None = None) -> KeyDatabaseCatalogue:
    """The catalogue in `path` (a province's own file), or the shipped one."""
    if path is None:
        return _shipped()
    return _parse(_read(Path(path)), str(path))


@cache
def _shipped() -> KeyDatabaseCatalogue:
    return _parse(load_yaml(SHIPPED, "catalogue"), SHIPPED)


def _read(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _invalid(str(path), "không tìm thấy tệp / file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _invalid(str(path), str(exc).splitlines()[0]) from None
    if not isinstance(document, dict) or document.get("kind") != "catalogue" or document.get("name") != "key_databases":
        raise _invalid(str(path), "kind must be catalogue and name key_databases")
    return document


def _invalid(file: str, reason: str, row: int | None = None) -> LamsachError:
    return LamsachError(ErrorCode.DATA_FILE_INVALID, Location(file=file, row=row), {"reason": reason})


def _parse(doc: dict[str, Any], file: str) -> KeyDatabaseCatalogue:
    departments = {r["code"]: r["name"] for r in catalogue_rows("units/departments")}
    entries = doc.get("databases")
    if not isinstance(entries, list) or not entries:
        raise _invalid(file, "databases: a list of key databases is required")
    databases, owner = [], {}
    for position, entry in enumerate(entries, start=1):
        databases.append(_database(entry, position, file, departments))
        for dataset in databases[-1].datasets:
            if dataset in owner:
                raise _invalid(file, f"dataset {dataset!r} is listed under both {owner[dataset]!r} and "
                               f"{databases[-1].id!r}", position)
            owner[dataset] = databases[-1].id
    ids = [d.id for d in databases]
    if len(set(ids)) != len(ids):
        raise _invalid(file, "two databases share an id: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
    complete = doc.get("complete_stage", "connected")
    if complete not in STAGES:
        raise _invalid(file, f"complete_stage {complete!r} is not one of {', '.join(STAGES)}")
    return KeyDatabaseCatalogue(tuple(databases), complete, _share(doc, "cleaned_score", file),
                                _share(doc, "shared_score", file), tuple(doc.get("reference_datasets") or ()), file)


def _share(doc: dict[str, Any], key: str, file: str) -> float:
    value = doc.get(key, 0.95)
    if not isinstance(value, int | float) or not 0 < value <= 1:
        raise _invalid(file, f"{key} must be a share between 0 and 1, not {value!r}")
    return float(value)


def _database(entry: Any, position: int, file: str, departments: dict[str, str]) -> KeyDatabase:
    if not isinstance(entry, dict):
        raise _invalid(file, "each database is a mapping of keys", position)
    where = f"database {entry.get('id', position)!r}"
    missing = [k for k in ("id", "name_vi", "name_en", "lead_department", "national_system", "stage", "target_date")
               if not entry.get(k)]
    if missing:
        raise _invalid(file, f"{where}: missing {', '.join(missing)}", position)
    if entry["stage"] not in STAGES:
        raise _invalid(file, f"{where}: stage {entry['stage']!r} is not one of {', '.join(STAGES)}", position)
    try:
        target = entry["target_date"]
        target = target if isinstance(target, date) else date.fromisoformat(str(target))
    except ValueError:
        raise _invalid(file, f"{where}: target_date {entry['target_date']!r} is not a date (YYYY-MM-DD)",
                       position) from None
    datasets = entry.get("datasets") or []
    if not isinstance(datasets, list):
        raise _invalid(file, f"{where}: datasets must be a list of dataset names", position)
    lead = str(entry["lead_department"])
    return KeyDatabase(str(entry["id"]), str(entry["name_vi"]), str(entry["name_en"]), lead,
                       departments.get(lead, lead), str(entry["national_system"]),
                       tuple(str(d) for d in datasets), entry["stage"], target)
