"""`SqlAlchemyStore`: the system of record on SQLite (default) or PostgreSQL.

Each received file is stored in one transaction together with its batch row, which is marked
`complete` only at the end: a crash or a killed process leaves no half batch, and rows of a
batch left in another state (possible only if a database ignored the rollback) are removed by
`clean_incomplete` at the next start.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import (
    Engine,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import (
    FINDING_STORE_COLUMNS,
    BatchInput,
    BatchResult,
    ChangeRow,
    IncomingRows,
    KeptLinkModel,
    PublishCounts,
    StoredBatch,
    StoredRecord,
    ValueChange,
    process_alive,
    row_keys,
    this_host,
)
from lamsach.backends.store.bulk import Same, bulk_insert, bulk_update, insert_columns
from lamsach.backends.store.by_keys import rows_by_keys
from lamsach.backends.store.record_json import RecordColumns, json_column, parse_values
from lamsach.backends.store.record_json import dumps as _dumps
from lamsach.backends.store.sqlite_tuning import WAL_CHECKPOINT_PAGES, page_cache, store_cache_kib
from lamsach.backends.store.statistics import TableStatistics
from lamsach.domain import ErrorCode, LamsachError, Location, Rejection
from lamsach.domain.clock import in_vietnam, today_vn, upload_arrival
from lamsach.domain.lifecycle import STATE_FIELD

MIGRATIONS = Path(__file__).with_name("migrations")


def _now() -> datetime:
    return datetime.now(UTC)


class _StaleBatch(Exception):
    """A stored batch can no longer stand in for its file (rolls `reuse_batch` back)."""


# rejections that depend on another file of the pass or another unit's stored records
_OTHER_FILE_CODES = frozenset({ErrorCode.INGEST_ROW_KEY_COLLISION.value, ErrorCode.INGEST_ROW_KEY_OTHER_UNIT.value})
_RUN_HEADER = [c for c in t.runs.c if c.name != "summary"]  # a run's summary can be large
SQLITE_WAIT_SECONDS = 120
_RECORD_COLUMNS = ("campaign", "dataset", "record_key", "unit", "batch_id", "row_no", "version", "raw", "data",
                   "updated_at", "citizen_id")
STORE_CHUNK_ROWS = 100_000
"""Rows of a file whose stored text is made and written at a time (one transaction still)."""
_RECORD_UPDATE_COLUMNS = ("raw", "data", "version", "batch_id", "row_no", "unit", "citizen_id", "updated_at")
_CHANGE_COLUMNS = ("record_id", "version", "field", "old_value", "new_value", "source", "rule", "actor", "at",
                   "run_id", "reason")  # how long a SQLite writer waits for another one (a pass storing a file)


_STAMP_COLUMNS = "id, record_key, unit, version, updated_at"
_STAMP_CHUNK = 20_000
"""Rows per digest update of `record_stamps`: `load_record_columns` digests in the same chunks."""


class SqlAlchemyStore:
    """Repository functions per aggregate (runs, batches, records and their changes, findings)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # the same pool with each statement its own transaction: a lookup's single statements
        # then cost one round trip each on PostgreSQL, without BEGIN and COMMIT/ROLLBACK
        self.autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.statistics = TableStatistics(engine)

    @classmethod
    def open(cls, url: str, migrate: bool = True) -> SqlAlchemyStore:
        """Connect, bring the schema to the latest migration, and remove any incomplete batch."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("sqlite"):
            # one writer: a pass storing a large file holds it for a while, and a web page that
            # logs a view must wait for it rather than fail after pysqlite's default 5 seconds
            engine = create_engine(url, future=True, connect_args={"timeout": SQLITE_WAIT_SECONDS})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = _server_engine(url)
        store = cls(engine)
        try:
            if migrate:
                store.migrate()
            store.clean_incomplete()
        except OperationalError as exc:
            raise LamsachError(
                ErrorCode.STORE_UNAVAILABLE, Location(), {"reason": str(exc.orig).splitlines()[0]}
            ) from None
        return store

    def close(self) -> None:
        """Give back the database connections (a pass closes the store it was handed)."""
        self.engine.dispose()

    def __enter__(self) -> SqlAlchemyStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def migrate(self, target: str = "head") -> None:
        """Bring the schema to `target` (a revision; lower than the current one goes down)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
                if inspect(conn).has_table("alembic_version") else None
            if target != "head" and current is not None and int(current) > int(target):
                command.downgrade(config, target)
            else:
                command.upgrade(config, target)

    def clean_incomplete(self) -> int:
        """Delete batches that never reached `complete`, with everything that points to them."""
        with self.engine.begin() as conn:
            stale = [r.id for r in conn.execute(select(t.batches.c.id).where(t.batches.c.state != "complete"))]
            if stale:
                conn.execute(delete(t.rejections).where(t.rejections.c.batch_id.in_(stale)))
                ids = select(t.records.c.id).where(t.records.c.batch_id.in_(stale))
                conn.execute(delete(t.changes).where(t.changes.c.record_id.in_(ids)))
                conn.execute(delete(t.records).where(t.records.c.batch_id.in_(stale)))
                conn.execute(delete(t.batches).where(t.batches.c.id.in_(stale)))
        return len(stale)

    # campaigns --------------------------------------------------------------------------------
    def save_campaign(self, name: str, path: str, definition: str) -> bool:
        """Register or update a campaign's file; True when it was new."""
        now = _now()
        with self.engine.begin() as conn:
            known = conn.execute(select(t.campaigns.c.name).where(t.campaigns.c.name == name)).first()
            if known:
                conn.execute(update(t.campaigns).where(t.campaigns.c.name == name).values(
                    path=path, definition=definition, updated_at=now))
                return False
            conn.execute(insert(t.campaigns).values(name=name, path=path, definition=definition,
                                                    created_at=now, updated_at=now))
            return True

    def campaigns(self) -> list[dict]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(t.campaigns).order_by(t.campaigns.c.name))]

    # runs -------------------------------------------------------------------------------------
    def start_run(self, campaign: str, manifest_path: str | None, reference_date: str | None,
                  actor: str) -> int:
        """A new run, `running`, owned by this process (host and process id)."""
        with self.engine.begin() as conn:
            result = conn.execute(insert(t.runs).values(
                campaign=campaign, manifest_path=manifest_path, reference_date=reference_date,
                actor=actor, status="running", started_at=_now(), host=this_host(), pid=os.getpid()))
            return int(result.inserted_primary_key[0])

    def interrupt_abandoned_runs(self) -> list[int]:
        """Mark `interrupted` the runs left `running` by a process of this machine that is gone
        (killed, or the machine restarted); runs of other machines are left to them. Returns their ids."""
        with self.engine.begin() as conn:
            rows = conn.execute(select(t.runs.c.id, t.runs.c.pid).where(
                t.runs.c.status == "running", t.runs.c.host == this_host())).all()
            gone = [r.id for r in rows if r.pid is not None and not process_alive(r.pid)]
            if gone:
                conn.execute(update(t.runs).where(t.runs.c.id.in_(gone), t.runs.c.status == "running")
                             .values(status="interrupted", finished_at=_now()))
        return gone

    def finish_run(self, run_id: int, status: str, summary: dict) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(
                status=status, finished_at=_now(), summary=json.dumps(summary, ensure_ascii=False)))

    # batches and records ----------------------------------------------------------------------
    def import_batch(self, run_id: int, batch: BatchInput, actor: str) -> BatchResult:
        """Store a received file and its rows in one transaction; return how the counts reconcile."""
        now = _now()
        keys = row_keys(batch.rows)
        arrays = batch.rows.value_arrays() if isinstance(batch.rows, IncomingRows) else None
        with self.engine.begin() as conn, page_cache(conn, store_cache_kib(len(keys))):
            if conn.execute(select(t.originals.c.sha256).where(t.originals.c.sha256 == batch.sha256)).first() is None:
                conn.execute(insert(t.originals).values(
                    sha256=batch.sha256, size_bytes=len(batch.content), content=batch.content))
            batch_id = int(conn.execute(insert(t.batches).values(
                run_id=run_id, campaign=batch.campaign, dataset=batch.dataset, unit=batch.unit,
                file_name=batch.file_name, sha256=batch.sha256, format=batch.format,
                encoding=batch.encoding, sheet=batch.sheet, header_row=batch.header_row,
                state="loading", rows_read=batch.rows_read, rows_stored=0, rows_rejected=0,
                records_created=0, records_updated=0, created_at=now, created_by=actor,
                read_key=batch.read_key, record_keys=json.dumps(keys, ensure_ascii=False),
                unmapped=json.dumps(batch.unmapped or [], ensure_ascii=False),
            )).inserted_primary_key[0])
            if batch.rejections:
                conn.execute(insert(t.rejections), [
                    {"batch_id": batch_id, "sheet": r.sheet, "row_no": r.row, "column_name": r.column,
                     "code": r.code, "message": r.message} for r in batch.rejections])
            existing = self._existing(conn, batch.campaign, batch.dataset, keys)
            updates, change_rows = [], []
            created = unchanged = 0
            for start, stop, raws in self._raw_chunks(arrays, len(keys)):
                if raws is None:
                    created += self._insert_rows(conn, batch, batch_id, existing, now)
                else:
                    created += self._insert_columns(conn, batch, batch_id, existing, now, start, raws,
                                                    arrays.get("citizen_id"))
                for i in range(start, stop) if existing else ():
                    u, c, same = self._received_again(batch, existing, keys[i], i,
                                                      raws[i - start] if raws is not None else None,
                                                      batch_id, now, run_id, actor)
                    unchanged += same
                    if u is not None:
                        updates.append(u)
                        change_rows += c
            if updates:
                bulk_update(conn, t.records, "id", _RECORD_UPDATE_COLUMNS, updates)
            if change_rows:
                bulk_insert(conn, t.changes, _CHANGE_COLUMNS, change_rows)
            stored = len(batch.rows)
            conn.execute(update(t.batches).where(t.batches.c.id == batch_id).values(
                state="complete", rows_stored=stored, rows_rejected=len(batch.rejections),
                records_created=created, records_updated=len(updates)))
        self.statistics.wrote(records=created + len(updates), changes=len(change_rows))
        return BatchResult(batch_id, batch.rows_read, stored, len(batch.rejections),
                           created, len(updates), unchanged)

    @staticmethod
    def _raw_chunks(arrays: dict[str, pa.Array] | None, count: int
                    ) -> Iterator[tuple[int, int, list[str] | None]]:
        """(first row, row after the last, each row's values as stored) a chunk of
        `STORE_CHUNK_ROWS` rows at a time when the rows are held as columns (the JSON made a
        column at a time, `json_column`), else once (0, count, None). A file of millions of rows
        never has every row's text in Python at once."""
        if not arrays:
            yield 0, count, None
            return
        for start in range(0, count, STORE_CHUNK_ROWS):
            stop = min(start + STORE_CHUNK_ROWS, count)
            yield start, stop, json_column({name: a.slice(start, stop - start) for name, a in arrays.items()}).to_pylist()

    @staticmethod
    def _received_again(batch: BatchInput, existing: dict, key: str, i: int, raw: str | None, batch_id: int,
                        now: datetime, run_id: int, actor: str) -> tuple[tuple | None, list[tuple], int]:
        """Row `i`, of a key the store holds: (the record's update or None, its changes, 1 when
        it came again unchanged else 0)."""
        known = existing.get(key)
        if known is None:
            return None, [], 0
        record_id, old_raw, old_data, version = known
        if raw is not None and raw == old_raw:
            return None, [], 1
        row = batch.rows[i]  # a row's mapping made only for a record it changes
        raw = raw if raw is not None else _dumps(row.values)
        if old_raw == raw:
            return None, [], 1
        previous_raw, data = json.loads(old_raw), json.loads(old_data)
        version += 1
        change_rows = []
        for name, value in row.values.items():
            if previous_raw.get(name) != value:
                change_rows.append((record_id, version, name, data.get(name), value, "import", None,
                                    actor, now, run_id, f"received again in {batch.file_name}"))
                data[name] = value
        return ((raw, _dumps(data), version, batch_id, row.row_no, row.unit, _citizen_id(data), now, record_id),
                change_rows, 0)

    @staticmethod
    def _insert_rows(conn, batch: BatchInput, batch_id: int, existing: dict, now: datetime) -> int:
        """The batch's rows of keys not stored yet, as new records, made one row at a time as the
        driver takes them (no list of them); returns how many."""
        created = 0

        def new_rows() -> Iterator[tuple]:
            nonlocal created
            for row in batch.rows:
                if row.key not in existing:
                    created += 1
                    yield (batch.campaign, batch.dataset, row.key, row.unit, batch_id, row.row_no, 1,
                           None, _dumps(row.values), now, _citizen_id(row.values))

        if len(existing) < len(batch.rows):
            bulk_insert(conn, t.records, _RECORD_COLUMNS, new_rows())
        return created

    @staticmethod
    def _insert_columns(conn, batch: BatchInput, batch_id: int, existing: dict, now: datetime, start: int,
                        raws: list[str], citizen: pa.Array | None) -> int:
        """The same for rows held as columns (`IncomingRows`), the chunk of rows from `start` with
        `raws`: the new records written a column at a time, each row's JSON text made beforehand
        (`json_column`); returns how many."""
        rows: IncomingRows = batch.rows  # type: ignore[assignment]
        stop = start + len(raws)
        keys, units, numbers = rows.keys[start:stop], rows.units[start:stop], rows.row_numbers[start:stop]
        citizen_ids = citizen.slice(start, len(raws)).to_pylist() if citizen is not None else None
        if existing:
            new = [i for i, key in enumerate(keys) if key not in existing]
            if not new:
                return 0
            keys, units, numbers, raws = ([column[i] for i in new] for column in (keys, units, numbers, raws))
            citizen_ids = [citizen_ids[i] for i in new] if citizen_ids is not None else None
        count = len(keys)
        if count:
            indexed = Same(None) if citizen_ids is None else [v[:20] if v else None for v in citizen_ids]
            insert_columns(conn, t.records, {
                "campaign": Same(batch.campaign), "dataset": Same(batch.dataset), "record_key": keys,
                "unit": units, "batch_id": Same(batch_id), "row_no": numbers, "version": Same(1), "raw": Same(None),
                "data": raws, "updated_at": Same(now), "citizen_id": indexed}, count)
        return count

    def reusable_batch(self, campaign: str, dataset: str, unit: str | None, file_name: str,
                       read_key: str) -> StoredBatch | None:
        """The batch this campaign last stored for `dataset`, `unit` and `file_name`, when storing the
        file again could change nothing: it was read the same way (`read_key`), none of its rows was
        refused because of another file (a key another file or unit holds: that file may have
        changed), and no later batch changed a stored row's values where it could reach this file's
        records (a later batch of a file of no unit, or of this unit; another unit's file cannot
        take this unit's keys). Else None, and the file is read and stored as usual."""
        b = t.batches
        with self.engine.connect() as conn:
            same_unit = b.c.unit.is_(None) if unit is None else b.c.unit == unit
            last = conn.execute(select(b.c.id, b.c.sha256, b.c.read_key, b.c.record_keys, b.c.unmapped, b.c.rows_read,
                                       b.c.rows_stored, b.c.rows_rejected)
                                .where(b.c.campaign == campaign, b.c.dataset == dataset, same_unit,
                                       b.c.file_name == file_name, b.c.state == "complete")
                                .order_by(b.c.id.desc()).limit(1)).first()
            if last is None or last.read_key != read_key or last.record_keys is None:
                return None
            later = select(b.c.id).where(b.c.campaign == campaign, b.c.dataset == dataset, b.c.state == "complete",
                                         b.c.id > last.id, b.c.records_updated > 0)
            if unit is not None:  # a file of no unit is reached by any later change of the dataset
                later = later.where(or_(b.c.unit.is_(None), b.c.unit == unit))
            if conn.execute(later.limit(1)).first() is not None:
                return None
            rows = conn.execute(select(t.rejections).where(t.rejections.c.batch_id == last.id)
                                .order_by(t.rejections.c.id)).all()
        if any(r.code in _OTHER_FILE_CODES for r in rows):
            return None
        rejections = [Rejection(file_name, r.sheet, r.row_no, r.column_name, r.code, r.message) for r in rows]
        return StoredBatch(last.id, last.sha256, last.rows_read, last.rows_stored, last.rows_rejected,
                           json.loads(last.record_keys), rejections, json.loads(last.unmapped or "[]"), read_key)

    def reuse_batch(self, run_id: int, batch: StoredBatch, actor: str) -> BatchResult | None:
        """Record in this run an unchanged file as a copy of its stored batch (counts, keys,
        rejections, the same original), in one transaction; no record is read or written.

        None, with nothing written, when since `reusable_batch` another pass stored that file again
        or a batch that may reach its records changed stored rows: the file is then read as usual.
        The check follows the insert, so on SQLite it runs holding the write lock."""
        b = t.batches
        try:
            with self.engine.begin() as conn:
                source = conn.execute(select(b).where(b.c.id == batch.id)).one()._mapping
                values = {k: v for k, v in source.items() if k != "id"}
                values.update(run_id=run_id, records_created=0, records_updated=0, created_at=_now(),
                              created_by=actor)
                batch_id = int(conn.execute(insert(b).values(**values)).inserted_primary_key[0])
                unit = source["unit"]
                same_unit = b.c.unit.is_(None) if unit is None else b.c.unit == unit
                reach = b.c.records_updated > 0
                if unit is not None:
                    reach = and_(reach, or_(b.c.unit.is_(None), b.c.unit == unit))
                since = conn.execute(select(b.c.id).where(
                    b.c.campaign == source["campaign"], b.c.dataset == source["dataset"], b.c.state == "complete",
                    b.c.id > batch.id, b.c.id != batch_id,
                    or_(and_(same_unit, b.c.file_name == source["file_name"]), reach)).limit(1)).first()
                if since is not None:
                    raise _StaleBatch
                if batch.rejections:
                    conn.execute(insert(t.rejections), [
                        {"batch_id": batch_id, "sheet": r.sheet, "row_no": r.row, "column_name": r.column,
                         "code": r.code, "message": r.message} for r in batch.rejections])
        except _StaleBatch:
            return None
        return BatchResult(batch_id, batch.rows_read, batch.rows_stored, batch.rows_rejected, 0, 0,
                           batch.rows_stored)

    @staticmethod
    def _existing(conn, campaign: str, dataset: str, keys: list[str]) -> dict[str, tuple[int, str, str, int]]:
        """The stored records among `keys` only: a province sends hundreds of files per dataset,
        and reading the whole dataset for each would make importing quadratic."""
        if not _holds_records(conn, campaign, dataset):
            return {}  # a dataset's first file: nothing to look up key by key
        r = t.records.c
        return {row.record_key: (row.id, row.raw, row.data, row.version) for row in _rows_of_keys(
            conn, campaign, dataset, keys, r.record_key, r.id, t.RECEIVED.label("raw"), r.data, r.version)}

    def load_records(self, campaign: str, dataset: str) -> list[StoredRecord]:
        """The dataset's records in id order. Fetched in chunks and each chunk's values decoded as
        one JSON array: a re-run reads every record back, and decoding row by row cost a third more."""
        found: list[StoredRecord] = []
        with self.engine.connect() as conn:
            result = conn.execute(select(t.records.c.id, t.records.c.record_key, t.records.c.unit,
                                         t.records.c.row_no, t.records.c.version, t.records.c.data)
                                  .where(t.records.c.campaign == campaign, t.records.c.dataset == dataset)
                                  .order_by(t.records.c.id))
            while rows := result.fetchmany(20_000):
                values = json.loads("[" + ",".join(r[5] for r in rows) + "]")
                found += [StoredRecord(r[0], r[1], r[2], r[3], r[4], data) for r, data in zip(rows, values, strict=True)]
        return found

    def record(self, campaign: str, dataset: str, key: str) -> StoredRecord | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(t.records.c.id, t.records.c.record_key, t.records.c.unit, t.records.c.row_no,
                                    t.records.c.version, t.records.c.data)
                             .where(t.records.c.campaign == campaign, t.records.c.dataset == dataset,
                                    t.records.c.record_key == key)).first()
        return StoredRecord(r.id, r.record_key, r.unit, r.row_no, r.version, json.loads(r.data)) if r else None

    def record_stamps(self, campaign: str, dataset: str) -> str:
        """A fingerprint of the dataset's records read without their values: each record's id, key,
        unit, version and time of last change, in id order. Every change of a record's values or
        unit (a file received again, a repair, an officer's edit, an undo) gives it a new version
        and time, and a record deleted and stored again a new id, so equal stamps mean equal
        records — what standardising needs to know to take its kept result (`runner.pass_run`)."""
        digest = hashlib.sha256()
        with self.engine.connect() as conn:
            for rows in _dataset_rows(conn, _STAMP_COLUMNS, campaign, dataset):
                digest.update(repr(rows).encode())
        return digest.hexdigest()

    def write_mark(self) -> tuple[int, int]:
        """Where the store's writes to records stand now: the last batch's id and the last
        change's id. Records are written only by a batch (`import_batch`) or a change
        (`apply_changes`), each numbered in order, so `written_by_others` can tell whether anyone
        but one run wrote records after this mark."""
        with self.engine.connect() as conn:
            batch = conn.execute(select(func.max(t.batches.c.id))).scalar()
            change = conn.execute(select(func.max(t.changes.c.id))).scalar()
        return int(batch or 0), int(change or 0)

    def written_by_others(self, mark: tuple[int, int], run_id: int) -> bool:
        """Whether a batch or a change after `mark` (`write_mark`) came from anyone but run
        `run_id`: an officer's edit in the browser, another pass. What a pass read and the
        records' `record_stamps` now then describe the same records only if not."""
        batch, change = mark
        with self.engine.connect() as conn:
            batches = conn.execute(select(t.batches.c.id).where(
                t.batches.c.id > batch, t.batches.c.run_id != run_id).limit(1)).first()
            changes = conn.execute(select(t.changes.c.id).where(
                t.changes.c.id > change, or_(t.changes.c.run_id.is_(None), t.changes.c.run_id != run_id))
                .limit(1)).first()
        return batches is not None or changes is not None

    def load_record_columns(self, campaign: str, dataset: str, fields: Sequence[str]) -> RecordColumns:
        """The dataset's records in use (not merged or retired), in id order, as columns of
        `fields`, with the `record_stamps` of every record read, in one read. Each chunk's values
        are parsed by Arrow's JSON reader straight into columns (`record_json.parse_values`)."""
        digest = hashlib.sha256()
        keys: list[str] = []
        units: list[str | None] = []
        tables: list[pa.Table] = []
        wanted = list(dict.fromkeys([*fields, STATE_FIELD]))
        with self.engine.connect() as conn:
            for rows in _dataset_rows(conn, f"{_STAMP_COLUMNS}, data", campaign, dataset):
                digest.update(repr([row[:5] for row in rows]).encode())
                texts = [r[5] for r in rows]
                table = parse_values(texts, wanted)
                if table is None:  # a value Arrow's reader does not take as text: decoded as before
                    values = json.loads("[" + ",".join(texts) + "]")
                    table = pa.table({name: pa.array([v.get(name) for v in values], pa.string()) for name in wanted})
                state = table.column(STATE_FIELD)
                chunk_keys, chunk_units = [r[1] for r in rows], [r[2] for r in rows]
                if state.null_count < len(state):  # some merged or retired (most chunks: none)
                    used = pc.invert(pc.fill_null(pc.not_equal(state, ""), False))
                    flags = used.to_pylist()
                    chunk_keys = [k for k, f in zip(chunk_keys, flags, strict=True) if f]
                    chunk_units = [u for u, f in zip(chunk_units, flags, strict=True) if f]
                    table = table.filter(used)
                keys += chunk_keys
                units += chunk_units
                tables.append(table if STATE_FIELD in fields else table.drop_columns([STATE_FIELD]))
        columns = pa.concat_tables(tables) if tables else parse_values([], fields)
        return RecordColumns(keys, units, columns, digest.hexdigest())

    def count_records(self, campaign: str | None = None, dataset: str | None = None) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(t.records)
            if campaign is not None:
                query = query.where(t.records.c.campaign == campaign)
            if dataset is not None:
                query = query.where(t.records.c.dataset == dataset)
            return int(conn.execute(query).scalar_one())

    def batches(self, run_id: int | None = None) -> list[dict]:
        with self.engine.connect() as conn:
            query = select(t.batches).order_by(t.batches.c.id)
            if run_id is not None:
                query = query.where(t.batches.c.run_id == run_id)
            return [dict(r._mapping) for r in conn.execute(query)]

    def rejections(self, batch_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.rejections).where(t.rejections.c.batch_id == batch_id)
                                .order_by(t.rejections.c.id))
            return [dict(r._mapping) for r in rows]

    def original(self, sha256: str) -> bytes:
        with self.engine.connect() as conn:
            return conn.execute(select(t.originals.c.content).where(t.originals.c.sha256 == sha256)).scalar_one()

    # versioned changes ------------------------------------------------------------------------
    def apply_changes(self, campaign: str, changes: list[ValueChange], actor: str,
                      run_id: int | None = None, undoes: dict[int, int] | None = None,
                      at: datetime | None = None) -> int:
        """Apply value changes as new versions, in one transaction; unchanged values are skipped.

        `at` dates the changes when they were received earlier than they are entered (a workbook
        sent by post); by default, now."""
        if not changes:
            return 0
        now = at or _now()
        applied = touched_records = 0
        with self.engine.begin() as conn:
            by_dataset: dict[str, list[tuple[int, ValueChange]]] = {}
            for position, change in enumerate(changes):
                by_dataset.setdefault(change.dataset, []).append((position, change))
            for dataset, items in by_dataset.items():
                keys = list({c.key for _, c in items})
                current = self._records_by_key(conn, campaign, dataset, keys)
                touched: dict[str, tuple[int, dict, int]] = {}
                change_rows = []
                for position, change in items:
                    if change.key not in current:
                        raise KeyError(f"{dataset}/{change.key}")
                    record_id, data, version = touched.get(change.key) or current[change.key]
                    old = data.get(change.field)
                    if old == change.new_value:
                        continue
                    if change.key not in touched:
                        version += 1
                    data = {**data, change.field: change.new_value}
                    touched[change.key] = (record_id, data, version)
                    change_rows.append((record_id, version, change.field, old, change.new_value, change.source,
                                        change.rule, actor, now, run_id, change.reason,
                                        (undoes or {}).get(position)))
                if touched:
                    _keep_received(conn, [rid for rid, _data, _version in touched.values()])
                    bulk_update(conn, t.records, "id", ("data", "version", "updated_at", "citizen_id"),
                                [(_dumps(data), version, now, _citizen_id(data), rid)
                                 for rid, data, version in touched.values()])
                    bulk_insert(conn, t.changes, (*_CHANGE_COLUMNS, "undoes"), change_rows)
                    applied += len(change_rows)
                    touched_records += len(touched)
        self.statistics.wrote(records=touched_records, changes=applied)
        return applied

    @staticmethod
    def _records_by_key(conn, campaign: str, dataset: str, keys: Iterable[str]) -> dict:
        r = t.records.c
        return {row.record_key: (row.id, json.loads(row.data), row.version)
                for row in _rows_of_keys(conn, campaign, dataset, list(keys), r.record_key, r.id, r.data, r.version)}

    def history(self, campaign: str, dataset: str | None = None, key: str | None = None,
                source: str | None = None) -> list[ChangeRow]:
        """Changes, oldest first, optionally of one dataset, one record or one source."""
        query = (select(t.changes, t.records.c.record_key, t.records.c.dataset)
                 .join(t.records, t.records.c.id == t.changes.c.record_id)
                 .where(t.records.c.campaign == campaign).order_by(t.changes.c.id))
        if dataset is not None:
            query = query.where(t.records.c.dataset == dataset)
        if key is not None:
            query = query.where(t.records.c.record_key == key)
        if source is not None:
            query = query.where(t.changes.c.source == source)
        with self.engine.connect() as conn:
            return [ChangeRow(r.id, r.record_key, r.dataset, r.version, r.field, r.old_value, r.new_value,
                              r.source, r.rule, r.actor, r.at.isoformat() if r.at else "", r.reason,
                              r.undoes)
                    for r in conn.execute(query)]

    def undo(self, campaign: str, change_id: int, actor: str, reason: str) -> int:
        """Restore the value a change replaced, as a new version that names the change it undoes."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.changes, t.records.c.record_key, t.records.c.dataset)
                               .join(t.records, t.records.c.id == t.changes.c.record_id)
                               .where(t.changes.c.id == change_id)).first()
        if row is None:
            raise KeyError(change_id)
        change = ValueChange(row.dataset, row.record_key, row.field, row.old_value, "undo", reason, row.rule)
        return self.apply_changes(campaign, [change], actor, undoes={0: change_id})

    # findings and scores ----------------------------------------------------------------------
    def save_findings(self, run_id: int, batches: Iterable[pa.RecordBatch]) -> int:
        """Findings of a run, as Arrow batches with the columns dataset, record_key, unit, field,
        criterion, rule, severity, status, message, suggested_value; all in one transaction.

        A province's pass finds hundreds of thousands: they go in a batch at a time as columns
        (one prepared INSERT on SQLite, COPY on PostgreSQL), never as one dictionary per row, and
        a batch streamed from the engine is all Python holds of them at once. Returns the count."""
        count = 0
        with self.engine.begin() as conn:
            for batch in batches:
                if batch.num_rows == 0:
                    continue
                columns: dict[str, Sequence | Same] = {"run_id": Same(run_id)}
                columns.update({name: batch.column(name).to_pylist() for name in FINDING_STORE_COLUMNS})
                insert_columns(conn, t.findings, columns, batch.num_rows)
                count += batch.num_rows
        self.statistics.wrote(findings=count)
        return count

    def decide_finding(self, campaign: str, dataset: str, key: str, field: str, rule: str, status: str,
                       value: str | None, actor: str, reason: str) -> int:
        """Record a verdict on a finding (`dismissed` or `accepted`) for the value it judged."""
        if status not in ("dismissed", "accepted"):
            raise ValueError(status)
        with self.engine.begin() as conn:
            result = conn.execute(insert(t.finding_decisions).values(
                campaign=campaign, dataset=dataset, record_key=key, field=field, rule=rule, status=status,
                value=value, actor=actor, at=_now(), reason=reason))
            return int(result.inserted_primary_key[0])

    def finding_decisions(self, campaign: str) -> list[dict]:
        """The latest verdict per finding (dataset, record, field, rule) of a campaign."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.finding_decisions).where(t.finding_decisions.c.campaign == campaign)
                                .order_by(t.finding_decisions.c.id))
            latest = {(r.dataset, r.record_key, r.field, r.rule): dict(r._mapping) for r in rows}
        return list(latest.values())

    def link_decisions(self, campaign: str) -> list[dict]:
        """Officers' latest decision per queued link candidate (see `link_reviews`)."""
        from lamsach.backends.store.link_reviews import link_decisions

        return link_decisions(self, campaign)

    def save_link_reviews(self, run_id: int, campaign: str, rows: list[dict]) -> int:
        """The pass's undecided link candidates queued, superseding the campaign's open ones."""
        from lamsach.backends.store.link_reviews import save_link_reviews

        return save_link_reviews(self, run_id, campaign, rows)

    def save_scorecard(self, run_id: int, rows: list[dict]) -> None:
        with self.engine.begin() as conn:
            if rows:
                conn.execute(insert(t.scorecards), [{**r, "run_id": run_id} for r in rows])

    def scorecard(self, run_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.scorecards).where(t.scorecards.c.run_id == run_id)
                                .order_by(t.scorecards.c.id))
            return [dict(r._mapping) for r in rows]

    def finding_counts(self, run_id: int, status: str = "open") -> list[dict]:
        """Findings of a run counted per unit and rule (for progress, without loading them all)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.findings.c.unit, t.findings.c.rule, t.findings.c.criterion,
                                       func.count().label("n"))
                                .where(t.findings.c.run_id == run_id, t.findings.c.status == status)
                                .group_by(t.findings.c.unit, t.findings.c.rule, t.findings.c.criterion))
            return [dict(r._mapping) for r in rows]

    def submissions(self, campaign: str) -> list[dict]:
        """When each unit sent something: each new file (an upload dated by the day it arrived,
        in Vietnam; a file in the campaign's folder by the reference date of the run that first
        read it) and each returned correction workbook (dated by when it arrived)."""
        with self.engine.connect() as conn:
            batches = conn.execute(select(t.batches.c.unit, t.batches.c.sha256, t.runs.c.reference_date,
                                          t.batches.c.created_at, t.batches.c.file_name)
                                   .join(t.runs, t.runs.c.id == t.batches.c.run_id)
                                   .where(t.batches.c.campaign == campaign, t.batches.c.rows_stored > 0)
                                   .order_by(t.batches.c.id))
            # a weekly pass reads the same folder again: only a file not seen before is a submission
            first_seen: dict[tuple[str, str], str] = {}
            for r in batches:
                if r.unit:
                    arrived = upload_arrival(r.file_name)
                    day = (today_vn(arrived).isoformat() if arrived else
                           r.reference_date or today_vn(in_vietnam(r.created_at)).isoformat())
                    first_seen.setdefault((r.unit, r.sha256), day)
            result = [{"unit": unit, "date": day, "kind": "file"} for (unit, _), day in first_seen.items()]
            edits = conn.execute(select(t.records.c.unit, func.max(t.changes.c.at).label("at"))
                                 .join(t.records, t.records.c.id == t.changes.c.record_id)
                                 .where(t.records.c.campaign == campaign, t.changes.c.source == "unit workbook")
                                 .group_by(t.records.c.unit, t.changes.c.run_id))
            result += [{"unit": r.unit, "date": today_vn(in_vietnam(r.at)).isoformat(), "kind": "workbook"}
                       for r in edits if r.unit]
        return result

    def findings(self, run_id: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.findings).where(t.findings.c.run_id == run_id)
                                .order_by(t.findings.c.id))
            return [dict(r._mapping) for r in rows]

    def runs(self) -> list[dict]:
        """Every run without its summary (pages ask for the list often; `run(id)` has the summary)."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(*_RUN_HEADER).order_by(t.runs.c.id))]

    # review: correction workbooks ------------------------------------------------------------
    def latest_run(self, campaign: str, status: str = "complete") -> dict | None:
        """The newest run of `campaign` in `status`: a returned correction workbook must belong to
        the latest complete run, or its findings may no longer be the ones the unit saw."""
        with self.engine.connect() as conn:
            row = conn.execute(select(*_RUN_HEADER).where(t.runs.c.campaign == campaign, t.runs.c.status == status)
                               .order_by(t.runs.c.id.desc()).limit(1)).first()
        return dict(row._mapping) if row else None

    def run(self, run_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.runs).where(t.runs.c.id == run_id)).first()
        return dict(row._mapping) if row else None

    def unit_findings(self, run_id: int, unit: str, status: str | None = "open") -> list[dict]:
        """One unit's findings of a run (all statuses when `status` is None), without reading the
        whole province's findings to export one commune's workbook."""
        query = select(t.findings).where(t.findings.c.run_id == run_id, t.findings.c.unit == unit)
        if status is not None:
            query = query.where(t.findings.c.status == status)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(t.findings.c.id))]

    def run_units(self, run_id: int) -> list[str]:
        """The units a run scored (from its scorecard), to tell an unknown unit from a clean one."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.scorecards.c.unit).where(t.scorecards.c.run_id == run_id).distinct())
            return sorted(r.unit for r in rows if r.unit is not None)

    def records_by_keys(self, campaign: str, dataset: str, keys: Iterable[str]) -> dict[str, StoredRecord]:
        """The current version of the records among `keys`, by key (a unit's few, not the dataset)."""
        r = t.records.c
        with self.engine.connect() as conn:
            return {row.record_key: StoredRecord(row.id, row.record_key, row.unit, row.row_no, row.version,
                                                 json.loads(row.data))
                    for row in _rows_of_keys(conn, campaign, dataset, list(keys), r.id, r.record_key, r.unit,
                                             r.row_no, r.version, r.data)}

    def units_of_keys(self, campaign: str, dataset: str, keys: Sequence[str]) -> dict[str, str | None]:
        """The unit of each stored record among `keys`, by key, and nothing of its values: what a
        unit's file is checked against before it is stored (a key another unit holds is refused).
        Storing a province's first files asks this of hundreds of thousands of keys."""
        r = t.records.c
        with self.engine.connect() as conn:
            if not _holds_records(conn, campaign, dataset):
                return {}
            return {key: unit for key, unit in _rows_of_keys(conn, campaign, dataset, keys, r.record_key, r.unit)}

    # the shared layer and its outbox (publish stage) -----------------------------------------
    def publish_current(self, campaign: str, run_id: int | None, blocked, line_sql, decided=None) -> PublishCounts:
        """Publish every record's current version not published yet whose (dataset, key) is not
        `blocked`, with its outbox entry, in one transaction (`shared_layer.py`); `decided` is
        told the blocked records found before any version is written."""
        from lamsach.backends.store.shared_layer import publish_current

        counts = publish_current(self, campaign, run_id, blocked, line_sql, decided)
        self.statistics.wrote(published=counts.published, outbox=counts.published)
        return counts

    def sync_states(self, campaign: str) -> list[dict]:
        """Per record: current version, published version, outbox state of the current version."""
        from lamsach.backends.store.shared_layer import sync_states

        return sync_states(self, campaign)

    def kept_link_model(self, campaign: str, model_key: str) -> KeptLinkModel | None:
        """The person model the campaign keeps for this model definition (`link_models.py`)."""
        from lamsach.backends.store.link_models import kept_link_model

        return kept_link_model(self, campaign, model_key)

    def keep_link_model(self, campaign: str, model_key: str, kept: KeptLinkModel) -> None:
        """Keep a newly trained person model as the campaign's, replacing the earlier one."""
        from lamsach.backends.store.link_models import keep_link_model

        keep_link_model(self, campaign, model_key, kept)


def _holds_records(conn, campaign: str, dataset: str) -> bool:
    """Whether the store holds any record of `dataset` (else no key needs looking up)."""
    records = t.records.c
    return conn.execute(select(records.id).where(records.campaign == campaign,
                                                 records.dataset == dataset).limit(1)).first() is not None


def _rows_of_keys(conn, campaign: str, dataset: str, keys: Sequence[str], *columns) -> Iterator:
    """`columns` of the stored records of `dataset` among `keys` (`by_keys.rows_by_keys`)."""
    records = t.records.c
    return rows_by_keys(conn, columns, (records.campaign == campaign, records.dataset == dataset),
                        records.record_key, keys)


def _keep_received(conn, record_ids: list[int]) -> None:
    """Before the values of `record_ids` change, each record still holding them as received
    (`raw` NULL) keeps them as received: `raw` is left NULL only while it would equal `data`."""
    for start in range(0, len(record_ids), 900):
        conn.execute(update(t.records).where(t.records.c.id.in_(record_ids[start:start + 900]),
                                             t.records.c.raw.is_(None)).values(raw=t.records.c.data))


def _citizen_id(data: dict) -> str | None:
    """The record's own `citizen_id` value, kept in an indexed column for lookups by ID."""
    value = data.get("citizen_id")
    return str(value)[:20] if value not in (None, "") else None


def _server_engine(url: str) -> Engine:
    """A server database's engine; its driver is a separate package, so a missing one is named
    with the command that installs it rather than surfacing as an import traceback."""
    try:
        # a server process answers up to 40 pages at once (the web's thread pool): enough
        # PostgreSQL connections that they do not queue for one
        return create_engine(url, future=True, pool_size=10, max_overflow=30)
    except ModuleNotFoundError as exc:
        module = (exc.name or "").split(".")[0] or "?"
        package = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary"}.get(module, module)
        raise LamsachError(ErrorCode.STORE_DRIVER_MISSING, Location(), {
            "module": module, "scheme": url.split("://", 1)[0],
            "install": f".venv/bin/pip install '{package}' (hoặc make install)"}) from None


def _dataset_rows(conn, columns: str, campaign: str, dataset: str) -> Iterator[list[tuple]]:
    """`columns` of a dataset's records in id order, `_STAMP_CHUNK` at a time, as the driver's own
    tuples: the values as the database gives them (SQLite's times as their text), with neither a
    conversion nor a row object per record — a re-run reads every record's stamps and values, and
    only equality within one store matters for the stamps."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(f"SELECT {columns} FROM records WHERE campaign = {mark} AND dataset = {mark} ORDER BY id",
                       (campaign, dataset))
        while rows := cursor.fetchmany(_STAMP_CHUNK):
            yield [tuple(row) for row in rows]
    finally:
        cursor.close()


def _sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # the access log's append hashes its entry in SQL (`access_log._append_sql`)
    dbapi_connection.create_function("lamsach_sha256", 1, _sha256_hex, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()
