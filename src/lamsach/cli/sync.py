"""`lamsach sync`: push the outbox to the National Data Center, show where it stands, or run a
receiver to test the connection against (docs/sync.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lamsach.cli.console import console, err_console, user_errors
from lamsach.cli.options import DatabaseUrl, DataDir, Lang, settings_for

sync_app = typer.Typer(no_args_is_help=True, help="Đồng bộ dữ liệu đã công bố với Trung tâm dữ liệu quốc gia.")


@sync_app.command()
def push(
    to: Annotated[str | None, typer.Option("--to", help="Địa chỉ nơi nhận (mặc định: LAMSACH_SYNC_TARGET).")] = None,
    token: Annotated[str | None, typer.Option(help="Mã xác thực (mặc định: LAMSACH_SYNC_TOKEN).")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Số phiên bản hồ sơ mỗi lô.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    lang: Lang = "vi",
) -> None:
    """Gửi hàng đợi (outbox) lên nơi nhận theo từng lô, mỗi phiên bản đúng một lần."""
    from dataclasses import replace

    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.domain import ErrorCode, LamsachError, Location
    from lamsach.sync import Sender

    settings = settings_for(data_dir, database_url, lang)
    settings = replace(settings, sync_token=token or settings.sync_token,
                       sync_batch_size=batch_size or settings.sync_batch_size)
    with user_errors(lang):
        target = to or settings.sync_target
        if not target:
            raise LamsachError(ErrorCode.SYNC_TARGET_MISSING, Location(), {})
        result = Sender(SqlAlchemyStore.open(settings.store_url), target, settings).push()
    vi = lang == "vi"
    console.print((f"Đã gửi {result.batches} lô, {result.versions} phiên bản hồ sơ; bị từ chối {result.rejected}; "
                   f"gửi lại {result.resent} lô còn dở.") if vi else
                  (f"Sent {result.batches} batches, {result.versions} record versions; rejected {result.rejected}; "
                   f"{result.resent} unfinished batches sent again."))


@sync_app.command()
def status(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    lang: Lang = "vi",
) -> None:
    """Số phiên bản hồ sơ đang chờ, đang gửi, đã xác nhận, bị từ chối, theo đơn vị và tập dữ liệu."""
    from rich.table import Table

    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.sync import STATES, sync_status

    settings = settings_for(data_dir, database_url, lang)
    with user_errors(lang):
        lines, batches = sync_status(SqlAlchemyStore.open(settings.store_url), settings.sync_ack_overdue_hours)
    vi = lang == "vi"
    words = {"waiting": "Chờ gửi", "sending": "Đang gửi", "acknowledged": "Đã xác nhận", "rejected": "Bị từ chối"}
    for campaign in dict.fromkeys(line.campaign for line in lines):
        table = Table(title=(f"Đồng bộ với Trung tâm dữ liệu quốc gia — {campaign}" if vi
                             else f"Sync with the National Data Center — {campaign}"))
        for header in ("Đơn vị" if vi else "Unit", "Tập dữ liệu" if vi else "Dataset",
                       *((words[s] if vi else s) for s in STATES), "Quá hạn" if vi else "Overdue"):
            table.add_column(header, no_wrap=True)
        for line in (x for x in lines if x.campaign == campaign):
            table.add_row(line.unit, line.dataset, *(str(line.counts.get(s, 0)) for s in STATES), str(line.overdue))
        console.print(table)
    if not lines:
        console.print("Chưa có hồ sơ nào được công bố." if vi else "Nothing has been published yet.")
    if batches:
        last = batches[0]
        console.print((f"Lô gần nhất: {last['key']} ({last['state']}, {last['entries']} phiên bản, "
                       f"{last['attempts']} lần gửi)") if vi else
                      (f"Latest batch: {last['key']} ({last['state']}, {last['entries']} versions, "
                       f"{last['attempts']} attempts)"))


@sync_app.command()
def receiver(
    port: Annotated[int, typer.Option(help="Cổng nghe.")] = 8787,
    dir: Annotated[Path, typer.Option("--dir", help="Thư mục lưu các lô đã nhận (mỗi lô một tệp .jsonl).")] = Path(
        "sync-received"),
    host: Annotated[str, typer.Option(help="Địa chỉ nghe.")] = "127.0.0.1",
    token: Annotated[str | None, typer.Option(help="Chỉ nhận khi có Authorization: Bearer TOKEN.")] = None,
    fail_rate: Annotated[float, typer.Option(help="Thử nghiệm: tỉ lệ lô trả lỗi 503.")] = 0.0,
    lose_ack_rate: Annotated[float, typer.Option(help="Thử nghiệm: tỉ lệ lô đã nhận nhưng mất trả lời.")] = 0.0,
    delay_ms: Annotated[int, typer.Option(help="Thử nghiệm: chậm mỗi lô bấy nhiêu mili giây.")] = 0,
    reject_record: Annotated[list[str] | None, typer.Option(help="Thử nghiệm: từ chối hồ sơ có mã này.")] = None,
    require_field: Annotated[list[str] | None, typer.Option(help="Từ chối hồ sơ thiếu trường này.")] = None,
    seed: Annotated[int | None, typer.Option(help="Hạt giống ngẫu nhiên cho các lỗi thử nghiệm.")] = None,
    no_fsync: Annotated[bool, typer.Option("--no-fsync", help="Không ép ghi đĩa từng lô (nhanh hơn, kém an toàn).")] = False,
    tls_cert: Annotated[Path | None, typer.Option(help="Chứng thư TLS của nơi nhận (PEM).")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="Khóa của chứng thư TLS (PEM).")] = None,
    client_ca: Annotated[Path | None, typer.Option(help="Chỉ nhận bên gửi có chứng thư do CA này cấp.")] = None,
) -> None:
    """Nơi nhận thử theo đúng hợp đồng (docs/sync.md), để kiểm tra kết nối trước khi đồng bộ thật."""
    from lamsach.sync import ReceiverOptions, make_server

    options = ReceiverOptions(token=token, fail_rate=fail_rate, lose_ack_rate=lose_ack_rate, delay_ms=delay_ms,
                              reject_records=frozenset(reject_record or ()), require_fields=tuple(require_field or ()),
                              seed=seed, fsync=not no_fsync)
    try:
        server = make_server(dir, port, options, host, (tls_cert, tls_key, client_ca) if tls_cert and tls_key else None)
    except OSError as exc:
        err_console.print(f"Không mở được nơi nhận trên {host}:{port} hoặc thư mục {dir}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    scheme = "https" if tls_cert else "http"
    console.print(f"Nơi nhận thử đang nghe tại {scheme}://{host}:{server.server_address[1]} — lưu vào {dir}",
                  soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
