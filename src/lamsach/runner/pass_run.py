"""One campaign pass: import, standardise, validate, link, measure, write the contract files.

This module assembles the stages for the two channels that start a pass (the CLI and the web's
background jobs), so neither repeats the order of the stages.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa

from lamsach.backends.engine import DuckDBEngine, Engine
from lamsach.backends.engine.kept_parquet import remove_other_fingerprints, write_parquet
from lamsach.backends.store import BatchInput, IncomingRows, SqlAlchemyStore, Store, StoredBatch
from lamsach.backends.store.record_json import RecordColumns
from lamsach.data import data_digest, load_schema, rule_templates
from lamsach.domain import DatasetSchema, ErrorCode, LamsachError, Location, Manifest, PassSummary
from lamsach.domain.clock import today_vn, upload_arrival
from lamsach.domain.files import is_url
from lamsach.domain.lifecycle import in_use
from lamsach.ingest import (
    Records,
    SourceRead,
    load_manifest,
    read_key,
    read_source,
    reject_pass_collisions,
    reject_taken_keys,
    row_keys,
    row_units,
)
from lamsach.ingest.fetch import fetched
from lamsach.ingest.parallel import read_sources
from lamsach.ingest.spill import engine_spill_folder, pass_spill_folder, remove_spill_folder
from lamsach.link.stage import (
    LINK_FILES,
    LinkContext,
    LinkStageResult,
    deduplicate,
    enrich,
    find_links,
    link_people,
    save_links,
    write_link_files,
)
from lamsach.measure import build_scorecard
from lamsach.publish import (
    Publishing,
    discard,
    open_staging,
    publish,
    save_results,
    start_publish_shared,
    write_outputs,
)
from lamsach.review.decisions import apply_decisions
from lamsach.runner.beside import beside
from lamsach.runner.progress import Progress, SilentProgress
from lamsach.settings import Settings
from lamsach.standardise.cell_findings import apply_overrides, cell_findings_table, withdrawn_findings
from lamsach.standardise.in_engine import standardise_in_engine
from lamsach.standardise.records_table import EngineStandardised, arrow_columns
from lamsach.validate import validate_datasets

log = logging.getLogger(__name__)

BESIDE_STORE_MEMORY_SHARE = 2 / 3
"""The share of its memory the engine standardises and links in while the store takes the files
beside it, holding their rows as JSON: at 1,000,000 people the two together peaked at 6.4 GiB
with the engine's whole 3 GB, above the 6 GiB a province's pass is given."""

ACTOR = "lamsach run"


def open_backends(settings: Settings) -> tuple[Store, Engine]:
    """The store and the batch engine `settings` name, for a pass to be handed."""
    engine = open_engine(settings)  # before the store: a missing Spark or Java stops the pass untouched
    try:
        return SqlAlchemyStore.open(settings.store_url), engine
    except BaseException:
        engine.close()
        raise


def open_engine(settings: Settings) -> Engine:
    """The batch engine `settings.engine` names. Spark's module (and pyspark) is imported only here,
    only when asked for; when it cannot start, a `LamsachError` says what to install."""
    if settings.engine == "duckdb":
        return DuckDBEngine(memory_limit=settings.duckdb_memory_limit, threads=settings.duckdb_threads,
                            temp_directory=engine_spill_folder(settings.data_dir))
    if settings.engine != "spark":
        raise LamsachError(ErrorCode.ENGINE_UNKNOWN, Location(), {"engine": settings.engine})
    from lamsach.backends.engine.spark_check import spark_missing

    missing = spark_missing()
    if missing:
        raise LamsachError(missing, Location(), {})
    from lamsach.backends.engine.spark import SparkEngine

    return SparkEngine(master=settings.spark_master, driver_memory=settings.spark_driver_memory,
                       shuffle_partitions=settings.spark_shuffle_partitions)


def run_pass(manifest_path: Path, out_dir: Path, settings: Settings | None = None,
             progress: Progress | None = None, actor: str = ACTOR,
             reference_date: date | None = None, store: Store | None = None,
             engine: Engine | None = None, source_roots: Sequence[Path] = ()) -> PassSummary:
    """Run the whole pass on `manifest_path`; raise `LamsachError`s together, before storing anything.

    `reference_date` (else the manifest's, else today) is the day the pass judges "now" and
    "stale" against and the date of the campaign snapshot it makes. The pass is handed its `store`
    and batch `engine` (else opens those `settings` name: `open_backends`) and closes both when
    it ends, whichever way it ends. The manifest's files must lie under its own folder, a folder
    of the `source_roots` setting or one of `source_roots` (the folders lamsach keeps uploads in).
    """
    settings = settings or Settings.from_env()
    if store is None or engine is None:
        opened_store, opened_engine = open_backends(settings)
        store, engine = store or opened_store, engine or opened_engine
    with store, engine:
        return _run_pass(manifest_path, Path(out_dir), settings, progress or SilentProgress(), actor,
                         reference_date, store, engine, (*settings.source_root_paths, *source_roots))


def _run_pass(manifest_path: Path, out_dir: Path, settings: Settings, progress: Progress, actor: str,
              reference_date: date | None, store: Store, engine: Engine,
              source_roots: Sequence[Path] = ()) -> PassSummary:
    clock = _StageClock()
    manifest = load_manifest(manifest_path, source_roots, settings.source_url_prefixes)
    reference = reference_date or (
        date.fromisoformat(manifest.reference_date) if manifest.reference_date else date.today())
    files_day = files_date(manifest)
    judged = max(reference, files_day) if files_day else reference
    spill = pass_spill_folder(settings.data_dir)
    try:
        remote = sum(1 for source in manifest.sources if source.url)
        if remote:
            progress.start("Tải tệp từ kho dùng chung", remote)
        with fetched(manifest, engine, spill, settings.max_source_file_mb * 1_000_000, progress.advance) as local:
            if remote:
                progress.finish()
            reads = _read_all(local, settings, progress, store, spill)
            clock.lap("import: read")
            return _store_and_work(local, manifest_path, out_dir, settings, progress, actor, reference, judged,
                                   store, engine, clock, reads)
    finally:
        remove_spill_folder(spill)


def _store_and_work(manifest: Manifest, manifest_path: Path, out_dir: Path, settings: Settings, progress: Progress,
                    actor: str, reference: date, judged: date, store: Store, engine: Engine, clock: _StageClock,
                    reads: list) -> PassSummary:
    staging = open_staging(out_dir)  # an unwritable output folder stops the pass before it stores
    try:
        store.interrupt_abandoned_runs()  # runs a killed pass left `running`
        mark = store.write_mark()
        run_id = store.start_run(manifest.name, str(manifest_path), reference.isoformat(), actor)
        summary = PassSummary(manifest.name, run_id, str(out_dir), reference.isoformat(),
                              files_date=judged.isoformat() if judged > reference else None)
        work = _Pass(manifest, reference, actor, settings, progress, clock, store, engine, run_id, staging,
                     out_dir, summary, future_after=judged, write_mark=mark)
        return work.run(reads)
    except BaseException:
        discard(staging)
        raise


def files_date(manifest: Manifest) -> date | None:
    """The files' own date: the manifest's reference date, or the day the newest upload arrived.
    A snapshot dated before it (a past week's as-of run) cannot call their dates "in the future"."""
    days = [date.fromisoformat(manifest.reference_date)] if manifest.reference_date else []
    days += [today_vn(arrived) for s in manifest.sources if (arrived := upload_arrival(str(s.path)))]
    return max(days, default=None)


@dataclass
class _Pass:
    """One pass's state as its stages hand it on: the run in the store, the batch engine's
    tables, and the staging folder every output is written into until `publish`."""

    manifest: Manifest
    reference: date
    actor: str
    settings: Settings
    progress: Progress
    clock: _StageClock
    store: Store
    engine: Engine
    run_id: int
    staging: Path
    out_dir: Path
    summary: PassSummary
    tables: dict[str, str] = field(default_factory=dict)  # dataset -> engine table of its records
    future_after: date | None = None  # a date after this is "in the future" (the files' date if later)
    # the store's writes to records when the pass began (`Store.write_mark`): any but its own since
    # mean its view of the records may lack them (`_keep`)
    write_mark: tuple[int, int] = (0, 0)
    # (unit, dataset) -> the record keys of the unit's files for the dataset in this pass: a record
    # of the unit the files no longer hold was withdrawn by it, and is shown for a decision
    sent_keys: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # dataset -> its rows as this pass stored them, while every one of them was new to the store
    held: dict[str, _HeldRecords | None] = field(default_factory=dict)
    # dataset -> its rows as read and their standardised table, made while the store took them
    early: dict[str, tuple[EngineStandardised, _HeldRecords]] = field(default_factory=dict)
    # the links found from those tables meanwhile, when every dataset was among them (`find_links`)
    early_links: LinkStageResult | None = None
    # the datasets standardised this pass, to keep for the next once the pass's writes are done (`_keep`)
    to_keep: list[_ToKeep] = field(default_factory=list)
    # the datasets whose records and tables enrichment changed after standardising
    enriched: frozenset[str] = frozenset()

    def run(self, reads: list) -> PassSummary:
        """Store the batches, then standardise, validate, link and measure; publish the staging
        folder into `out_dir` once the run's results are in the store."""
        publishing: Publishing | None = None
        try:
            engine = self.engine
            datasets = sorted({s.dataset for s in self.manifest.sources},
                              key=lambda d: (d != "population", d != "death", d))
            self._store_beside_standardising(engine, datasets, reads)
            reads.clear()  # stored: what the stages after need of them is held in `held` and `early`
            self.clock.lap("import: store")
            cell_rows = self._standardise(engine, datasets)
            self.clock.lap("standardise")
            findings = self._validate(engine, datasets, cell_rows)
            self.clock.lap("validate")
            links = self._link(engine, datasets, findings)
            # after linking: enrichment and fuzzy matching add findings officers may have decided on too
            apply_decisions(engine, findings, self.tables, self.store.finding_decisions(self.manifest.name))
            self.clock.lap("link")
            # the shared layer is written in the background while the pass measures and writes its
            # files; the stage's lap is the part the pass waits for (`Publishing`)
            publishing = start_publish_shared(engine, self.store, self.manifest.name, self.run_id, self.tables,
                                              findings, self.settings.sync_ack_overdue_hours)
            assert publishing.result is not None
            self.clock.lap("publish")
            scorecard = build_scorecard(engine, self.tables, findings, publishing.result.passing)
            self.clock.lap("measure")
            self._write(engine, datasets, findings, links, scorecard, publishing)
            self.clock.lap("report")
            self.summary.stage_seconds = self.clock.laps
            self.summary.seconds = self.clock.total
            self.store.finish_run(self.run_id, "complete", _summary_dict(self.summary))
            return self.summary
        except BaseException:
            if publishing is not None:
                publishing.wait_quietly()
            self.store.finish_run(self.run_id, "failed", {})
            raise

    def _store_beside_standardising(self, engine: Engine, datasets: list[str], reads: list) -> None:
        """Store the batches (`_store`). Datasets the store holds no record of, sent only in files
        read now, are standardised meanwhile from the rows read: those rows are what the store
        will hold, every one a new record, so standardising them then or after gives the same
        table. The store works in a thread of its own (SQLite), standardising in this one (DuckDB
        and its forked workers); `_standardise_here` takes these results once the store shows it
        did hold exactly those rows, and computes again from what it holds otherwise."""
        new = self._new_datasets(engine, datasets, reads)
        if not new:
            self._store(reads)
            return
        started = time.perf_counter()
        with (beside(lambda state: self._store(reads, state.stopping), "lamsach-store") as storing,
              engine.memory_share(BESIDE_STORE_MEMORY_SHARE)):
            for dataset in new:
                if storing.failed():
                    break
                self.early[dataset] = self._standardise_read(engine, dataset, reads)
            self.summary.overlapped["standardise: beside the store"] = round(time.perf_counter() - started, 3)
            if (set(new) == set(datasets) and not storing.failed()
                    and _rows_read(reads) <= self.settings.link_beside_store_max_rows):
                # every dataset standardised: the links to the register need nothing else, and
                # only read the store (what they write waits for it: `save_links`)
                started = time.perf_counter()
                tables = {d: result.table_name for d, (result, _rows) in self.early.items()}
                self.early_links = find_links(self._link_context(engine), datasets, tables)
                self.summary.overlapped["link: people beside the store"] = round(time.perf_counter() - started, 3)

    def _new_datasets(self, engine: Engine, datasets: list[str], reads: list) -> list[str]:
        """The datasets `_store_beside_standardising` standardises while storing."""
        if engine.name != "duckdb":
            return []
        read_now: dict[str, bool] = {}
        for source, read in zip(self.manifest.sources, reads, strict=True):
            read_now[source.dataset] = read_now.get(source.dataset, True) and not isinstance(read, StoredBatch)
        return [d for d in datasets if read_now.get(d) and self.store.count_records(self.manifest.name, d) == 0]

    def _standardise_read(self, engine: Engine, dataset: str, reads: list
                          ) -> tuple[EngineStandardised, _HeldRecords]:
        """`dataset`'s rows as read, standardised into its engine table; with the rows."""
        schema = load_schema(dataset)
        rows = _HeldRecords()
        for source, read in zip(self.manifest.sources, reads, strict=True):
            if source.dataset == dataset:
                rows.add(row_keys(read.rows), row_units(read.rows, schema, source.unit), read.rows)
        result = self._standardised(engine, schema, rows, self.future_after or self.reference, rule_templates())
        rows.release()  # the engine holds them now
        return result, rows

    def _standardised(self, engine: Engine, schema, records: Sequence, reference: date,
                      messages: dict) -> EngineStandardised:
        """`records` standardised into the engine table of `schema`'s dataset (`standardise_in_engine`)."""
        keys, units, columns = arrow_columns(schema, records)
        return standardise_in_engine(engine, schema, keys, units, columns, reference, messages,
                                     self.manifest.province, f"ds_{schema.name}",
                                     workers=self.settings.standardise_workers)

    def _store(self, reads: list, stopping: threading.Event | None = None) -> None:
        """Each file read becomes a batch in the store: one transaction, its original kept.
        With `stopping` set, the files not stored yet are left (the pass failed meanwhile)."""
        summary = self.summary
        self.progress.start("Lưu dữ liệu gốc", len(reads))
        reasons: Counter[str] = Counter()
        for source, read in zip(self.manifest.sources, reads, strict=True):
            if stopping is not None and stopping.is_set():
                return
            if isinstance(read, StoredBatch):
                if self._reuse(source, read, reasons):
                    continue
                # another pass stored it, or rows it reaches, meanwhile: read it after all (its keys, the
                # stored batch's, meet no other file of this pass, so no collision check is owed)
                read = _read_one(source, self.settings, read_key=read.read_key)
            schema = load_schema(source.dataset)
            keys = row_keys(read.rows)
            if source.unit:
                stored = self.store.units_of_keys(self.manifest.name, source.dataset, keys)
                if reject_taken_keys(source, read, stored, self.settings.lang):
                    keys = row_keys(read.rows)
            units = row_units(read.rows, schema, source.unit)
            rows = IncomingRows(keys, units, read.row_numbers, read.rows)
            if source.unit:
                self.sent_keys.setdefault((source.unit, source.dataset), set()).update(keys)
            batch = BatchInput(self.manifest.name, source.dataset, source.unit, batch_file_name(read.file), read.sha256,
                               read.original(), read.format, read.encoding, read.sheet, read.header_row,
                               read.rows_read, rows, list(read.rejections), read_key=read.read_key,
                               unmapped=_unmapped(read, schema))
            result = self.store.import_batch(self.run_id, batch, self.actor)
            read.content = b""  # the original is the store's now: not held for the rest of the pass
            read.rows.release()
            held = self.held.setdefault(source.dataset, _HeldRecords())
            if held is not None and result.created == len(rows):
                held.add(keys, units, read.rows)
            else:
                self.held[source.dataset] = None
            reasons.update(r.code for r in read.rejections)
            summary.rows_read += result.rows_read
            summary.rows_stored += result.rows_stored
            summary.rows_rejected += result.rows_rejected
            summary.sources.append({
                "file": str(read.file), "dataset": source.dataset, "unit": source.unit, "sha256": read.sha256,
                "rows_read": result.rows_read, "rows_stored": result.rows_stored,
                "rows_rejected": result.rows_rejected, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged, "unmapped_columns": _unmapped(read, schema),
                "unchanged_file": False, "rejections": _rejection_dicts(read.rejections)})
            self.progress.advance()
        summary.rejection_reasons = dict(reasons)
        self.progress.finish()

    def _reuse(self, source, stored: StoredBatch, reasons: Counter[str]) -> bool:
        """A file equal to the batch this campaign last stored for it (see `_read_all`): recorded in
        this run as that batch again, with its counts, rejections and the keys the unit sent, but
        neither parsed nor stored; its records are read back from the store like any others.
        False when the store no longer lets the batch stand in for the file (`Store.reuse_batch`)."""
        result = self.store.reuse_batch(self.run_id, stored, self.actor)
        if result is None:
            return False
        if source.unit:
            self.sent_keys.setdefault((source.unit, source.dataset), set()).update(stored.keys)
        self.held[source.dataset] = None
        reasons.update(r.code for r in stored.rejections)
        summary = self.summary
        summary.rows_read += result.rows_read
        summary.rows_stored += result.rows_stored
        summary.rows_rejected += result.rows_rejected
        summary.sources.append({
            "file": source.name, "dataset": source.dataset, "unit": source.unit, "sha256": stored.sha256,
            "rows_read": result.rows_read, "rows_stored": result.rows_stored, "rows_rejected": result.rows_rejected,
            "created": 0, "updated": 0, "unchanged": result.unchanged, "unmapped_columns": stored.unmapped,
            "unchanged_file": True, "rejections": _rejection_dicts(stored.rejections)})
        self.progress.advance()
        return True

    def _standardise(self, engine: Engine, datasets: list[str]) -> list[dict]:
        """Each dataset's records repaired and versioned; returns the cell findings of the repairs."""
        self.progress.start("Chuẩn hóa", len(datasets))
        messages = rule_templates()
        cell_rows: list[dict] = []
        name = self.manifest.name
        data = data_digest() if self.settings.reuse_unchanged_files else None  # once: files may change between passes
        for dataset in datasets:
            schema = load_schema(dataset)
            reference = self.future_after or self.reference
            if engine.name == "spark":  # on Spark's workers, over each column's distinct values
                from lamsach.standardise.on_spark import standardise_on_spark

                records = self._records_in_use(dataset)
                result = standardise_on_spark(engine, schema, records, reference, messages, self.manifest.province,
                                              f"ds_{dataset}")
                self.tables[dataset] = result.table_name
                fresh = None  # kept results are the DuckDB pass's (`_StandardiseCache`)
            else:
                result, records, fresh = self._standardise_here(engine, dataset, schema, reference, messages, data)
                self.tables[dataset] = result.table_name
            self.held[dataset] = None  # what the stages after read is the engine table
            self.store.apply_changes(name, result.changes, self.actor, run_id=self.run_id)
            if fresh is not None and data is not None:
                self.to_keep.append(_ToKeep(dataset, schema, result, _keys_and_units(records), fresh, reference, data))
            self.summary.records[dataset] = len(records)
            active = self.store.history(name, dataset, source="repair")
            cell_rows += cell_findings_table(schema, result, active, messages)
            cell_rows += withdrawn_findings(schema, records, self.sent_keys, messages)
            self.summary.repairs += len(result.changes)
            self.progress.advance()
        self.progress.finish()
        return cell_rows

    def _standardise_here(self, engine: Engine, dataset: str, schema, reference: date, messages: dict,
                          data: str | None) -> tuple:
        """The dataset standardised into the engine table `ds_<dataset>` (`standardise_in_engine`),
        or its kept result when no record changed; the records it was computed from; and, when it
        was computed now, a `_Fresh` for `_keep` (None when kept)."""
        name = self.manifest.name
        held = self._held(dataset)
        early = self.early.pop(dataset, None)
        if early is not None:  # standardised while the store took these rows (`_store_beside_standardising`)
            if held is not None and held.keys == early[1].keys and held.units == early[1].units:
                return early[0], held, _Fresh(None)
            log.info("%s: the store did not take the rows read as they were; standardised again", dataset)
            self.early_links = None  # made from the rows read: linked again from what the store holds
        kept = None
        # the records' stamps are read first only when a kept result may match them: not for rows
        # this pass stored itself, every one new, nor when no pass kept one for the dataset —
        # reading every record's stamps takes seconds at a million, and reading the records back
        # gives their stamps anyway
        if data is not None and held is None and _StandardiseCache.exists(self.settings, name, dataset):
            stamps = self.store.record_stamps(name, dataset)
            cache = _StandardiseCache.of(self.settings, name, dataset, schema, stamps, reference,
                                         self.manifest.province, messages, data)
            kept = cache.load(engine, f"ds_{dataset}") if cache else None
        if kept is None:
            records, read = (held, None) if held is not None else self._columns_in_use(dataset, schema)
            return self._standardised(engine, schema, records, reference, messages), records, _Fresh(read)
        self.summary.reused.append(f"standardise: {dataset}")
        return kept[0], _KeptRecords(*kept[1]), None

    def _keep(self, pending: list[_ToKeep]) -> None:
        """Keep each dataset standardised this pass for the next (`_StandardiseCache`), under the
        stamps its records have now, its repairs and the pass's other writes being in the store:
        the next pass over the same records takes it instead of reading them back and computing
        it again. Done at the end, beside the shared layer's writing (the report waits for that
        anyway at a province's size), not on the way.

        Kept as a pass over the records as they now stand would compute it. Without repairs,
        that is the result itself, under the stamps of the very rows read back. With repairs, the
        records now hold the repaired values, and standardising is idempotent (a repaired value
        is given back as it is, without a repair: tests/standardise/test_standardise_dataset.py),
        so that pass gives the same table and problems, and neither repairs nor changes. Not
        kept: a dataset enrichment filled values into after (a filled ID or address is checked
        by standardising, and casts its vote in its column: only computing tells), and, when its
        stamps must be read now, one whose records anyone but this pass may have written since
        it began (an officer's edit meanwhile): the stamps would take in values the table lacks."""
        others: bool | None = None
        for keep in pending:
            if keep.dataset in self.enriched:
                continue
            if keep.fresh.stamps is not None and not keep.result.changes:
                stamps = keep.fresh.stamps
            else:
                if others is None:
                    others = self.store.written_by_others(self.write_mark, self.run_id)
                if others:
                    log.info("%s: records were written by others during the pass; its standardising is not kept",
                             keep.dataset)
                    continue
                stamps = self.store.record_stamps(self.manifest.name, keep.dataset)
            cache = _StandardiseCache.of(self.settings, self.manifest.name, keep.dataset, keep.schema, stamps,
                                         keep.reference, self.manifest.province, rule_templates(), keep.data)
            if cache:
                repaired = replace(keep.result, repairs={name: [] for name in keep.result.repairs}, changes=[])
                cache.save(repaired, keep.keys_and_units)

    def _records_in_use(self, dataset: str) -> Sequence:
        """Merged and retired records are kept with their history but no longer checked or counted
        (rows just read from files are all in use: a file has no lifecycle column)."""
        records = self._held(dataset)
        if records is None:
            records = [r for r in self.store.load_records(self.manifest.name, dataset) if in_use(r.data)]
        return records

    def _columns_in_use(self, dataset: str, schema) -> tuple[Sequence, str]:
        """`_records_in_use`, read back from the store, as columns of `schema`'s fields, with the
        `record_stamps` of the records read."""
        columns = self.store.load_record_columns(self.manifest.name, dataset, schema.field_names)
        return columns, columns.stamps

    def _held(self, dataset: str) -> _HeldRecords | None:
        """The rows this pass stored, when each was new and the store holds no others (their
        values are what it stored)."""
        held = self.held.get(dataset)
        if held is not None and self.store.count_records(self.manifest.name, dataset) == len(held):
            return held
        return None

    def _validate(self, engine: Engine, datasets: list[str], cell_rows: list[dict]) -> str:
        self.progress.start("Kiểm tra theo 6 tiêu chí", len(datasets))
        ordered = {d: self.tables[d] for d in datasets}
        overrides = self.manifest.rule_overrides
        if self.manifest.documents_required:  # records that must have an archived scan and have none
            from lamsach.archive import missing_document_findings

            cell_rows = cell_rows + missing_document_findings(self.store, engine, self.manifest.name, self.tables,
                                                              self.manifest.documents_required)
        name = validate_datasets(engine, ordered, self.reference.isoformat(), overrides,
                                 self.manifest.freshness_days, apply_overrides(cell_rows, overrides),
                                 on_dataset=lambda _: self.progress.advance())
        self.progress.finish()
        return name

    def _link(self, engine: Engine, datasets: list[str], findings: str) -> str:
        """Links to the register (ID, model, officers' decisions), enrichment, fuzzy duplicates; the
        model and its charts go into the staging folder beside the reports. Returns the links table."""
        ctx = self._link_context(engine)
        self.progress.start("Liên kết với CSDL dân cư", len(datasets) + 2)
        found, self.early_links = self.early_links, None
        linked = save_links(ctx, found) if found is not None else link_people(ctx, datasets, self.tables)
        if linked.model_kept:
            self.summary.reused.append("link: person model")
        self.summary.reused.extend(f"link: candidates of {kind}" for kind in linked.candidates_kept)
        self.progress.advance()
        self.enriched = enrich(ctx, datasets, self.tables, linked.links, findings).datasets
        self.progress.advance()
        deduped = deduplicate(ctx, datasets, self.tables, findings, advance=self.progress.advance)
        self.summary.reused.extend(f"link: duplicates model {d}" for d in deduped.models_kept)
        self.summary.reused.extend(f"link: duplicates {d}" for d in deduped.results_kept)
        write_link_files(ctx, linked.explained)
        engine.drop(linked.explained)  # in the review queue and link_weights.csv now; 2,200,000 rows at a million people
        self.progress.finish()
        return linked.links

    def _link_context(self, engine: Engine) -> LinkContext:
        return LinkContext(engine, self.store, self.manifest.name, self.run_id, self.actor, self.settings,
                           self.staging, self.manifest.rule_overrides or {})

    def _write(self, engine: Engine, datasets: list[str], findings: str, links: str, scorecard: str,
               publishing: Publishing) -> None:
        self.progress.start("Ghi kết quả và báo cáo", 1)
        write_outputs(engine, self.staging, datasets, self.tables, findings, links, scorecard, self.summary)
        started = time.perf_counter()  # while the shared layer is written, when it is still
        self._keep(self.to_keep)
        self.summary.overlapped["standardise: kept for the next pass"] = round(time.perf_counter() - started, 3)
        waited = time.perf_counter()
        shared = publishing.finish()  # the store takes the run's results once the shared layer is in
        self.summary.published = {"published": shared.counts.published, "unchanged": shared.counts.unchanged,
                                  "blocked": shared.counts.blocked, "acknowledged": shared.acknowledged}
        self.summary.overlapped["publish: the shared layer beside measure and report"] = publishing.seconds
        self.summary.overlapped["report: waiting for the shared layer"] = round(time.perf_counter() - waited, 3)
        save_results(self.store, engine, self.run_id, findings, scorecard)
        publish(self.staging, self.out_dir, previous=LINK_FILES)
        self.progress.advance()
        self.progress.finish()


_CACHE_FORMAT = 3
"""The layout of what `_StandardiseCache` pickles (2: the records' keys and units as two lists;
3: the days the result holds for); part of its fingerprint, so a cache of another layout is never
read as this one."""

def _dated_fields(schema: DatasetSchema) -> list[str]:
    """The fields whose standardising reads the day judged against (date and year fields,
    `standardise.dates`: a two-digit year's century, a date "in the future")."""
    return [spec.name for spec in schema.fields if spec.type in ("date", "year")]


@dataclass(frozen=True)
class _StandardiseCache:
    """A dataset's standardised table as the last pass computed it, kept in the data folder with
    the fingerprint of everything it was computed from: the records (`Store.record_stamps`: each
    record's id, key, unit, version and time of last change, which change whenever its values do),
    the province, the schema, the message templates, every data file and lamsach's version. The
    day judged against enters as its year only, and the kept result names the days it holds for
    (`_days_valid`): a province's weekly run judges against the day its files arrived, which
    moves every week, and a dataset's table changes with it only when one of its dates lies
    between the two days. Standardising is a function of those alone, so a pass whose
    fingerprint equals the kept one and whose day lies in those days takes the kept result, with
    the keys and units of the records in use, instead of reading every record back and computing
    it again (the weekly re-run: most datasets did not change). Off with
    `reuse_unchanged_files = false`."""

    path: Path
    key: str
    reference: date

    @staticmethod
    def exists(settings: Settings, campaign: str, dataset: str) -> bool:
        """Whether a pass kept a result for `dataset` (whatever records it was computed from)."""
        return _StandardiseCache._path(settings, campaign, dataset).exists()

    @staticmethod
    def _path(settings: Settings, campaign: str, dataset: str) -> Path:
        import hashlib

        name = hashlib.sha256(f"{campaign}\0{dataset}".encode()).hexdigest()[:32]
        return settings.data_dir / "cache" / "standardise" / f"{name}.pickle"

    @classmethod
    def of(cls, settings: Settings, campaign: str, dataset: str, schema, stamps: str | None, reference: date,
           province: str | None, messages: dict, data: str | None) -> _StandardiseCache | None:
        """The cache of `dataset`'s standardising; `data` is `data_digest()`, None when reuse is off."""
        if data is None or stamps is None:
            return None
        import hashlib
        import json

        from lamsach import __version__

        digest = hashlib.sha256(json.dumps(
            [_CACHE_FORMAT, __version__, repr(schema), reference.year if _dated_fields(schema) else None, province,
             messages, data, stamps], ensure_ascii=False, sort_keys=True).encode())
        return cls(cls._path(settings, campaign, dataset), digest.hexdigest(), reference)

    def load(self, engine: Engine, stem: str):
        """The kept result, its table back in the engine as `stem`, when its fingerprint is this
        one's and this pass's day is among those it holds for; else None (missing, other,
        unreadable, its table not the length of its records)."""
        import pickle

        import pyarrow.dataset as ds

        try:
            with self.path.open("rb") as handle:
                key, (first, last), (fields, keys_and_units) = pickle.load(handle)
            if key != self.key or not first <= self.reference <= last:
                return None
            kept = ds.dataset(self._table_path(), format="parquet")  # its footer read now, not at a query
            if kept.count_rows() != len(keys_and_units[0]):
                return None
            table = engine.register(stem, kept)
        except Exception:  # a damaged or outdated cache file only costs the computation
            return None
        day = {"reference_date": self.reference.isoformat()}  # the day a date is "in the future" of
        fields["problems"] = [replace(p, params=p.params | day) if "reference_date" in p.params else p
                              for p in fields["problems"]]
        return EngineStandardised(table_name=table, engine=engine, **fields), keys_and_units

    def _table_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.{self.key[:16]}.parquet")

    def save(self, result: EngineStandardised, keys_and_units: tuple[list[str], list[str | None]]) -> None:
        """Keep `result`: its engine table as Parquet (named by the fingerprint), the rest pickled;
        each written aside, then renamed, the pickle last: a killed pass leaves the old cache or
        the new, and an old pickle never names the new table."""
        import os
        import pickle

        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.partial")
        fields = {"schema": result.schema, "keys": result.keys, "repairs": result.repairs,
                  "problems": result.problems, "changes": result.changes}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(result.engine, f"SELECT * FROM {result.engine.dialect.quote(result.table_name)} "
                          "ORDER BY __row_order", self._table_path(), rule="standardise keep")
            days = _days_valid(result, self.reference)
            with partial.open("wb") as handle:
                pickle.dump((self.key, days, (fields, keys_and_units)), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.path)
            remove_other_fingerprints(self._table_path())
        except (OSError, LamsachError):
            partial.unlink(missing_ok=True)  # an unwritable cache only costs the next pass the computation


def _days_valid(result: EngineStandardised, reference: date) -> tuple[date, date]:
    """The days a pass may judge `result`'s records against and standardise them to `result`,
    which was computed against `reference`, but for the day its "in the future" messages name
    (`_StandardiseCache.load` names the pass's): any day, for a dataset without dates; else the
    days of `reference`'s year (a two-digit year's century, a bare year "in the future") from its
    latest full date not after `reference` to the day before its first one after it — between
    those, no date changes sides."""
    dated = _dated_fields(result.schema)
    if not dated:
        return date.min, date.max
    dialect = result.engine.dialect
    day = dialect.literal(reference.isoformat())
    bounds = []
    for i, name in enumerate(dated):
        column = dialect.quote(name)
        full = dialect.full_match(column, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
        bounds += [f"max(CASE WHEN {full} AND {column} <= {day} THEN {column} END) AS {dialect.quote(f'past_{i}')}",
                   f"min(CASE WHEN {full} AND {column} > {day} THEN {column} END) AS {dialect.quote(f'future_{i}')}"]
    found = result.engine.rows(f"SELECT {', '.join(bounds)} FROM {dialect.quote(result.table_name)}",
                               rule="standardise keep")[0]
    first, last = date(reference.year, 1, 1), date(reference.year, 12, 31)
    try:  # an impossible date kept as its text ("2026-02-30") is neither: the day alone, then
        for name, value in found.items():
            if value is not None and name.startswith("past_"):
                first = max(first, date.fromisoformat(value))
            elif value is not None:
                last = min(last, date.fromisoformat(value) - timedelta(days=1))
    except ValueError:
        return reference, reference
    return first, last


@dataclass(frozen=True)
class _ToKeep:
    """A dataset standardised this pass, as `_Pass._keep` keeps it at the end of the pass."""

    dataset: str
    schema: DatasetSchema
    result: EngineStandardised
    keys_and_units: tuple[list[str], list[str | None]]
    fresh: _Fresh
    reference: date
    data: str


@dataclass(frozen=True)
class _Fresh:
    """A dataset standardised by this pass, not taken as kept (`_Pass._keep`)."""

    stamps: str | None
    """The `record_stamps` of the records read back and standardised; None for rows this pass
    held from the files it stored."""


class _KeptRecords(Sequence[tuple[str, str | None]]):
    """The records in use as a kept standardised table remembers them: their keys and units, what
    withdrawn findings read (`ColumnarRecords` without values); a record is a (key, unit) pair."""

    def __init__(self, keys: list[str], units: list[str | None]) -> None:
        self.keys, self.units = keys, units

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # a record, for code that walks them one at a time
        if isinstance(index, slice):
            return list(zip(self.keys[index], self.units[index], strict=True))
        return self.keys[index], self.units[index]

    def columns(self, names: Sequence[str]) -> dict[str, list[str | None]]:
        raise TypeError("a kept standardised table keeps its records' keys and units, not their values")


@dataclass(frozen=True)
class _HeldRecord:
    """A row as this pass stored it as a new record (what `load_records` would read back)."""

    key: str
    unit: str | None
    data: dict[str, str | None]


def _keys_and_units(records: Sequence) -> tuple[list[str], list[str | None]]:
    """The keys and the units of `records`, as two lists (how `_StandardiseCache` keeps them)."""
    if isinstance(records, (_HeldRecords, RecordColumns, _KeptRecords)):
        return list(records.keys), list(records.units)
    return [r.key for r in records], [r.unit for r in records]


class _HeldRecords(Sequence[_HeldRecord]):
    """The rows this pass stored as new records, kept as the files' columns (`Records`) with their
    keys and units: standardising reads them column by column (`columns`), and a `_HeldRecord` is
    made only for code that walks them one at a time."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.units: list[str | None] = []
        self._parts: list[Records] = []

    def add(self, keys: list[str], units: list[str | None], rows: Records) -> None:
        self.keys += keys
        self.units += units
        self._parts.append(rows)

    def arrow_columns(self, names: Sequence[str]) -> dict[str, pa.ChunkedArray]:
        """Each field's values over every held row, in order, as the read's Arrow arrays (no copy:
        the parts' chunks, not the parts' chunked arrays, which Arrow would convert value by value)."""
        return {name: pa.chunked_array([chunk for part in self._parts for chunk in part.table.column(name).chunks],
                                       pa.string())
                for name in names}

    def release(self) -> None:
        """Spilled parts' pages handed back (`Records.release`)."""
        for part in self._parts:
            part.release()

    def columns(self, names: Sequence[str]) -> dict[str, list[str | None]]:
        """Each field's values over every held row, in order."""
        return {name: [v for part in self._parts for v in part.column(name)] for name in names}

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        index = range(len(self))[index]
        offset = index
        for part in self._parts:
            if offset < len(part):
                return _HeldRecord(self.keys[index], self.units[index], part[offset])
            offset -= len(part)
        raise IndexError(index)

    def __iter__(self) -> Iterator[_HeldRecord]:
        i = 0
        for part in self._parts:
            for data in part:
                yield _HeldRecord(self.keys[i], self.units[i], data)
                i += 1


class _StageClock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._started = self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now

    @property
    def total(self) -> float:
        return round(time.perf_counter() - self._started, 2)


def _read_all(manifest: Manifest, settings: Settings, progress: Progress, store: Store,
              spill: Path | None = None) -> list:
    """Read every source first and raise all file-level errors together: nothing is stored then.
    The rows read wait for the store in `spill` (`ingest.spill`), not in memory.

    A file read the same way as the batch this campaign last stored for its dataset, unit and path
    (`read_key`: same SHA-256, same reading options) is not read: its `StoredBatch` stands in for
    it when the store says storing it again could change nothing (`Store.reusable_batch`) and no
    other file of this pass carries one of its keys (which of two rows is refused depends on both)."""
    sources = manifest.sources
    progress.start("Đọc tệp", len(sources))
    max_bytes = settings.max_source_file_mb * 1_000_000
    keys: dict[int, str | None] = {}
    reused: dict[int, StoredBatch] = {}
    for i, source in enumerate(sources):
        keys[i] = read_key(source, load_schema(source.dataset), settings.header_search_rows, settings.lang,
                           max_bytes)
        stored = store.reusable_batch(manifest.name, source.dataset, source.unit, batch_file_name(source.name),
                                      keys[i]) \
            if keys[i] and settings.reuse_unchanged_files else None
        if stored is not None:
            reused[i] = stored
            progress.advance()
    reads: dict[int, SourceRead] = {}
    pending = [i for i in range(len(sources)) if i not in reused]
    while pending:
        errors = []
        outcomes = read_sources([sources[i] for i in pending], [load_schema(sources[i].dataset) for i in pending],
                                settings.header_search_rows, max_bytes, settings.read_workers, progress.advance,
                                spill)
        for i, outcome in zip(pending, outcomes, strict=True):
            if isinstance(outcome, LamsachError):
                errors.append(outcome)
            elif isinstance(outcome, ExceptionGroup):
                errors.extend(outcome.exceptions)
            else:
                outcome.read_key = keys[i]
                reads[i] = outcome
        if errors:
            progress.finish()
            raise ExceptionGroup("sources", errors)
        pending = _shared_keys(sources, reads, reused)
        for i in pending:
            del reused[i]
    progress.finish()
    order = sorted(reads)
    reject_pass_collisions([sources[i] for i in order], [reads[i] for i in order], settings.lang)
    for read in reads.values():
        read.rows.release()  # the keys were read: paged in again when stored
    return [reads[i] if i in reads else reused[i] for i in range(len(sources))]


def _rows_read(reads: list) -> int:
    """The rows of the files read this pass (not those of files known again: nothing to store)."""
    return sum(len(read.rows) for read in reads if not isinstance(read, StoredBatch))


def _read_one(source, settings: Settings, read_key: str | None) -> SourceRead:
    read = read_source(source, load_schema(source.dataset), settings.header_search_rows,
                       max_bytes=settings.max_source_file_mb * 1_000_000)
    read.read_key = read_key
    return read


def batch_file_name(path: Path | str) -> str:
    """The name a file's batch is stored under: its absolute path, so that next week's pass knows
    the file again whichever folder the manifest is named from (`lamsach run province/manifest.yaml`
    in one folder, the full path from another or from a scheduled job); a file named by URL, the
    URL."""
    return str(path) if is_url(str(path)) else str(Path(path).resolve())


def _shared_keys(sources, reads: dict[int, SourceRead], reused: dict[int, StoredBatch]) -> list[int]:
    """The reused files with a key that another file of the pass (read or reused) also carries."""
    if not reused:
        return []
    carriers: dict[str, Counter[str]] = {}
    for i, read in reads.items():
        carriers.setdefault(sources[i].dataset, Counter()).update(set(row_keys(read.rows)))
    for i, stored in reused.items():
        carriers.setdefault(sources[i].dataset, Counter()).update(set(stored.keys))
    return [i for i, stored in reused.items()
            if any(carriers[sources[i].dataset][k] > 1 for k in set(stored.keys))]


def _rejection_dicts(rejections) -> list[dict]:
    return [{"sheet": r.sheet, "row": r.row, "column": r.column, "code": r.code, "message": r.message}
            for r in rejections]


def _unmapped(read, schema) -> list[dict]:
    """The file's columns no field took, each with the field it may mean (see `SourceRead`)."""
    labels = {f.name: f.label_vi for f in schema.fields}
    return [{"column": header, "closest": closest, "closest_label": labels.get(closest) if closest else None}
            for header, closest in read.unmapped_columns]


def _summary_dict(summary: PassSummary) -> dict:
    from dataclasses import asdict

    data = asdict(summary)
    for source in data["sources"]:
        source["rejections"] = source["rejections"][:50]
    return data
