"""The batch contract's manifest: which files a campaign pass reads, and as which dataset.

A manifest is written by hand by the provincial team, so every problem in it is reported at once,
each with the line it is on: a missing name, an unknown dataset, a `columns:` mapping naming a
field the dataset does not have, a misspelt key, a path outside the manifest's folder. Paths are
relative to the manifest's folder and must stay under it (or under a folder of the `source_roots`
setting); a file on shared storage is named by URL under a prefix of the `source_urls` setting
(`domain.files`).

    name: Làm sạch CSDL đất đai - xã Hậu Lộc
    province: "38"
    reference_date: 2026-11-20          # optional: the day the pass judges "now" against
    sources:
      - path: land/16012.xlsx            # or a URL: hdfs://namenode/tinh-38/land/16012.xlsx
        dataset: land_parcel
        unit: "16012"                    # optional
        sheet: Thua dat                  # optional: read only this sheet
        columns: {"Họ tên chủ": owner_name, "Ghi chú": null}   # optional; null = ignore the column
        ignore_columns: ["Ghi chú", "Người nhập"]   # optional: columns deliberately not read

A column no field takes is named in the pass's summary and report until the manifest maps it
(`columns:`) or ignores it (`ignore_columns:` or a null in `columns:`).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lamsach.data import dataset_names, load_schema, rule_templates
from lamsach.domain import DocumentRequirement, ErrorCode, LamsachError, Location, Manifest, SourceSpec
from lamsach.domain.files import allowed_prefix, file_name, is_url, local_path, scheme
from lamsach.ingest.headers import fold
from lamsach.ingest.yaml_text import key_lines, parse_yaml, shown_value

SOURCE_KEYS = ("path", "dataset", "unit", "columns", "sheet", "ignore_columns")
PROVINCE_CODE_DIGITS = 2


class _Problems:
    """The manifest's problems, gathered so the author fixes them in one go."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[LamsachError] = []
        self.lines: dict[str, int] = {}  # key path -> its line, once the file is parsed

    def add(self, code: ErrorCode, line: int | None = None, **params: Any) -> None:
        self.errors.append(LamsachError(code, Location(file=self.file, row=line), params))

    def at(self, code: ErrorCode, key: str, **params: Any) -> None:
        """A problem of the value under `key` (a dotted path), at that key's line."""
        self.add(code, self.lines.get(key), key=key, **params)

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ExceptionGroup("manifest", self.errors)


def load_manifest(path: Path, roots: Sequence[Path] = (), url_prefixes: Sequence[str] = ()) -> Manifest:
    """Read and check a manifest; LamsachError (or an ExceptionGroup of them) on any problem.

    Its files must lie under the manifest's own folder or one of `roots` (the `source_roots`
    setting, and the folders lamsach itself keeps uploads in), or, named by URL, under one of
    `url_prefixes` (the `source_urls` setting): a manifest typed into the web or received from a
    unit must not be a way to read any file on the server.
    """
    path = Path(path)
    allowed = (path.parent.resolve(), *(Path(r).resolve() for r in roots))
    file = str(path)
    problems = _Problems(file)
    if not path.is_file():
        raise LamsachError(ErrorCode.MANIFEST_NOT_FOUND, Location(file=file))
    document = _parse(path, problems)
    if not isinstance(document, dict):
        problems.add(ErrorCode.MANIFEST_NOT_MAPPING, 1, value=shown_value(document))
        problems.raise_if_any()
    name = _text(document.get("name"))
    province = _province(document.get("province"))
    for key, value in (("name", name), ("province", province)):
        if not value:
            problems.add(ErrorCode.MANIFEST_FIELD_MISSING, field=key)
    reference_date = _reference_date(document.get("reference_date"), problems)
    overrides = _rule_overrides(document.get("rules"), problems)
    freshness = _freshness(document.get("freshness_days"), problems)
    required = _documents_required(document.get("documents_required"), problems)
    raw_sources = document.get("sources")
    if raw_sources is not None and not isinstance(raw_sources, list):
        problems.at(ErrorCode.MANIFEST_VALUE_NOT_LIST, "sources", value=shown_value(raw_sources),
                    example="- {path: land/16012.xlsx, dataset: land_parcel}")
        raw_sources = []
    elif not raw_sources:
        problems.add(ErrorCode.MANIFEST_FIELD_MISSING, problems.lines.get("sources"), field="sources")
        raw_sources = []
    sources = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(raw_sources):
        line = problems.lines.get(f"sources[{i + 1}]")
        spec = _source(raw, i + 1, line, path.parent, problems)
        if spec is not None and _inside(spec, i + 1, line, allowed, tuple(url_prefixes), problems):
            _check_repeated(spec, i + 1, line, seen, problems)
            sources.append(spec)
    problems.raise_if_any()
    return Manifest(
        name=name, province=province, sources=tuple(sources), path=path, reference_date=reference_date,
        rule_overrides=overrides, freshness_days=freshness, documents_required=required,
    )


