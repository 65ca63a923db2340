"""Where lookups read: the one module between an agency's question and the stored records.

It reads the shared layer (`published`: per record, its latest published version — one with no
open error), so an agency is answered only from data the province has let out; a record whose
newer version is blocked answers with its last published one (every campaign, the newest
published version of a record wins).

Person references other than the register's own `citizen_id` (a marriage's husband and wife, a
death's deceased, a parcel's owner) and a parcel's sheet and number are read through expression
indexes on the version's JSON (migration 0015), one index entry per lookup.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from threading import Lock

from sqlalchemy import literal_column, select

from lamsach.backends.store import tables as t
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

RUN_CACHE_SECONDS = 30.0  # a finished pass shows in answers within this long


@dataclass(frozen=True)
class Fact:
    """One record an answer rests on."""

    dataset: str
    campaign: str
    record_key: str
    unit: str | None
    data: dict
    as_of: str | None  # the register's own update date (the record's `updated_at` field), ISO


def _fact(row) -> Fact:
    data = json.loads(row.data)
    return Fact(row.dataset, row.campaign, row.record_key, row.unit, data, data.get("updated_at") or None)


def json_field(store: SqlAlchemyStore, field: str):
    """The SQL expression of a text field inside `published.data`, written exactly as the index is."""
    if store.engine.dialect.name == "postgresql":
        return literal_column(f"(CAST(published.data AS JSONB) ->> '{field}')")
    return literal_column(f"json_extract(published.data, '$.{field}')")


SOURCE = t.published
COLUMNS = (SOURCE.c.dataset, SOURCE.c.campaign, SOURCE.c.record_key, SOURCE.c.unit, SOURCE.c.data,
           SOURCE.c.published_at.label("updated_at"))


def _newest_per_key(rows) -> list[Fact]:
    """One fact per (dataset, record_key): the version stored last, across campaigns."""
    best: dict[tuple[str, str], object] = {}
    for row in rows:
        key = (row.dataset, row.record_key)
        if key not in best or row.updated_at > best[key].updated_at:
            best[key] = row
    return [_fact(r) for r in sorted(best.values(), key=lambda r: (r.dataset, r.record_key))]


def person(store: SqlAlchemyStore, citizen_id: str) -> Fact | None:
    """The citizen's population-register record (the newest published, if several campaigns hold one)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(*COLUMNS).where(SOURCE.c.citizen_id == citizen_id, SOURCE.c.dataset == "population")
                           .order_by(SOURCE.c.published_at.desc()).limit(1)).first()
    return _fact(row) if row else None


def naming(store: SqlAlchemyStore, dataset: str, fields: tuple[str, ...], citizen_id: str) -> list[Fact]:
    """The records of `dataset` whose person reference in any of `fields` is `citizen_id`."""
    found = []
    with store.engine.connect() as conn:
        for field in fields:
            found.extend(conn.execute(naming_query(store, dataset, field, citizen_id)))
    return _newest_per_key(found)


def naming_query(store: SqlAlchemyStore, dataset: str, field: str, citizen_id: str):
    return select(*COLUMNS).where(SOURCE.c.dataset == dataset, json_field(store, field) == citizen_id)


def parcel_query(store: SqlAlchemyStore, commune: str, map_sheet: str, parcel_no: str):
    return select(*COLUMNS).where(SOURCE.c.dataset == "land_parcel", json_field(store, "parcel_no") == parcel_no,
                                  json_field(store, "map_sheet") == map_sheet, SOURCE.c.unit == commune)


def parcel(store: SqlAlchemyStore, commune: str, map_sheet: str, parcel_no: str) -> list[Fact]:
    """The land records of one parcel (commune, map sheet, parcel number)."""
    with store.engine.connect() as conn:
        rows = conn.execute(parcel_query(store, commune, map_sheet, parcel_no)).all()
    return _newest_per_key(rows)


_runs: dict[str, tuple[float, int | None]] = {}
_runs_lock = Lock()


def _latest_run(store: SqlAlchemyStore, campaign: str) -> int | None:
    now = time.monotonic()
    with _runs_lock:
        cached = _runs.get(f"{id(store)}:{campaign}")
    if cached and now - cached[0] < RUN_CACHE_SECONDS:
        return cached[1]
    run = store.latest_run(campaign)
    run_id = run["id"] if run else None
    with _runs_lock:
        _runs[f"{id(store)}:{campaign}"] = (now, run_id)
    return run_id


def open_criteria(store: SqlAlchemyStore, facts: list[Fact]) -> list[str]:
    """The criteria with open findings, in the campaign's latest complete run, on these records."""
    found: set[str] = set()
    with store.engine.connect() as conn:
        for fact in facts:
            run_id = _latest_run(store, fact.campaign)
            if run_id is None:
                continue
            found.update(r.criterion for r in conn.execute(
                select(t.findings.c.criterion).distinct().where(
                    t.findings.c.run_id == run_id, t.findings.c.dataset == fact.dataset,
                    t.findings.c.record_key == fact.record_key, t.findings.c.status == "open")))
    return sorted(found)
