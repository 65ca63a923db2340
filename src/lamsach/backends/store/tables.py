"""The system of record's tables (SQLAlchemy Core), shared by SQLite and PostgreSQL.

Records keep their current values (`data`) and the values last received (`raw`) as JSON text;
every later change of a value is a row in `changes` with who, when, why, source and the previous
value, so any change can be shown and undone. Original files are kept once per SHA-256.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("manifest_path", Text),
    Column("reference_date", String(10)),
    Column("actor", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("summary", Text),
    Column("host", String(255)),  # the machine and process running it: a run left `running` by a
    Column("pid", Integer),  # killed process is told from one still going on (`interrupt_abandoned_runs`)
    Index("ix_runs_campaign_status", "campaign", "status"),
)

originals = Table(
    "originals",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", Integer, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("unit", String(20)),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), ForeignKey("originals.sha256"), nullable=False),
    Column("format", String(10)),
    Column("encoding", String(30)),
    Column("sheet", Text),
    Column("header_row", Integer),
    Column("state", String(20), nullable=False),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_stored", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("records_created", Integer, nullable=False, default=0),
    Column("records_updated", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(100), nullable=False),
    # the weekly re-run: a file read the same way again (`read_key`, see `ingest.read_key`) is not
    # parsed nor stored again; its keys (JSON list) and unmapped columns (JSON) come from here
    Column("read_key", String(64)),
    Column("record_keys", Text),
    Column("unmapped", Text),
)

rejections = Table(
    "rejections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False, index=True),
    Column("sheet", Text),
    Column("row_no", Integer),
    Column("column_name", Text),
    Column("code", String(60), nullable=False),
    Column("message", Text, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("unit", String(20)),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("row_no", Integer),
    Column("version", Integer, nullable=False),
    # the values as last received, as JSON; NULL while they are still the current ones (`data`):
    # a record's values are written once, not twice, until something changes them (0024)
    Column("raw", Text),
    Column("data", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("citizen_id", String(20)),  # the current `citizen_id` in `data`, indexed for lookups
    UniqueConstraint("campaign", "dataset", "record_key", name="uq_records_key"),
    Index("ix_records_citizen_id", "citizen_id"),
    Index("ix_records_dataset_id", "campaign", "dataset", "id"),  # a dataset read in id order, unsorted
)

RECEIVED = func.coalesce(records.c.raw, records.c.data)
"""A record's values as last received: `raw`, or `data` while `raw` is NULL (nothing changed them)."""

