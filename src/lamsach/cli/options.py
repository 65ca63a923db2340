"""Options several commands share, and the settings they build."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lamsach.settings import Settings

DataDir = Annotated[Path | None, typer.Option(
    help="Thư mục lưu CSDL mặc định (SQLite). Mặc định: LAMSACH_DATA_DIR hoặc ./lamsach-data.")]
DatabaseUrl = Annotated[str | None, typer.Option(
    help="URL CSDL (vd. postgresql+psycopg://user@host/db). Mặc định: SQLite trong thư mục dữ liệu.")]
Lang = Annotated[str, typer.Option(help="Ngôn ngữ thông báo: vi hoặc en.")]


def settings_for(data_dir: Path | None, database_url: str | None, lang: str = "vi") -> Settings:
    return Settings.from_env(data_dir=data_dir, database_url=database_url, lang=lang)
