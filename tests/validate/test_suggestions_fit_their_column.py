"""A suggestion sits in the column it belongs to: a suggested value for an ID cell is an ID (a
sex value was once offered in a husband's ID cell), for a date cell a date."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest

from lamsach.data import load_schema

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "contract"
SHAPES = {"id": re.compile(r"\d{9}|\d{12}"), "date": re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}"),
          "year": re.compile(r"\d{4}")}


@pytest.mark.parametrize("province", ["hau-loc", "generated-1200-11"])
def test_every_suggestion_has_the_shape_of_its_field(province):
    text = gzip.decompress((GOLDEN / province / "findings.csv.gz").read_bytes()).decode("utf-8")
    checked = 0
    for row in csv.DictReader(io.StringIO(text)):
        if not row["suggested_value"] or row["field"] == "*" or row["rule"].startswith("duplicate"):
            continue
        kind = {f.name: f.type for f in load_schema(row["dataset"]).fields}.get(row["field"])
        if kind in SHAPES:
            checked += 1
            assert SHAPES[kind].fullmatch(row["suggested_value"]), row
    assert checked > 0