changes = Table(
    "changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", Integer, ForeignKey("records.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("field", String(100), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("source", String(30), nullable=False),
    Column("rule", String(100)),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("undoes", Integer),
    Index("ix_changes_record", "record_id", "version"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("unit", String(20)),
    Column("field", String(100), nullable=False),
    Column("criterion", String(20), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("status", String(12), nullable=False),
    Column("message", Text, nullable=False),
    Column("suggested_value", Text),
    Index("ix_findings_record", "run_id", "dataset", "record_key"),
    Index("ix_findings_unit", "run_id", "unit", "criterion"),
)

scorecards = Table(
    "scorecards",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False, index=True),
    Column("unit", String(20), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("criterion", String(20), nullable=False),
    Column("records", Integer, nullable=False),
    Column("passing", Integer, nullable=False),
)

finding_decisions = Table(
    "finding_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("field", String(100), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("status", String(12), nullable=False),
    Column("value", Text),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Index("ix_finding_decisions_key", "campaign", "dataset", "record_key"),
)
"""An officer's verdict on a finding, tied to the value it judged: a later pass keeps a dismissed
finding dismissed while the value is unchanged, and opens it again when the value changes."""

campaigns = Table(
    "campaigns",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("path", Text, nullable=False),
    Column("definition", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""A campaign file as registered (its text), so `campaign show` works without the file at hand."""

link_reviews = Table(
    "link_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("role", String(30), nullable=False),
    Column("citizen_id", String(20), nullable=False),
    Column("register_record", String(200)),
    Column("match_probability", Float, nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("runner_up_weight", Float),
    Column("weights", Text, nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    Column("reason", Text),
    Index("ix_link_reviews_key", "campaign", "dataset", "record_key"),
)
"""Person links in the review band: the best register candidate, its probability and the match
weights that explain it. `status` is open until an officer accepts (the link becomes `manual`)
or rejects it; a later pass supersedes the open items of earlier ones."""

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("unit", String(20)),
    Column("password_hash", Text, nullable=False),
    Column("api_token_hash", String(64), unique=True),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
)
"""People who sign in to the web app: role admin (the province), officer (one unit), inspector
(read-only). Passwords are argon2 hashes; an API token is kept only as its SHA-256."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Server-side sessions: the cookie holds a random token, the table only its SHA-256."""

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("role", String(20)),
    Column("action", String(40), nullable=False),
    Column("dataset", String(100)),
    Column("record_key", String(200)),
    Column("unit", String(20)),
    Column("purpose", String(60)),
    Column("detail", Text),
    Index("ix_audit_log_at", "at"),
)
"""Who looked up what: every view of a person's record and every API lookup, with its purpose."""

web_jobs = Table(
    "web_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("campaign", Text, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("unit", String(20)),
    Column("upload_path", Text),
    Column("file_name", Text),
    Column("state", String(20), nullable=False),
    Column("stage", Text, nullable=False, default=""),
    Column("stages_done", Integer, nullable=False, default=0),
    Column("steps_done", Integer, nullable=False, default=0),
    Column("steps_total", Integer, nullable=False, default=1),
    Column("worker", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("run_id", Integer),
    Column("problems", Text),
    Column("reference", String(20)),
    Column("document_id", Integer),  # an archive reading's document (migration 0016)
    Index("ix_web_jobs_state", "state", "created_at"),
    Index("ix_web_jobs_campaign", "campaign", "created_at"),
    Index("ix_web_jobs_document_id", "document_id"),
)
"""Passes the web app runs in the background (an upload, a returned workbook, a re-check), with
their progress: kept in the store so that every server process can run, report and wait for them,
and so a queued job survives a restart. `heartbeat_at` moves while a job runs; a running job whose
heartbeat stopped belongs to a process that died."""

api_clients = Table(
    "api_clients",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("purposes", Text, nullable=False),
    Column("rate_per_minute", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("rate_tokens", Float, nullable=False, server_default="0"),
    Column("rate_at", Float, nullable=False, server_default="0"),
    Column("rate_last_granted", Integer, nullable=False, server_default="0"),
)
"""Agencies that look facts up through /api/v1: scopes and purposes (space-separated codes), a
rate limit, an optional expiry. The token is kept only as its SHA-256; a client has no web login.
`rate_*` is the client's token bucket (tokens left, when last taken in epoch seconds, whether
that call was let through), kept here so every server process draws from the same one."""

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at", String(32), nullable=False),
    Column("client", String(100), nullable=False),
    Column("scope", String(40), nullable=False),
    Column("purpose", String(60), nullable=False),
    Column("subject", String(20), nullable=False),
    Column("subject_hash", String(64), nullable=False),
    Column("answer", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Index("ix_access_log_subject", "subject_hash"),
)
"""Every agency lookup, as a hash chain: `entry_hash` is the SHA-256 of the previous entry's hash
and this entry's fields, so an entry altered, removed or moved breaks the chain from there on.
`subject` is the masked citizen ID; `subject_hash` its keyed hash (HMAC), to find one person's
entries without keeping the ID. `at` is ISO text so the hashed value reads back identically."""

access_head = Table(
    "access_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("entry_hash", String(64), nullable=False),
)
"""The chain's head (one row, seq 0 and the genesis hash while the log is empty): an append reads
it locked in its INSERT … SELECT and a trigger moves it to the new entry (migration 0017), which
serialises writers on SQLite and PostgreSQL alike."""

access_checkpoints = Table(
    "access_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("at", String(32), nullable=False),
)
"""The chain's head every so many entries: removing the newest entries (which no later entry
points to) still shows against the last checkpoint."""

archive_documents = Table(
    "archive_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("file_name", Text, nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("signed", Integer, nullable=False, default=0),
    Column("copy_sha256", String(64)),
    Column("text_source", String(20), nullable=False),
    Column("metadata", Text, nullable=False),
    Column("access_level", String(20), nullable=False),
    Column("unit", String(20)),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_archive_documents_unit", "unit"),
)
"""One kept file: its original by SHA-256 (byte for byte in the archive folder), its searchable
PDF/A copy when one was made (`copy_sha256`; never for a signed PDF), where its text came from
(`text_source`: ocr, text_layer, none) and its metadata as JSON."""

archive_texts = Table(
    "archive_texts",
    metadata,
    Column("document_id", Integer, ForeignKey("archive_documents.id"), primary_key=True),
    Column("text", Text, nullable=False),
    Column("folded", Text, nullable=False),
)
"""A document's text (OCR or its own text layer) with its metadata, and the same folded (no tone
marks, đ as d) for search; SQLite indexes `folded` in the FTS5 table `archive_fts`, PostgreSQL
keeps its `simple` tsvector in a generated column `search_vector` with a GIN index (both made by
the migrations, per dialect)."""

archive_findings = Table(
    "archive_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("archive_documents.id"), nullable=False, index=True),
    Column("field", String(100), nullable=False),
    Column("criterion", String(20), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("message", Text, nullable=False),
)
"""Findings of the metadata rules on a document's current metadata."""

archive_links = Table(
    "archive_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("archive_documents.id"), nullable=False, index=True),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("evidence", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_by", String(100)),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("document_id", "campaign", "dataset", "record_key", name="uq_archive_links"),
    Index("ix_archive_links_record", "campaign", "dataset", "record_key"),
)
"""A document tied to a record: `suggested` from its text (with the evidence) until an officer
confirms or rejects it, or `confirmed` at once when tied by hand."""

archive_checks = Table(
    "archive_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("document_id", Integer, ForeignKey("archive_documents.id")),
    Column("sha256", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("detail", Text),
    Column("actor", String(100), nullable=False),
    Index("ix_archive_checks_at", "at"),
)
"""Fixity checks as events: when, which file (original or copy), outcome (ok, missing, altered,
repaired), so an inspector can show that no kept file changed."""

published = Table(
    "published",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("unit", String(20)),
    Column("version", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Column("citizen_id", String(20)),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    UniqueConstraint("campaign", "dataset", "record_key", name="uq_published_key"),
    Index("ix_published_citizen_id", "citizen_id"),
)
"""The shared layer: per record, its latest published version (values as JSON text, the same shape
as `records.data`). A version is published when it has no open finding of error severity; a
record whose newer version is blocked keeps its last published one here, and `version` tells
a reader whether that is the record's current version (`records.version`). Lookups read this."""

outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("dataset", String(100), nullable=False),
    Column("record_key", String(200), nullable=False),
    Column("unit", String(20)),
    Column("version", Integer, nullable=False),
    Column("published_id", Integer),
    Column("line", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("state", String(12), nullable=False),
    Column("batch_key", String(64)),
    Column("reason", Text),
    Column("acked_at", DateTime(timezone=True)),
    UniqueConstraint("published_id", "version", name="uq_outbox_published_version"),
    Index("ix_outbox_state", "state", "id"),
    Index("ix_outbox_batch", "batch_key", "id"),
)
"""One entry per published version, written in the transaction that publishes it; `line` is the
JSON line sent to the National Data Center, kept as text once the shared layer's row of the record
moved on from this version — until then it is left out (NULL) and rendered from that row when read
(`outbox._lines`), so a first pass writes each record's values once. `published_id` is the shared
layer's row of the record (unique with the version: a pass adds its entries in that row's order,
at the end of the index, where a key of text took three times as long). `state`: waiting, sending
(in the batch `batch_key`), acknowledged, rejected (with the receiver's `reason`). The id orders
delivery."""

sync_batches = Table(
    "sync_batches",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("target", Text, nullable=False),
    Column("state", String(12), nullable=False),
    Column("entries", Integer, nullable=False),
    Column("sha256", String(64)),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True)),
    Column("acked_at", DateTime(timezone=True)),
    Column("ack", Text),
    Index("ix_sync_batches_state", "state", "seq"),
)
"""Batches sent to the National Data Center: the idempotency key, the outbox entries it holds
(`outbox.batch_key`), its attempts, and the acknowledgement once stored (then `acknowledged`).
A batch in `sending` is sent again, with the same key and body, by the next sender."""

sync_lease = Table(
    "sync_lease",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
"""Who is sending: one sender at a time keeps each record's versions in order."""

link_models = Table(
    "link_models",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("campaign", String(200), nullable=False),
    Column("model_key", String(64), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("trained_at", DateTime(timezone=True), nullable=False),
    Column("input_rows", Integer, nullable=False),
    Column("input_digest", String(64), nullable=False),
    Column("input_sketch", Text, nullable=False),
    Column("model", Text, nullable=False),
    UniqueConstraint("campaign", "model_key", name="uq_link_models_key"),
)
"""A campaign's trained person model, one per model definition (`model_key`: the fingerprint of
its comparisons, floors, training settings, engine and versions): the trained parameters as
Splink JSON (`model`), the run that trained it, and its training input's size, SHA-256 of its
sorted row hashes (`input_digest`) and bottom-k sketch of them (`input_sketch`, JSON), from
which a later pass estimates how much of its own training input differs."""
