"""Tying documents to records: by hand, or an officer's verdict on a suggestion from the text."""

from __future__ import annotations

from lamsach.archive.intake import RecordRef
from lamsach.backends.store import archive as catalogue
from lamsach.domain import ErrorCode, LamsachError, Location


def link_document(store, document_id: int, record: RecordRef, actor: str, confirm: bool = True) -> None:
    """Confirm (or reject) the tie between a document and a record; a tie by hand is confirmed."""
    if catalogue.document(store, document_id) is None:
        raise LamsachError(ErrorCode.ARCHIVE_DOCUMENT_NOT_FOUND, Location(), {"document": document_id})
    if confirm and store.record(record.campaign, record.dataset, record.record_key) is None:
        raise LamsachError(ErrorCode.ARCHIVE_RECORD_NOT_FOUND, Location(), {
            "campaign": record.campaign, "dataset": record.dataset, "record": record.record_key})
    catalogue.save_link(store, document_id, record.campaign, record.dataset, record.record_key,
                        catalogue.CONFIRMED if confirm else catalogue.REJECTED, None, actor)


def suggestions(store, document_id: int | None = None) -> list[dict]:
    """Suggested ties waiting for an officer."""
    return catalogue.links(store, document_id, status=catalogue.SUGGESTED)


def record_documents(store, campaign: str, dataset: str, record_key: str) -> list[dict]:
    """A record's documents, confirmed and suggested."""
    return catalogue.record_documents(store, campaign, dataset, record_key)
