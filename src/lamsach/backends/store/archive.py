"""The archive's catalogue in the store: documents, their text and its full-text index, metadata
findings, links to records and fixity checks.

Search runs on SQLite's FTS5 or PostgreSQL's GIN index over the folded text (no tone marks, đ as
d), filtered by access level in SQL so a page of results holds only what the viewer may open.
Repository functions over the store's `archive_*` tables, beside `users` and `jobs`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import tables as t

SUGGESTED, CONFIRMED, REJECTED = "suggested", "confirmed", "rejected"
D = t.archive_documents


@dataclass(frozen=True)
class Visibility:
    """What a viewer may open: levels open to them, and levels open only within their unit."""

    levels: tuple[str, ...]
    unit_levels: tuple[str, ...] = ()
    unit: str | None = None

    def condition(self):
        allowed = [D.c.access_level.in_(self.levels)] if self.levels else []
        if self.unit_levels and self.unit:
            allowed.append(and_(D.c.access_level.in_(self.unit_levels), D.c.unit == self.unit))
        return or_(*allowed) if allowed else text("1 = 0")


def _now() -> datetime:
    return datetime.now(UTC)


def _row(row) -> dict:
    values = dict(row._mapping)
    if "metadata" in values:
        values["metadata"] = json.loads(values["metadata"])
    return values


def document_by_sha(store: SqlAlchemyStore, sha256: str) -> dict | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(D).where(D.c.sha256 == sha256)).first()
    return _row(row) if row else None


class AlreadyKept(Exception):
    """The same bytes were catalogued meanwhile (two people sent one file at once)."""

    def __init__(self, document_id: int) -> None:
        super().__init__(document_id)
        self.document_id = document_id


def add_document(store: SqlAlchemyStore, document: dict, text_value: str, folded: str,
                 findings: list[dict], links: list[dict]) -> int:
    """Catalogue one kept file with its text, metadata findings and links, in one transaction."""
    try:
        return _add_document(store, document, text_value, folded, findings, links)
    except IntegrityError:
        known = document_by_sha(store, document["sha256"])
        if known is None:
            raise
        raise AlreadyKept(known["id"]) from None


def _add_document(store: SqlAlchemyStore, document: dict, text_value: str, folded: str,
                  findings: list[dict], links: list[dict]) -> int:
    now = _now()
    with store.engine.begin() as conn:
        document_id = int(conn.execute(insert(D).values(
            **{**document, "metadata": json.dumps(document["metadata"], ensure_ascii=False, sort_keys=True)},
            added_at=now)).inserted_primary_key[0])
        conn.execute(insert(t.archive_texts).values(document_id=document_id, text=text_value, folded=folded))
        _write_findings(conn, document_id, findings)
        for link in links:
            conn.execute(insert(t.archive_links).values(document_id=document_id, created_at=now, **link))
    return document_id


def add_texts(store: SqlAlchemyStore, entries: list[tuple[dict, str, str]]) -> list[int]:
    """Catalogue many documents whose text is already known (document, text, folded text), in one
    transaction, for moving an existing digitised archive in (its OCR done elsewhere); their
    files are written to the vault by the caller. Returns their numbers in order."""
    if not entries:
        return []
    now = _now()
    rows = [{**document, "metadata": json.dumps(document["metadata"], ensure_ascii=False, sort_keys=True),
             "added_at": now} for document, _, _ in entries]
    with store.engine.begin() as conn:
        ids = [int(i) for i in conn.execute(insert(D).returning(D.c.id, sort_by_parameter_order=True), rows)
               .scalars()]
        conn.execute(insert(t.archive_texts), [{"document_id": i, "text": body, "folded": folded}
                                               for i, (_, body, folded) in zip(ids, entries, strict=True)])
    return ids


def finish_reading(store: SqlAlchemyStore, document_id: int, text_source: str, copy_sha256: str | None,
                   text_value: str, folded: str, suggested: list[dict]) -> None:
    """A document's text once read (after it was kept with its text pending): the text and its
    index, the searchable copy's hash and the suggested ties, in one transaction; suggestions
    made by an earlier reading are replaced, an officer's decisions are kept."""
    now = _now()
    L = t.archive_links
    with store.engine.begin() as conn:
        conn.execute(update(D).where(D.c.id == document_id).values(text_source=text_source,
                                                                     copy_sha256=copy_sha256))
        conn.execute(update(t.archive_texts).where(t.archive_texts.c.document_id == document_id)
                     .values(text=text_value, folded=folded))
        conn.execute(delete(L).where(L.c.document_id == document_id, L.c.status == SUGGESTED))
        decided = {(r.campaign, r.dataset, r.record_key) for r in conn.execute(
            select(L.c.campaign, L.c.dataset, L.c.record_key).where(L.c.document_id == document_id))}
        for link in suggested:
            if (link["campaign"], link["dataset"], link["record_key"]) not in decided:
                conn.execute(insert(L).values(document_id=document_id, created_at=now, **link))


