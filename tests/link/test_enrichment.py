"""Enrichment from the register: versioned with source `register`, answering its finding,
undoable, and not repeated once an officer has undone it. On SQLite, and on PostgreSQL when
LAMSACH_TEST_PG_URL names a server."""

from __future__ import annotations

from link_passes import run
from link_truth import read

from lamsach.backends.store import SqlAlchemyStore
from lamsach.data import load_schema
from lamsach.ingest import load_manifest
from lamsach.runner import run_pass


def test_register_fills_missing_and_old_ids_as_undoable_versions(small_province, tmp_path, store_url):
    first = run(small_province, tmp_path / "first", database_url=store_url)
    campaign = load_manifest(small_province).name
    store = SqlAlchemyStore.open(first.settings.store_url)
    fills = store.history(campaign, source="register")
    assert fills, "the pass filled values from the register"
    assert all(c.rule in ("register_enrichment", "register_update") and c.reason and "xác suất" in c.reason
               for c in fills)
    truth = {(r["dataset"], r["record_id"], r["role"]): r["citizen_id"] for r in read(first.truth / "links.csv")}
    # A record can name several people (a student and the guardian, a child and both parents):
    # each filled field is checked against the link of its own role, never whichever came last.
    links = {(r["dataset"], r["record_id"], r["role"]): r for r in read(first.out / "links.csv")}

    def role(change):
        return load_schema(change.dataset).field(change.field).person_role

    findings = {(f["dataset"], f["record_id"], f["field"], f["rule"]): f for f in read(first.out / "findings.csv")}
    ids = [c for c in fills if c.field.endswith("_id")]
    assert any(c.old_value is None for c in ids) and any(c.old_value and len(c.old_value) == 9 for c in ids)
    for change in ids:
        link = links[(change.dataset, change.record_key, role(change))]
        assert truth[(change.dataset, change.record_key, link["role"])] == change.new_value
        answered = "missing_required" if change.old_value is None else "legacy_id_document"
        finding = findings[(change.dataset, change.record_key, change.field, answered)]
        assert finding["status"] == "fixed" and finding["suggested_value"] == change.new_value
        clean = {r["record_id"]: r for r in read(first.out / "clean" / f"{change.dataset}.csv")}
        assert clean[change.record_key][change.field] == change.new_value

    undone = ids[0]
    store.undo(campaign, undone.id, "cán bộ kiểm tra", "không phải người này")
    record = store.record(campaign, undone.dataset, undone.record_key)
    assert record.data[undone.field] == undone.old_value
    [undo] = [c for c in store.history(campaign, key=undone.record_key) if c.undoes == undone.id]
    assert undo.source == "undo" and undo.new_value == undone.old_value

    run_pass(small_province, tmp_path / "second", first.settings)
    again = store.history(campaign, source="register")
    assert len(again) == len(fills), "nothing enriched twice, the undone value not filled again"
    assert store.record(campaign, undone.dataset, undone.record_key).data[undone.field] == undone.old_value
    relinked = {(r["dataset"], r["record_id"], r["role"]): r["method"]
                for r in read(tmp_path / "second" / "links.csv")}
    kept = [c for c in ids if c.id != undone.id]
    assert all(relinked[(c.dataset, c.record_key, role(c))] == "id_verified" for c in kept), "filled IDs now link by ID"
