"""Settings: one frozen dataclass, each field with a default and help, overridable by LAMSACH_* variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(
        default=Path("lamsach-data"),
        metadata={"help": "Folder of the embedded store (SQLite file) and the kept original files."},
    )
    database_url: str | None = field(
        default=None,
        metadata={"help": "SQLAlchemy URL of the store; default sqlite:///<data_dir>/lamsach.db. "
                  "Use postgresql+psycopg://user@host/db for a multi-user deployment."},
    )
    lang: str = field(default="vi", metadata={"help": "Language of messages: vi or en."})
    header_search_rows: int = field(
        default=30, metadata={"help": "How many rows of a sheet are searched for the header row."}
    )
    source_roots: str = field(
        default="", metadata={"help": "Folders, separated by the system's path separator (: on Linux), whose files a "
                              "manifest may name besides its own folder and below. Empty: a manifest reads only "
                              "files under its own folder, so one written by hand or received cannot read other "
                              "files on the server through an absolute path or ../."})
    source_urls: str = field(
        default="", metadata={"help": "URL prefixes, separated by spaces, under which a manifest may name its files by "
                              "URL (hdfs://namenode/tinh-38/, s3a://bucket/38/, file:///srv/data/): read through "
                              "Spark's file systems with --engine spark (file:// also on duckdb). Empty: no file "
                              "is named by URL."})
    max_source_file_mb: int = field(
        default=200, metadata={"help": "Largest unit file a pass reads, in megabytes (10^6 bytes); a larger file is "
                               "refused before it is read, with a message naming this setting."})
    duckdb_memory_limit: str = field(
        default="3GB", metadata={"help": "Memory DuckDB may use for batch work before it spills to disk. The pass "
                               "holds about as much again in Python: a province of 1,000,000 people peaked at "
                               "5.0 GiB with 3GB and 7.4 GiB with 6GB, in about the same time (bench/README.md)."}
    )
    duckdb_threads: int = field(default=2, metadata={"help": "Threads DuckDB may use."})
    engine: str = field(
        default="duckdb", metadata={"help": "Batch engine of the pass: duckdb (one machine, in process) or spark "
                                    "(Apache Spark: needs `pip install -e \".[spark]\"` and Java 17). "
                                    "Both give the same results; see docs/scale.md."})
    spark_master: str = field(
        default="local[*]", metadata={"help": "Spark master URL of a pass on Spark: local[N] on this machine, "
                                      "spark://host:7077 for a standalone cluster, k8s://... on Kubernetes."})
    spark_driver_memory: str = field(
        default="2g", metadata={"help": "Memory of the Spark driver (the JVM the pass starts)."})
    spark_shuffle_partitions: int = field(
        default=4, metadata={"help": "Partitions of Spark's joins and groupings; a few per core of the cluster."})
    reuse_unchanged_files: bool = field(
        default=True, metadata={"help": "A pass leaves unread a file equal (SHA-256 and reading options) to the "
                                "batch the campaign last stored for it, reusing that batch's counts and keys; "
                                "false reads and stores every file again. Both give the same results."})
    read_workers: int = field(
        default=2, metadata={"help": "Processes that read a pass's files side by side, one per core (1: one after "
                             "another); a pass of a few small files is read in one."})
    standardise_workers: int = field(
        default=2, metadata={"help": "Processes that standardise a large dataset's fields side by side (1: one "
                             "after another). Used by passes started from the command line."})
    link_beside_store_max_rows: int = field(
        default=1_500_000, metadata={"help": "On a first pass of at most this many rows read, the links to the "
                                     "register are found while the store takes the rows (both cores busy: a few "
                                     "seconds gained at 200,000 people); above it they wait for the store, so the "
                                     "engine has all its memory for them (at 1,000,000 people running beside "
                                     "gained nothing, at 4,000,000 the engine ran out of its share). 0: never."})
    link_accept_probability: float = field(
        default=0.98, metadata={"help": "A person reference without a usable ID is linked to its best register "
                                "candidate when the model gives at least this probability (and the runner-up "
                                "is far enough behind). 0.98: at 1,000,000 land users the references without a "
                                "usable ID are linked at precision 0.998 and recall 0.90 (0.99: 0.999 and 0.88, "
                                "short of the 0.90 the province asked for); bench/README.md (person linkage)."})
    link_review_probability: float = field(
        default=0.5, metadata={"help": "Candidates from this probability up to the accept threshold, or accepted "
                               "but too close to a runner-up, go to the review queue; below it they are rejected."})
    link_min_margin_weight: float = field(
        default=5.0, metadata={"help": "How many bits of match weight the best candidate must lead the second by "
                               "to be accepted without review (5 bits: 32 times more likely)."})
    link_outside_share: float = field(
        default=0.02, metadata={"help": "The share of person references whose person is not among the model's "
                                "candidates (not in the register, or missed by blocking); it keeps a lone "
                                "candidate's probability honest."})
    link_min_references: int = field(
        default=50, metadata={"help": "Below this many person references or register people, no model is "
                              "trained and only ID links are made: too few records to learn from."})
    link_u_max_pairs: int = field(
        default=1_000_000, metadata={"help": "Random record pairs used to estimate the u probabilities."})
    link_em_max_pairs: int = field(
        default=1_000_000, metadata={"help": "Blocked pairs used per expectation-maximisation pass (m probabilities), "
                                     "a random sample of a block that has more. 1,000,000: at 1,000,000 people the "
                                     "links, the hard references' recall and the duplicates are as with 2,000,000, "
                                     "and the whole pass took 241.0 s instead of 245.6 s (bench/README.md)."})
    link_model_max_change: float = field(
        default=0.02, metadata={"help": "A pass links with the person model its campaign keeps while at most this "
                                "share of the training rows (person references and register people) differ from "
                                "those the model was trained on (Jaccard distance; 0.02: about 1% of rows "
                                "edited); beyond it, or when the model's definition changed, it trains a new "
                                "model and keeps it. 0: train again whenever any row differs. The same holds "
                                "for each dataset's dedupe model and that dataset's records."})
    dedupe_threshold_probability: float = field(
        default=0.99, metadata={"help": "Two records of one dataset are reported as duplicates from this "
                                "probability up (the exact duplicate rules report copies regardless)."})
    dedupe_expected_share: float = field(
        default=0.01, metadata={"help": "The share of records expected to be duplicates: the dedupe models' prior."})

    sync_target: str | None = field(
        default=None, metadata={"help": "URL of the National Data Center's batch endpoint (or of a test receiver, "
                                "`lamsach sync receiver`); with it set, `lamsach serve` sends the outbox in the "
                                "background. See docs/sync.md."})
    sync_token: str | None = field(
        default=None, metadata={"help": "Bearer token the sender presents to the receiver."})
    sync_client_cert: Path | None = field(
        default=None, metadata={"help": "Client certificate (PEM) the sender presents over TLS, if the receiver asks."})
    sync_client_key: Path | None = field(
        default=None, metadata={"help": "Private key (PEM) of the client certificate."})
    sync_ca_file: Path | None = field(
        default=None, metadata={"help": "CA certificates (PEM) that sign the receiver's certificate; the "
                                "system's otherwise."})
    sync_batch_size: int = field(
        default=2000, metadata={"help": "Record versions per batch sent to the National Data Center."})
    sync_timeout_s: float = field(
        default=60.0, metadata={"help": "How long the sender waits for one batch's acknowledgement."})
    sync_retry_base_ms: int = field(
        default=500, metadata={"help": "First wait before sending a batch again after a failure; it doubles "
                               "on each failure (with jitter) up to sync_retry_max_s."})
    sync_retry_max_s: float = field(
        default=60.0, metadata={"help": "Longest wait between two attempts at one batch."})
    sync_give_up_s: float = field(
        default=900.0, metadata={"help": "`sync push` stops (the backlog stays queued) when the receiver has "
                                 "not answered for this long."})
    sync_ack_overdue_hours: float = field(
        default=24.0, metadata={"help": "A record sent this many hours ago and still not acknowledged gets a "
                                "finding under the shared criterion."})
    sync_interval_s: float = field(
        default=60.0, metadata={"help": "How often `lamsach serve`'s background sender looks for new versions."})

    key_databases: Path | None = field(
        default=None, metadata={"help": "The province's own catalogue of its twelve key databases (YAML, the shape "
                                "of data/catalogues/key_databases/key_databases.yaml); the shipped one otherwise."})

    archive_dir: Path | None = field(
        default=None, metadata={"help": "Folder of the archive's kept files (originals by SHA-256, searchable "
                                "copies, text); default <data_dir>/archive."})
    archive_copy_dir: Path | None = field(
        default=None, metadata={"help": "A second folder (another disk or share) holding a copy of every kept "
                                "file; `lamsach archive verify` repairs a damaged file from it."})
    archive_max_pages: int = field(
        default=500, metadata={"help": "The most pages one archived file may have; a longer scan is refused "
                               "with this limit named (split it, or raise the limit)."})
    archive_ocr_jobs: int = field(
        default=2, metadata={"help": "Pages OCR reads at once (processes): one per core."})
    archive_verify_hours: float = field(
        default=24.0, metadata={"help": "How often `lamsach serve` re-hashes every kept file (0: never)."})

    @property
    def archive_root(self) -> Path:
        return self.archive_dir or self.data_dir / "archive"

    @property
    def source_root_paths(self) -> tuple[Path, ...]:
        return tuple(Path(p) for p in self.source_roots.split(os.pathsep) if p.strip())

    @property
    def source_url_prefixes(self) -> tuple[str, ...]:
        return tuple(p for p in self.source_urls.split() if p)

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'lamsach.db').as_posix()}"

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Defaults, then LAMSACH_<FIELD> environment variables, then explicit overrides."""
        values: dict = {}
        for f in fields(cls):
            raw = os.environ.get(f"LAMSACH_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(type_name: str, raw: str):
    kind = str(type_name)
    if kind == "bool":
        if raw.strip().lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(f"a setting of type bool takes true or false, not {raw!r}")
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if "Path" in kind:
        return Path(raw)
    if "float" in kind:
        return float(raw)
    if "int" in kind:
        return int(raw)
    return raw
