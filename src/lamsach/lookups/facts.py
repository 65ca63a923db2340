"""Where lookups read: the one module between an agency's question and the stored records.

It reads the shared layer (`published`: per record, its latest published version — one with no
open error), so an agency is answered only from data the province has let out; a record whose
newer version is blocked answers with its last published one (every campaign, the newest
published version of a record wins).

Person references other than the register's own `citizen_id` (a marriage's husband and wife, a
death's deceased, a parcel's owner) and a parcel's sheet and number are read through expression
indexes on the version's JSON (migration 0015), one index entry per lookup.

A lookup is one statement: the parts it needs (the register's record, the marriages naming the
citizen, …) joined in a UNION ALL, each row with the open findings of its campaign's latest
complete run on that record (`gather`) — one round trip to the store instead of one per part and
per record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, literal, literal_column, select, union_all

from lamsach.backends.store import tables as t
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore


@dataclass(frozen=True)
class Fact:
    """One record an answer rests on."""

    dataset: str
    campaign: str
    record_key: str
    unit: str | None
    data: dict
    as_of: str | None  # the register's own update date (the record's `updated_at` field), ISO
    open_criteria: frozenset[str] = frozenset()  # of the campaign's latest complete run
    published_at: object = None


def json_field(dialect: str, field: str):
    """The SQL expression of a text field inside `published.data`, written exactly as the index is."""
    if dialect == "postgresql":
        return literal_column(f"(CAST(published.data AS JSONB) ->> '{field}')")
    return literal_column(f"json_extract(published.data, '$.{field}')")


SOURCE = t.published
COLUMNS = (SOURCE.c.dataset, SOURCE.c.campaign, SOURCE.c.record_key, SOURCE.c.unit, SOURCE.c.data,
           SOURCE.c.published_at.label("updated_at"))
CID, IDS = bindparam("citizen_id"), bindparam("citizen_ids", expanding=True)


def person_query(citizen_ids) -> Select:
    """The population-register records of these citizens (a list, or an expanding parameter)."""
    return select(*COLUMNS).where(SOURCE.c.citizen_id.in_(citizen_ids), SOURCE.c.dataset == "population")


def dataset_is(dataset: str):
    """`published.dataset = '<dataset>'` with the name in the statement's text, not bound: the JSON
    lookup indexes hold one dataset's rows each (`WHERE dataset = '…'`), and a database uses such
    an index only where it can see the statement asks for that dataset."""
    return SOURCE.c.dataset == literal(dataset, literal_execute=True)


def naming_query(dialect: str, dataset: str, field: str, citizen_id) -> Select:
    """The records of `dataset` whose person reference `field` is `citizen_id`."""
    return select(*COLUMNS).where(dataset_is(dataset), json_field(dialect, field) == citizen_id)


def deaths_query(dialect: str, citizen_ids) -> Select:
    """The death registrations naming any of these citizens."""
    return select(*COLUMNS).where(dataset_is("death"), json_field(dialect, "deceased_id").in_(citizen_ids))


def parcel_query(dialect: str, commune, map_sheet, parcel_no) -> Select:
    """The land records of one parcel (commune, map sheet, parcel number)."""
    return select(*COLUMNS).where(dataset_is("land_parcel"), json_field(dialect, "parcel_no") == parcel_no,
                                  json_field(dialect, "map_sheet") == map_sheet, SOURCE.c.unit == commune)


def gather_query(parts: dict[str, list[Select]]) -> Select:
    """The parts' rows, each labelled with its part, outer-joined with the open findings of the
    latest complete run of the row's campaign on that record (one row per finding)."""
    labelled = [query.add_columns(literal_column(f"'{name}'").label("part"))
                for name, queries in parts.items() for query in queries]
    rows = union_all(*labelled).subquery("facts")
    runs, findings = t.runs.c, t.findings.c
    latest = (select(func.max(runs.id)).where(runs.campaign == rows.c.campaign, runs.status == "complete")
              .scalar_subquery())
    joined = rows.outerjoin(t.findings, and_(findings.run_id == latest, findings.dataset == rows.c.dataset,
                                             findings.record_key == rows.c.record_key, findings.status == "open"))
    return select(rows, findings.criterion).select_from(joined)


@cache
def lookup_statement(dialect: str, kind: str) -> Select:
    """Each lookup's statement, built once per dialect with bound parameters (building a statement
    costs more than running it): `citizen_id`, or `citizen_ids`, or the parcel's three."""
    parts = {
        "person": lambda: {"person": [person_query([CID])]},
        "life": lambda: {"person": [person_query([CID])], "deaths": [deaths_query(dialect, [CID])]},
        "marital": lambda: {"person": [person_query([CID])],
                            "marriages": [naming_query(dialect, "marriage", f, CID) for f in ("husband_id", "wife_id")]},
        "dead": lambda: {"person": [person_query(IDS)], "deaths": [deaths_query(dialect, IDS)]},
        "parcel": lambda: {"parcel": [parcel_query(dialect, bindparam("commune"), bindparam("map_sheet"),
                                                   bindparam("parcel_no"))]},
        "owned": lambda: {"owned": [naming_query(dialect, "land_parcel", "owner_id", CID)]},
    }[kind]()
    return gather_query(parts)


KINDS = ("person", "life", "marital", "dead", "parcel", "owned")
NOBODY = {kind: {"citizen_id": "000000000000"} for kind in KINDS} | {
    "dead": {"citizen_ids": ["000000000000"]}, "parcel": {"commune": "00000", "map_sheet": "0", "parcel_no": "0"}}


def gather(store: SqlAlchemyStore, kind: str, **params) -> dict[str, list[Fact]]:
    """A lookup's facts in one statement: per part, one fact per (dataset, record key) — the
    version published last, across campaigns — with the criteria still open on it."""
    newest: dict[str, dict[tuple[str, str], object]] = defaultdict(dict)
    criteria: dict[tuple[str, str, str, str], set[str]] = {}
    with store.autocommit.connect() as conn:
        for row in conn.execute(lookup_statement(store.engine.dialect.name, kind), params):
            key = (row.dataset, row.record_key)
            best = newest[row.part].get(key)
            if best is None or row.updated_at > best.updated_at:
                newest[row.part][key] = row
            if row.criterion:
                criteria.setdefault((row.campaign, *key, row.part), set()).add(row.criterion)
    return defaultdict(list, {name: [_fact(r, criteria.get((r.campaign, r.dataset, r.record_key, name), set()))
                                     for _, r in sorted(rows.items())] for name, rows in newest.items()})


def _fact(row, open_criteria: set[str]) -> Fact:
    data = json.loads(row.data)
    return Fact(row.dataset, row.campaign, row.record_key, row.unit, data, data.get("updated_at") or None,
                frozenset(open_criteria), row.updated_at)


def newest(facts: list[Fact]) -> Fact | None:
    """The fact published last (a citizen's register record held by several campaigns)."""
    return max(facts, key=lambda f: f.published_at) if facts else None