def _parse(path: Path, problems: _Problems) -> Any:
    """The YAML document; the line of every key goes to `problems` (for locations)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise LamsachError(ErrorCode.MANIFEST_NOT_UTF8, Location(file=problems.file)) from None
    document, node = parse_yaml(text, problems.file)
    problems.lines = key_lines(node)
    return document


def _source(raw: Any, number: int, line: int | None, folder: Path, problems: _Problems) -> SourceSpec | None:
    if not isinstance(raw, dict):
        problems.at(ErrorCode.MANIFEST_VALUE_NOT_MAPPING, f"sources[{number}]", value=shown_value(raw),
                    example="{path: land/16012.xlsx, dataset: land_parcel}")
        return None
    for key in raw:
        if key not in SOURCE_KEYS:
            nearest = difflib.get_close_matches(str(key), SOURCE_KEYS, n=1, cutoff=0.0)
            problems.add(ErrorCode.MANIFEST_KEY_UNKNOWN, line, key=f"sources[{number}].{key}",
                         nearest=nearest[0] if nearest else "", allowed=", ".join(SOURCE_KEYS))
    path, dataset = _text(raw.get("path")), _text(raw.get("dataset"))
    for key, value in (("path", path), ("dataset", dataset)):
        if not value:
            problems.add(ErrorCode.MANIFEST_FIELD_MISSING, line, field=f"sources[{number}].{key}")
    if dataset and dataset not in dataset_names():
        problems.add(
            ErrorCode.MANIFEST_DATASET_UNKNOWN, line, value=dataset, expected=", ".join(dataset_names())
        )
        dataset = ""
    columns = _columns(raw.get("columns"), dataset, number, line, problems)
    ignore = raw.get("ignore_columns")
    if ignore is not None and not (isinstance(ignore, list) and all(isinstance(h, str | int) for h in ignore)):
        key = f"sources[{number}].ignore_columns"
        problems.add(ErrorCode.MANIFEST_VALUE_NOT_LIST, problems.lines.get(key, line), key=key,
                     value=shown_value(ignore), example='["Ghi chú", "Người nhập"]')
    elif ignore and columns is not None:
        columns = {**{str(h): "" for h in ignore}, **columns}
    if not (path and dataset) or columns is None:
        return None
    url = path if is_url(path) else None
    return SourceSpec(
        path=Path(file_name(path)) if url else folder / path,  # a URL's copy is fetched later (`ingest.fetch`)
        url=url,
        dataset=dataset,
        unit=_text(raw.get("unit")) or None,
        columns=columns,
        sheet=_text(raw.get("sheet")) or None,
    )


def _inside(spec: SourceSpec, number: int, line: int | None, allowed: tuple[Path, ...],
            prefixes: tuple[str, ...], problems: _Problems) -> bool:
    """Whether the source's file (symbolic links followed) is under an allowed folder, or its URL
    under an allowed prefix."""
    if spec.url is not None:
        prefix = allowed_prefix(spec.url, prefixes)
        if prefix and (scheme(spec.url) != "file"  # a file of this machine: symbolic links followed, as for paths
                       or Path(local_path(spec.url)).resolve().is_relative_to(Path(local_path(prefix)).resolve())):
            return True
        problems.add(ErrorCode.MANIFEST_URL_OUTSIDE, line, number=number, value=spec.url,
                     allowed=", ".join(prefixes) or "—")
        return False
    real = spec.path.resolve()
    if any(real.is_relative_to(folder) for folder in allowed):
        return True
    problems.add(ErrorCode.MANIFEST_PATH_OUTSIDE, line, number=number, value=str(spec.path), folder=str(allowed[0]))
    return False


def _check_repeated(spec: SourceSpec, number: int, line: int | None, seen: dict[tuple, int],
                    problems: _Problems) -> None:
    """One file listed twice (as the same dataset and sheet) would be stored twice over; a
    workbook listed once per sheet or per dataset is not a repeat."""
    identity = (spec.url or spec.path.resolve(), spec.dataset, spec.sheet and fold(spec.sheet))
    if identity in seen:
        problems.add(ErrorCode.MANIFEST_SOURCE_REPEATED, line, number=number, value=spec.name,
                     first=seen[identity])
    else:
        seen[identity] = number


def _columns(
    raw: Any, dataset: str, number: int, line: int | None, problems: _Problems
) -> dict[str, str] | None:
    """Header -> field; a null or empty field means "ignore this column"."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        key = f"sources[{number}].columns"
        problems.add(ErrorCode.MANIFEST_VALUE_NOT_MAPPING, problems.lines.get(key, line), key=key,
                     value=shown_value(raw), example='{"Họ tên chủ": owner_name}')
        return None
    columns = {str(header): _text(target) for header, target in raw.items()}
    if dataset:
        known = load_schema(dataset).field_names
        for target in columns.values():
            if target and target not in known:
                problems.add(
                    ErrorCode.MANIFEST_COLUMN_UNKNOWN,
                    line,
                    value=target,
                    dataset=dataset,
                    expected=", ".join(known),
                )
    return columns


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _province(value: Any) -> str:
    """Province codes are two digits; an unquoted `province: 1` loses its zero, so it is restored."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(PROVINCE_CODE_DIGITS)
    return _text(value)


def _reference_date(value: Any, problems: _Problems) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        problems.at(ErrorCode.CAMPAIGN_DATE_INVALID, "reference_date", value=str(value))
        return None


SEVERITIES = ("error", "warning", "info")
RULE_SETTING_KEYS = ("enabled", "severity")


def _documents_required(value: Any, problems: _Problems) -> tuple[DocumentRequirement, ...]:
    """`documents_required: [{dataset: land_parcel, when: certificate_serial, document: "…"}]`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.at(ErrorCode.MANIFEST_VALUE_NOT_LIST, "documents_required", value=shown_value(value),
                    example="- {dataset: land_parcel, when: certificate_serial, document: Giấy chứng nhận}")
        return ()
    found = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"dataset", "when", "document"}:
            problems.at(ErrorCode.MANIFEST_DOCUMENT_ENTRY_INVALID, f"documents_required[{number}]",
                        value=shown_value(entry))
            continue
        dataset, when = str(entry["dataset"]), str(entry["when"])
        line = problems.lines.get(f"documents_required[{number}]")
        if dataset not in dataset_names():
            problems.add(ErrorCode.MANIFEST_DATASET_UNKNOWN, line, value=dataset, expected=", ".join(dataset_names()))
            continue
        if when not in load_schema(dataset).field_names:
            problems.add(ErrorCode.MANIFEST_COLUMN_UNKNOWN, line, value=when, dataset=dataset,
                         expected=", ".join(load_schema(dataset).field_names))
            continue
        found.append(DocumentRequirement(dataset, when, str(entry["document"])))
    return tuple(found)


