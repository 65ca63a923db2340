"""How fast the standardise stage cleans whole columns, next to plain NFC over the same column.

Builds seeded 1M-row columns shaped like unit files (names and addresses repeat, a few per cent
typed in TCVN3 or VNI, badly spaced or with the old tone position; IDs partly Excel numbers;
dates in several shapes), standardises each with the stage's column functions, and prints values
per second and the ratio to `unicodedata.normalize("NFC", v)` over the same values in the same
run. Run: `.venv/bin/python bench/bench_standardise.py [rows]`.
"""

from __future__ import annotations

import random
import sys
import time
import unicodedata
from datetime import date, timedelta

from lamsach.data import read_csv
from lamsach.domain import FieldSpec
from lamsach.standardise import encode
from lamsach.standardise.addresses import standardise_addresses
from lamsach.standardise.dates import standardise_dates
from lamsach.standardise.ids import standardise_ids
from lamsach.standardise.names import standardise_names

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Cao",
    "Lò",
    "Mai",
    "Trịnh",
]
MIDDLE = [
    "Thị",
    "Văn",
    "Đức",
    "Minh",
    "Ngọc",
    "Hữu",
    "Thu",
    "Xuân",
    "Bá",
    "Kim",
    "Quang",
    "Hồng",
    "Thanh",
    "Công",
    "Mạnh",
    "Đình",
    "Phương",
    "Hoài",
]
GIVEN = [
    "An",
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hòa",
    "Huệ",
    "Hương",
    "Khuê",
    "Lan",
    "Linh",
    "Loan",
    "Ngọc",
    "Nguyệt",
    "Oanh",
    "Phương",
    "Quý",
    "Quỳnh",
    "Thủy",
    "Trường",
    "Tuấn",
    "Uyên",
    "Xuân",
    "Yến",
    "Ánh",
    "Hà",
    "Hải",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Huy",
    "Khoa",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tú",
    "Vân",
    "Việt",
    "Vinh",
    "Hạnh",
    "Quyên",
    "Thư",
    "Hằng",
    "Duyên",
    "Tài",
    "Đạt",
]
HAMLETS = ["Thôn", "Xóm", "Tổ dân phố", "Khu phố", "Bản", "Ấp"]
HAMLET_NAMES = [
    "Đông",
    "Bắc",
    "Trung Hòa",
    "Văn Hòa",
    "Phú Xuân",
    "Yên Lộc",
    "Tam Thủy",
    *map(str, range(1, 16)),
]


def _messy(text: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.02:
        return encode(text, "tcvn3")
    if roll < 0.03:
        return encode(text, "vni")
    if roll < 0.04:
        return "  ".join(w.lower() if rng.random() < 0.5 else w.upper() for w in text.split()) + " "
    if roll < 0.05:
        return unicodedata.normalize("NFD", text)
    return text


def names(rows: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(rows):
        parts = [rng.choice(FAMILY), rng.choice(MIDDLE)]
        if rng.random() < 0.3:
            parts.append(rng.choice(MIDDLE))
        parts.append(rng.choice(GIVEN))
        out.append(_messy(" ".join(parts), rng))
    return out


def addresses(rows: int, rng: random.Random) -> list[str]:
    communes = [r for r in read_csv("catalogues/admin_units/communes_2025.csv") if r["province_code"] == "38"]
    out = []
    for _ in range(rows):
        unit = rng.choice(communes)
        kind, name = unit["commune_name"].split(" ", 1)
        text = f"{rng.choice(HAMLETS)} {rng.choice(HAMLET_NAMES)}, {kind.lower()} {name}, tỉnh Thanh Hóa"
        if rng.random() < 0.02:
            text = text.replace("Hóa", "Hoá")
        out.append(_messy(text, rng))
    return out


def ids(rows: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(rows):
        value = f"0{rng.choice(['38', '01', '36', '40'])}{rng.randint(0, 3)}{rng.randint(0, 99):02d}{rng.randint(0, 999999):06d}"
        roll = rng.random()
        if roll < 0.2:
            value = str(int(value))
        elif roll < 0.22:
            value = f"{value[:3]} {value[3:6]} {value[6:9]} {value[9:]}"
        elif roll < 0.23:
            value = value[3:]
        out.append(value)
    return out


def dates(rows: int, rng: random.Random) -> list[str]:
    start = date(1930, 1, 1)
    out = []
    for _ in range(rows):
        day = start + timedelta(days=rng.randint(0, 34000))
        roll = rng.random()
        if roll < 0.8:
            out.append(day.strftime("%d/%m/%Y"))
        elif roll < 0.9:
            out.append(day.isoformat())
        elif roll < 0.95:
            out.append(str((day - date(1899, 12, 30)).days))
        else:
            out.append(str(day.year))
    return out


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f}/s"


def main(rows: int) -> None:
    rng = random.Random(2025)
    today = date(2026, 11, 20)
    cases = [
        (
            "names",
            names(rows, rng),
            lambda v: standardise_names(v, FieldSpec("full_name", "name", "Họ và tên")),
        ),
        (
            "addresses",
            addresses(rows, rng),
            lambda v: standardise_addresses(v, FieldSpec("address", "address", "Nơi thường trú"), "38"),
        ),
        ("ids", ids(rows, rng), lambda v: standardise_ids(v, FieldSpec("citizen_id", "id", "Số định danh"))),
        (
            "dates",
            dates(rows, rng),
            lambda v: standardise_dates(v, FieldSpec("date_of_birth", "date", "Ngày sinh"), today),
        ),
    ]
    print(f"{rows:,} rows per column; plain NFC = unicodedata.normalize('NFC', v) for every value")
    print("CPU seconds of this process; wall-clock in brackets (other load on the machine inflates it)")
    print(
        f"{'column':<10} {'distinct':>9} {'standardise':>18} {'values/s':>14} {'plain NFC':>10} {'ratio':>7}"
    )
    for label, column, run in cases:
        started = time.process_time()
        for value in column:
            unicodedata.normalize("NFC", value)
        nfc_s = time.process_time() - started
        started, wall = time.process_time(), time.perf_counter()
        run(column)
        std_s, wall = time.process_time() - started, time.perf_counter() - wall
        print(
            f"{label:<10} {len(set(column)):>9,} {std_s:>9.2f}s ({wall:>5.1f}s) {_rate(rows, std_s):>14}"
            f" {nfc_s:>9.2f}s {std_s / nfc_s:>6.0f}x"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
