"""Repository functions for delivering the outbox: the sender's lease, batches and acknowledgements.

Built on the store itself, like the web's job queue (`jobs.py`): no outbox or queue library kept
up for both SQLite and PostgreSQL was found, and the store is already where versions are written,
so an entry is queued in the transaction that publishes it. One sender at a time holds the lease;
it first sends again every batch still `sending` (same key, same entries, same body: the receiver
accepts a key once), then claims the oldest waiting entries as a new batch. A batch is done only
when its acknowledgement is stored, in one transaction with its entries' new states.

An entry's line is rendered from the shared layer's row while that row holds the entry's version
(`line_sql`, the publish stage's expression) and kept as text once the row moved on
(`shared_layer._keep_lines`): a batch sent again is the same bytes either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import LineSql, as_utc
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

LEASE = "national_sync"
CLAIM_LOCK = 7_151_014  # advisory lock key that serialises batch claims on PostgreSQL


def take_lease(store: SqlAlchemyStore, holder: str, now: datetime, ttl_seconds: float,
               holder_gone: Callable[[str], bool]) -> str | None:
    """Become the sender (or stay it); None when taken, else the previous holder (or `holder`).

    The lease passes on when it expired or when `holder_gone(previous)` says its process died."""
    lease = t.sync_lease.c
    expires = now + timedelta(seconds=ttl_seconds)
    with store.engine.connect() as conn:
        row = conn.execute(select(t.sync_lease).where(lease.name == LEASE)).first()
    if row is None:
        try:
            with store.engine.begin() as conn:
                conn.execute(insert(t.sync_lease).values(name=LEASE, holder=holder, expires_at=expires))
            return holder
        except IntegrityError:
            return None
    with store.engine.begin() as conn:
        if row.holder != holder and as_utc(row.expires_at) > now and not holder_gone(row.holder):
            return None
        done = conn.execute(update(t.sync_lease).where(lease.name == LEASE, lease.holder == row.holder,
                                                       lease.expires_at == row.expires_at)
                            .values(holder=holder, expires_at=expires))
        return row.holder if done.rowcount == 1 else None


def lease_holder(store: SqlAlchemyStore) -> str | None:
    with store.engine.connect() as conn:
        return conn.execute(select(t.sync_lease.c.holder).where(t.sync_lease.c.name == LEASE)).scalar()


def release_lease(store: SqlAlchemyStore, holder: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(t.sync_lease.delete().where(t.sync_lease.c.name == LEASE, t.sync_lease.c.holder == holder))


def open_batches(store: SqlAlchemyStore) -> list[dict[str, Any]]:
    """Batches claimed but not acknowledged, oldest first: they are sent again before anything new."""
    b = t.sync_batches.c
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.sync_batches).where(b.state == "sending")
                                              .order_by(b.seq)).mappings()]


def claim_batch(store: SqlAlchemyStore, key: str, target: str, size: int, now: datetime,
                line_sql: LineSql) -> list[str]:
    """Make the oldest `size` waiting entries the batch `key`; returns their lines in delivery order
    (empty: nothing waits), read in the claiming transaction."""
    o, b = t.outbox.c, t.sync_batches.c
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CLAIM_LOCK})
        ids = select(o.id).where(o.state == "waiting").order_by(o.id).limit(size)
        claimed = conn.execute(update(t.outbox).where(o.id.in_(ids)).values(state="sending", batch_key=key)
                               .execution_options(synchronize_session=False)).rowcount
        if claimed:
            seq = int(conn.execute(select(func.coalesce(func.max(b.seq), 0))).scalar_one()) + 1
            conn.execute(insert(t.sync_batches).values(key=key, seq=seq, target=target, state="sending",
                                                       entries=claimed, attempts=0, created_at=now))
            return _lines(conn, line_sql, key)
        return []


def batch_lines(store: SqlAlchemyStore, key: str, line_sql: LineSql) -> list[str]:
    """The batch's lines in delivery order (entry id), the same bytes as when it was claimed."""
    with store.engine.connect() as conn:
        return _lines(conn, line_sql, key)


