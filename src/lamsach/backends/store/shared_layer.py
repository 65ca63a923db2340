"""Repository functions for the shared layer (`published`) and the outbox entries publishing adds.

Publishing a version writes its row in the shared layer and its outbox entry in one transaction,
so a version is never shared without being queued for the National Data Center, nor queued
without being shared. The line sent for a version is rendered by the publish stage (`line_for`):
the store keeps it as text and never parses it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, select

from lamsach.backends.store import tables as t
from lamsach.backends.store.base import LineFor, PublishCounts, PublishItem
from lamsach.backends.store.bulk import bulk_insert, bulk_update

if TYPE_CHECKING:
    from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

_CHUNK = 5000  # versions written per statement, and records read per fetch

def publish_current(store: SqlAlchemyStore, campaign: str, run_id: int | None,
                    blocked: Callable[[str, str], bool], line_for: LineFor) -> PublishCounts:
    """Publish the current version of every record of `campaign` that `blocked(dataset, key)` lets
    through and whose current version is not published yet; all in one transaction."""
    counts = PublishCounts()
    now = datetime.now(UTC)
    r, p = t.records.c, t.published.c
    with store.engine.begin() as conn:
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
                if blocked(dataset, key):
                    counts.blocked += 1
                    counts.blocked_keys.append((dataset, key))
                elif published_version == version:
                    counts.unchanged += 1
                else:
                    todo[record_id] = published_id
        for chunk in _records_with_values(conn, campaign, todo):
            items = [PublishItem(row.dataset, row.record_key, row.unit, row.version, row.data, row.citizen_id)
                     for row in chunk]
            counts.published += _write(conn, campaign, run_id, items, [todo[row.id] for row in chunk], line_for,
                                       now)
    return counts


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
                  line_for: LineFor) -> int:
    """Publish the given versions as they are (loading a backlog, a benchmark); one transaction."""
    items = list(items)
    p = t.published.c
    with store.engine.begin() as conn:
        known = {(row.dataset, row.record_key): row.id for row in conn.execute(
            select(p.id, p.dataset, p.record_key).where(p.campaign == campaign))}
        return _write(conn, campaign, run_id, items, [known.get((i.dataset, i.record_key)) for i in items],
                      line_for, datetime.now(UTC))


def _write(conn, campaign: str, run_id: int | None, items: list[PublishItem], existing_ids: list[int | None],
           line_for: LineFor, now: datetime) -> int:
    """Shared-layer rows and outbox entries as plain tuples (COPY on PostgreSQL), a chunk at a
    time: a province publishes millions of versions, and one parameter dictionary per row cost
    more than the database's work and held every row three times over."""
    for start in range(0, len(items), _CHUNK):
        chunk = zip(items[start:start + _CHUNK], existing_ids[start:start + _CHUNK], strict=True)
        new_rows, updates, entries = [], [], []
        for item, existing in chunk:
            if existing is None:
                new_rows.append((campaign, item.dataset, item.record_key, item.unit, item.version, item.data,
                                 item.citizen_id, now, run_id))
            else:
                updates.append((item.unit, item.version, item.data, item.citizen_id, now, run_id,
                                existing))
            entries.append((campaign, item.dataset, item.record_key, item.unit, item.version,
                            line_for(item, now), now, "waiting"))
        if new_rows:
            bulk_insert(conn, t.published, _PUBLISHED_COLUMNS, new_rows)
        if updates:
            bulk_update(conn, t.published, "id", _PUBLISHED_COLUMNS[3:], updates)
        bulk_insert(conn, t.outbox, _OUTBOX_COLUMNS, entries)
    return len(items)


_PUBLISHED_COLUMNS = ("campaign", "dataset", "record_key", "unit", "version", "data", "citizen_id", "published_at",
                      "run_id")
_OUTBOX_COLUMNS = ("campaign", "dataset", "record_key", "unit", "version", "line", "created_at", "state")


def sync_states(store: SqlAlchemyStore, campaign: str) -> list[dict[str, Any]]:
    """The records of `campaign` whose current version is the one the shared layer holds and whose
    outbox entry is acknowledged, rejected or sending, in outbox order: their dataset, key, that
    state, the receiver's reason and when the batch was first sent.

    Only these can pass *shared* or get a finding about the synchronisation; a record whose
    current version is waiting to be sent, or not published, has nothing to say but "not passing"
    (and one blocked by errors is known to `publish_current`). Starting from the outbox entries in
    those states (`ix_outbox_state`) leaves unread the records of a campaign nothing was sent for
    yet — every record, the week before the first synchronisation — where joining every record with
    the shared layer, the outbox and the batches took more than half of the publish stage."""
    r, p, o, b = t.records.c, t.published.c, t.outbox.c, t.sync_batches.c
    query = (select(o.dataset, o.record_key, o.state, o.reason, b.sent_at)
             .select_from(t.outbox
                          .join(t.records, and_(r.campaign == o.campaign, r.dataset == o.dataset,
                                                r.record_key == o.record_key, r.version == o.version))
                          .join(t.published, and_(p.campaign == o.campaign, p.dataset == o.dataset,
                                                  p.record_key == o.record_key, p.version == o.version))
                          .outerjoin(t.sync_batches, b.key == o.batch_key))
             .where(o.campaign == campaign, o.state.in_(("acknowledged", "rejected", "sending")))
             .order_by(o.id))
    names = ("dataset", "record_key", "state", "reason", "sent_at")
    with store.engine.connect() as conn:
        return [dict(zip(names, row, strict=True)) for row in conn.execute(query)]


def published_record(store: SqlAlchemyStore, campaign: str, dataset: str, key: str) -> dict[str, Any] | None:
    """A record's row in the shared layer, its values decoded (`data`), or None."""
    p = t.published.c
    with store.engine.connect() as conn:
        row = conn.execute(select(t.published).where(p.campaign == campaign, p.dataset == dataset,
                                                     p.record_key == key)).mappings().first()
    return {**row, "data": json.loads(row["data"])} if row else None
