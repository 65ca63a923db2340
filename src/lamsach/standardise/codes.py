"""Coded values: sex, life status, land-use codes, certificate serials.

Each table is data (`data/code_tables/<name>.csv` with source and validity in `<name>.yaml`). A
value that is a known variant becomes the canonical code (repair `sex_value` for sex, `code_case`
for case/spacing of a code, `code_legacy` for a superseded code); a value in no
table is reported as `code_not_in_table`, keeping the text so nothing is lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from lamsach.data import load_yaml, read_csv
from lamsach.domain import CellProblem, Criterion, FieldSpec, Repair
from lamsach.standardise.column import ColumnResult, map_unique
from lamsach.standardise.text import repair_text_column

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class CodeTable:
    name: str
    label_vi: str
    codes: frozenset[str]
    variants: dict[str, str]  # folded variant -> code
    legacy: dict[str, str | None]  # superseded code -> current code (None: no single successor)
    pattern: re.Pattern[str] | None = None


@cache
def code_table(name: str) -> CodeTable:
    """A code table by name (`sex`, `life_status`, `land_use`, `certificate_serial`)."""
    doc = load_yaml(f"code_tables/{name}.yaml", "code_table")
    files = doc.get("files", {})
    codes: set[str] = set()
    variants: dict[str, str] = {}
    legacy: dict[str, str | None] = {}
    if "codes" in files:
        for row in read_csv(f"code_tables/{files['codes']}"):
            if "value" in row:  # a variants table: value -> code
                variants[_fold(row["value"])] = row["code"]
                codes.add(row["code"])
            else:
                codes.add(row["code"])
    if "legacy" in files:
        for row in read_csv(f"code_tables/{files['legacy']}"):
            legacy[row["legacy_code"]] = row["code"] or None
    pattern = re.compile(doc["pattern"]) if doc.get("pattern") else None
    return CodeTable(name, doc.get("label_vi", name), frozenset(codes), variants, legacy, pattern)


def _fold(value: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip().lower()


def standardise_codes(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """A coded column checked against `spec.code_table`; a field with no table is only trimmed."""
    text, repairs = repair_text_column(values)
    result = ColumnResult(values=list(text), repairs=repairs)
    if spec.code_table is None:
        return result
    table = code_table(spec.code_table)
    rule_for_variant = "sex_value" if spec.type == "sex" or spec.code_table == "sex" else "code_case"
    verdicts = map_unique(text, lambda v: None if v is None else _lookup(v, table))
    for index, (before, verdict) in enumerate(zip(text, verdicts, strict=True)):
        if verdict is None:
            continue
        code, rule, suggested = verdict
        if code is None:
            params = {"field": spec.label_vi, "value": before, "table": table.label_vi}
            result.problems.append(
                CellProblem(index, spec.name, "code_not_in_table", Criterion.CORRECT, params=params,
                            suggested_value=suggested)
            )
            continue
        result.values[index] = code
        if code != before:
            result.repairs.append(Repair(index, rule or rule_for_variant, before, code))
    return result


def _lookup(value: str, table: CodeTable) -> tuple[str | None, str | None, str | None]:
    """(code or None, repair rule if not the default, suggested value)."""
    if value in table.codes:
        return value, None, None
    if table.variants:
        code = table.variants.get(_fold(value))
        return (code, None, None) if code else (None, None, None)
    upper = value.strip().upper()
    if upper in table.codes:
        return upper, "code_case", None
    if upper in table.legacy:
        successor = table.legacy[upper]
        return (successor, "code_legacy", None) if successor else (None, None, None)
    squeezed = _SPACE.sub("", upper)
    return None, None, squeezed if squeezed in table.codes else None


def standardise_serials(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """Certificate serials: "AO 510559" (two letters, space, six digits), see the YAML beside it."""
    text, repairs = repair_text_column(values)
    result = ColumnResult(values=list(text), repairs=repairs)
    pattern = code_table("certificate_serial").pattern
    assert pattern is not None
    for index, value in enumerate(text):
        if value is None or pattern.fullmatch(value):
            continue
        m = re.fullmatch(r"([A-Za-z]{2})[\s\-.]*(\d{6})", value)
        if m:
            fixed = f"{m[1].upper()} {m[2]}"
            result.values[index] = fixed
            result.repairs.append(Repair(index, "code_case", value, fixed))
            continue
        result.problems.append(
            CellProblem(index, spec.name, "format_invalid", Criterion.CORRECT,
                        params={"field": spec.label_vi, "value": value, "expected": "AA 999999"})
        )
    return result
