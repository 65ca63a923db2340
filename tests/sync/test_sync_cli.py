"""`lamsach sync push` and `sync status` end with a user's error printed (exit 1), not a traceback,
when the store cannot be opened or no receiver is named."""

from __future__ import annotations

from typer.testing import CliRunner

from lamsach.cli.app import app


def test_push_without_a_target_names_the_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("LAMSACH_SYNC_TARGET", raising=False)
    result = CliRunner().invoke(app, ["sync", "push", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "SYNC_TARGET_MISSING" in result.output
    assert "Traceback" not in result.output


def test_status_of_a_store_that_cannot_be_opened(tmp_path):
    unreachable = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = CliRunner().invoke(app, ["sync", "status", "--database-url", unreachable])
    assert result.exit_code == 1 and "STORE_UNAVAILABLE" in result.output


def test_status_of_an_empty_store(tmp_path):
    result = CliRunner().invoke(app, ["sync", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0 and "Chưa có hồ sơ nào được công bố." in result.output
