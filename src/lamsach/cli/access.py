"""`lamsach audit …`: the agencies' access log — verify its hash chain, a citizen's access report."""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.table import Table

from lamsach.cli.console import console, err_console
from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

audit_app = typer.Typer(help="Nhật ký tra cứu của các cơ quan: kiểm tra toàn vẹn, báo cáo cho công dân.",
                        no_args_is_help=True)
KINDS = {"altered": "bị sửa", "removed": "bị xóa", "reordered": "bị đổi thứ tự"}


def _store(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    return SqlAlchemyStore.open(settings_for(data_dir, database_url).store_url)


@audit_app.command("verify")
def verify(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Tính lại chuỗi băm của nhật ký tra cứu; nêu mục đầu tiên bị sửa, bị xóa hoặc bị đổi thứ tự."""
    from lamsach.backends.store.access_log import verify as verify_chain

    report = verify_chain(_store(data_dir, database_url))
    if report.ok:
        console.print(f"Nhật ký tra cứu toàn vẹn: {report.entries} mục, {report.checkpoints} điểm mốc.")
        return
    problem = report.problem
    where = f" (dòng id {problem.position})" if problem.position else " (cuối nhật ký, so với điểm mốc)"
    err_console.print(f"Nhật ký tra cứu KHÔNG toàn vẹn: mục số {problem.seq} {KINDS[problem.kind]}{where}; "
                      f"đã kiểm {report.entries} mục.")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def checkpoint(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Ghi điểm mốc đầu chuỗi ngay (việc này cũng tự làm sau mỗi 1000 mục); in số mục và mã băm để lưu
    ra ngoài."""
    from lamsach.backends.store.access_log import checkpoint as mark

    found = mark(_store(data_dir, database_url))
    if found is None:
        console.print("Nhật ký tra cứu chưa có mục nào.")
        return
    console.print(f"Điểm mốc: mục số {found[0]}, mã băm {found[1]}", markup=False, highlight=False)


@audit_app.command("citizen")
def citizen(citizen_id: Annotated[str, typer.Argument(help="Số định danh cá nhân (12 chữ số).")],
            data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Báo cáo truy cập của một công dân: mọi lượt tra cứu — cơ quan nào, khi nào, mục đích gì."""
    from lamsach.lookups.access_report import access_report

    if not re.fullmatch(r"[0-9]{12}", citizen_id.strip()):
        err_console.print("Số định danh cần đúng 12 chữ số.")
        raise typer.Exit(1)
    settings = settings_for(data_dir, database_url)
    from lamsach.backends.store import SqlAlchemyStore

    report = access_report(SqlAlchemyStore.open(settings.store_url), settings.data_dir, citizen_id.strip())
    console.print(f"Báo cáo truy cập của công dân {report.subject}: {len(report.entries)} lượt tra cứu.")
    if report.entries:
        table = Table("Thời điểm", "Cơ quan", "Phạm vi", "Mục đích")
        for e in report.entries:
            table.add_row(e.at, e.client, e.scope, e.purpose_label)
        console.print(table)
