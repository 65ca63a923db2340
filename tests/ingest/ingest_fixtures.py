"""Deterministic unit files for the ingest tests, built by code in temporary folders.

Rows are drawn with a seeded `random.Random`, so a failure reproduces; workbooks are written with
XlsxWriter the way sector software exports them (title rows, merged title, an STT column).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter

from lamsach.data import load_schema
from lamsach.domain import SourceSpec
from lamsach.ingest import SourceRead, read_source

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đỗ", "Vũ", "Bùi", "Đặng", "Ngô"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thùy", "Quốc"]
GIVEN = ["Anh", "Bình", "Châu", "Dũng", "Hà", "Hạnh", "Khuê", "Lộc", "Nghĩa", "Thủy", "Tuấn", "Yến"]
VILLAGES = ["Thôn 1", "Thôn Trung Hòa", "Xóm Đông", "Thôn Phú Xuân"]
COMMUNES = [("16012", "Hậu Lộc"), ("16033", "Đông Thành"), ("16093", "Nga Sơn")]

POPULATION_HEADER = [
    "Mã hồ sơ", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Mã xã",
    "Nơi thường trú", "Mã hộ", "Quan hệ với chủ hộ", "Tình trạng", "Ngày mất", "Ngày cập nhật",
]  # fmt: skip
LAND_HEADER = [
    "STT", "Mã hồ sơ", "Mã xã", "Số tờ bản đồ", "Số thửa", "Diện tích (m2)", "Mục đích sử dụng",
    "Địa chỉ thửa đất", "Số phát hành GCN", "Tên người sử dụng đất", "Số giấy tờ tùy thân",
    "Năm sinh", "Địa chỉ người sử dụng", "Ngày cập nhật",
]  # fmt: skip


def person_rows(seed: int, count: int, start: int = 1) -> list[list[str]]:
    """Population-register rows as text, in `POPULATION_HEADER` order."""
    rng = random.Random(seed)
    rows = []
    for n in range(start, start + count):
        code, commune = rng.choice(COMMUNES)
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 80))
        sex = rng.choice(["Nam", "Nữ"])
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
        rows.append([
            f"DC{n:08d}", f"038{rng.randrange(10**9):09d}", name, born.strftime("%d/%m/%Y"), sex, code,
            f"{rng.choice(VILLAGES)}, xã {commune}, tỉnh Thanh Hóa", f"HH{n // 3:07d}", "Con", "Còn sống",
            "", "01/06/2026",
        ])  # fmt: skip
    return rows


def land_rows(seed: int, count: int) -> list[list[Any]]:
    """Land-parcel rows with Excel-typed cells (numbers, dates), in `LAND_HEADER` order."""
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    for n in range(1, count + 1):
        code, commune = rng.choice(COMMUNES)
        year = rng.randrange(1940, 2005)
        rows.append([
            n, f"TD{n:08d}", code, rng.randrange(1, 60), rng.randrange(1, 900), round(rng.uniform(50, 5000), 1),
            rng.choice(["LUC", "ONT", "CLN", "NTS"]), f"{rng.choice(VILLAGES)}, xã {commune}",
            f"CS {rng.randrange(10**6):06d}", f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}",
            38000000000 + rng.randrange(10**9), year, f"{rng.choice(VILLAGES)}, xã {commune}",
            dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300)),
        ])  # fmt: skip
    return rows


def csv_bytes(
    header: Sequence[str] | None,
    rows: Sequence[Sequence[Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    lineterminator: str = "\r\n",
) -> bytes:
    """CSV text of a header and rows, encoded (use "utf-8-sig" for a BOM, "utf-16" for Excel's Unicode text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    if encoding == "cp1258":
        return to_cp1258(buffer.getvalue())
    return buffer.getvalue().encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Text as Windows writes it in code page 1258: letters it lacks as base letter + combining tone."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in CP1258_TONES))
            out += base.encode("cp1258") + "".join(c for c in parts if c in CP1258_TONES).encode("cp1258")
    return bytes(out)


CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


def write_xlsx(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    *,
    title_rows: Sequence[str] = (),
    hidden: Sequence[str] = (),
) -> Path:
    """A workbook with one sheet per entry; each sheet's first list is its header row.

    Title rows go above the header, each merged across the header's width as exports do. Dates
    and date-times are written as real Excel dates.
    """
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    datetime_format = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        width = max(len(rows[0]), 2) if rows else 2
        for r, title in enumerate(title_rows):
            sheet.merge_range(r, 0, r, width - 1, title)
        offset = len(title_rows) + (1 if title_rows else 0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    sheet.write_datetime(offset + r, c, value, datetime_format)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(offset + r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif value is not None:
                    sheet.write(offset + r, c, value)
        if name in hidden:
            sheet.hide()
    workbook.close()
    return path


def write_ods(path: Path, sheet: str, rows: list[list[Any]]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), written by hand: no writer library."""

    def cell(value: Any) -> str:
        if isinstance(value, dt.date):
            iso = value.isoformat()
            return f'<table:table-cell office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'
        if isinstance(value, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    namespaces = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {namespaces} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def read(path: Path, dataset: str, **spec: Any) -> SourceRead:
    """Read a file as `dataset`, with optional SourceSpec fields (columns, sheet)."""
    return read_source(SourceSpec(path=path, dataset=dataset, **spec), load_schema(dataset))


def assert_reconciles(result: SourceRead) -> None:
    """Every row read is stored or rejected, and the parallel lists agree."""
    assert result.rows_read == len(result.rows) + len(result.rejections)
    assert len(result.rows) == len(result.row_numbers) == len(result.sheets)
