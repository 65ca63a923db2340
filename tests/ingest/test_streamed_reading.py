"""A CSV file is read as it streams: its memory does not grow with its rows beyond what is kept,
and what is kept is columns, not a dict per row. Every guarantee of the whole-file reader holds
for rows far below the top rows the header search parses first (errors, line numbers, duplicate
keys, code pages decided over the whole file)."""

from __future__ import annotations

import codecs
import gc
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from ingest_fixtures import POPULATION_HEADER, assert_reconciles, person_rows, read, to_cp1258

from lamsach.domain import ErrorCode, LamsachError
from lamsach.ingest import Records


def write_population(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    lines = [",".join(POPULATION_HEADER)] + [",".join(f'"{c}"' if "," in c else c for c in r) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def read_memory(path: Path) -> tuple[int, int, object]:
    """(peak beyond what the result keeps, Python memory the result keeps beyond the file's bytes,
    the result), in bytes of Python allocations (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        result = read(path, "population")
        gc.collect()
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - kept, kept - base - len(result.content), result


def test_reading_memory_does_not_grow_with_rows_beyond_what_is_kept(tmp_path: Path) -> None:
    rows = 20_000
    small = write_population(tmp_path / "small.csv", person_rows(1, rows))
    large = write_population(tmp_path / "large.csv", person_rows(1, 4 * rows))
    read(write_population(tmp_path / "warm.csv", person_rows(1, 10)), "population")  # data files loaded
    small_peak, small_kept, small_read = read_memory(small)
    large_peak, large_kept, large_read = read_memory(large)
    assert small_read.rows_read == rows and large_read.rows_read == 4 * rows
    # measured: about 9 MB at 20,000 and at 80,000 rows (one chunk of rows and one of text);
    # read whole, the peak beyond the kept rows was 4 times larger for 4 times the rows
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    # Python keeps the row number and sheet of each row (parallel lists): measured 50 bytes a row
    assert large_kept < 60 * 4 * rows, large_kept


def test_kept_rows_are_columns_far_smaller_than_a_dict_per_row(tmp_path: Path) -> None:
    path = write_population(tmp_path / "people.csv", person_rows(2, 20_000))
    result = read(path, "population")
    gc.collect()
    tracemalloc.start()
    as_dicts = list(result.rows)  # what reading kept before: one dict per row
    dict_bytes, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(as_dicts) == 20_000 and as_dicts[0]["record_id"] == "DC00000001"
    # measured: 4.0 MB of columns (the key column included) against 25.6 MB of dicts, 6.4 times less
    assert result.rows.nbytes * 4 < dict_bytes, (result.rows.nbytes, dict_bytes)
    assert result.rows.column("full_name") == [d["full_name"] for d in as_dicts]


def test_a_quote_never_closed_far_down_is_reported_at_its_line(tmp_path: Path) -> None:
    path = write_population(tmp_path / "people.csv", person_rows(3, 500))
    with path.open("ab") as handle:
        handle.write(b'DC99999999,038000000001,"Nguy\xe1\xbb\x85n V\xc4\x83n An,01/02/1980\r\nmore\r\n')
    with pytest.raises(LamsachError) as caught:
        read(path, "population")
    assert caught.value.code == ErrorCode.INGEST_FILE_CORRUPT and caught.value.location.row == 502


def test_a_broken_file_says_so_before_its_header_problems(tmp_path: Path) -> None:
    """Read whole, a CSV that cannot be parsed was refused for that before its header was looked
    at; streamed, its header is looked at first, and the rest is still read to the break."""
    header = ",".join(h for h in POPULATION_HEADER if h != "Họ và tên")  # a required column missing
    body = "".join(f"DC{n:08d},038000000001,01/02/1980,Nam,16012,Thôn 1,HH1,Con,Còn sống,,01/06/2026\n"
                   for n in range(200))
    path = tmp_path / "people.csv"
    path.write_text(header + "\n" + body + 'DC1,"never closed\n', encoding="utf-8")
    with pytest.raises(LamsachError) as caught:
        read(path, "population")
    assert caught.value.code == ErrorCode.INGEST_FILE_CORRUPT and caught.value.location.row == 202


def test_rows_far_down_keep_their_lines_and_duplicates_name_the_first(tmp_path: Path) -> None:
    rows = person_rows(4, 300)
    rows[150][6] = "Thôn 1,\nxã Hậu Lộc"  # a quoted cell over two lines: later rows start a line further
    rows[250][0] = rows[10][0]
    path = write_population(tmp_path / "people.csv", rows)
    result = read(path, "population")
    assert_reconciles(result)
    assert result.rows_read == 300 and len(result.rows) == 299
    assert result.row_numbers[150:152] == [152, 154]
    (duplicate,) = result.rejections
    assert duplicate.code == ErrorCode.INGEST_ROW_KEY_DUPLICATE.value and duplicate.row == 253
    assert "12" in duplicate.message  # the row holding the key first
    assert result.rows[150]["address"] == "Thôn 1,\nxã Hậu Lộc"


def test_rejections_keep_the_order_rows_were_read(tmp_path: Path) -> None:
    rows = person_rows(5, 100)
    rows[40][0] = rows[5][0]  # duplicate key, found once every row is read
    rows[60][0] = ""  # key missing, found as the row is read
    rows[80][0] = rows[6][0]
    result = read(write_population(tmp_path / "people.csv", rows), "population")
    assert [r.row for r in result.rejections] == [42, 62, 82]
    assert [r.code for r in result.rejections] == [
        ErrorCode.INGEST_ROW_KEY_DUPLICATE.value, ErrorCode.INGEST_ROW_KEY_MISSING.value,
        ErrorCode.INGEST_ROW_KEY_DUPLICATE.value]


def test_a_stray_byte_past_the_first_chunk_rejects_its_row_only(tmp_path: Path) -> None:
    rows = person_rows(6, 20_000)  # over 1 MiB: the byte lies beyond the first chunk scanned
    path = write_population(tmp_path / "people.csv", rows)
    content = path.read_bytes()
    at = content.index(rows[15_000][0].encode())
    damaged = codecs.BOM_UTF8 + content[:at] + b"\xff" + content[at + 1:]
    path.write_bytes(damaged)
    result = read(path, "population")
    assert_reconciles(result)
    assert [r.code for r in result.rejections] == [ErrorCode.INGEST_ROW_ENCODING_INVALID.value]
    assert result.rejections[0].row == 15_002 and result.encoding == "utf-8-sig"


def test_a_bom_file_mostly_not_utf8_names_the_first_bad_byte_past_the_first_chunk(tmp_path: Path) -> None:
    text = ",".join(POPULATION_HEADER) + "\n" + "a" * (1_500_000) + "\n"
    bad = to_cp1258("Thôn Đông xã Hậu Lộc\n") * 10
    path = tmp_path / "people.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode() + bad)
    with pytest.raises(LamsachError) as caught:
        read(path, "population")
    offset = 3 + len(text.encode()) + bad.index(b"\xf4")
    assert caught.value.code == ErrorCode.INGEST_ENCODING_UNKNOWN
    assert f"byte {offset} (f4)" in caught.value.message("en")


def test_the_code_page_is_decided_over_the_whole_file(tmp_path: Path) -> None:
    """A cp1258 file whose toned letters all lie past the first chunk is still read as cp1258."""
    def ascii(text: str) -> str:
        return unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D")).encode("ascii", "ignore").decode()

    plain = [[ascii(c) for c in r] for r in person_rows(7, 15_000)]
    toned = person_rows(8, 200, start=20_000)
    header = [ascii(h) for h in POPULATION_HEADER]
    path = tmp_path / "people.csv"
    path.write_bytes(to_cp1258("\n".join(",".join(r) for r in [header, *plain]) + "\n"
                               + "\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in toned) + "\n"))
    assert path.stat().st_size > 1 << 20 and path.read_bytes()[: 1 << 20].isascii()
    result = read(path, "population")
    assert result.encoding == "cp1258"
    assert unicodedata.normalize("NFC", result.rows[-1]["full_name"]) == toned[-1][2]


def test_records_read_like_the_rows_they_hold() -> None:
    rows = [{"record_id": " A1", "full_name": "Lê An"}, {"record_id": "A2", "full_name": None},
            {"record_id": "A1 ", "full_name": "Lê Bình"}]
    records = Records.from_dicts(["record_id", "full_name"], rows, key="record_id")
    assert records == rows and list(records) == rows and records[-1] == rows[2]
    assert records.keys == ["A1", "A2", "A1"] and records.column("full_name") == ["Lê An", None, "Lê Bình"]
    assert records.take([2, 0]) == [rows[2], rows[0]] and records[1:] == rows[1:]
    assert records.duplicated() == {2: 0}  # the later row, and the row that has its key first
