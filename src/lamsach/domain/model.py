"""Dataclasses for the things a campaign pass handles: schemas, sources, findings, repairs.

They are plain frozen dataclasses so every stage can build and read them without importing
another stage; persistence lives in `lamsach.backends.store`, batch SQL in `lamsach.validate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Criterion(StrEnum):
    """The six criteria of the campaign (đúng, đủ, sạch, sống, thống nhất, dùng chung)."""

    CORRECT = "correct"
    COMPLETE = "complete"
    CLEAN = "clean"
    LIVE = "live"
    UNIFIED = "unified"
    SHARED = "shared"


CRITERIA: tuple[Criterion, ...] = tuple(Criterion)
"""The criteria in the order reports show them."""

DATA_CRITERIA: tuple[Criterion, ...] = CRITERIA[:5]
"""The five criteria a record's own data can pass; `shared` depends on publication."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class FindingStatus(StrEnum):
    OPEN = "open"
    FIXED = "fixed"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field of a dataset, with the Vietnamese headers it may arrive under."""

    name: str
    type: str  # text, id, date, year, number, code, name, address, sex
    label_vi: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    code_table: str | None = None
    person_role: str | None = None  # owner, child, father, ... for person-reference fields
    role_part: str | None = None  # name, id, dob, birth_year, sex: which part of the person it holds


@dataclass(frozen=True)
class DatasetSchema:
    """A dataset declared in `data/schemas/<name>.yaml`: fields, key, rules; no code per dataset."""

    name: str
    label_vi: str
    key: str
    fields: tuple[FieldSpec, ...]
    unit_field: str | None = "commune_code"
    freshness_days: int | None = None
    rules: tuple[dict, ...] = ()
    source_file: str = ""

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def person_roles(self) -> dict[str, dict[str, str]]:
        """Role -> {part: field name}, e.g. {"owner": {"name": "owner_name", "id": "owner_id"}}."""
        roles: dict[str, dict[str, str]] = {}
        for spec in self.fields:
            if spec.person_role and spec.role_part:
                roles.setdefault(spec.person_role, {})[spec.role_part] = spec.name
        return roles


@dataclass(frozen=True)
class SourceSpec:
    """One file of a manifest: where it is, which dataset it holds, which unit sent it.

    A file named by URL (`hdfs://…`, `s3a://…`, `file://…`: any file system Spark reads) keeps
    it in `url`, and `path` is the copy on this machine the pass reads once the engine fetched it
    (`ingest.fetch`); messages and the stored batch name the URL (`name`)."""

    path: Path
    dataset: str
    unit: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    url: str | None = None

    @property
    def name(self) -> str:
        """How the user named the file: its URL, else its path."""
        return self.url or str(self.path)


@dataclass(frozen=True)
class DocumentRequirement:
    """Records of `dataset` whose `when_field` is filled must have a confirmed archived document
    (e.g. a parcel with a certificate serial, its certificate's scan); a missing one is a finding
    under complete."""

    dataset: str
    when_field: str
    document: str  # what the document is, as the finding names it


@dataclass(frozen=True)
class Manifest:
    """The batch contract's manifest: a campaign pass over a folder of unit files."""

    name: str
    province: str
    sources: tuple[SourceSpec, ...]
    path: Path | None = None
    reference_date: str | None = None  # ISO date the pass judges "now" and "stale" against
    rule_overrides: dict[str, dict] = field(default_factory=dict)  # rule -> {enabled, severity}
    freshness_days: dict[str, int] = field(default_factory=dict)  # dataset -> days before stale
    documents_required: tuple[DocumentRequirement, ...] = ()  # archived scans some records must have


@dataclass(frozen=True)
class Rejection:
    """An input row that could not be stored, and why; `row` is the row number the user sees."""

    file: str
    sheet: str | None
    row: int
    column: str | None
    code: str
    message: str


@dataclass(frozen=True)
class Repair:
    """An automatic repair of one cell: `index` is the position in the column repaired."""

    index: int
    rule: str
    original: str | None
    value: str | None


@dataclass(frozen=True)
class CellProblem:
    """A value standardisation could not make canonical, or found wrong in form (not repairable).

    `rule` names a template in `data/messages/rules.yaml`; `params` fill it. `index` is the
    position in the column, as for `Repair`.
    """

    index: int
    field: str
    rule: str
    criterion: Criterion
    severity: Severity = Severity.ERROR
    params: dict = field(default_factory=dict)
    suggested_value: str | None = None


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one record's field, in the contract's `findings.csv` shape."""

    dataset: str
    record_id: str
    field: str
    criterion: Criterion
    rule: str
    severity: Severity
    status: FindingStatus
    message: str
    suggested_value: str | None = None