def _write_findings(conn, document_id: int, findings: list[dict]) -> None:
    conn.execute(delete(t.archive_findings).where(t.archive_findings.c.document_id == document_id))
    if findings:
        conn.execute(insert(t.archive_findings), [
            {"document_id": document_id, **{k: f[k] for k in ("field", "criterion", "rule", "severity", "message")}}
            for f in findings])


def unread_documents(store: SqlAlchemyStore, pending: str, kinds: tuple[str, ...]) -> list[dict]:
    """Documents kept with their text `pending` and no reading (job of `kinds`) queued or running:
    kept by a process that stopped before it could queue the reading."""
    jobs = t.web_jobs.c
    queued = exists().where(jobs.document_id == D.c.id, jobs.kind.in_(kinds), jobs.state.in_(("queued", "running")))
    query = select(D.c.id, D.c.file_name, D.c.added_by, D.c.unit).where(D.c.text_source == pending, ~queued)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(D.c.id))]


def document(store: SqlAlchemyStore, document_id: int) -> dict | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(D).where(D.c.id == document_id)).first()
    return _row(row) if row else None


def documents(store: SqlAlchemyStore, limit: int = 100, offset: int = 0) -> list[dict]:
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(select(D).order_by(D.c.id).limit(limit).offset(offset))]


def all_files(store: SqlAlchemyStore) -> list[dict]:
    """Every kept file's document, hash and copy hash, for a fixity check."""
    columns = (D.c.id, D.c.sha256, D.c.copy_sha256, D.c.file_name, D.c.size_bytes)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*columns).order_by(D.c.id))]


def document_text(store: SqlAlchemyStore, document_id: int) -> str:
    with store.engine.connect() as conn:
        return conn.execute(select(t.archive_texts.c.text).where(
            t.archive_texts.c.document_id == document_id)).scalar() or ""


def findings(store: SqlAlchemyStore, document_id: int) -> list[dict]:
    query = select(t.archive_findings).where(t.archive_findings.c.document_id == document_id) \
        .order_by(t.archive_findings.c.id)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# search ----------------------------------------------------------------------------------------
COUNT_CAP = 1000  # a search counts matches up to this many; past it the page says "more than"


def search(store: SqlAlchemyStore, terms: list[str], visibility: Visibility, limit: int = 20,
           offset: int = 0, count_cap: int = COUNT_CAP) -> tuple[list[dict], int, bool]:
    """Documents whose folded text holds every term (prefix match on the last word unless it is a
    number), best first; how
    many match (counted up to `count_cap`) and whether there are more than that; only those
    `visibility` lets the viewer open.

    The index finds the matches the viewer may open, newest first, and stops at `count_cap` + 1:
    those are counted and ranked by the index's own measure (FTS5's bm25, PostgreSQL's ts_rank
    over the stored vector), and only the page's rows and texts are read. The cost is bounded
    whatever the archive's size; the price is that a query matching more than `count_cap`
    documents ranks the newest `count_cap` of them, and the page says there are more and asks
    for a narrower query.
    """
    if not terms:
        return [], 0, False
    # the last word may be unfinished (typing "nguyen van an" finds "Anh" too); a number is
    # whole: parcel 12 is not parcel 125, and "1" as a prefix would match every year and serial
    prefix = not terms[-1].isdigit()
    if store.engine.dialect.name == "sqlite":
        query = " ".join(f'"{term}"' for term in terms) + ("*" if prefix else "")
        fts = literal_column("archive_fts")
        candidates = (select(D.c.id, literal_column("archive_fts.rank").label("score"))
                      .select_from(text("archive_fts")).join(D, D.c.id == literal_column("archive_fts.rowid"))
                      .where(fts.op("MATCH")(bindparam("q", query)))
                      .order_by(literal_column("archive_fts.rowid").desc()))
        best_first = False  # bm25 as FTS5 gives it: lower is better
    else:
        # the stored `search_vector` column (migration 0013) and its GIN index
        tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), " & ".join([*terms[:-1], terms[-1] + (":*" if prefix else "")]))
        vector = literal_column("archive_texts.search_vector")
        candidates = (select(D.c.id, func.ts_rank(vector, tsquery).label("score")).select_from(t.archive_texts)
                      .join(D, D.c.id == t.archive_texts.c.document_id).where(vector.op("@@")(tsquery))
                      .order_by(t.archive_texts.c.document_id.desc()))
        best_first = True
    candidates = candidates.where(visibility.condition()).limit(count_cap + 1)
    with store.engine.connect() as conn:
        found = [(r.id, float(r.score)) for r in conn.execute(candidates)]
        found.sort(key=lambda f: (-f[1] if best_first else f[1], -f[0]))  # best, then newest
        ids = [i for i, _ in found[:count_cap][offset:offset + limit]]
        rows = {r.id: _row(r) for r in conn.execute(
            select(D, t.archive_texts.c.text).join(t.archive_texts, t.archive_texts.c.document_id == D.c.id)
            .where(D.c.id.in_(ids)))} if ids else {}
    return [rows[i] for i in ids if i in rows], min(len(found), count_cap), len(found) > count_cap


