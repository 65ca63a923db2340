"""CSV files: code pages, delimiters, quoted newlines, line numbers."""

from __future__ import annotations

import codecs
import json
import unicodedata
from pathlib import Path

import pytest
from ingest_fixtures import POPULATION_HEADER, assert_reconciles, csv_bytes, person_rows, read

from lamsach.domain import ErrorCode, LamsachError

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "data" / "encoding_test_vectors.json"


def write(tmp_path: Path, content: bytes, name: str = "population.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # Python writes the BOM in native (little-endian) order
        ("cp1258", "cp1258"),
    ],
)
def test_code_pages_detected_and_text_decoded(tmp_path: Path, encoding: str, detected: str) -> None:
    rows = person_rows(seed=10, count=30)
    result = read(write(tmp_path, csv_bytes(POPULATION_HEADER, rows, encoding=encoding)), "population")
    assert result.encoding == detected

    def nfc(text: str | None) -> str:  # cp1258 text arrives decomposed; the others exactly as written
        return unicodedata.normalize("NFC", text or "") if encoding == "cp1258" else (text or "")

    assert [nfc(r["full_name"]) for r in result.rows] == [r[2] for r in rows]
    assert nfc(result.rows[0]["address"]) == rows[0][6]
    assert result.column_map["Mã hồ sơ"] == "record_id"  # no BOM left in the first header


def test_utf16_big_endian_with_bom(tmp_path: Path) -> None:
    rows = person_rows(seed=11, count=5)
    content = codecs.BOM_UTF16_BE + csv_bytes(POPULATION_HEADER, rows, encoding="utf-16-be")
    result = read(write(tmp_path, content), "population")
    assert result.encoding == "utf-16"
    assert result.rows[4]["full_name"] == rows[4][2]


def test_cp1258_text_is_composed_by_standardise_not_here(tmp_path: Path) -> None:
    # Windows-1258 writes "ễ" as "ê" + a combining tilde; ingest keeps the decoded text as it is.
    rows = [["DC1", "038000000001", "Nguyễn Thị Thủy", "01/01/1980", "Nữ", "16012"]]
    result = read(write(tmp_path, csv_bytes(POPULATION_HEADER[:6], rows, encoding="cp1258")), "population")
    assert result.encoding == "cp1258"
    assert result.rows[0]["full_name"] == "Nguye\u0302\u0303n Thi\u0323 Thu\u0309y".replace("e\u0302", "ê")
    assert unicodedata.normalize("NFC", result.rows[0]["full_name"]) == "Nguyễn Thị Thủy"


def test_cp1252_western_text(tmp_path: Path) -> None:
    header = ["Ma ho so", "So dinh danh ca nhan", "Ho va ten", "Ngay sinh", "Gioi tinh", "Ma xa"]
    rows = [["DC1", "038000000001", "François Müller", "01/01/1980", "Nam", "16012"]]
    result = read(write(tmp_path, csv_bytes(header, rows, encoding="cp1252")), "population")
    assert result.encoding == "cp1252"
    assert result.rows[0]["full_name"] == "François Müller"


@pytest.mark.skipif(not VECTORS.exists(), reason="shared encoding vectors not found")
@pytest.mark.parametrize("legacy", ["tcvn3_vn1_latin1_hex", "vni_windows_cp1252_hex", "viscii_hex"])
def test_legacy_font_bytes_are_read_as_cp1252(tmp_path: Path, legacy: str) -> None:
    """TCVN3/VNI/VISCII text must reach standardise as the cp1252 characters of its bytes."""
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    header = b"Ma ho so,So dinh danh ca nhan,Ho va ten,Ngay sinh,Gioi tinh,Ma xa\r\n"
    lines = [
        b'DC%d,038000000001,"%s",01/01/1980,Nam,16012\r\n'
        % (i, bytes.fromhex(v[legacy]).replace(b'"', b'""'))
        for i, v in enumerate(vectors)
    ]
    result = read(write(tmp_path, header + b"".join(lines)), "population")
    assert result.encoding == "cp1252"
    for row, vector in zip(result.rows, vectors, strict=True):
        expected = bytes.fromhex(vector[legacy]).decode("cp1252", "lamsach-latin1")
        assert row["full_name"] == expected


@pytest.mark.skipif(not VECTORS.exists(), reason="shared encoding vectors not found")
def test_cp1258_vectors_are_read_as_cp1258(tmp_path: Path) -> None:
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]
    header = b"Ma ho so,So dinh danh ca nhan,Ho va ten,Ngay sinh,Gioi tinh,Ma xa\r\n"
    lines = [
        b'DC%d,038000000001,"%s",01/01/1980,Nam,16012\r\n' % (i, bytes.fromhex(v["cp1258_hex"]))
        for i, v in enumerate(vectors)
    ]
    result = read(write(tmp_path, header + b"".join(lines)), "population")
    assert result.encoding == "cp1258"
    assert [unicodedata.normalize("NFC", r["full_name"]) for r in result.rows] == [
        v["unicode_nfc"] for v in vectors
    ]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_delimiter_sniffed_even_with_commas_in_cells(tmp_path: Path, delimiter: str) -> None:
    rows = person_rows(seed=12, count=8)
    result = read(write(tmp_path, csv_bytes(POPULATION_HEADER, rows, delimiter=delimiter)), "population")
    assert result.delimiter == delimiter
    assert result.rows[3]["address"] == rows[3][6] and "," in rows[3][6]
    assert len(result.rows) == 8


def test_excel_sep_line(tmp_path: Path) -> None:
    content = b"sep=;\r\n" + csv_bytes(POPULATION_HEADER, person_rows(seed=13, count=2), delimiter=";")
    result = read(write(tmp_path, content), "population")
    assert result.delimiter == ";"
    assert result.header_row == 2 and result.row_numbers == [3, 4]


