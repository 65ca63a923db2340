"""The single door to the package's data files (schemas, catalogues, code tables, messages).

Everything versioned as data — dataset schemas, header aliases, code tables, the administrative
catalogue, message templates — is read here through `importlib.resources`, so no other module
opens these paths and a loader can refuse a file whose `kind`/`format_version` it does not know.
"""

from __future__ import annotations

import csv
import io
import os
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lamsach.domain.errors import ErrorCode, LamsachError, Location, use_message_renderer
from lamsach.domain.model import DatasetSchema, FieldSpec

SUPPORTED_VERSIONS: dict[str, set[int]] = {
    "dataset_schema": {1},
    "messages": {1},
    "rule_messages": {1},
    "code_table": {1},
    "catalogue": {1},
    "workbook_wording": {1},
    "rule_labels": {1},
}


PROVINCE_DATA = "LAMSACH_PROVINCE_DATA"
"""A folder laid out like this package's data (`schemas/`, `code_tables/`) whose files a province
adds: a new sector dataset is one schema file there (and its code tables), no code. Files the
package ships are never replaced from it."""


def province_file(relative_path: str) -> Path | None:
    """The province's own copy of a data file the package does not ship, if there is one."""
    folder = os.environ.get(PROVINCE_DATA)
    if not folder or resources.files("lamsach.data").joinpath(relative_path).is_file():
        return None
    path = Path(folder) / relative_path
    return path if path.is_file() else None


def data_digest() -> str:
    """SHA-256 over every data file a pass may read (the package's and the province's own): work
    kept from an earlier pass is reused only when the data it was computed with is the same."""
    import hashlib

    digest = hashlib.sha256()
    roots = [Path(str(resources.files("lamsach.data")))]
    if os.environ.get(PROVINCE_DATA):
        roots.append(Path(os.environ[PROVINCE_DATA]))
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(root)}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def read_text(relative_path: str) -> str:
    """Text of a data file, e.g. `read_text("schemas/population.yaml")`."""
    own = province_file(relative_path)
    if own is not None:
        return own.read_text(encoding="utf-8")
    return resources.files("lamsach.data").joinpath(relative_path).read_text(encoding="utf-8")


def data_path(relative_path: str):
    """A Traversable for a data file or folder (for listing)."""
    return resources.files("lamsach.data").joinpath(relative_path)


def read_csv(relative_path: str) -> list[dict[str, str]]:
    """Rows of a CSV data file as dicts (UTF-8, header row)."""
    return list(csv.DictReader(io.StringIO(read_text(relative_path))))


def load_yaml(relative_path: str, kind: str) -> dict[str, Any]:
    """A YAML data document, checked to be of `kind` and of a format version this code reads."""
    try:
        document = yaml.safe_load(read_text(relative_path))
    except yaml.YAMLError as exc:
        raise LamsachError(
            ErrorCode.DATA_FILE_INVALID, Location(file=relative_path), {"reason": str(exc).splitlines()[0]}
        ) from None
    if not isinstance(document, dict) or document.get("kind") != kind:
        raise LamsachError(
            ErrorCode.DATA_FILE_INVALID, Location(file=relative_path), {"reason": f"kind must be {kind}"}
        )
    if document.get("format_version") not in SUPPORTED_VERSIONS[kind]:
        raise LamsachError(
            ErrorCode.DATA_FILE_INVALID,
            Location(file=relative_path),
            {"reason": f"format_version {document.get('format_version')!r} is not supported"},
        )
    return document


