"""Duplicates and withdrawn records can be cleared: a duplicate merged into the record kept, a
record the unit no longer sends shown as withdrawn and retired with a reason — each a versioned
change that undo reverses, made by the one implementation the web and the CLI call."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from typer.testing import CliRunner

from lamsach.cli.app import app as cli
from lamsach.domain import LamsachError
from lamsach.domain.lifecycle import STATE_FIELD
from lamsach.review.lifecycle import merge_record, retire_record
from lamsach.runner import run_pass


def _duplicates(world, run_id) -> list[dict]:
    return [f for f in world.store.findings(run_id) if f["rule"] == "duplicate_record" and f["status"] == "open"
            and f["dataset"] == "land_parcel" and f["suggested_value"] and f["suggested_value"] != f["record_key"]]


def _open_rules(world, run_id, key) -> set[str]:
    return {f["rule"] for f in world.store.findings(run_id) if f["record_key"] == key and f["status"] == "open"}


def _without_row(world, unit: str, key: str, tmp_path: Path) -> Path:
    """A copy of the manifest whose unit's land file no longer has record `key`."""
    document = yaml.safe_load(world.manifest.read_text(encoding="utf-8"))
    for source in document["sources"]:
        source["path"] = str((world.manifest.parent / source["path"]).resolve())
        if source.get("unit") == unit and source["dataset"] == "land_parcel":
            book = load_workbook(source["path"])
            sheet = book.active
            row = next(c.row for line in sheet.iter_rows() for c in line if c.value == key)
            sheet.delete_rows(row)
            source["path"] = str(tmp_path / f"{unit}-moi.xlsx")
            book.save(source["path"])
    target = tmp_path / "manifest.yaml"
    target.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def test_a_row_dropped_from_the_units_file_is_withdrawn_then_retired_and_undo_brings_it_back(world, tmp_path):
    duplicate = _duplicates(world, world.run_id)[0]
    key, unit = duplicate["record_key"], duplicate["unit"]
    manifest = _without_row(world, unit, key, tmp_path)
    again = run_pass(manifest, tmp_path / "out2", world.settings, source_roots=[world.manifest.parent])
    assert "withdrawn_by_unit" in _open_rules(world, again.run_id, key)
    assert world.store.record(world.campaign, "land_parcel", key) is not None  # never silently dropped

    with pytest.raises(LamsachError) as refused:
        retire_record(world.store, world.campaign, "land_parcel", key, "cán bộ xã", "  ")
    assert refused.value.code.value == "RECORD_REASON_REQUIRED"
    retire_record(world.store, world.campaign, "land_parcel", key, "cán bộ xã", "đơn vị đã bỏ bản trùng",
                  rule="withdrawn_by_unit")
    third = run_pass(manifest, tmp_path / "out3", world.settings, source_roots=[world.manifest.parent])
    assert _open_rules(world, third.run_id, key) == set()
    assert world.store.record(world.campaign, "land_parcel", key).data[STATE_FIELD] == "retired"
    change = next(c for c in world.store.history(world.campaign, "land_parcel", key) if c.field == STATE_FIELD)
    assert (change.reason, change.actor, change.new_value) == ("đơn vị đã bỏ bản trùng", "cán bộ xã", "retired")

    world.store.undo(world.campaign, change.id, "tỉnh", "nhầm")
    fourth = run_pass(manifest, tmp_path / "out4", world.settings, source_roots=[world.manifest.parent])
    assert "withdrawn_by_unit" in _open_rules(world, fourth.run_id, key)


def test_merging_a_duplicate_clears_its_finding_from_the_command_line(world, tmp_path):
    duplicate = _duplicates(world, world.run_id)[0]
    key, kept = duplicate["record_key"], duplicate["suggested_value"]
    data = ["--data-dir", str(world.settings.data_dir)]
    runner = CliRunner()
    itself = runner.invoke(cli, ["record", "merge", world.campaign, "land_parcel", key, "--into", key,
                                 "--reason", "trùng", "--by", "An", *data])
    assert itself.exit_code == 1 and "RECORD_MERGE_SELF" in itself.output
    done = runner.invoke(cli, ["record", "merge", world.campaign, "land_parcel", key, "--into", kept,
                               "--reason", "cùng một thửa", "--by", "An", *data])
    assert done.exit_code == 0, done.output
    again = run_pass(world.manifest, tmp_path / "out2", world.settings)
    assert _open_rules(world, again.run_id, key) == set()
    assert not [f for f in _duplicates(world, again.run_id) if f["suggested_value"] == kept and f["record_key"] == key]
    assert world.store.record(world.campaign, "land_parcel", key).data[STATE_FIELD] == f"merged:{kept}"
    twice = runner.invoke(cli, ["record", "merge", world.campaign, "land_parcel", key, "--into", kept,
                                "--reason", "lại", "--by", "An", *data])
    assert twice.exit_code == 1 and "RECORD_NOT_IN_USE" in twice.output
    with pytest.raises(LamsachError):
        merge_record(world.store, world.campaign, "land_parcel", "KHONG-CO", kept, "An", "x")
