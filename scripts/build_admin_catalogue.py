"""Rebuild the administrative-unit catalogue data files from the statistics office's conversion table.

Usage: python scripts/build_admin_catalogue.py PATH/TO/nso_commune_conversion_2025.csv PATH/TO/provinces_2025.csv

Writes, under src/lamsach/data/catalogues/admin_units/:
  communes_2025.csv    every commune-level unit in force since 2025-07-01 (province, code, name)
  conversion_2025.csv  every pre-2025 commune and the new unit(s) it went to, with the office's note
  provinces_2025.csv   the 34 provinces (copied)
The source and effective date are recorded in catalogue.yaml beside them.
"""

from __future__ import annotations

import csv
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/lamsach/data/catalogues/admin_units"
CODE_IN_PARENS = re.compile(r"^(.*?)\s*\((\d+)\)\s*$")


SOURCE_TYPOS = {"Xa Ea Kly": "Xã Ea Kly"}
"""Names the published table misspells; the catalogue carries the corrected spelling."""


def tidy(text: str) -> str:
    """NFC (a few names in the table are decomposed), single spaces, known typos corrected."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return SOURCE_TYPOS.get(text, text)


def split_named_code(text: str) -> tuple[str, str]:
    match = CODE_IN_PARENS.match(text.strip())
    return (match.group(1).strip(), match.group(2)) if match else (text.strip(), "")


def main(conversion_csv: str, provinces_csv: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with open(conversion_csv, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    communes: dict[str, tuple[str, str, str, str]] = {}
    conversion: list[list[str]] = []
    for row in rows[2:]:
        row = [tidy(cell) for cell in row]
        if len(row) < 8 or not row[2].strip():
            continue  # province title rows and blank lines
        province_name, province_code = split_named_code(row[0])
        new_name, new_code = row[1].strip(), row[2].strip().zfill(5)
        old_name, old_code = row[3].strip(), row[4].strip().zfill(5) if row[4].strip() else ""
        note = " ".join(row[5].split())
        district_name, district_code = split_named_code(row[6])
        old_province_name, old_province_code = split_named_code(row[7])
        communes[new_code] = (province_code, province_name, new_code, new_name)
        conversion.append([old_code, old_name, district_code, district_name, old_province_code,
                           old_province_name, new_code, new_name, province_code, note])
    with open(OUT / "communes_2025.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["province_code", "province_name", "commune_code", "commune_name"])
        w.writerows(sorted(communes.values(), key=lambda r: (r[0], r[2])))
    with open(OUT / "conversion_2025.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["old_commune_code", "old_commune_name", "old_district_code", "old_district_name",
                    "old_province_code", "old_province_name", "new_commune_code", "new_commune_name",
                    "new_province_code", "note"])
        w.writerows(conversion)
    (OUT / "provinces_2025.csv").write_text(Path(provinces_csv).read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{len(communes)} communes, {len(conversion)} conversion rows")


if __name__ == "__main__":
    main(*sys.argv[1:3])
