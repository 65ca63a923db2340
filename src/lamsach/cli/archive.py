"""`lamsach archive …`: keep scans and PDFs, search them, tie them to records, prove they are intact."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from lamsach.cli.console import console, err_console, print_errors
from lamsach.cli.options import DatabaseUrl, DataDir, settings_for

archive_app = typer.Typer(help="Kho lưu trữ điện tử: lưu bản quét, tìm kiếm, gắn với hồ sơ, kiểm tra toàn vẹn.",
                          no_args_is_help=True)

Actor = Annotated[str, typer.Option("--by", help="Người thực hiện (ghi vào nhật ký).")]
DocumentId = Annotated[int, typer.Argument(help="Số tài liệu (xem archive add / search).")]
Campaign = Annotated[str | None, typer.Option(help="Đợt làm sạch của hồ sơ được gắn.")]
Dataset = Annotated[str | None, typer.Option(help="Tập dữ liệu của hồ sơ, ví dụ land_parcel.")]
RecordKey = Annotated[str | None, typer.Option("--record", help="Mã hồ sơ được gắn với tài liệu.")]


def _open(data_dir, database_url):
    from lamsach.backends.store import SqlAlchemyStore

    settings = settings_for(data_dir, database_url)
    return settings, SqlAlchemyStore.open(settings.store_url)


def _record(campaign, dataset, record_key):
    from lamsach.archive import RecordRef

    given = [v for v in (campaign, dataset, record_key) if v]
    if not given:
        return None
    if len(given) != 3:
        err_console.print("Để gắn tài liệu với hồ sơ cần đủ --campaign, --dataset và --record.")
        raise typer.Exit(1)
    return RecordRef(campaign, dataset, record_key)


@archive_app.command("add")
def add(paths: Annotated[list[Path], typer.Argument(help="Tệp PDF, JPEG, PNG, TIFF (nhiều trang được).")],
        by: Actor = "cli",
        campaign: Campaign = None, dataset: Dataset = None, record: RecordKey = None,
        fonds: Annotated[str | None, typer.Option("--fonds", help="Mã phông.")] = None,
        file_code: Annotated[str | None, typer.Option("--file-code", help="Mã hồ sơ lưu trữ.")] = None,
        title: Annotated[str | None, typer.Option(help="Tiêu đề (mặc định: tên tệp).")] = None,
        number: Annotated[str | None, typer.Option(help="Số và ký hiệu văn bản, vd. 125/QĐ-UBND.")] = None,
        issuer: Annotated[str | None, typer.Option(help="Cơ quan ban hành.")] = None,
        date: Annotated[str | None, typer.Option(help="Ngày văn bản (dd/mm/yyyy).")] = None,
        summary: Annotated[str | None, typer.Option(help="Trích yếu nội dung.")] = None,
        retention: Annotated[str | None, typer.Option(help="Thời hạn bảo quản: “vĩnh viễn” hoặc “N năm”.")] = None,
        access: Annotated[str, typer.Option(help="Chế độ sử dụng: public, restricted, confidential.")] = "restricted",
        language: Annotated[str, typer.Option(help="Ngôn ngữ (vi, en, …).")] = "vi",
        unit: Annotated[str | None, typer.Option(help="Mã đơn vị (mã xã) quản lý tài liệu.")] = None,
        data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Lưu tệp vào kho: bản gốc nguyên vẹn (SHA-256), nhận dạng chữ tiếng Việt, kiểm tra thông tin mô tả."""
    from lamsach.archive import KEPT, add_path

    settings, store = _open(data_dir, database_url)
    ref = _record(campaign, dataset, record)
    values = {"fonds_code": fonds, "file_code": file_code, "title": title, "doc_number": number,
              "issuer": issuer, "doc_date": date, "summary": summary, "retention": retention,
              "access_level": access, "language": language}
    refused = 0
    # files are read two at a time (LAMSACH_ARCHIVE_OCR_JOBS): both cores busy even on one-page scans
    with ThreadPoolExecutor(max_workers=max(1, settings.archive_ocr_jobs)) as pool:
        outcomes = pool.map(lambda p: add_path(store, settings, os.fsencode(p), values, by, unit, ref), paths)
    for outcome in outcomes:
        if outcome.status != KEPT:
            refused += 1
            print_errors([outcome.error], settings.lang)
            continue
        console.print(f"Đã lưu “{outcome.file_name}”: tài liệu số {outcome.document_id}, {outcome.pages} trang, "
                      f"chữ: {outcome.text_source}.", markup=False, highlight=False)
        for warning in outcome.warnings:
            console.print(f"  ! {warning.message(settings.lang)}", markup=False, highlight=False)
        for finding in outcome.findings:
            console.print(f"  [{finding['criterion']}] {finding['message']}", markup=False, highlight=False)
        for suggestion in outcome.suggestions:
            console.print(f"  Gợi ý gắn với {suggestion['dataset']}/{suggestion['record_key']} "
                          f"({suggestion['campaign']}): {suggestion['evidence']}", markup=False, highlight=False)
    if refused:
        raise typer.Exit(1)


