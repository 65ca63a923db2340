"""What stages hand to and get from the system of record, independent of SQLAlchemy.

Stages receive a `Store` and these dataclasses; they never import SQLAlchemy, so SQLite and
PostgreSQL differ only in the URL.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from lamsach.domain import Rejection

if TYPE_CHECKING:
    import pyarrow as pa

    from lamsach.backends.store.record_json import RecordColumns


FINDING_STORE_COLUMNS = ("dataset", "record_key", "unit", "field", "criterion", "rule", "severity", "status",
                         "message", "suggested_value")
"""A run's finding as the store keeps it (`Store.save_findings`), besides the run it belongs to."""


def this_host() -> str:
    """This machine's name, as runs and staging folders record their owner."""
    return socket.gethostname() or "localhost"


def process_alive(pid: int) -> bool:
    """Whether process `pid` of this machine still runs (a killed pass's does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def process_stamp() -> str:
    """`host~pid` of this process, in the names of the folders a pass makes beside its work
    (staging, set-aside outputs, spilled rows): a later pass removes those of dead passes."""
    return f"{this_host()}~{os.getpid()}"


def left_by_dead_process(host: str, pid: str) -> bool:
    """Whether the `host` and `pid` of a folder's `process_stamp` name a process of this machine
    that is gone: another machine's folder (shared storage) is never taken for a dead one."""
    return host == this_host() and pid.isdigit() and not process_alive(int(pid))


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC time: the store writes UTC, and SQLite gives it back without
    its zone where PostgreSQL keeps it."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@dataclass(frozen=True)
class IncomingRow:
    """One row of a received file, keyed, with the raw values as read."""

    key: str
    unit: str | None
    row_no: int
    values: dict[str, str | None]


@runtime_checkable
class ColumnarValues(Protocol):
    """Rows' values held as Arrow columns (as ingest's `Records` holds a file's rows)."""

    fields: tuple[str, ...]

    def arrays(self) -> dict[str, pa.Array]:
        """Each field's values over every row, one Arrow string array per field."""
        ...


class IncomingRows(Sequence[IncomingRow]):
    """A received file's rows as parallel columns (keys, units, row numbers, values), each
    `IncomingRow` made when it is read: a file of a million rows is never a million objects."""

    def __init__(self, keys: list[str], units: list[str | None], row_numbers: Sequence[int],
                 values: Sequence[Mapping[str, str | None]]) -> None:
        if not len(keys) == len(units) == len(row_numbers) == len(values):
            raise ValueError("incoming rows: columns of different lengths")
        self.keys, self.units, self.row_numbers, self.values = keys, units, row_numbers, values

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return IncomingRow(self.keys[index], self.units[index], self.row_numbers[index], _dict(self.values[index]))

    def __iter__(self) -> Iterator[IncomingRow]:
        for key, unit, row_no, values in zip(self.keys, self.units, self.row_numbers, self.values, strict=True):
            yield IncomingRow(key, unit, row_no, _dict(values))

    def value_arrays(self) -> dict[str, pa.Array] | None:
        """The values as one Arrow array per field, when they are held so (every field of every
        row, null where empty): the store then writes them a column at a time. Else None."""
        return self.values.arrays() if isinstance(self.values, ColumnarValues) else None


def _dict(values: Mapping[str, str | None]) -> dict[str, str | None]:
    return values if isinstance(values, dict) else dict(values)


def row_keys(rows: Sequence[IncomingRow]) -> list[str]:
    """The keys of a batch's rows, read from the key column when the rows are `IncomingRows`."""
    return rows.keys if isinstance(rows, IncomingRows) else [r.key for r in rows]


@dataclass(frozen=True)
class BatchInput:
    """A received file: its original bytes and what was read from it."""

    campaign: str
    dataset: str
    unit: str | None
    file_name: str
    sha256: str
    content: bytes
    format: str
    encoding: str | None
    sheet: str | None
    header_row: int | None
    rows_read: int
    rows: Sequence[IncomingRow]
    rejections: list[Rejection]
    read_key: str | None = None  # how the file was read (`ingest.read_key`): the re-run's "unchanged" test
    unmapped: list[dict] | None = None  # the columns no field took, as the pass's summary lists them


@dataclass(frozen=True)
class StoredBatch:
    """A file an earlier pass stored, as the weekly re-run reuses it instead of reading it again:
    its counts, the keys of the rows it stored, its rejections and the columns no field took."""

    id: int
    sha256: str
    rows_read: int
    rows_stored: int
    rows_rejected: int
    keys: list[str]
    rejections: list[Rejection]
    unmapped: list[dict]
    read_key: str


@dataclass(frozen=True)
class BatchResult:
    batch_id: int
    rows_read: int
    rows_stored: int
    rows_rejected: int
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class StoredRecord:
    id: int
    key: str
    unit: str | None
    row_no: int | None
    version: int
    data: dict[str, str | None]


@dataclass(frozen=True)
class ValueChange:
    """A change to one value of one record, with its provenance."""

    dataset: str
    key: str
    field: str
    new_value: str | None
    source: str  # import, repair, register, person, unit workbook, undo
    reason: str | None = None
    rule: str | None = None


