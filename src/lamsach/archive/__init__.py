"""The electronic archive: scans and PDFs kept byte for byte by SHA-256, read by Vietnamese OCR,
described by validated metadata, searched without tone marks, tied to records, checked for fixity."""

from lamsach.archive.files import display_name
from lamsach.archive.folding import fold, search_terms, snippet
from lamsach.archive.intake import KEPT, REFUSED, AddOutcome, RecordRef, add_content, add_path, vault_for
from lamsach.archive.metadata import access_levels, may_open, metadata_fields, metadata_schema
from lamsach.archive.search import Hit, SearchResult, open_document, search, visibility_for

__all__ = [
    "KEPT",
    "REFUSED",
    "AddOutcome",
    "Hit",
    "SearchResult",
    "RecordRef",
    "access_levels",
    "add_content",
    "add_path",
    "display_name",
    "fold",
    "may_open",
    "metadata_fields",
    "metadata_schema",
    "open_document",
    "search",
    "search_terms",
    "snippet",
    "vault_for",
    "visibility_for",
]
