"""Fixity: every kept file re-hashed and each check recorded as an event; an altered or missing file
repaired from the second copy, or named (exit 1) when no good copy is left; run on a schedule."""

from __future__ import annotations

import time
from dataclasses import replace

from typer.testing import CliRunner

from lamsach.archive import FixitySchedule, add_content, vault_for, verify
from lamsach.backends.store import archive as catalogue
from lamsach.cli.app import app

from .test_search import text_pdf


def kept(settings, store):
    outcome = add_content(store, settings, text_pdf("Quyết định giao đất số 7."), "qd.pdf", {}, "van_thu")
    return catalogue.document(store, outcome.document_id)


def test_an_altered_original_is_repaired_from_the_second_copy_and_each_check_recorded(archive):
    settings, store = archive
    document = kept(settings, store)
    original = vault_for(settings).path("originals", document["sha256"])
    good = original.read_bytes()
    assert verify(store, settings, "thanh_tra").problems == []
    original.write_bytes(good.replace(b"giao", b"thu h", 1) if b"giao" in good else good + b"x")
    report = verify(store, settings, "thanh_tra")
    assert report.problems == [] and report.repaired == [str(original)]
    assert original.read_bytes() == good
    events = catalogue.checks(store)
    assert {(e["kind"], e["outcome"]) for e in events} >= {("original/primary", "repaired"),
                                                          ("original/second", "ok"), ("original/primary", "ok")}
    assert all(e["actor"] == "thanh_tra" and e["at"] is not None for e in events)


def test_with_no_good_copy_left_verify_names_each_damaged_file_and_exits_1(sqlite_archive, tmp_path):
    settings, store = sqlite_archive
    lonely = replace(settings, archive_copy_dir=None)
    first = kept(lonely, store)
    second = catalogue.document(store, add_content(store, lonely, text_pdf("Biên bản số 2."), "bb.pdf", {},
                                                   "van_thu").document_id)
    vault_for(lonely).path("originals", first["sha256"]).unlink()
    vault_for(lonely).path("originals", second["sha256"]).write_bytes(b"%PDF-1.4 changed")
    env = {"LAMSACH_DATA_DIR": str(settings.data_dir)}
    result = CliRunner().invoke(app, ["archive", "verify", "--by", "thanh_tra"], env=env)
    assert result.exit_code == 1
    output = " ".join((result.output + (result.stderr if result.stderr_bytes else "")).split())
    assert f"tài liệu số {first['id']}" in output and "bị mất" in output
    assert f"tài liệu số {second['id']}" in output and "đã bị thay đổi" in output
    outcomes = {(e["document_id"], e["outcome"]) for e in catalogue.checks(store)}
    assert {(first["id"], "missing"), (second["id"], "altered")} <= outcomes


def test_the_server_checks_on_a_schedule(sqlite_archive):
    settings, store = sqlite_archive
    kept(settings, store)
    schedule = FixitySchedule(settings, interval_seconds=0.2).start()
    try:
        deadline = time.monotonic() + 30
        while len({e["at"] for e in catalogue.checks(store)}) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        schedule.stop()
    rounds = {e["at"] for e in catalogue.checks(store)}
    assert len(rounds) >= 2 and {e["actor"] for e in catalogue.checks(store)} == {"lịch kiểm tra"}