def _rule_overrides(value: Any, problems: _Problems) -> dict[str, dict]:
    """`rules: {rule: {enabled: false, severity: warning}}`: a campaign switches rules off or re-grades them."""
    if value is None:
        return {}
    known = rule_templates()
    if not isinstance(value, dict):
        problems.at(ErrorCode.MANIFEST_VALUE_NOT_MAPPING, "rules", value=shown_value(value),
                    example="{date_in_future: {severity: warning}}")
        return {}
    overrides: dict[str, dict] = {}
    for rule, setting in value.items():
        key = f"rules.{rule}"
        if rule not in known:
            nearest = difflib.get_close_matches(str(rule), sorted(known), n=1, cutoff=0.0)
            problems.at(ErrorCode.MANIFEST_RULE_UNKNOWN, key, nearest=nearest[0] if nearest else "")
            continue
        if not isinstance(setting, dict):
            problems.at(ErrorCode.MANIFEST_VALUE_NOT_MAPPING, key, value=shown_value(setting),
                        example="{enabled: false, severity: warning}")
            continue
        wrong = [k for k in setting if k not in RULE_SETTING_KEYS]
        for name in wrong:
            nearest = difflib.get_close_matches(str(name), RULE_SETTING_KEYS, n=1, cutoff=0.0)
            problems.at(ErrorCode.MANIFEST_KEY_UNKNOWN, f"{key}.{name}", nearest=nearest[0] if nearest else "",
                        allowed=", ".join(RULE_SETTING_KEYS))
        if "severity" in setting and setting["severity"] not in SEVERITIES:
            problems.at(ErrorCode.MANIFEST_VALUE_NOT_CHOICE, f"{key}.severity", value=str(setting["severity"]),
                        allowed=", ".join(SEVERITIES))
            continue
        if "enabled" in setting and not isinstance(setting["enabled"], bool):
            problems.at(ErrorCode.MANIFEST_VALUE_NOT_BOOLEAN, f"{key}.enabled", value=str(setting["enabled"]))
            continue
        if not wrong:
            overrides[rule] = dict(setting)
    return overrides


def _freshness(value: Any, problems: _Problems) -> dict[str, int]:
    """`freshness_days: {land_parcel: 365}`: the window after which a record counts as stale."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.at(ErrorCode.MANIFEST_VALUE_NOT_MAPPING, "freshness_days", value=shown_value(value),
                    example="{land_parcel: 365}")
        return {}
    result: dict[str, int] = {}
    for dataset, days in value.items():
        if dataset not in dataset_names():
            problems.add(ErrorCode.MANIFEST_DATASET_UNKNOWN, problems.lines.get(f"freshness_days.{dataset}"),
                         value=dataset, expected=", ".join(dataset_names()))
        elif not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            problems.at(ErrorCode.CAMPAIGN_NUMBER_INVALID, f"freshness_days.{dataset}", value=str(days))
        else:
            result[dataset] = days
    return result
