"""The hash-chained log of agencies' lookups: append, read, and verify.

Each entry's hash is the SHA-256 of the previous entry's hash and its own fields, so an entry
altered, removed or moved breaks the chain where it happened; a checkpoint of the head every
`CHECKPOINT_EVERY` entries catches the newest entries removed (no later entry points to them).
Appending is one INSERT … SELECT from the one-row head, read under SQLite's write lock or
PostgreSQL's row lock, so concurrent writers (threads or processes) line up instead of forking
the chain, without reading the log itself; a trigger moves the head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from lamsach.backends.store import tables as t
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore
from lamsach.backends.store.write_gate import write_gate

GENESIS = "0" * 64
CHECKPOINT_EVERY = 1000
HASHED = ("seq", "at", "client", "scope", "purpose", "subject", "subject_hash", "answer")


@dataclass(frozen=True)
class Lookup:
    """What one lookup leaves in the log (the subject already masked and hashed)."""

    client: str
    scope: str
    purpose: str
    subject: str
    subject_hash: str
    answer: str  # the JSON answer given, without the ID in clear


def entry_hash(prev_hash: str, fields: dict) -> str:
    body = json.dumps([fields[k] for k in HASHED], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def _append_sql(dialect: str):
    """One INSERT … SELECT: the new entry's sequence number and previous hash come from the head
    row, read locked (PostgreSQL: FOR UPDATE, which waits for a concurrent append and then reads
    the head it left; SQLite: the statement holds the single writer's lock from its start), and
    its hash is computed in the same statement, exactly as `entry_hash` does; the trigger of
    migration 0017 moves the head to it. `:rest` is the JSON of the hashed fields after `seq`."""
    body = "h.entry_hash || {newline} || '[' || {seq} || ',' || :rest"
    if dialect == "postgresql":
        digest = "encode(sha256(convert_to(" + body.format(newline="E'\\n'", seq="(h.seq + 1)::text") + \
            ", 'UTF8')), 'hex')"
        lock = " FOR UPDATE"
    else:
        digest = "lamsach_sha256(" + body.format(newline="char(10)", seq="(h.seq + 1)") + ")"
        lock = ""
    return text("INSERT INTO access_log (seq, at, client, scope, purpose, subject, subject_hash, answer, "
                "prev_hash, entry_hash) "
                f"SELECT h.seq + 1, :at, :client, :scope, :purpose, :subject, :subject_hash, :answer, "
                f"h.entry_hash, {digest} FROM access_head h WHERE h.id = 1{lock} "
                "RETURNING seq, entry_hash")


_APPEND = {name: _append_sql(name) for name in ("postgresql", "sqlite")}


def append(store: SqlAlchemyStore, lookup: Lookup, now: datetime | None = None) -> int:
    """Add one entry at the head of the chain in one statement; returns its sequence number."""
    at = (now or datetime.now(UTC)).isoformat(timespec="microseconds")
    fields = {"at": at, "client": lookup.client, "scope": lookup.scope, "purpose": lookup.purpose,
              "subject": lookup.subject, "subject_hash": lookup.subject_hash, "answer": lookup.answer}
    rest = json.dumps([fields[k] for k in HASHED[1:]], ensure_ascii=False, separators=(",", ":"))[1:]
    dialect = store.engine.dialect.name
    statement = _APPEND["postgresql" if dialect == "postgresql" else "sqlite"]
    for _attempt in range(3):
        with write_gate(store.engine), store.autocommit.connect() as conn:
            row = conn.execute(statement, {**fields, "rest": rest}).first()
            if row is None:  # no head row: a store whose head was removed by hand
                _restore_head(conn)
                continue
            if row.seq % CHECKPOINT_EVERY == 0:  # the entry is committed; its checkpoint follows
                conn.execute(insert(t.access_checkpoints).values(seq=row.seq, entry_hash=row.entry_hash, at=at))
            return int(row.seq)
    raise RuntimeError("the access log's head could not be moved")


def _restore_head(conn) -> None:
    """Put the head back on the newest entry (or the genesis), so the chain goes on from there."""
    last = conn.execute(select(t.access_log.c.seq, t.access_log.c.entry_hash)
                        .order_by(t.access_log.c.seq.desc()).limit(1)).first()
    with suppress(IntegrityError):  # another writer may have restored it first
        conn.execute(insert(t.access_head).values(id=1, seq=last.seq if last else 0,
                                                  entry_hash=last.entry_hash if last else GENESIS))


def checkpoint(store: SqlAlchemyStore) -> tuple[int, str] | None:
    """Record the current head now (also done every CHECKPOINT_EVERY entries); None when empty."""
    with store.engine.begin() as conn:
        head = conn.execute(select(t.access_head.c.seq, t.access_head.c.entry_hash)
                            .where(t.access_head.c.id == 1)).first()
        if head is None or head.seq == 0:
            return None
        conn.execute(insert(t.access_checkpoints).values(seq=head.seq, entry_hash=head.entry_hash,
                                                         at=datetime.now(UTC).isoformat(timespec="microseconds")))
        return int(head.seq), head.entry_hash


def entries(store: SqlAlchemyStore, limit: int = 100, offset: int = 0, client: str | None = None,
            subject_hash: str | None = None) -> tuple[list[dict], int]:
    """Newest first, and how many match in all."""
    query = select(t.access_log)
    count = select(func.count()).select_from(t.access_log)
    for column, value in ((t.access_log.c.client, client), (t.access_log.c.subject_hash, subject_hash)):
        if value:
            query, count = query.where(column == value), count.where(column == value)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(t.access_log.c.id.desc()).limit(limit).offset(offset))
        return [dict(r._mapping) for r in rows], int(conn.execute(count).scalar_one())


@dataclass(frozen=True)
class ChainProblem:
    kind: str  # altered, removed, reordered
    seq: int  # the entry named: the altered or moved one, or the first one missing
    position: int  # the row (id) where the chain broke; 0 at the end of the log


@dataclass(frozen=True)
class ChainReport:
    entries: int
    checkpoints: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(store: SqlAlchemyStore, chunk: int = 10_000) -> Iterator:
    last = 0
    with store.engine.connect() as conn:
        while True:
            rows = conn.execute(select(t.access_log).where(t.access_log.c.id > last)
                                .order_by(t.access_log.c.id).limit(chunk)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id


def verify(store: SqlAlchemyStore) -> ChainReport:
    """Recompute the chain in stored order and name the first entry altered, removed or reordered."""
    with store.engine.connect() as conn:
        seqs = {r.seq for r in conn.execute(select(t.access_log.c.seq))}
        marks = conn.execute(select(t.access_checkpoints.c.seq, t.access_checkpoints.c.entry_hash)
                             .order_by(t.access_checkpoints.c.seq)).all()
        head = conn.execute(select(t.access_head.c.seq, t.access_head.c.entry_hash)
                            .where(t.access_head.c.id == 1)).first()
    tips = list(marks) + ([head] if head is not None and head.seq > 0 else [])
    wanted = {m.seq for m in tips}
    prev_hash, expected, seen, hashes = GENESIS, 1, 0, {}
    for row in _rows(store):
        seen += 1
        fields = row._mapping
        if row.seq != expected:
            if row.seq > expected and expected not in seqs:
                return ChainReport(seen, len(marks), ChainProblem("removed", expected, row.id))
            return ChainReport(seen, len(marks), ChainProblem("reordered", row.seq, row.id))
        if entry_hash(row.prev_hash, fields) != row.entry_hash:
            return ChainReport(seen, len(marks), ChainProblem("altered", row.seq, row.id))
        if row.prev_hash != prev_hash:  # this entry is intact: the one before it was changed
            return ChainReport(seen, len(marks), ChainProblem("altered", row.seq - 1, row.id))
        if row.seq in wanted:
            hashes[row.seq] = row.entry_hash
        prev_hash, expected = row.entry_hash, row.seq + 1
    last = expected - 1
    for mark in tips:
        if mark.seq > last:
            return ChainReport(seen, len(marks), ChainProblem("removed", last + 1, 0))
        if hashes.get(mark.seq) != mark.entry_hash:
            return ChainReport(seen, len(marks), ChainProblem("altered", mark.seq, 0))
    return ChainReport(seen, len(marks), None)