# links -----------------------------------------------------------------------------------------
def save_link(store: SqlAlchemyStore, document_id: int, campaign: str, dataset: str, record_key: str,
              status: str, evidence: str | None, actor: str | None = None) -> None:
    """Tie a document to a record (or change the tie's status); one row per document and record."""
    now = _now()
    key = (t.archive_links.c.document_id == document_id, t.archive_links.c.campaign == campaign,
           t.archive_links.c.dataset == dataset, t.archive_links.c.record_key == record_key)
    decided = {"decided_by": actor, "decided_at": now} if actor else {}
    with store.engine.begin() as conn:
        if conn.execute(select(t.archive_links.c.id).where(*key)).first():
            conn.execute(update(t.archive_links).where(*key).values(status=status, **decided))
        else:
            conn.execute(insert(t.archive_links).values(document_id=document_id, campaign=campaign,
                                                        dataset=dataset, record_key=record_key, status=status,
                                                        evidence=evidence, created_at=now, **decided))


def links(store: SqlAlchemyStore, document_id: int | None = None, status: str | None = None) -> list[dict]:
    query = select(t.archive_links).order_by(t.archive_links.c.id)
    if document_id is not None:
        query = query.where(t.archive_links.c.document_id == document_id)
    if status is not None:
        query = query.where(t.archive_links.c.status == status)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def record_documents(store: SqlAlchemyStore, campaign: str, dataset: str, record_key: str) -> list[dict]:
    """A record's documents (confirmed and suggested), with the link's status and evidence."""
    L = t.archive_links
    query = (select(D, L.c.status.label("link_status"), L.c.evidence.label("link_evidence"))
             .join(L, L.c.document_id == D.c.id)
             .where(L.c.campaign == campaign, L.c.dataset == dataset, L.c.record_key == record_key,
                    L.c.status != REJECTED).order_by(D.c.id))
    with store.engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def confirmed_record_keys(store: SqlAlchemyStore, campaign: str, dataset: str) -> set[str]:
    """Keys of the records of a dataset that have at least one confirmed document."""
    L = t.archive_links
    query = select(L.c.record_key).where(L.c.campaign == campaign, L.c.dataset == dataset,
                                         L.c.status == CONFIRMED).distinct()
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(query)}


# fixity ----------------------------------------------------------------------------------------
def record_checks(store: SqlAlchemyStore, checks: list[dict], actor: str) -> None:
    """Each check of one verification run as an event (document, hash, kind, outcome, detail)."""
    if not checks:
        return
    now = _now()
    with store.engine.begin() as conn:
        conn.execute(insert(t.archive_checks), [{**c, "at": now, "actor": actor} for c in checks])


def checks(store: SqlAlchemyStore, limit: int = 200, document_id: int | None = None) -> list[dict]:
    query = select(t.archive_checks).order_by(t.archive_checks.c.id.desc()).limit(limit)
    if document_id is not None:
        query = query.where(t.archive_checks.c.document_id == document_id)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


# records a document's text names -----------------------------------------------------------------
def _json_field(store: SqlAlchemyStore, field: str):
    """A text field inside `records.data`, written as migration 0010's expression indexes are."""
    if store.engine.dialect.name == "postgresql":
        return literal_column(f"(CAST(records.data AS JSONB) ->> '{field}')")
    return literal_column(f"json_extract(records.data, '$.{field}')")


def records_where(store: SqlAlchemyStore, dataset: str, values: dict[str, str], limit: int = 5000) -> list[dict]:
    """Records of `dataset` (any campaign) whose fields equal `values`: campaign, key and data."""
    R = t.records
    query = select(R.c.campaign, R.c.dataset, R.c.record_key, R.c.data).where(R.c.dataset == dataset)
    for field, value in values.items():
        query = query.where(_json_field(store, field) == value)
    with store.engine.connect() as conn:
        return [{**dict(r._mapping), "data": json.loads(r.data)} for r in conn.execute(query.limit(limit))]
