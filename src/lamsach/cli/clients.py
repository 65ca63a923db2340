"""`lamsach client …`: agencies that look facts up through /api/v1 (no web login)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Annotated

import typer
from rich.table import Table

from lamsach.cli.console import console, err_console
from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

client_app = typer.Typer(help="Cơ quan tra cứu qua API (/api/v1): phạm vi, mục đích, hạn dùng, mã truy cập.",
                         no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="Tên cơ quan (không trùng).")]
VN = timezone(timedelta(hours=7), "ICT")
DEFAULT_RATE = 600


def _store(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    return SqlAlchemyStore.open(settings_for(data_dir, database_url).store_url)


def _find(store, name: str):
    from lamsach.backends.store.api_clients import client_by_name

    client = client_by_name(store, name)
    if client is None:
        err_console.print(f"Không có cơ quan “{name}”. Xem danh sách: lamsach client list.")
        raise typer.Exit(1)
    return client


def _expiry(text: str | None) -> datetime | None:
    """`2027-06-30`: usable through that day (Vietnam time); a full ISO time is taken as given."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text) + timedelta(days=1), time(), VN)
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=VN)
    except ValueError:
        err_console.print(f"--expires “{text}” không hợp lệ: ghi ngày dạng NNNN-TT-NN (ví dụ 2027-06-30).")
        raise typer.Exit(1) from None


def _print_token(value: str) -> None:
    console.print(value, markup=False, highlight=False, soft_wrap=True)


@client_app.command("add")
def add(name: Name,
        scope: Annotated[list[str], typer.Option("--scope", help="Phạm vi tra cứu (lặp lại được): residence, "
                                                 "marital_status, life_status, land_rights, land_parcels.")],
        purpose: Annotated[list[str] | None, typer.Option("--purpose", help="Mục đích được khai (lặp lại được); "
                                                          "mặc định mọi mục đích các phạm vi cho phép.")] = None,
        expires: Annotated[str | None, typer.Option(help="Hạn dùng: NNNN-TT-NN (dùng được hết ngày đó).")] = None,
        rate: Annotated[int, typer.Option(help="Số lượt tra cứu tối đa mỗi phút.")] = DEFAULT_RATE,
        data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Đăng ký cơ quan; in mã truy cập MỘT lần (hệ thống chỉ giữ bản băm)."""
    from lamsach.backends.store.api_clients import add_client, client_by_name
    from lamsach.lookups import default_purposes, scopes
    from lamsach.web.passwords import new_token, token_hash

    known = scopes()
    unknown = [s for s in scope if s not in known]
    if unknown:
        err_console.print(f"Phạm vi “{unknown[0]}” không có; chọn trong: {', '.join(known)}.")
        raise typer.Exit(1)
    chosen = list(dict.fromkeys(scope))
    allowed = default_purposes(chosen)
    purposes = list(dict.fromkeys(purpose)) if purpose else allowed
    outside = [p for p in purposes if p not in allowed]
    if outside:
        err_console.print(f"Mục đích “{outside[0]}” không thuộc các phạm vi đã chọn; chọn trong: {', '.join(allowed)}.")
        raise typer.Exit(1)
    if rate < 1:
        err_console.print("--rate phải từ 1 trở lên.")
        raise typer.Exit(1)
    until = _expiry(expires)
    store = _store(data_dir, database_url)
    if client_by_name(store, name) is not None:
        err_console.print(f"Cơ quan “{name}” đã có; cấp mã mới bằng: lamsach client rotate {name}.")
        raise typer.Exit(1)
    token = new_token()
    add_client(store, name, token_hash(token), chosen, purposes, rate, until)
    err_console.print(f"Đã đăng ký “{name}” (phạm vi {', '.join(chosen)}; mục đích {', '.join(purposes)}). "
                      "Mã truy cập (chỉ hiện lần này):")
    _print_token(token)


@client_app.command("list")
def list_(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Các cơ quan, phạm vi, mục đích, giới hạn và trạng thái."""
    from lamsach.backends.store.api_clients import clients

    now = datetime.now(VN)
    words = {"active": "đang dùng", "revoked": "đã thu hồi", "expired": "hết hạn"}
    table = Table("Cơ quan", "Phạm vi", "Mục đích", "Lượt/phút", "Hạn dùng", "Trạng thái")
    for c in clients(_store(data_dir, database_url)):
        until = c.expires_at.astimezone(VN).strftime("%Y-%m-%d %H:%M") if c.expires_at else ""
        table.add_row(c.name, " ".join(c.scopes), " ".join(c.purposes), str(c.rate_per_minute), until,
                      words[c.state(now)])
    console.print(table)


@client_app.command("revoke")
def revoke(name: Name, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Thu hồi: mã của cơ quan thôi dùng được ngay."""
    from lamsach.backends.store.api_clients import revoke_client

    store = _store(data_dir, database_url)
    revoke_client(store, _find(store, name).id)
    console.print(f"Đã thu hồi quyền tra cứu của “{name}”.")


@client_app.command("rotate")
def rotate(name: Name, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Cấp mã mới (in một lần); mã cũ thôi dùng được ngay."""
    from lamsach.backends.store.api_clients import rotate_client
    from lamsach.web.passwords import new_token, token_hash

    store = _store(data_dir, database_url)
    client = _find(store, name)
    if client.revoked_at is not None:
        err_console.print(f"Cơ quan “{name}” đã bị thu hồi; đăng ký lại bằng tên khác nếu cần.")
        raise typer.Exit(1)
    token = new_token()
    rotate_client(store, client.id, token_hash(token))
    err_console.print(f"Mã mới của “{name}” (chỉ hiện lần này; mã cũ đã thôi dùng):")
    _print_token(token)