def test_quoted_newlines_keep_the_starting_line_number(tmp_path: Path) -> None:
    rows = person_rows(seed=14, count=4)
    rows[1][6] = "Thôn 1,\nxã Hậu Lộc,\ntỉnh Thanh Hóa"
    result = read(write(tmp_path, csv_bytes(POPULATION_HEADER, rows, lineterminator="\n")), "population")
    assert result.rows[1]["address"] == "Thôn 1,\nxã Hậu Lộc,\ntỉnh Thanh Hóa"
    assert result.row_numbers == [2, 3, 6, 7]


def test_title_lines_and_blank_lines(tmp_path: Path) -> None:
    rows = person_rows(seed=15, count=3)
    content = (
        "DANH SÁCH NHÂN KHẨU\n\n".encode()
        + csv_bytes(POPULATION_HEADER, rows[:2], lineterminator="\n")
        + b",,,,\n\n"
        + csv_bytes(None, rows[2:], lineterminator="\n")
    )
    result = read(write(tmp_path, content), "population")
    assert result.header_row == 3
    assert result.row_numbers == [4, 5, 8]
    assert result.rows_read == 3
    assert_reconciles(result)


def test_values_kept_raw(tmp_path: Path) -> None:
    rows = person_rows(seed=16, count=1)
    rows[0][2] = "  nguyễn   văn AN "
    rows[0][1] = "38000000001"
    rows[0][7] = "   "
    result = read(write(tmp_path, csv_bytes(POPULATION_HEADER, rows)), "population")
    assert result.rows[0]["full_name"] == "  nguyễn   văn AN "
    assert result.rows[0]["citizen_id"] == "38000000001"
    assert result.rows[0]["household_id"] is None  # only spaces: empty
    assert result.rows[0]["date_of_death"] is None


def test_stray_bytes_in_a_utf8_file_reject_only_their_row(tmp_path: Path) -> None:
    rows = person_rows(seed=17, count=6)
    content = csv_bytes(POPULATION_HEADER, rows).replace(rows[4][2].encode(), b"Tr\xe0n V\xe3n")
    result = read(write(tmp_path, content), "population")
    assert result.encoding == "utf-8"
    assert len(result.rows) == 5 and result.rows_read == 6
    (rejection,) = result.rejections
    assert rejection.code == ErrorCode.INGEST_ROW_ENCODING_INVALID
    assert rejection.row == 6 and rejection.column == "Họ và tên (C)"
    assert "dòng 6" in rejection.message and "UTF-8" in rejection.message


def test_binary_content_is_not_text(tmp_path: Path) -> None:
    content = b"Ma ho so,Ho ten\n" + bytes(range(256)) * 4
    with pytest.raises(LamsachError) as info:
        read(write(tmp_path, content), "population")
    assert info.value.code == ErrorCode.INGEST_ENCODING_UNKNOWN
    assert str(tmp_path / "population.csv") in info.value.message("vi")


def test_stray_bytes_get_the_same_treatment_with_a_bom(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" starts with a BOM: one bad byte there rejects one row, as without it."""
    rows = person_rows(seed=17, count=6)
    plain = csv_bytes(POPULATION_HEADER, rows).replace(rows[4][2].encode(), b"Tr\xe0n V\xe3n")
    without = read(write(tmp_path, plain, "plain.csv"), "population")
    result = read(write(tmp_path, codecs.BOM_UTF8 + plain), "population")
    assert result.encoding == "utf-8-sig"
    assert result.rows == without.rows and result.rows_read == 6
    (rejection,) = result.rejections
    assert rejection.code == ErrorCode.INGEST_ROW_ENCODING_INVALID
    assert (rejection.row, rejection.column) == (6, "Họ và tên (C)")
    assert_reconciles(result)


def test_bom_that_lies(tmp_path: Path) -> None:
    """A BOM before text that is mostly not UTF-8: the error names the first bad byte by its offset
    in the file as a hex editor shows it (the BOM counted)."""
    body = "Mã hồ sơ,Họ và tên\nDC1,".encode() + b"Tr\xe0n \xff\xfe \xe3\xe2\xe1\n"
    content = codecs.BOM_UTF8 + body
    with pytest.raises(LamsachError) as info:
        read(write(tmp_path, content), "population")
    assert info.value.code == ErrorCode.INGEST_ENCODING_UNKNOWN
    offset = content.index(b"\xe0")
    assert f"byte {offset} (e0)" in info.value.message("vi")
    assert "CSV UTF-8" in info.value.message("vi")


def test_utf16_error_offset_counts_the_bom(tmp_path: Path) -> None:
    content = codecs.BOM_UTF16_LE + "Mã hồ sơ,Họ và tên\nDC1,Trần".encode("utf-16-le") + b"\x00\xd8A\x00"
    with pytest.raises(LamsachError) as info:
        read(write(tmp_path, content), "population")
    assert info.value.code == ErrorCode.INGEST_ENCODING_UNKNOWN
    assert f"byte {len(content) - 4} (00)" in info.value.message("vi")


def test_unterminated_quote_is_reported_at_its_line(tmp_path: Path) -> None:
    rows = person_rows(seed=18, count=3)
    content = (
        csv_bytes(POPULATION_HEADER, rows)
        + b'DC9,038000000009,"Nguy\xe1\xbb\x85n V\xc4\x83n A,01/01/1990\r\n'
    )
    with pytest.raises(LamsachError) as info:
        read(write(tmp_path, content), "population")
    assert info.value.code == ErrorCode.INGEST_FILE_CORRUPT
    assert info.value.location.row == 5
