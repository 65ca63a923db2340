"""`lamsach record …` and `lamsach finding …`: look at a record's history, undo a change, decide on a finding."""

from __future__ import annotations

from typing import Annotated

import typer

from lamsach.cli.console import console, err_console
from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

record_app = typer.Typer(help="Lịch sử và hoàn tác thay đổi của một bản ghi.", no_args_is_help=True)
finding_app = typer.Typer(help="Quyết định của cán bộ về một phát hiện.", no_args_is_help=True)

Campaign = Annotated[str, typer.Argument(help="Tên đợt làm sạch (mục name của tệp mô tả).")]
Dataset = Annotated[str, typer.Argument(help="Tập dữ liệu, ví dụ land_parcel.")]
Key = Annotated[str, typer.Argument(help="Mã hồ sơ.")]
Actor = Annotated[str, typer.Option("--by", help="Người thực hiện.")]


def _store(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    return SqlAlchemyStore.open(settings_for(data_dir, database_url).store_url)


@record_app.command("history")
def history(campaign: Campaign, dataset: Dataset, key: Key, data_dir: DataDir = None,
            database_url: DatabaseUrl = None) -> None:
    """Mọi thay đổi của một bản ghi: giá trị cũ, mới, nguồn, ai, khi nào, vì sao."""
    store = _store(data_dir, database_url)
    record = store.record(campaign, dataset, key)
    if record is None:
        err_console.print(f"Không có bản ghi {dataset}/{key} trong đợt “{campaign}”.")
        raise typer.Exit(1)
    console.print(f"[bold]{dataset}/{key}[/bold] — phiên bản hiện tại {record.version}")
    for c in store.history(campaign, dataset, key):
        rule = f"/{c.rule}" if c.rule else ""
        console.print(f"#{c.id} v{c.version} {c.field}: “{c.old_value or ''}” → “{c.new_value or ''}” "
                      f"[{c.source}{rule}] {c.actor} {c.at[:19]} — {c.reason or ''}",
                      soft_wrap=True, markup=False, highlight=False)


@record_app.command("undo")
def undo(campaign: Campaign, change_id: Annotated[int, typer.Argument(help="Số của thay đổi (xem history).")],
         reason: Annotated[str, typer.Option(help="Lý do hoàn tác.")], by: Actor,
         data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Hoàn tác một thay đổi: khôi phục giá trị trước đó thành một phiên bản mới."""
    store = _store(data_dir, database_url)
    try:
        store.undo(campaign, change_id, by, reason)
    except KeyError:
        err_console.print(f"Không có thay đổi số {change_id}.")
        raise typer.Exit(1) from None
    console.print(f"Đã hoàn tác thay đổi số {change_id}.")


@record_app.command("merge")
def merge(campaign: Campaign, dataset: Dataset, key: Key,
          into: Annotated[str, typer.Option("--into", help="Mã hồ sơ được giữ lại.")],
          reason: Annotated[str, typer.Option(help="Lý do gộp.")], by: Actor,
          data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Gộp hồ sơ trùng vào hồ sơ được giữ lại (hoàn tác được bằng record undo)."""
    from lamsach.review.lifecycle import merge_record

    _decide(lambda store: merge_record(store, campaign, dataset, key, into, by, reason), data_dir, database_url)
    console.print(f"Đã gộp {dataset}/{key} vào {into}; lần chạy sau không còn tính hồ sơ {key}.")


@record_app.command("retire")
def retire(campaign: Campaign, dataset: Dataset, key: Key,
           reason: Annotated[str, typer.Option(help="Lý do ngừng sử dụng.")], by: Actor,
           data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Ngừng sử dụng một hồ sơ (giữ lại cùng lịch sử; hoàn tác được bằng record undo)."""
    from lamsach.review.lifecycle import retire_record

    _decide(lambda store: retire_record(store, campaign, dataset, key, by, reason, rule="withdrawn_by_unit"),
            data_dir, database_url)
    console.print(f"Đã ngừng sử dụng {dataset}/{key}; lần chạy sau không còn tính hồ sơ này.")


def _decide(action, data_dir, database_url) -> None:
    from lamsach.cli.console import print_errors
    from lamsach.domain import LamsachError

    try:
        action(_store(data_dir, database_url))
    except LamsachError as exc:
        print_errors([exc], "vi")
        raise typer.Exit(1) from None


@finding_app.command("dismiss")
def dismiss(campaign: Campaign, dataset: Dataset, key: Key,
            field: Annotated[str, typer.Argument(help="Trường của phát hiện.")],
            rule: Annotated[str, typer.Argument(help="Quy tắc của phát hiện.")],
            reason: Annotated[str, typer.Option(help="Vì sao phát hiện này không phải lỗi.")], by: Actor,
            data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Bỏ qua một phát hiện; nó giữ trạng thái “dismissed” chừng nào giá trị còn như hiện nay."""
    from lamsach.review.actions import dismiss_finding

    _decide(lambda store: dismiss_finding(store, campaign, dataset, key, field, rule, by, reason), data_dir,
            database_url)
    console.print(f"Đã bỏ qua phát hiện {rule} của {dataset}/{key}.{field}; lần chạy sau sẽ giữ quyết định này.")