@cache
def dataset_names() -> tuple[str, ...]:
    """Every dataset declared by a schema file, in file-name order."""
    folder = data_path("schemas")
    names = {p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")}
    own = os.environ.get(PROVINCE_DATA)
    if own and (Path(own) / "schemas").is_dir():
        names |= {p.stem for p in (Path(own) / "schemas").glob("*.yaml")}
    return tuple(sorted(names))


@cache
def load_schema(name: str) -> DatasetSchema:
    """The dataset schema `data/schemas/<name>.yaml` as a `DatasetSchema`."""
    path = f"schemas/{name}.yaml"
    doc = load_yaml(path, "dataset_schema")
    fields = tuple(
        FieldSpec(
            name=f["name"],
            type=f.get("type", "text"),
            label_vi=f.get("label_vi", f["name"]),
            aliases=tuple(f.get("aliases", ())),
            required=bool(f.get("required", False)),
            code_table=f.get("code_table"),
            person_role=f.get("person_role"),
            role_part=f.get("role_part"),
        )
        for f in doc["fields"]
    )
    return DatasetSchema(
        name=doc["name"],
        label_vi=doc.get("label_vi", doc["name"]),
        key=doc.get("key", "record_id"),
        fields=fields,
        unit_field=doc.get("unit_field"),
        freshness_days=doc.get("freshness_days"),
        rules=tuple(doc.get("rules", ())),
        source_file=path,
    )


@cache
def error_templates() -> dict[str, dict[str, str]]:
    return load_yaml("messages/errors.yaml", "messages")["messages"]


class _Blank(dict):
    """Placeholders a caller did not fill render as `missing` instead of raising."""

    def __init__(self, values: dict, missing: str = "?") -> None:
        super().__init__(values)
        self.missing = missing

    def __missing__(self, key: str) -> str:
        return self.missing


def fill_template(template: str, values: dict[str, Any], missing: str = "") -> str:
    """A message template with its placeholders filled; None and unfilled ones as `missing`."""
    return template.format_map(_Blank({k: missing if v is None else str(v) for k, v in values.items()}, missing))


def render_error(code: str, lang: str, location: Location, params: dict[str, Any]) -> str:
    """The user's message for an error code: a location prefix, then the code's template."""
    templates = error_templates().get(code)
    if templates is None:
        return code
    values = _Blank({k: ("" if v is None else v) for k, v in params.items()})
    values.update({k: v for k, v in location.as_dict().items() if v is not None})
    where = _location_text(location, lang)
    text = templates[lang].format_map(values)
    return f"{where}{text}" if where else text


_WHERE_WORDS = {
    "vi": {"file": "Tệp", "sheet": "trang", "row": "dòng", "column": "cột"},
    "en": {"file": "File", "sheet": "sheet", "row": "row", "column": "column"},
}


def _location_text(location: Location, lang: str) -> str:
    words = _WHERE_WORDS[lang]
    parts = [f"{words[k]} {v}" for k, v in location.as_dict().items() if v not in (None, "")]
    return (", ".join(parts) + ": ") if parts else ""


@cache
def workbook_wording() -> dict[str, Any]:
    """Vietnamese wording of the correction workbook a unit receives (`messages/workbook.yaml`)."""
    return load_yaml("messages/workbook.yaml", "workbook_wording")


@cache
def rule_labels() -> dict[str, dict[str, str]]:
    """Rule code -> {vi, en}: the short name a person reads instead of the code."""
    return load_yaml("messages/rule_labels.yaml", "rule_labels")["labels"]


def rule_label(code: str | None, lang: str = "vi") -> str:
    """A rule's name in `lang`; an unknown code (a province's own rule) as it is."""
    if not code:
        return ""
    names = rule_labels().get(code)
    return names.get(lang) or names["vi"] if names else code


@cache
def rule_templates() -> dict[str, dict[str, str]]:
    """Rule name -> {criterion, severity, vi, en}: the wording and criterion of every finding."""
    return load_yaml("messages/rules.yaml", "rule_messages")["messages"]


@cache
def catalogue_rows(name: str) -> list[dict[str, str]]:
    """Rows of a catalogue CSV under `catalogues/`, e.g. `catalogue_rows("rules/area_plausibility")`."""
    return read_csv(f"catalogues/{name}.csv")


use_message_renderer(render_error)
