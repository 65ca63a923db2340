"""Bad files: each becomes a LamsachError naming the file, in Vietnamese and English, never a traceback."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path
from string import Formatter

import pytest
from ingest_fixtures import (
    LAND_HEADER,
    POPULATION_HEADER,
    csv_bytes,
    land_rows,
    person_rows,
    read,
    write_xlsx,
)

from lamsach.data import error_templates
from lamsach.domain import ErrorCode, LamsachError


def valid_xlsx(tmp_path: Path) -> bytes:
    path = write_xlsx(tmp_path / "valid.xlsx", {"Thua dat": [LAND_HEADER, *land_rows(seed=30, count=20)]})
    return path.read_bytes()


def error_of(path: Path, dataset: str = "land_parcel") -> LamsachError:
    with pytest.raises(LamsachError) as info:
        read(path, dataset)
    error = info.value
    for lang in ("vi", "en"):
        assert str(path) in error.message(lang)
        template = error_templates()[error.code.value][lang]
        filled = {*error.params, *(k for k, v in error.location.as_dict().items() if v is not None)}
        assert {name for _, name, _, _ in Formatter().parse(template) if name} <= filled
    return error


def test_missing_file(tmp_path: Path) -> None:
    error = error_of(tmp_path / "land" / "16012.xlsx")
    assert error.code == ErrorCode.INGEST_FILE_NOT_FOUND
    assert error.message("vi").startswith(f"Tệp {tmp_path / 'land' / '16012.xlsx'}: không tìm thấy tệp")


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx"])
def test_zero_bytes(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert error_of(path).code == ErrorCode.INGEST_FILE_EMPTY


def test_csv_with_header_only(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(POPULATION_HEADER, []) + b"\r\n,,,\r\n")
    assert error_of(path, "population").code == ErrorCode.INGEST_FILE_EMPTY


@pytest.mark.parametrize("name", ["land.pdf", "land.docx", "land"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4")
    error = error_of(path)
    assert error.code == ErrorCode.INGEST_FORMAT_UNSUPPORTED
    assert ".xlsx" in error.params["expected"] and ".csv" in error.params["expected"]


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "land.xlsx"
    path.write_bytes(random.Random(31).randbytes(2048))
    error = error_of(path)
    assert error.code == ErrorCode.INGEST_FILE_CORRUPT
    assert "Excel" in error.message("vi")


def test_truncated_workbook(tmp_path: Path) -> None:
    content = valid_xlsx(tmp_path)
    path = tmp_path / "land.xlsx"
    path.write_bytes(content[: len(content) // 2])
    assert error_of(path).code == ErrorCode.INGEST_FILE_CORRUPT


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    path = tmp_path / "land.xlsx"
    path.write_bytes(buffer.getvalue())
    assert error_of(path).code == ErrorCode.INGEST_FILE_CORRUPT


@pytest.mark.parametrize("name", ["land.xls", "land.ods"])
def test_other_workbook_formats_with_bad_content(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"Ma ho so,Ho ten\r\nTD1,An\r\n")
    assert error_of(path).code == ErrorCode.INGEST_FILE_CORRUPT


def test_xlsx_content_under_an_xls_name_is_read(tmp_path: Path) -> None:
    path = tmp_path / "land.xls"
    path.write_bytes(valid_xlsx(tmp_path))
    result = read(path, "land_parcel")
    assert result.format == "xls" and len(result.rows) == 20


@pytest.mark.parametrize("name", ["land.xlsx", "land.xls"])
def test_password_protected_workbook(tmp_path: Path, name: str) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    encrypted = io.BytesIO()
    ooxml.OOXMLFile(io.BytesIO(valid_xlsx(tmp_path))).encrypt("mat-khau", encrypted)
    path = tmp_path / name
    path.write_bytes(encrypted.getvalue())
    error = error_of(path)
    assert error.code == ErrorCode.INGEST_FILE_ENCRYPTED
    assert "mật khẩu" in error.message("vi") and "password" in error.message("en")


def test_hand_made_encrypted_container(tmp_path: Path) -> None:
    """An OLE compound file holding an "EncryptedPackage" stream, as Office writes for a password."""
    header = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header += bytes(512 - len(header))
    entry = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    entry = entry + bytes(64 - len(entry)) + bytes(64)
    path = tmp_path / "land.xlsx"
    path.write_bytes(header + entry + bytes(512 - len(entry)))
    assert error_of(path).code == ErrorCode.INGEST_FILE_ENCRYPTED


def test_damaged_workbooks_never_leak_a_traceback(tmp_path: Path) -> None:
    """Seeded damage to a valid workbook: each read succeeds or fails with a LamsachError."""
    content = bytearray(valid_xlsx(tmp_path))
    rng = random.Random(32)
    path = tmp_path / "land.xlsx"
    for case in range(40):
        damaged = bytearray(content)
        if case % 2:
            damaged = damaged[: rng.randrange(len(damaged))]
        else:
            for _ in range(rng.randrange(1, 20)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        try:
            read(path, "land_parcel")
        except* LamsachError as group:
            assert all(str(path) in e.message("vi") for e in group.exceptions)


def test_damaged_csv_never_leaks_a_traceback(tmp_path: Path) -> None:
    content = csv_bytes(POPULATION_HEADER, person_rows(seed=33, count=30))
    rng = random.Random(34)
    path = tmp_path / "p.csv"
    for _ in range(40):
        damaged = bytearray(content)
        for _ in range(rng.randrange(1, 30)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path.write_bytes(bytes(damaged))
        result = None
        try:
            result = read(path, "population")
        except* LamsachError:
            pass
        if result is not None:
            assert result.rows_read == len(result.rows) + len(result.rejections)
