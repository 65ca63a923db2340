"""`lamsach serve`: the web app on the embedded store or PostgreSQL."""

from __future__ import annotations

from typing import Annotated

import typer

from lamsach.cli.options import DatabaseUrl, DataDir, settings_for


def serve(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe (127.0.0.1: chỉ máy này).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng.")] = 8000,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    secure_cookies: Annotated[bool, typer.Option(
        help="Chỉ gửi cookie qua HTTPS (bật khi chạy sau máy chủ HTTPS).")] = False,
) -> None:
    """Chạy trang web: tiến độ, danh sách lỗi, hồ sơ, gửi dữ liệu, API tra cứu."""
    import uvicorn

    from lamsach.web import WebConfig, create_app

    config = WebConfig(settings=settings_for(data_dir, database_url), secure_cookies=secure_cookies)
    typer.echo(f"lamsach: http://{host}:{port}/ (CSDL: {config.settings.store_url.split('@')[-1]})")
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")