@archive_app.command("show")
def show(document_id: DocumentId, by: Actor = "cli", data_dir: DataDir = None,
         database_url: DatabaseUrl = None) -> None:
    """Thông tin mô tả, phát hiện, hồ sơ được gắn và lần kiểm tra của một tài liệu (ghi nhật ký)."""
    from lamsach.archive import metadata_schema, open_document
    from lamsach.backends.store import archive as catalogue
    from lamsach.domain import LamsachError

    settings, store = _open(data_dir, database_url)
    try:  # the command line is the province's operator: it opens every level, and is logged
        document = open_document(store, document_id, by, "admin")
    except LamsachError as error:
        print_errors([error], settings.lang)
        raise typer.Exit(1) from None
    console.print(f"[bold]Tài liệu số {document_id}[/bold]: {document['file_name']}", highlight=False)
    table = Table(show_header=False)
    for name, value in [("SHA-256", document["sha256"]), ("Loại", document["media_type"]),
                        ("Dung lượng", f"{document['size_bytes']} byte"),
                        ("Có chữ ký số", "có" if document["signed"] else "không"),
                        ("Nguồn chữ", document["text_source"]),
                        *((metadata_schema().field(k).label_vi, v) for k, v in document["metadata"].items())]:
        table.add_row(name, str(value if value is not None else ""))
    console.print(table)
    for finding in catalogue.findings(store, document_id):
        console.print(f"  [{finding['criterion']}] {finding['message']}", markup=False, highlight=False)
    for link in catalogue.links(store, document_id):
        console.print(f"  Gắn với {link['dataset']}/{link['record_key']} ({link['campaign']}): {link['status']}"
                      f"{' — ' + link['evidence'] if link['evidence'] else ''}", markup=False, highlight=False)


@archive_app.command("search")
def search(query: Annotated[str, typer.Argument(help="Từ cần tìm, có dấu hay không dấu (“dat dai” tìm ra “đất đai”).")],
           role: Annotated[str, typer.Option(help="Tìm với quyền của vai trò: admin, inspector, officer.")] = "admin",
           unit: Annotated[str | None, typer.Option(help="Đơn vị của cán bộ (với --role officer).")] = None,
           limit: Annotated[int, typer.Option(help="Số kết quả tối đa.")] = 20,
           data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Tìm tài liệu theo nội dung và thông tin mô tả, không phân biệt dấu và đ/d, kèm đoạn trích."""
    from lamsach.archive import search as find

    _, store = _open(data_dir, database_url)
    result = find(store, query, role, unit, limit=limit)
    count = f"Hơn {result.total:,}".replace(",", ".") if result.more else f"{result.total}"
    console.print(f"{count} tài liệu khớp “{query}”.", markup=False, highlight=False)
    for hit in result.hits:
        console.print(f"[bold]#{hit.document_id}[/bold] {hit.title} ({hit.file_name}"
                      f"{', ' + hit.doc_date if hit.doc_date else ''})", highlight=False)
        console.print(f"    {hit.snippet}", markup=False, highlight=False)


@archive_app.command("link")
def link(document_id: DocumentId, campaign: Annotated[str, typer.Option(help="Đợt làm sạch của hồ sơ.")],
         dataset: Annotated[str, typer.Option(help="Tập dữ liệu, ví dụ land_parcel.")],
         record: Annotated[str, typer.Option("--record", help="Mã hồ sơ.")],
         reject: Annotated[bool, typer.Option("--reject", help="Bác gợi ý thay vì xác nhận.")] = False,
         by: Actor = "cli", data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Gắn tài liệu với hồ sơ (hoặc xác nhận / bác một gợi ý)."""
    from lamsach.archive import RecordRef, link_document
    from lamsach.domain import LamsachError

    settings, store = _open(data_dir, database_url)
    try:
        link_document(store, document_id, RecordRef(campaign, dataset, record), by, confirm=not reject)
    except LamsachError as error:
        print_errors([error], settings.lang)
        raise typer.Exit(1) from None
    console.print(f"Đã {'bác' if reject else 'xác nhận'} gắn tài liệu số {document_id} với {dataset}/{record}.",
                  markup=False, highlight=False)


@archive_app.command("suggestions")
def list_suggestions(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Các gợi ý gắn tài liệu với hồ sơ đang chờ cán bộ xác nhận."""
    from lamsach.archive import suggestions

    _, store = _open(data_dir, database_url)
    waiting = suggestions(store)
    console.print(f"{len(waiting)} gợi ý chờ xác nhận.")
    for item in waiting:
        console.print(f"Tài liệu số {item['document_id']} → {item['dataset']}/{item['record_key']} "
                      f"({item['campaign']}): {item['evidence']}", markup=False, highlight=False)


@archive_app.command("verify")
def verify_command(by: Actor = "cli", data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Băm lại mọi tệp lưu trữ (bản gốc, bản sao tìm kiếm, cả bản lưu thứ hai); sửa từ bản còn đúng;
    ghi từng lần kiểm tra; thoát mã 1 và nêu từng tệp bị mất hoặc bị thay đổi."""
    from lamsach.archive import verify

    settings, store = _open(data_dir, database_url)
    report = verify(store, settings, by)
    for path in report.repaired:
        console.print(f"Đã khôi phục {path} từ bản lưu còn đúng.", markup=False, highlight=False)
    console.print(f"Đã kiểm tra {report.checked} tệp: {len(report.problems)} tệp bị mất hoặc bị thay đổi, "
                  f"{len(report.repaired)} tệp đã khôi phục.")
    if report.problems:
        print_errors(report.problems, settings.lang)
        raise typer.Exit(1)
