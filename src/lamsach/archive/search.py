"""Finding documents: full text over OCR text and metadata, without tone marks or đ, with snippets;
only documents the viewer may open; every opening of a document logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from lamsach.archive.folding import search_terms, snippet
from lamsach.archive.metadata import access_levels, may_open
from lamsach.backends.store import archive as catalogue
from lamsach.backends.store.users import log_access
from lamsach.domain import ErrorCode, LamsachError, Location

PAGE_SIZE = 20


@dataclass(frozen=True)
class Hit:
    document_id: int
    title: str
    file_name: str
    doc_date: str | None
    access_level: str
    snippet: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # matches counted, at most `catalogue.COUNT_CAP`
    more: bool = False  # there are more matches than `total` (the count stopped at its cap)


def visibility_for(role: str, unit: str | None) -> catalogue.Visibility:
    """The access levels a role opens everywhere, and those it opens only in its own unit."""
    levels = access_levels()
    return catalogue.Visibility(
        levels=tuple(level for level, rule in levels.items() if role in rule["roles"]),
        unit_levels=tuple(level for level, rule in levels.items()
                          if role == "officer" and "officer_own_unit" in rule["roles"]),
        unit=unit)


def search(store, query: str, role: str, unit: str | None = None, limit: int = PAGE_SIZE,
           offset: int = 0) -> SearchResult:
    """Documents holding every word of `query` (tone marks and đ/d ignored), best first."""
    terms = search_terms(query)
    rows, total, more = catalogue.search(store, terms, visibility_for(role, unit), limit, offset)
    return SearchResult(query, [Hit(r["id"], r["metadata"].get("title") or r["file_name"], r["file_name"],
                                    r["metadata"].get("doc_date"), r["access_level"], snippet(r["text"], terms))
                                for r in rows], total, more)


def open_document(store, document_id: int, actor: str, role: str, unit: str | None = None,
                  purpose: str | None = None) -> dict:
    """A document the viewer may open, the opening logged (also a refused one)."""
    document = catalogue.document(store, document_id)
    if document is None:
        raise LamsachError(ErrorCode.ARCHIVE_DOCUMENT_NOT_FOUND, Location(), {"document": document_id})
    allowed = may_open(document["access_level"], role, unit, document["unit"])
    log_access(store, actor, role, "archive_open" if allowed else "archive_refused", unit=document["unit"],
               purpose=purpose, detail=f"document {document_id}: {document['file_name']}")
    if not allowed:
        level = access_levels().get(document["access_level"], {}).get("label_vi", document["access_level"])
        raise LamsachError(ErrorCode.ARCHIVE_ACCESS_DENIED, Location(), {"document": document_id, "level": level})
    return document
