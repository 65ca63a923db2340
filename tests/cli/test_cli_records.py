"""`lamsach record history|undo` and `lamsach finding dismiss` on a real pass."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.cli.app import app

runner = CliRunner(env={"COLUMNS": "300"})
CAMPAIGN = "Thử dòng lệnh"


def test_history_undo_and_dismiss(sample_dir, tmp_path):
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text(f'name: {CAMPAIGN}\nprovince: "38"\nreference_date: "2026-11-20"\nsources:\n'
                        f"  - {{path: {sample_dir / 'land' / '16000.xlsx'}, dataset: land_parcel, unit: '16000'}}\n",
                        encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    ran = runner.invoke(app, ["run", str(manifest), "--out", str(tmp_path / "out"), *data],
                        env={"LAMSACH_SOURCE_ROOTS": str(sample_dir)})  # the manifest names the sample's files
    assert ran.exit_code == 0
    store = SqlAlchemyStore.open(f"sqlite:///{tmp_path / 'data' / 'lamsach.db'}")
    repair = store.history(CAMPAIGN, source="repair")[0]

    shown = runner.invoke(app, ["record", "history", CAMPAIGN, "land_parcel", repair.record_key, *data])
    assert shown.exit_code == 0 and repair.rule in shown.output

    undone = runner.invoke(app, ["record", "undo", CAMPAIGN, str(repair.id), "--reason", "thử", "--by", "An", *data])
    assert undone.exit_code == 0
    assert store.record(CAMPAIGN, "land_parcel", repair.record_key).data[repair.field] == repair.old_value

    with (tmp_path / "out" / "findings.csv").open(encoding="utf-8") as handle:
        target = next(f for f in csv.DictReader(handle) if f["status"] == "open" and f["field"] != "*")
    args = ["finding", "dismiss", CAMPAIGN, "land_parcel", target["record_id"], target["field"], target["rule"],
            "--reason", "đúng theo hồ sơ gốc", "--by", "An", *data]
    wrong = [*args[:6], "khong_co_quy_tac", *args[7:]]
    refused = runner.invoke(app, wrong)
    assert refused.exit_code == 1 and "khong_co_quy_tac" in refused.output and target["rule"] in refused.output
    assert store.finding_decisions(CAMPAIGN) == []
    assert runner.invoke(app, args).exit_code == 0
    assert store.finding_decisions(CAMPAIGN)[0]["status"] == "dismissed"

    missing = runner.invoke(app, ["record", "history", CAMPAIGN, "land_parcel", "KHONG-CO", *data])
    assert missing.exit_code == 1 and "KHONG-CO" in missing.output
