"""Bad manifests and bad files: a Vietnamese message naming the file, exit code 1, nothing stored."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lamsach.backends.store import SqlAlchemyStore
from lamsach.cli.app import app

runner = CliRunner()


def _run(tmp_path: Path, manifest: Path, *extra: str):
    return runner.invoke(app, ["run", str(manifest), "--out", str(tmp_path / "out"),
                               "--data-dir", str(tmp_path / "data"), *extra])


def _manifest(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "manifest.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _nothing_stored(tmp_path: Path) -> bool:
    db = tmp_path / "data" / "lamsach.db"
    if not db.exists():
        return True
    store = SqlAlchemyStore.open(f"sqlite:///{db}")
    return store.count_records() == 0 and store.batches() == []


def test_missing_manifest(tmp_path):
    result = _run(tmp_path, tmp_path / "nowhere.yaml")
    assert result.exit_code == 1
    assert "nowhere.yaml" in result.output and "Traceback" not in result.output


def test_manifest_that_is_not_yaml(tmp_path):
    result = _run(tmp_path, _manifest(tmp_path, "name: [unclosed\n  - x"))
    assert result.exit_code == 1 and "manifest.yaml" in result.output


def test_missing_and_corrupt_files_are_all_reported_and_nothing_is_stored(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "ok.csv").write_text("Mã hồ sơ,Họ và tên,Số định danh cá nhân,Ngày sinh,Giới tính,Mã xã\n"
                                     "DC1,Lê Văn A,038080000001,01/01/1980,Nam,16012\n", encoding="utf-8")
    manifest = _manifest(tmp_path, 'name: Thử lỗi\nprovince: "38"\nsources:\n'
                                   "  - {path: ok.csv, dataset: population}\n"
                                   "  - {path: missing.csv, dataset: population}\n"
                                   "  - {path: broken.xlsx, dataset: land_parcel}\n"
                                   "  - {path: empty.csv, dataset: birth}\n")
    result = _run(tmp_path, manifest)
    assert result.exit_code == 1
    for name in ("missing.csv", "broken.xlsx", "empty.csv"):
        assert name in result.output
    assert "Traceback" not in result.output
    assert _nothing_stored(tmp_path)
    assert not (tmp_path / "out").exists()


def test_unknown_dataset_names_the_choices(tmp_path):
    manifest = _manifest(tmp_path, 'name: X\nprovince: "38"\nsources:\n  - {path: a.csv, dataset: dat_dai}\n')
    result = _run(tmp_path, manifest)
    assert result.exit_code == 1
    assert "dat_dai" in result.output and "land_parcel" in result.output


def test_english_messages_on_request(tmp_path):
    result = _run(tmp_path, tmp_path / "nowhere.yaml", "--lang", "en")
    assert result.exit_code == 1 and "not found" in result.output


def test_missing_database_driver_is_named_with_how_to_install_it(tmp_path, sample_dir):
    """A PostgreSQL URL without its driver installed: a message naming psycopg and the install
    command, exit code 1, no traceback (the driver is blocked the way a missing package fails)."""
    import subprocess
    import sys

    script = ("import sys; sys.modules['psycopg'] = None\n"
              "from lamsach.cli.app import main\n"
              "sys.argv = ['lamsach', 'run', sys.argv[1], '--out', sys.argv[2], '--database-url',"
              " 'postgresql+psycopg://postgres@127.0.0.1:5432/test']\n"
              "main()\n")
    done = subprocess.run([sys.executable, "-c", script, str(sample_dir / "manifest.yaml"), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "psycopg" in output and "pip install" in output


def test_the_help_of_run_names_the_spark_extra_whole():
    """The help is rendered with rich markup, which would take "[spark]" for a style and drop it."""
    shown = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    assert 'pip install -e ".[spark]"' in shown.output
