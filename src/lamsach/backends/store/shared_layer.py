"""Repository functions for the shared layer (`published`) and the outbox entries publishing adds.

Publishing a version writes its row in the shared layer and its outbox entry in one transaction,
so a version is never shared without being queued for the National Data Center, nor queued
without being shared. The entry holds no copy of the values: while the shared layer's row holds
the entry's version, the line sent for it is rendered from that row when it is read (`line_sql`,
the publish stage's expression, `outbox.entry_lines`); before the row takes a newer version, the
lines of the older version's entries are kept as text, in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, select, text

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import LineSql, PublishCounts, PublishItem
from lamsach.backends.store.bulk import bulk_insert, bulk_update
from lamsach.backends.store.by_keys import rows_by_keys
from lamsach.backends.store.sqlite_tuning import page_cache

if TYPE_CHECKING:
    from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

_CHUNK = 5000  # versions written per statement, and records read per fetch
_CACHE_KIB = 256 * 1024  # SQLite's page cache while it publishes (its default is 2 MiB)

Decided = Callable[[list[tuple[str, str]]], None]
"""Told the blocked records found in the store, before any version is written (`publish_current`)."""


def publish_current(store: SqlAlchemyStore, campaign: str, run_id: int | None,
                    blocked: Collection[tuple[str, str]], line_sql: LineSql,
                    decided: Decided | None = None) -> PublishCounts:
    """Publish the current version of every record of `campaign` whose (dataset, key) is not in
    `blocked` and whose current version is not published yet; all in one transaction. `decided`
    is called with the store's blocked records as soon as they are known, while the versions are
    still to be written: a caller running this in a thread goes on with what needs only them."""
    now = datetime.now(UTC)
    decided = decided or (lambda _keys: None)
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            return _publish_in_sqlite(conn, campaign, run_id, blocked, line_sql, now, decided)
        if conn.dialect.name == "postgresql":
            return _publish_in_postgres(conn, campaign, run_id, blocked, line_sql, now, decided)
        counts = PublishCounts()
        r, p = t.records.c, t.published.c
        # first without the values: on a re-run most current versions are published already, and
        # reading every record's values to skip them cost more than publishing the few that changed;
        # each record read with its shared-layer row in one join (no dictionary of the shared layer)
        todo: dict[int, int | None] = {}  # record id -> the shared layer's row it replaces
        rows = conn.execute(
            select(r.id, r.dataset, r.record_key, r.version, p.id, p.version)
            .select_from(t.records.outerjoin(t.published, and_(p.campaign == r.campaign, p.dataset == r.dataset,
                                                               p.record_key == r.record_key)))
            .where(r.campaign == campaign).order_by(r.id))
        while chunk := rows.fetchmany(_CHUNK * 4):
            for record_id, dataset, key, version, published_id, published_version in chunk:
                if (dataset, key) in blocked:
                    counts.blocked += 1
                    counts.blocked_keys.append((dataset, key))
                elif published_version == version:
                    counts.unchanged += 1
                else:
                    todo[record_id] = published_id
        decided(counts.blocked_keys)
        for chunk in _records_with_values(conn, campaign, todo):
            items = [PublishItem(row.dataset, row.record_key, row.unit, row.version, row.data, row.citizen_id)
                     for row in chunk]
            counts.published += _write(conn, campaign, run_id, items, [todo[row.id] for row in chunk], line_sql,
                                       now)
    return counts


def _publish_in_sqlite(conn, campaign: str, run_id: int | None, blocked: Collection[tuple[str, str]],
                       line_sql: LineSql, now: datetime, decided: Decided) -> PublishCounts:
    """What the general path does, done by SQLite itself: which records to publish is decided in
    one statement against the blocked keys (a temporary table); the shared layer's rows are copied
    from the records table with INSERT ... SELECT and UPDATE ... FROM, and the outbox entries
    added beside them. Only the blocked keys go in and only those records' keys come out: the
    values are neither read into Python nor encoded again. (Values SQLite does not read as JSON, such as the
    NaN Python writes for a float NaN, cannot be published on either path: the shared layer's
    lookup indexes read them with `json_extract`.)"""
    counts = PublishCounts()
    driver = conn.connection.driver_connection
    with closing(driver.cursor()) as cursor:
        if not driver.in_transaction:  # take the write lock first: reads before a write in one deferred
            cursor.execute("BEGIN IMMEDIATE")  # transaction fail if another writer commits in between
        # the new rows' index entries land all over each index: with the default 2 MiB page cache
        # SQLite writes the same index pages out again and again (a quarter of the inserts' time)
        with page_cache(conn, _CACHE_KIB):
            cursor.execute("CREATE TEMP TABLE publish_blocked (dataset TEXT, record_key TEXT, "
                           "PRIMARY KEY (dataset, record_key)) WITHOUT ROWID")
            cursor.execute("CREATE TEMP TABLE publish_todo (record_id INTEGER PRIMARY KEY, published_id INTEGER, "
                           "new_id INTEGER)")
            cursor.executemany("INSERT OR IGNORE INTO publish_blocked VALUES (?, ?)", sorted(blocked))
            counts.blocked_keys = cursor.execute(
                "SELECT r.dataset, r.record_key FROM publish_blocked b JOIN records r ON r.campaign = ? "
                "AND r.dataset = b.dataset AND r.record_key = b.record_key ORDER BY r.id", (campaign,)).fetchall()
            counts.blocked = len(counts.blocked_keys)
            decided(counts.blocked_keys)
            # a record new to the shared layer gets its row's id here, after the last one (the
            # write lock is held), so its outbox entry names it without looking the row up again
            cursor.execute(
                f"INSERT INTO publish_todo SELECT r.id, p.id, {_NEW_ID} FROM records r LEFT JOIN published p "
                "ON p.campaign = r.campaign AND p.dataset = r.dataset AND p.record_key = r.record_key "
                "WHERE r.campaign = ? AND (p.version IS NULL OR p.version <> r.version) AND NOT EXISTS "
                "(SELECT 1 FROM publish_blocked b WHERE b.dataset = r.dataset AND b.record_key = r.record_key)",
                (campaign,))
            counts.published = cursor.rowcount
            (records,) = cursor.execute("SELECT count(*) FROM records WHERE campaign = ?", (campaign,)).fetchone()
            counts.unchanged = records - counts.blocked - counts.published
            stamp = t.published.c.published_at.type._cached_bind_processor(conn.dialect)
            at = stamp(now) if stamp else now
            _copy_todo(cursor, "?", at, run_id, line_sql("sqlite", "p"))
            cursor.execute("DROP TABLE temp.publish_todo")
            cursor.execute("DROP TABLE temp.publish_blocked")
    return counts


def _publish_in_postgres(conn, campaign: str, run_id: int | None, blocked: Collection[tuple[str, str]],
                         line_sql: LineSql, now: datetime, decided: Decided) -> PublishCounts:
    """`_publish_in_sqlite` on PostgreSQL: the blocked keys go in by COPY, which records to publish
    is decided in one statement, the shared layer's rows are copied with INSERT ... SELECT and
    UPDATE ... FROM, so no record's values leave the server. The temporary tables go with the
    transaction."""
    counts = PublishCounts()
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute("CREATE TEMP TABLE publish_blocked (dataset text, record_key text, "
                       "PRIMARY KEY (dataset, record_key)) ON COMMIT DROP")
        with cursor.copy("COPY publish_blocked (dataset, record_key) FROM STDIN") as copy:
            for key in set(blocked):
                copy.write_row(key)
        cursor.execute(
            "SELECT r.dataset, r.record_key FROM publish_blocked b JOIN records r ON r.campaign = %s "
            "AND r.dataset = b.dataset AND r.record_key = b.record_key ORDER BY r.id", (campaign,))
        counts.blocked_keys = [tuple(row) for row in cursor.fetchall()]
        counts.blocked = len(counts.blocked_keys)
        decided(counts.blocked_keys)
        cursor.execute("CREATE TEMP TABLE publish_todo (record_id integer PRIMARY KEY, published_id integer, "
                       "new_id integer) ON COMMIT DROP")
        # a record new to the shared layer gets its row's id here, after the last one, so its
        # outbox entry names it without looking the row up again: the shared layer is locked
        # against other writers first (readers go on), the table's sequence set past them after
        # (`nextval` per row took 6 s of 8.6 at 1,000,000 people)
        cursor.execute("LOCK TABLE published IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"INSERT INTO publish_todo SELECT r.id, p.id, {_NEW_ID} FROM records r LEFT JOIN published p "
            "ON p.campaign = r.campaign AND p.dataset = r.dataset AND p.record_key = r.record_key "
            "WHERE r.campaign = %s AND p.version IS DISTINCT FROM r.version AND NOT EXISTS "
            "(SELECT 1 FROM publish_blocked b WHERE b.dataset = r.dataset AND b.record_key = r.record_key)",
            (campaign,))
        counts.published = cursor.rowcount
        cursor.execute("SELECT count(*) FROM records WHERE campaign = %s", (campaign,))
        (records,) = cursor.fetchone()
        counts.unchanged = records - counts.blocked - counts.published
        cursor.execute("ANALYZE publish_todo")  # a temporary table has no statistics: the joins below need its size
        with _indexes_built_after(cursor, counts.published):
            _copy_todo(cursor, "%s", now, run_id, line_sql("postgresql", "p"))
        cursor.execute("SELECT setval(pg_get_serial_sequence('published', 'id'), max(id)) FROM published "
                       "HAVING max(id) IS NOT NULL")
        cursor.execute("DROP TABLE publish_todo")
        cursor.execute("DROP TABLE publish_blocked")
    finally:
        cursor.close()
    return counts


@contextmanager
def _indexes_built_after(cursor, rows: int) -> Iterator[None]:
    """On PostgreSQL, into an empty shared layer and outbox, many rows at once: each table's
    indexes but its primary key (the lookup indexes and the unique keys) are dropped and built
    again, as the store's catalogue defines them, after the rows are in, in the same transaction.
    Building an index over rows in place is one sort; keeping it up to date row by row parsed
    each version's values again per lookup index and landed all over the key of text (at
    1,000,000 people the publish statements took 45.7 s, 32.3 s with the indexes built after).
    Only into empty tables: what is dropped is missing, and the table locked against readers,
    until the transaction ends — readers of an empty shared layer lose nothing. Not on SQLite:
    with the page cache `_publish_in_sqlite` gives it, keeping them as the rows come was faster
    (26.3 s against 30.4 s, medians of three at 1,000,000 people)."""
    tables = [table for table in ("published", "outbox")
              if rows >= _BUILD_AFTER_ROWS and cursor.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None]
    drop, build = [], []
    for table in tables:
        found = cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                               "AND tablename = %s AND indexname NOT IN (SELECT conname FROM pg_constraint "
                               "WHERE conrelid = %s::regclass)", (table, table)).fetchall()
        keys = cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                              "WHERE conrelid = %s::regclass AND contype = 'u'", (table,)).fetchall()
        drop += [f'DROP INDEX "{name}"' for name, _sql in found]
        drop += [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for name, _sql in keys]
        build += [sql for _name, sql in found]
        build += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}' for name, sql in keys]
    for statement in drop:
        cursor.execute(statement)
    yield
    for statement in build:
        cursor.execute(statement)


_NEW_ID = ("CASE WHEN p.id IS NULL THEN (SELECT coalesce(max(id), 0) FROM published) "
           "+ row_number() OVER (PARTITION BY p.id IS NULL ORDER BY r.id) END")
"""The id of the shared layer's row a record `r` without one (`p`) gets, in the records' order
after the last: the caller holds the shared layer against other writers while it is used."""
_BUILD_AFTER_ROWS = 50_000  # fewer rows: keeping the indexes as they come costs less than building them


def _copy_todo(cursor, mark: str, at: object, run_id: int | None, line: str) -> None:
    """The records in `publish_todo` into the shared layer (a new row with the id `new_id`, or the
    row `published_id` it replaces) and each one's outbox entry, in the store's own statements;
    first, the rows about to be replaced keep the lines of their version's entries (`line`, the SQL
    expression of a line over the shared layer's row `p`). `mark` is the driver's parameter marker."""
    cursor.execute(
        f"UPDATE outbox SET line = {line} FROM publish_todo x JOIN published p ON p.id = x.published_id "
        "WHERE x.published_id IS NOT NULL AND outbox.published_id = p.id AND outbox.version = p.version "
        "AND outbox.line IS NULL")
    cursor.execute(
        f"INSERT INTO published (id, {', '.join(_PUBLISHED_COLUMNS)}) "
        f"SELECT x.new_id, r.campaign, r.dataset, r.record_key, r.unit, r.version, r.data, r.citizen_id, {mark}, {mark} "
        "FROM publish_todo x JOIN records r ON r.id = x.record_id WHERE x.published_id IS NULL "
        "ORDER BY x.record_id", (at, run_id))
    cursor.execute(
        "UPDATE published SET unit = r.unit, version = r.version, data = r.data, citizen_id = r.citizen_id, "
        f"published_at = {mark}, run_id = {mark} FROM publish_todo x JOIN records r ON r.id = x.record_id "
        "WHERE x.published_id IS NOT NULL AND published.id = x.published_id", (at, run_id))
    cursor.execute(
        f"INSERT INTO outbox ({', '.join(_OUTBOX_COLUMNS)}) "
        f"SELECT r.campaign, r.dataset, r.record_key, r.unit, r.version, coalesce(x.published_id, x.new_id), {mark}, "
        "'waiting' FROM publish_todo x JOIN records r ON r.id = x.record_id ORDER BY x.record_id", (at,))


def _records_with_values(conn, campaign: str, ids: dict[int, int | None]) -> Iterable[list]:
    """The records `ids` with their values, in id order, a chunk at a time (a province's values are
    never all in memory at once): by id when they are few, else one streamed scan of the campaign."""
    r = t.records.c
    columns = (r.id, r.dataset, r.record_key, r.unit, r.version, r.data, r.citizen_id)
    if len(ids) <= 20_000:
        ordered = sorted(ids)
        for start in range(0, len(ordered), 900):
            yield list(conn.execute(select(*columns).where(r.id.in_(ordered[start:start + 900])).order_by(r.id)))
        return
    query = select(*columns).where(r.campaign == campaign).order_by(r.id)
    for chunk in conn.execution_options(stream_results=True).execute(query).partitions(_CHUNK):
        yield [row for row in chunk if row.id in ids]


def publish_items(store: SqlAlchemyStore, campaign: str, run_id: int | None, items: Iterable[PublishItem],
                  line_sql: LineSql) -> int:
    """Publish the given versions as they are (loading a backlog, a benchmark); one transaction."""
    items = list(items)
    p = t.published.c
    with store.engine.begin() as conn:
        known = {(row.dataset, row.record_key): row.id for row in conn.execute(
            select(p.id, p.dataset, p.record_key).where(p.campaign == campaign))}
        return _write(conn, campaign, run_id, items, [known.get((i.dataset, i.record_key)) for i in items],
                      line_sql, datetime.now(UTC))


def _write(conn, campaign: str, run_id: int | None, items: list[PublishItem], existing_ids: list[int | None],
           line_sql: LineSql, now: datetime) -> int:
    """Shared-layer rows and outbox entries as plain tuples (COPY on PostgreSQL), a chunk at a
    time: a province publishes millions of versions, and one parameter dictionary per row cost
    more than the database's work and held every row three times over. The rows replaced keep
    their entries' lines first (`_keep_lines`)."""
    for start in range(0, len(items), _CHUNK):
        chunk = list(zip(items[start:start + _CHUNK], existing_ids[start:start + _CHUNK], strict=True))
        new_rows, updates = [], []
        for item, existing in chunk:
            if existing is None:
                new_rows.append((campaign, item.dataset, item.record_key, item.unit, item.version, item.data,
                                 item.citizen_id, now, run_id))
            else:
                updates.append((item.unit, item.version, item.data, item.citizen_id, now, run_id,
                                existing))
        new_ids: dict[tuple[str, str], int] = {}
        if new_rows:
            bulk_insert(conn, t.published, _PUBLISHED_COLUMNS, new_rows)
            new_ids = _published_ids(conn, campaign, [(row[1], row[2]) for row in new_rows])
        if updates:
            _keep_lines(conn, line_sql, [row[-1] for row in updates])
            bulk_update(conn, t.published, "id", _PUBLISHED_COLUMNS[3:], updates)
        bulk_insert(conn, t.outbox, _OUTBOX_COLUMNS, [
            (campaign, item.dataset, item.record_key, item.unit, item.version,
             existing if existing is not None else new_ids[(item.dataset, item.record_key)], now, "waiting")
            for item, existing in chunk])
    return len(items)


