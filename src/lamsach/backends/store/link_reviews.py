"""The review queue of person links in the store: what the linker could not decide alone.

Each pass supersedes the open items of the previous passes of its campaign and adds its own,
so the queue always shows the latest evidence. An officer's decision (`decide_link_review`)
outlives the pass: accepted, the candidate becomes a `manual` link in every later pass;
rejected, the candidate is never proposed again for that reference.

Repository functions over the store's `link_reviews` table, beside `users` and `jobs`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t

OPEN, ACCEPTED, REJECTED, SUPERSEDED = "open", "accepted", "rejected", "superseded"
REVIEW_FIELDS = ("dataset", "record_key", "role", "citizen_id", "register_record", "match_probability",
                 "match_weight", "runner_up_weight", "weights")


def save_link_reviews(store: SqlAlchemyStore, run_id: int, campaign: str, rows: list[dict]) -> int:
    """Supersede the campaign's open items and queue `rows` (dicts of `REVIEW_FIELDS`)."""
    now = datetime.now(UTC)
    with store.engine.begin() as conn:
        conn.execute(update(t.link_reviews).where(t.link_reviews.c.campaign == campaign,
                                                  t.link_reviews.c.status == OPEN)
                     .values(status=SUPERSEDED))
        if rows:
            conn.execute(insert(t.link_reviews), [
                {**{k: r.get(k) for k in REVIEW_FIELDS}, "run_id": run_id, "campaign": campaign,
                 "status": OPEN, "created_at": now} for r in rows])
    return len(rows)


def link_reviews(store: SqlAlchemyStore, campaign: str, status: str | None = OPEN) -> list[dict]:
    query = select(t.link_reviews).where(t.link_reviews.c.campaign == campaign).order_by(t.link_reviews.c.id)
    if status is not None:
        query = query.where(t.link_reviews.c.status == status)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def decide_link_review(store: SqlAlchemyStore, review_id: int, status: str, actor: str, reason: str) -> None:
    """An officer accepts or rejects one queued candidate."""
    if status not in (ACCEPTED, REJECTED):
        raise ValueError(status)
    with store.engine.begin() as conn:
        changed = conn.execute(update(t.link_reviews).where(t.link_reviews.c.id == review_id).values(
            status=status, decided_by=actor, decided_at=datetime.now(UTC), reason=reason)).rowcount
    if not changed:
        raise KeyError(review_id)


def link_decisions(store: SqlAlchemyStore, campaign: str) -> list[dict]:
    """The latest decision per (dataset, record, role, candidate) of a campaign."""
    rows = link_reviews(store, campaign, status=None)
    latest: dict[tuple, dict] = {}
    for row in rows:
        if row["status"] in (ACCEPTED, REJECTED):
            latest[(row["dataset"], row["record_key"], row["role"], row["citizen_id"])] = row
    return [{"dataset": r["dataset"], "record_id": r["record_key"], "role": r["role"],
             "citizen_id": r["citizen_id"], "status": r["status"]} for r in latest.values()]