@dataclass(frozen=True)
class ChangeRow:
    id: int
    record_key: str
    dataset: str
    version: int
    field: str
    old_value: str | None
    new_value: str | None
    source: str
    rule: str | None
    actor: str
    at: str
    reason: str | None
    undoes: int | None = None


@dataclass
class RunInfo:
    id: int
    campaign: str
    status: str
    summary: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PublishItem:
    """One record version to publish: its values as the store keeps them (JSON text)."""

    dataset: str
    record_key: str
    unit: str | None
    version: int
    data: str
    citizen_id: str | None = None


@dataclass
class PublishCounts:
    published: int = 0  # versions newly published (and queued) by this call
    unchanged: int = 0  # records whose current version was published already
    blocked: int = 0  # records whose current version may not be published
    blocked_keys: list[tuple[str, str]] = field(default_factory=list)  # those records' (dataset, key), in id order


@dataclass(frozen=True)
class KeptLinkModel:
    """A campaign's trained person model as the store keeps it (`link_models`)."""

    model: dict
    """The trained Splink settings (comparisons with their m and u)."""
    input_rows: int
    input_digest: str
    input_sketch: list[str]
    run_id: int | None = None


LineSql = Callable[[str, str], str]
"""`(dialect, row)` -> the JSON line the National Data Center receives for the version the shared
layer's row `row` (an alias of `published`) holds, as an expression of that dialect's SQL
(`lamsach.publish.outbox.line_sql`). The store renders an outbox entry's line with it when the
entry is read for sending, and keeps it as text before that row takes a newer version."""


class Store(Protocol):
    """Everything the pass's stages ask of the system of record; `SqlAlchemyStore` implements it.

    A pass is handed its store and closes it (`with store:`); stages type their parameter as
    `Store`, so a second backend needs only these methods.
    """

    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...

    def start_run(self, campaign: str, manifest_path: str | None, reference_date: str | None,
                  actor: str) -> int: ...
    def interrupt_abandoned_runs(self) -> list[int]: ...
    def finish_run(self, run_id: int, status: str, summary: dict) -> None: ...
    def import_batch(self, run_id: int, batch: BatchInput, actor: str) -> BatchResult: ...
    def load_records(self, campaign: str, dataset: str) -> list[StoredRecord]: ...
    def count_records(self, campaign: str | None = None, dataset: str | None = None) -> int: ...
    def record_stamps(self, campaign: str, dataset: str) -> str: ...
    def write_mark(self) -> tuple[int, int]: ...
    def written_by_others(self, mark: tuple[int, int], run_id: int) -> bool: ...
    def load_record_columns(self, campaign: str, dataset: str, fields: Sequence[str]) -> RecordColumns: ...
    def records_by_keys(self, campaign: str, dataset: str, keys: Iterable[str]) -> dict[str, StoredRecord]: ...
    def units_of_keys(self, campaign: str, dataset: str, keys: Sequence[str]) -> dict[str, str | None]: ...
    def reusable_batch(self, campaign: str, dataset: str, unit: str | None, file_name: str,
                       read_key: str) -> StoredBatch | None: ...
    def reuse_batch(self, run_id: int, batch: StoredBatch, actor: str) -> BatchResult | None: ...
    def apply_changes(self, campaign: str, changes: list[ValueChange], actor: str,
                      run_id: int | None = None) -> int: ...
    def history(self, campaign: str, dataset: str | None = None, key: str | None = None,
                source: str | None = None) -> list[ChangeRow]: ...
    def finding_decisions(self, campaign: str) -> list[dict]: ...
    def save_findings(self, run_id: int, batches: Iterable[pa.RecordBatch]) -> int: ...
    def save_scorecard(self, run_id: int, rows: list[dict]) -> None: ...
    def link_decisions(self, campaign: str) -> list[dict]: ...
    def save_link_reviews(self, run_id: int, campaign: str, rows: list[dict]) -> int: ...
    # the correction workbook round trip (review)
    def latest_run(self, campaign: str, status: str = "complete") -> dict | None: ...
    def run(self, run_id: int) -> dict | None: ...
    def unit_findings(self, run_id: int, unit: str, status: str | None = "open") -> list[dict]: ...
    def run_units(self, run_id: int) -> list[str]: ...
    def publish_current(self, campaign: str, run_id: int | None, blocked: Collection[tuple[str, str]],
                        line_sql: LineSql,
                        decided: Callable[[list[tuple[str, str]]], None] | None = None) -> PublishCounts:
        """Publish every record's current version not published yet whose (dataset, key) is not
        `blocked`, each with its outbox entry, in one transaction; `decided` is told the store's
        blocked records before any version is written."""
        ...
    def sync_states(self, campaign: str) -> list[dict]:
        """The records whose current version is published and sent: acknowledged, rejected or sending."""
        ...
    def kept_link_model(self, campaign: str, model_key: str) -> KeptLinkModel | None: ...
    def keep_link_model(self, campaign: str, model_key: str, kept: KeptLinkModel) -> None: ...
