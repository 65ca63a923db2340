"""`lamsach user …`: people who sign in to the web app, and agencies' API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from lamsach.cli.console import console, err_console
from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

user_app = typer.Typer(help="Tài khoản đăng nhập trang web và mã truy cập API.", no_args_is_help=True)

Username = Annotated[str, typer.Argument(help="Tên đăng nhập.")]
ROLES = ("admin", "officer", "inspector")


def _store(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    return SqlAlchemyStore.open(settings_for(data_dir, database_url).store_url)


def _read_password(from_stdin: bool) -> str:
    from lamsach.web.passwords import MIN_PASSWORD_LENGTH

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        err_console.print(f"Mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
        raise typer.Exit(1)
    return password


def _find(store, username: str):
    from lamsach.backends.store.users import user_by_name

    user = user_by_name(store, username)
    if user is None:
        err_console.print(f"Không có tài khoản “{username}”.")
        raise typer.Exit(1)
    return user


@user_app.command("add")
def add(username: Username,
        role: Annotated[str, typer.Option(help="Vai trò: admin (quản trị tỉnh), officer (cán bộ đơn vị), "
                                               "inspector (thanh tra, chỉ xem).")],
        unit: Annotated[str | None, typer.Option(help="Mã đơn vị (mã xã) của cán bộ đơn vị.")] = None,
        password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                     help="Đọc mật khẩu từ dòng đầu của đầu vào chuẩn.")] = False,
        data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Tạo tài khoản (kể cả tài khoản quản trị đầu tiên)."""
    from lamsach.backends.store.users import add_user, user_by_name
    from lamsach.web.passwords import hash_password

    if role not in ROLES:
        err_console.print(f"Vai trò “{role}” không có; chọn một trong: {', '.join(ROLES)}.")
        raise typer.Exit(1)
    unit = unit.zfill(5) if unit and unit.isdigit() else unit
    if role == "officer" and not unit:
        err_console.print("Cán bộ đơn vị cần --unit MÃ_XÃ.")
        raise typer.Exit(1)
    store = _store(data_dir, database_url)
    if user_by_name(store, username) is not None:
        err_console.print(f"Tài khoản “{username}” đã có.")
        raise typer.Exit(1)
    add_user(store, username, role, unit if role == "officer" else None, hash_password(_read_password(password_stdin)))
    console.print(f"Đã tạo tài khoản “{username}” ({role}{', đơn vị ' + unit if role == 'officer' else ''}).")


@user_app.command("password")
def password(username: Username,
             password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                          help="Đọc mật khẩu từ đầu vào chuẩn.")] = False,
             data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Đặt lại mật khẩu (và mở khóa tài khoản)."""
    from lamsach.backends.store.users import set_password
    from lamsach.web.passwords import hash_password

    store = _store(data_dir, database_url)
    user = _find(store, username)
    set_password(store, user.id, hash_password(_read_password(password_stdin)))
    console.print(f"Đã đặt lại mật khẩu của “{username}”.")


@user_app.command("token")
def token(username: Username, revoke: Annotated[bool, typer.Option(help="Thu hồi mã hiện có.")] = False,
          data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Cấp mã truy cập API mới (in ra một lần, hệ thống chỉ giữ bản băm) hoặc thu hồi mã."""
    from lamsach.backends.store.users import set_api_token_hash
    from lamsach.web.passwords import new_token, token_hash

    store = _store(data_dir, database_url)
    user = _find(store, username)
    if revoke:
        set_api_token_hash(store, user.id, None)
        console.print(f"Đã thu hồi mã truy cập của “{username}”.")
        return
    value = new_token()
    set_api_token_hash(store, user.id, token_hash(value))
    console.print(value, markup=False, highlight=False, soft_wrap=True)


@user_app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Các tài khoản."""
    from lamsach.backends.store.users import users

    table = Table("Tên đăng nhập", "Vai trò", "Đơn vị", "Khóa đến")
    for user in users(_store(data_dir, database_url)):
        table.add_row(user.username, user.role, user.unit or "", str(user.locked_until or ""))
    console.print(table)
