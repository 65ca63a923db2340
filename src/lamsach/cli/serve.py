"""`lamsach serve`: the web app on the embedded store or PostgreSQL, in one or several processes."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

DEFAULT_WORKERS = min(os.cpu_count() or 1, 4)  # one process per core: pages are CPU work in Python
Workers = Annotated[int, typer.Option(
    min=1, max=64, help="Số tiến trình phục vụ (mặc định: mỗi lõi CPU một tiến trình, tối đa 4).")]


def serve(
    host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe (127.0.0.1: chỉ máy này).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Cổng.")] = 8000,
    workers: Workers = DEFAULT_WORKERS,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    secure_cookies: Annotated[bool, typer.Option(
        help="Chỉ gửi cookie qua HTTPS (bật khi chạy sau máy chủ HTTPS).")] = False,
) -> None:
    """Chạy trang web: tiến độ, danh sách lỗi, hồ sơ, gửi dữ liệu, API tra cứu."""
    import uvicorn

    from lamsach.backends.store import SqlAlchemyStore

    settings = settings_for(data_dir, database_url)
    # every process builds its app from the environment (uvicorn starts the workers afresh)
    os.environ["LAMSACH_DATA_DIR"] = str(settings.data_dir.resolve())
    if settings.database_url:
        os.environ["LAMSACH_DATABASE_URL"] = settings.database_url
    os.environ["LAMSACH_WEB_SECURE_COOKIES"] = "1" if secure_cookies else ""
    SqlAlchemyStore.open(settings.store_url).engine.dispose()  # migrate once, before the workers start
    from lamsach.sync.background import start_background_sender

    if start_background_sender(settings):  # LAMSACH_SYNC_TARGET set: deliver the outbox meanwhile
        typer.echo(f"lamsach: gửi dữ liệu dùng chung tới {settings.sync_target}")
    if settings.archive_verify_hours > 0:  # the archive's fixity check, in this (supervising) process
        from lamsach.archive import FixitySchedule

        FixitySchedule(settings, settings.archive_verify_hours * 3600).start()
    typer.echo(f"lamsach: http://{host}:{port}/ ({workers} tiến trình; "
               f"CSDL: {settings.store_url.split('@')[-1]})")
    uvicorn.run("lamsach.web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="info")
