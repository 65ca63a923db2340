"""The electronic archive: scans and PDFs kept byte for byte by SHA-256, read by Vietnamese OCR,
described by validated metadata, searched without tone marks, tied to records, checked for fixity."""

from lamsach.archive.files import display_name
from lamsach.archive.fixity import FixitySchedule, VerifyReport, verify
from lamsach.archive.folding import fold, search_terms, snippet
from lamsach.archive.intake import (
    KEPT,
    PENDING,
    REFUSED,
    AddOutcome,
    RecordRef,
    add_content,
    add_path,
    read_kept,
    receive_content,
    vault_for,
)
from lamsach.archive.linking import link_document, record_documents, suggestions
from lamsach.archive.metadata import access_levels, may_open, metadata_fields, metadata_schema
from lamsach.archive.requirements import missing_document_findings
from lamsach.archive.search import Hit, SearchResult, open_document, search, visibility_for

__all__ = [
    "KEPT",
    "PENDING",
    "REFUSED",
    "AddOutcome",
    "FixitySchedule",
    "Hit",
    "SearchResult",
    "VerifyReport",
    "RecordRef",
    "access_levels",
    "add_content",
    "add_path",
    "display_name",
    "fold",
    "link_document",
    "may_open",
    "metadata_fields",
    "metadata_schema",
    "missing_document_findings",
    "open_document",
    "read_kept",
    "receive_content",
    "record_documents",
    "search",
    "search_terms",
    "snippet",
    "suggestions",
    "vault_for",
    "verify",
    "visibility_for",
]