def _published_ids(conn, campaign: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The shared layer's row ids of `keys` (dataset, record key) of `campaign`."""
    p = t.published.c
    ids: dict[tuple[str, str], int] = {}
    by_dataset: dict[str, list[str]] = {}
    for dataset, key in keys:
        by_dataset.setdefault(dataset, []).append(key)
    for dataset, names in by_dataset.items():
        ids.update(((dataset, key), row_id) for row_id, key in rows_by_keys(
            conn, (p.id, p.record_key), (p.campaign == campaign, p.dataset == dataset), p.record_key, names))
    return ids


def _keep_lines(conn, line_sql: LineSql, published_ids: list[int]) -> None:
    """The outbox entries of the versions the shared layer's rows `published_ids` hold, still
    without their line, get it as text (rendered from those rows): the rows are about to change."""
    line = line_sql(conn.dialect.name, "p").replace(":", "\\:")  # text() reads a bare colon as a parameter
    keep = text(f"UPDATE outbox SET line = {line} FROM published p WHERE p.id IN :ids "
                "AND outbox.published_id = p.id AND outbox.version = p.version AND outbox.line IS NULL"
                ).bindparams(bindparam("ids", expanding=True))
    for start in range(0, len(published_ids), 900):
        conn.execute(keep, {"ids": published_ids[start:start + 900]})


_PUBLISHED_COLUMNS = ("campaign", "dataset", "record_key", "unit", "version", "data", "citizen_id", "published_at",
                      "run_id")
_OUTBOX_COLUMNS = ("campaign", "dataset", "record_key", "unit", "version", "published_id", "created_at", "state")


def sync_states(store: SqlAlchemyStore, campaign: str) -> list[dict[str, Any]]:
    """The records of `campaign` whose current version is the one the shared layer holds and whose
    outbox entry is acknowledged, rejected or sending, in outbox order: their dataset, key, that
    state, the receiver's reason and when the batch was first sent.

    Only these can pass *shared* or get a finding about the synchronisation; a record whose
    current version is waiting to be sent, or not published, has nothing to say but "not passing"
    (and one blocked by errors is known to `publish_current`). Starting from the outbox entries in
    those states (`ix_outbox_state`) leaves unread the records of a campaign nothing was sent for
    yet — every record, the week before the first synchronisation — where joining every record with
    the shared layer, the outbox and the batches took more than half of the publish stage. SQLite,
    without statistics, took the campaign's range of the outbox's unique key instead and read
    every entry of the campaign for its state (0.6 s at 200,000 people with nothing sent): there
    the campaign is compared as `campaign || ''`, which no index serves, so the state's does."""
    names = ("dataset", "record_key", "state", "reason", "sent_at")
    with store.engine.connect() as conn:
        return [dict(zip(names, row, strict=True)) for row in conn.execute(
            _sync_states_query(campaign, conn.dialect.name))]


def _sync_states_query(campaign: str, dialect: str):
    r, p, o, b = t.records.c, t.published.c, t.outbox.c, t.sync_batches.c
    entry_campaign = o.campaign + "" if dialect == "sqlite" else o.campaign
    return (select(o.dataset, o.record_key, o.state, o.reason, b.sent_at)
            .select_from(t.outbox
                         .join(t.published, and_(p.id == o.published_id, p.version == o.version))
                         .join(t.records, and_(r.campaign == p.campaign, r.dataset == p.dataset,
                                               r.record_key == p.record_key, r.version == p.version))
                         .outerjoin(t.sync_batches, b.key == o.batch_key))
            .where(entry_campaign == campaign, o.state.in_(("acknowledged", "rejected", "sending")))
            .order_by(o.id))


def published_record(store: SqlAlchemyStore, campaign: str, dataset: str, key: str) -> dict[str, Any] | None:
    """A record's row in the shared layer, its values decoded (`data`), or None."""
    p = t.published.c
    with store.engine.connect() as conn:
        row = conn.execute(select(t.published).where(p.campaign == campaign, p.dataset == dataset,
                                                     p.record_key == key)).mappings().first()
    return {**row, "data": json.loads(row["data"])} if row else None
