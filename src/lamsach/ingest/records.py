"""A file's records held as columns: one Arrow string array per field, never a dict per row.

A province's file has hundreds of thousands of rows; as one Python dict per row their cells cost
about ten times the file's size (a 31.7 MB CSV took 371 MiB), as Arrow columns about its size.
`Records` is still a sequence of `field -> value` mappings for the code that wants one row at a
time (tests, a row's rejection, the store's per-row JSON): each is built when asked for and
dropped after, while the stages that work per column (`column`, `keys`) read the arrays.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

import pyarrow as pa
import pyarrow.compute as pc

from lamsach.ingest.spill import MappedTable, write_table

KEY_COLUMN = "__key"
"""The record's key as the store keys it (the key field's text, stripped), kept beside the fields."""

_BATCH_ROWS = 8192
"""Rows gathered as Python values before they become Arrow arrays: what a chunk costs in memory."""


class Records(Sequence[dict[str, str | None]]):
    """Rows of one dataset as columns: `fields` in schema order, each an Arrow string array."""

    __slots__ = ("_keys", "_mapped", "fields", "table")

    def __init__(self, fields: Sequence[str], table: pa.Table | None = None) -> None:
        self.fields = tuple(fields)
        self.table = table if table is not None else _empty(self.fields)
        self._mapped: MappedTable | None = None
        self._keys: list[str] | None = None

    def spill(self, path: Path) -> Records:
        """These rows written to `path` and read back through a memory map (`ingest.spill`):
        resident only while read, handed to another process as the file's path."""
        mapped = write_table(self.table, path)
        records = Records(self.fields, mapped.table)
        records._mapped = mapped
        return records

    @classmethod
    def mapped(cls, fields: Sequence[str], path: Path) -> Records:
        """The rows `spill` wrote to `path`."""
        mapped = MappedTable(path)
        records = cls(fields, mapped.table)
        records._mapped = mapped
        return records

    def release(self) -> None:
        """Spilled rows: the pages read so far handed back (they are read again when needed)."""
        if self._mapped is not None:
            self._mapped.release()

    def __reduce__(self):
        if self._mapped is not None:  # a forked reader hands back the file, not its rows
            return Records.mapped, (self.fields, self._mapped.path)
        return Records, (self.fields, self.table)

    @classmethod
    def from_dicts(cls, fields: Sequence[str], rows: Iterable[Mapping[str, str | None]], key: str | None = None
                   ) -> Records:
        """Records of `rows` (mappings by field name; a missing field is empty)."""
        builder = RecordsBuilder(fields)
        for row in rows:
            values = [row.get(name) for name in builder.fields]
            builder.append(values, str(row[key]).strip() if key else None)
        return builder.finish()

    def __len__(self) -> int:
        return self.table.num_rows

    @overload
    def __getitem__(self, index: int) -> dict[str, str | None]: ...
    @overload
    def __getitem__(self, index: slice) -> Records: ...

    def __getitem__(self, index: int | slice) -> dict[str, str | None] | Records:
        if isinstance(index, slice):
            return self.take(range(len(self))[index])
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return {name: self.table.column(name)[index].as_py() for name in self.fields}

    def __iter__(self) -> Iterator[dict[str, str | None]]:
        fields = self.fields
        for batch in self.table.select(list(fields)).to_batches(max_chunksize=_BATCH_ROWS):
            columns = [column.to_pylist() for column in batch.columns]
            for values in zip(*columns, strict=True):
                yield dict(zip(fields, values, strict=True))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Records):
            return self.fields == other.fields and self.table.select(list(self.fields)).equals(
                other.table.select(list(other.fields)))
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable like the list it stands for

    def __repr__(self) -> str:
        return f"Records({len(self)} rows × {len(self.fields)} fields)"

    def arrays(self) -> dict[str, pa.Array]:
        """Each field's values as one Arrow string array, in row order (for code that works on
        whole columns, as the store writing a file's rows does)."""
        return {name: _one_array(self.table.column(name)) for name in self.fields}

    def column(self, name: str) -> list[str | None]:
        """One field's values, in row order."""
        return self.table.column(name).to_pylist()

    @property
    def keys(self) -> list[str]:
        """Each row's key as the store keys it (see `KEY_COLUMN`). Made once: the store, the
        standardising beside it and the rows held for later share one list of the same strings
        (at 4,000,000 rows each copy cost about 250 MB). Treat it as read-only."""
        if self._keys is None:
            self._keys = self.table.column(KEY_COLUMN).to_pylist()
        return self._keys

    def take(self, indices: Sequence[int]) -> Records:
        """The rows at `indices`, in that order."""
        return Records(self.fields, self.table.take(pa.array(indices, pa.int64())))

    @property
    def nbytes(self) -> int:
        """Memory the columns take (Arrow buffers; not counted by Python's tracemalloc)."""
        return self.table.nbytes

    def duplicated(self) -> dict[int, int]:
        """Rows whose key an earlier row already has -> that earlier (first) row's index."""
        keys = self.table.column(KEY_COLUMN)
        # most files repeat no key: counting the distinct keys says so in less than half the
        # time and memory of the grouping below (4,000,000 keys: 1.9 s and 248 MiB, not 4.8 s
        # and 574 MiB), which is made only for a file that does
        if len(keys) < 2 or pc.count_distinct(keys).as_py() == len(keys):
            return {}
        counted = pa.table({"k": keys, "i": pa.array(range(len(keys)), pa.int64())}).group_by(
            "k", use_threads=False).aggregate([("i", "min"), ("i", "count")])
        repeated = counted.filter(pc.greater(counted["i_count"], 1))
        if repeated.num_rows == 0:
            return {}
        first = dict(zip(repeated["k"].to_pylist(), repeated["i_min"].to_pylist(), strict=True))
        rows = pc.indices_nonzero(pc.is_in(keys, value_set=repeated["k"])).to_pylist()
        chosen = keys.take(pa.array(rows, pa.int64())).to_pylist()
        return {i: first[k] for i, k in zip(rows, chosen, strict=True) if first[k] != i}


class RecordsBuilder:
    """Rows appended one by one, turned into Arrow arrays every `_BATCH_ROWS` rows."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self._pending: list[tuple] = []
        self._batches: list[pa.RecordBatch] = []
        self._schema = pa.schema([(name, pa.string()) for name in (*self.fields, KEY_COLUMN)])

    def append(self, values: Sequence[str | None], key: str | None) -> None:
        """One row: its values in `fields` order, and its key (`KEY_COLUMN`)."""
        self._pending.append((*values, key))
        if len(self._pending) >= _BATCH_ROWS:
            self._flush()

    def __len__(self) -> int:
        return sum(b.num_rows for b in self._batches) + len(self._pending)

    def _flush(self) -> None:
        if not self._pending:
            return
        columns = list(zip(*self._pending, strict=True))
        self._pending = []
        arrays = [pa.array(column, pa.string()) for column in columns]
        self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self._schema))

    def finish(self) -> Records:
        self._flush()
        table = pa.Table.from_batches(self._batches, schema=self._schema)
        self._batches = []
        return Records(self.fields, table)


def _one_array(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array: its only chunk as it is (spilled rows stay on disk), else joined."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _empty(fields: tuple[str, ...]) -> pa.Table:
    return pa.schema([(name, pa.string()) for name in (*fields, KEY_COLUMN)]).empty_table()
