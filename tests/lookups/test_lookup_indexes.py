"""Each lookup reads index entries, not every record of a dataset: the query plans of the
lookups' queries use the citizen-ID index and the JSON expression indexes (SQLite, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select, text

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t
from lamsach.lookups import facts


def plan(store: SqlAlchemyStore, query) -> str:
    """The plan of `query` as the lookups send it: its values bound as parameters (an index the
    database could only use for a value written into the statement would not show)."""
    compiled = query.compile(store.engine, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    with store.engine.begin() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # an empty table: show what can be used
            return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}", values))
        bound = tuple(values[name] for name in compiled.positiontup)
        return "\n".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", bound))


def test_lookup_indexes_are_used(store_url):
    store = SqlAlchemyStore.open(store_url)
    dialect = store.engine.dialect.name
    for dataset, field in (("marriage", "husband_id"), ("marriage", "wife_id"), ("death", "deceased_id"),
                           ("land_parcel", "owner_id")):
        assert f"ix_published_json_{field}" in plan(store, facts.naming_query(dialect, dataset, field, "038093004643"))
    parcel = plan(store, facts.parcel_query(dialect, "15085", "12", "345"))
    assert "ix_published_parcel" in parcel, parcel
    # the commune, the sheet and the number all bound the index search: parcel numbers restart on every sheet
    assert parcel.count("?") == 3 if dialect == "sqlite" else all(v in parcel for v in ("15085", "'12'", "'345'"))
    register = select(*facts.COLUMNS).where(t.published.c.citizen_id == "038093004643",
                                            t.published.c.dataset == "population")
    assert "ix_published_citizen_id" in plan(store, register)


def test_one_statement_per_lookup_reads_indexes_only(store_url):
    """The statement that gathers a lookup's records with their open findings still reads each
    part through its index, the latest run through the runs index and the findings through theirs."""
    store = SqlAlchemyStore.open(store_url)
    dialect = store.engine.dialect.name
    query = facts.gather_query({
        "person": [facts.person_query(["038093004643"])],
        "marriages": [facts.naming_query(dialect, "marriage", f, "038093004643") for f in ("husband_id", "wife_id")],
        "deaths": [facts.deaths_query(dialect, ["038093004643"])]})
    shown = plan(store, query)
    for index in ("ix_published_citizen_id", "ix_published_json_husband_id", "ix_published_json_wife_id",
                  "ix_published_json_deceased_id", "ix_findings_record", "ix_runs_campaign_status"):
        assert index in shown, shown
