"""`lamsach archive …` as an officer types it: add (kept and refused files together), search, show,
link, suggestions; Vietnamese messages, exit 1 when a file was refused, never a traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from lamsach.cli.app import app

from .test_search import text_pdf


def run(env, *args):
    result = CliRunner().invoke(app, ["archive", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join((result.output + (result.stderr if result.stderr_bytes else "")).split())


def test_archive_commands(tmp_path):
    env = {"LAMSACH_DATA_DIR": str(tmp_path / "data")}
    (tmp_path / "quyet-dinh.pdf").write_bytes(text_pdf("Quyết định giao đất đai cho ông Đặng Văn Định."))
    (tmp_path / "rong.pdf").write_bytes(b"")
    code, out = run(env, "add", str(tmp_path / "quyet-dinh.pdf"), str(tmp_path / "rong.pdf"), "--date", "31/02/2024",
                    "--by", "van_thu")
    assert code == 1
    assert "Đã lưu “quyet-dinh.pdf”: tài liệu số 1" in out and "Ngày văn bản “31/02/2024”" in out
    assert "rong.pdf: tệp rỗng (0 byte), không lưu" in out
    code, out = run(env, "search", "dang van dinh")
    assert code == 0 and "1 tài liệu khớp" in out and "Đặng Văn Định" in out
    code, out = run(env, "show", "1", "--by", "thanh_tra")
    assert code == 0 and "Ngày văn bản" in out and "Thời hạn bảo quản" in out
    code, out = run(env, "show", "9")
    assert code == 1 and "không có tài liệu số 9" in out
    code, out = run(env, "link", "1", "--campaign", "X", "--dataset", "land_parcel", "--record", "TD-1")
    assert code == 1 and "không có bản ghi land_parcel/TD-1" in out
    code, out = run(env, "suggestions")
    assert code == 0 and "0 gợi ý" in out
