"""Archive metadata: normalised as officers type it, validated by the schema file's rules.

The fields and rules are data (`data/schemas/archive/document.yaml`) and run through the same
rule kinds as a dataset, in DuckDB, so a document's metadata gets findings with a criterion,
a severity and a Vietnamese message like any record's.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

import pyarrow as pa

from lamsach.data import load_schema, load_yaml
from lamsach.domain import DatasetSchema

SCHEMA_FILE = "schemas/archive/document.yaml"
ACCESS_WORDS = {"cong khai": "public", "han che": "restricted", "mat": "confidential", "noi bo": "restricted"}
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")


@cache
def metadata_schema() -> DatasetSchema:
    return load_schema("archive/document")


@cache
def access_levels() -> dict[str, dict]:
    """Access level -> {label_vi, roles}, from the schema file."""
    return load_yaml(SCHEMA_FILE, "dataset_schema")["access_levels"]


def metadata_fields() -> list[str]:
    """The metadata a document carries, in the schema's order (its key excluded)."""
    return [f for f in metadata_schema().field_names if f != metadata_schema().key]


def normalise(values: dict[str, object]) -> dict[str, str | None]:
    """Metadata as stored: NFC and single spaces, dd/mm/yyyy dates as ISO, access level as code.

    A value that cannot be read (31/02/2024) stays as typed, so validation names it."""
    from lamsach.archive.folding import fold

    out: dict[str, str | None] = {}
    for name in metadata_fields():
        raw = values.get(name)
        text = " ".join(unicodedata.normalize("NFC", str(raw)).split()) if raw not in (None, "") else None
        if text and name == "doc_date":
            text = _iso_date(text)
        elif text and name == "access_level":
            text = ACCESS_WORDS.get(fold(text), text.lower())
        elif text and name in ("retention", "language"):
            text = text.lower()
        out[name] = text
    return out


def _iso_date(text: str) -> str:
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        year, month, day = (int(p) for p in text.split("-"))
    else:
        return text
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def validate(documents: dict[str, dict[str, str | None]]) -> list[dict]:
    """Findings of the schema's rules on documents (key -> normalised metadata), as dicts of
    record_id, field, criterion, rule, severity, message."""
    from lamsach.backends.engine import DuckDBEngine
    from lamsach.validate import RuleContext, rule_specs, run_rules

    schema = metadata_schema()
    fields = schema.field_names
    rows = [{**{f: None for f in fields}, **values, "record_id": key, "__unit": values.get("unit")}
            for key, values in documents.items()]
    table = pa.Table.from_pylist(rows, schema=pa.schema([(f, pa.string()) for f in [*fields, "__unit"]]))
    engine = DuckDBEngine(memory_limit="256MB", threads=1)
    try:
        name = engine.register(schema.name, table)
        ctx = RuleContext(schema, {schema.name: name}, date.today().isoformat())
        findings = run_rules(engine, ctx, rule_specs(schema))
        return engine.rows(f'SELECT record_id, field, criterion, rule, severity, message FROM "{findings}" '
                           f"ORDER BY record_id, field, rule")
    finally:
        engine.close()


def may_open(access_level: str | None, role: str, user_unit: str | None, document_unit: str | None) -> bool:
    """Whether a user of `role` (and unit) may open a document of `access_level`.

    An unknown or missing level counts as the strictest one, so a typing error hides a document
    rather than shows it."""
    levels = access_levels()
    roles = levels.get(access_level or "", levels["confidential"])["roles"]
    if role in roles:
        return True
    return "officer_own_unit" in roles and role == "officer" and bool(user_unit) and user_unit == document_unit