def _lines(conn, line_sql: LineSql, key: str | None) -> list[str]:
    """The lines of the batch `key` (every entry's, with None) in entry order: the kept text, else
    the line of the shared layer's row, which holds the entry's version."""
    line = line_sql(conn.dialect.name, "p").replace(":", "\\:")  # text() reads a bare colon as a parameter
    where = "WHERE o.batch_key = :key " if key is not None else ""
    query = text(f"SELECT coalesce(o.line, {line}) FROM outbox o LEFT JOIN published p ON p.id = o.published_id "
                 f"AND p.version = o.version {where}ORDER BY o.id")
    lines = list(conn.execute(query, {"key": key} if key is not None else {}).scalars())
    if None in lines:  # an entry whose line was neither kept nor still in the shared layer: never send less
        raise RuntimeError(f"outbox entries of batch {key} have no line")
    return lines


def entry_lines(store: SqlAlchemyStore, line_sql: LineSql) -> list[str]:
    """Every entry's line in delivery order, whatever its state (what a benchmark sends)."""
    with store.engine.connect() as conn:
        return _lines(conn, line_sql, None)


def note_attempt(store: SqlAlchemyStore, key: str, sha256: str, now: datetime, error: str | None) -> None:
    b = t.sync_batches.c
    with store.engine.begin() as conn:
        conn.execute(update(t.sync_batches).where(b.key == key).values(
            attempts=b.attempts + 1, sha256=sha256, last_error=error,
            sent_at=func.coalesce(b.sent_at, now)))


def store_ack(store: SqlAlchemyStore, key: str, sha256: str, ack: dict[str, Any], now: datetime,
              lease: tuple[str, datetime] | None = None) -> None:
    """The receiver's acknowledgement, and every entry of the batch acknowledged or rejected with
    the receiver's reason (`ack["rejected"]`: items naming the 1-based `line`), in one transaction;
    with `lease` (holder, new expiry) the sender's lease is renewed in the same transaction."""
    o, b = t.outbox.c, t.sync_batches.c
    rejected = {int(r["line"]): str(r.get("reason") or "") for r in ack.get("rejected") or []}
    with store.engine.begin() as conn:
        conn.execute(update(t.sync_batches).where(b.key == key).values(
            state="acknowledged", acked_at=now, ack=json.dumps(ack, ensure_ascii=False), last_error=None,
            sha256=sha256, attempts=b.attempts + 1, sent_at=func.coalesce(b.sent_at, now)))
        conn.execute(update(t.outbox).where(o.batch_key == key).values(state="acknowledged", acked_at=now))
        if lease is not None:
            conn.execute(update(t.sync_lease).where(t.sync_lease.c.name == LEASE, t.sync_lease.c.holder == lease[0])
                         .values(expires_at=lease[1]))
        if rejected:
            ids = list(conn.execute(select(o.id).where(o.batch_key == key).order_by(o.id)).scalars())
            conn.execute(update(t.outbox).where(o.id == _bind("eid")).values(state="rejected", reason=_bind("why")),
                         [{"eid": ids[line - 1], "why": why} for line, why in rejected.items()
                          if 0 < line <= len(ids)])


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)


def status_rows(store: SqlAlchemyStore, overdue_before: datetime | None = None) -> list[dict[str, Any]]:
    """Entries counted per campaign, unit, dataset and state; `overdue` counts those sent before
    `overdue_before` and still not acknowledged."""
    o, b = t.outbox.c, t.sync_batches.c
    late = (o.state == "sending") & (b.sent_at < overdue_before) if overdue_before else None
    columns = [o.campaign, o.unit, o.dataset, o.state, func.count().label("entries")]
    if late is not None:
        columns.append(func.sum(case((late, 1), else_=0)).label("overdue"))
    query = (select(*columns).select_from(t.outbox.outerjoin(t.sync_batches, b.key == o.batch_key))
             .group_by(o.campaign, o.unit, o.dataset, o.state).order_by(o.campaign, o.unit, o.dataset, o.state))
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def batch_rows(store: SqlAlchemyStore, limit: int = 20) -> list[dict[str, Any]]:
    """The latest batches, newest first (what was sent, when, how often, what came back)."""
    b = t.sync_batches.c
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.sync_batches).order_by(b.seq.desc()).limit(limit)).mappings()]
