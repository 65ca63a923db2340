"""The one error type users see: a code, a location in their file, and a message in vi and en.

Wording lives in `data/messages/errors.yaml`; code only chooses the code and fills placeholders,
so a clerk never sees a class name or a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    MANIFEST_NOT_FOUND = "MANIFEST_NOT_FOUND"
    MANIFEST_INVALID = "MANIFEST_INVALID"
    MANIFEST_NOT_UTF8 = "MANIFEST_NOT_UTF8"
    MANIFEST_YAML_TAB = "MANIFEST_YAML_TAB"
    MANIFEST_YAML_COLON = "MANIFEST_YAML_COLON"
    MANIFEST_YAML_NO_COLON = "MANIFEST_YAML_NO_COLON"
    MANIFEST_YAML_UNCLOSED = "MANIFEST_YAML_UNCLOSED"
    MANIFEST_YAML_INDENT = "MANIFEST_YAML_INDENT"
    MANIFEST_YAML_SYNTAX = "MANIFEST_YAML_SYNTAX"
    MANIFEST_NOT_MAPPING = "MANIFEST_NOT_MAPPING"
    MANIFEST_VALUE_NOT_MAPPING = "MANIFEST_VALUE_NOT_MAPPING"
    MANIFEST_VALUE_NOT_LIST = "MANIFEST_VALUE_NOT_LIST"
    MANIFEST_VALUE_NOT_BOOLEAN = "MANIFEST_VALUE_NOT_BOOLEAN"
    MANIFEST_VALUE_NOT_CHOICE = "MANIFEST_VALUE_NOT_CHOICE"
    MANIFEST_RULE_UNKNOWN = "MANIFEST_RULE_UNKNOWN"
    MANIFEST_DOCUMENT_ENTRY_INVALID = "MANIFEST_DOCUMENT_ENTRY_INVALID"
    MANIFEST_KEY_UNKNOWN = "MANIFEST_KEY_UNKNOWN"
    CAMPAIGN_DATE_INVALID = "CAMPAIGN_DATE_INVALID"
    CAMPAIGN_DEADLINE_BEFORE_START = "CAMPAIGN_DEADLINE_BEFORE_START"
    CAMPAIGN_TARGET_UNKNOWN = "CAMPAIGN_TARGET_UNKNOWN"
    CAMPAIGN_TARGET_INVALID = "CAMPAIGN_TARGET_INVALID"
    CAMPAIGN_NUMBER_INVALID = "CAMPAIGN_NUMBER_INVALID"
    MANIFEST_FIELD_MISSING = "MANIFEST_FIELD_MISSING"
    MANIFEST_DATASET_UNKNOWN = "MANIFEST_DATASET_UNKNOWN"
    MANIFEST_COLUMN_UNKNOWN = "MANIFEST_COLUMN_UNKNOWN"
    MANIFEST_SOURCE_REPEATED = "MANIFEST_SOURCE_REPEATED"
    MANIFEST_PATH_OUTSIDE = "MANIFEST_PATH_OUTSIDE"
    MANIFEST_URL_OUTSIDE = "MANIFEST_URL_OUTSIDE"
    DATA_FILE_INVALID = "DATA_FILE_INVALID"
    INGEST_FILE_NOT_FOUND = "INGEST_FILE_NOT_FOUND"
    INGEST_URL_NEEDS_SPARK = "INGEST_URL_NEEDS_SPARK"
    INGEST_URL_UNREADABLE = "INGEST_URL_UNREADABLE"
    INGEST_FILE_EMPTY = "INGEST_FILE_EMPTY"
    INGEST_FILE_TOO_LARGE = "INGEST_FILE_TOO_LARGE"
    INGEST_FILE_CORRUPT = "INGEST_FILE_CORRUPT"
    INGEST_FILE_CHANGED = "INGEST_FILE_CHANGED"
    INGEST_FILE_ENCRYPTED = "INGEST_FILE_ENCRYPTED"
    INGEST_FORMAT_UNSUPPORTED = "INGEST_FORMAT_UNSUPPORTED"
    INGEST_ENCODING_UNKNOWN = "INGEST_ENCODING_UNKNOWN"
    INGEST_HEADER_MISSING = "INGEST_HEADER_MISSING"
    INGEST_REQUIRED_COLUMN_MISSING = "INGEST_REQUIRED_COLUMN_MISSING"
    INGEST_COLUMN_DUPLICATE = "INGEST_COLUMN_DUPLICATE"
    INGEST_ROW_KEY_MISSING = "INGEST_ROW_KEY_MISSING"
    INGEST_ROW_KEY_DUPLICATE = "INGEST_ROW_KEY_DUPLICATE"
    INGEST_ROW_KEY_COLLISION = "INGEST_ROW_KEY_COLLISION"
    INGEST_ROW_KEY_OTHER_UNIT = "INGEST_ROW_KEY_OTHER_UNIT"
    INGEST_ROW_TOO_LONG = "INGEST_ROW_TOO_LONG"
    INGEST_FORMULA_WITHOUT_RESULT = "INGEST_FORMULA_WITHOUT_RESULT"
    INGEST_CELL_ERROR_VALUE = "INGEST_CELL_ERROR_VALUE"
    INGEST_ROW_ENCODING_INVALID = "INGEST_ROW_ENCODING_INVALID"
    INGEST_SHEET_NOT_FOUND = "INGEST_SHEET_NOT_FOUND"
    STORE_UNAVAILABLE = "STORE_UNAVAILABLE"
    ARCHIVE_FILE_NOT_FOUND = "ARCHIVE_FILE_NOT_FOUND"
    ARCHIVE_FILE_EMPTY = "ARCHIVE_FILE_EMPTY"
    ARCHIVE_FILE_CORRUPT = "ARCHIVE_FILE_CORRUPT"
    ARCHIVE_FILE_ENCRYPTED = "ARCHIVE_FILE_ENCRYPTED"
    ARCHIVE_FORMAT_UNSUPPORTED = "ARCHIVE_FORMAT_UNSUPPORTED"
    ARCHIVE_TOO_MANY_PAGES = "ARCHIVE_TOO_MANY_PAGES"
    ARCHIVE_DUPLICATE = "ARCHIVE_DUPLICATE"
    ARCHIVE_NO_TEXT = "ARCHIVE_NO_TEXT"
    ARCHIVE_OCR_FAILED = "ARCHIVE_OCR_FAILED"
    ARCHIVE_RECORD_NOT_FOUND = "ARCHIVE_RECORD_NOT_FOUND"
    ARCHIVE_DOCUMENT_NOT_FOUND = "ARCHIVE_DOCUMENT_NOT_FOUND"
    ARCHIVE_ACCESS_DENIED = "ARCHIVE_ACCESS_DENIED"
    ARCHIVE_KEPT_FILE_MISSING = "ARCHIVE_KEPT_FILE_MISSING"
    ARCHIVE_KEPT_FILE_ALTERED = "ARCHIVE_KEPT_FILE_ALTERED"
    STORE_DRIVER_MISSING = "STORE_DRIVER_MISSING"
    OUTPUT_NOT_WRITABLE = "OUTPUT_NOT_WRITABLE"
    ENGINE_UNKNOWN = "ENGINE_UNKNOWN"
    SPARK_NOT_INSTALLED = "SPARK_NOT_INSTALLED"
    SPARK_JAVA_MISSING = "SPARK_JAVA_MISSING"
    ENGINE_SQL_FAILED = "ENGINE_SQL_FAILED"
    WORKER_DIED = "WORKER_DIED"
    REVIEW_NO_COMPLETE_RUN = "REVIEW_NO_COMPLETE_RUN"
    REVIEW_RUN_NOT_FOUND = "REVIEW_RUN_NOT_FOUND"
    REVIEW_UNIT_UNKNOWN = "REVIEW_UNIT_UNKNOWN"
    REVIEW_FILE_NOT_FOUND = "REVIEW_FILE_NOT_FOUND"
    REVIEW_WORKBOOK_CORRUPT = "REVIEW_WORKBOOK_CORRUPT"
    REVIEW_NOT_CORRECTION_WORKBOOK = "REVIEW_NOT_CORRECTION_WORKBOOK"
    REVIEW_METADATA_INVALID = "REVIEW_METADATA_INVALID"
    REVIEW_WRONG_UNIT = "REVIEW_WRONG_UNIT"
    REVIEW_OLD_ROUND = "REVIEW_OLD_ROUND"
    REVIEW_SHEET_MISSING = "REVIEW_SHEET_MISSING"
    REVIEW_HEADER_CHANGED = "REVIEW_HEADER_CHANGED"
    REVIEW_KEY_CHANGED = "REVIEW_KEY_CHANGED"
    REVIEW_KEY_DUPLICATE = "REVIEW_KEY_DUPLICATE"
    REVIEW_ROW_ADDED = "REVIEW_ROW_ADDED"
    REVIEW_ROW_REMOVED = "REVIEW_ROW_REMOVED"
    REVIEW_RECORD_GONE = "REVIEW_RECORD_GONE"
    REVIEW_CELL_CONFLICT = "REVIEW_CELL_CONFLICT"
    RECORD_NOT_FOUND = "RECORD_NOT_FOUND"
    RECORD_NOT_IN_USE = "RECORD_NOT_IN_USE"
    RECORD_REASON_REQUIRED = "RECORD_REASON_REQUIRED"
    RECORD_MERGE_SELF = "RECORD_MERGE_SELF"
    FINDING_NOT_ON_RECORD = "FINDING_NOT_ON_RECORD"
    REVIEW_CELL_FORMULA = "REVIEW_CELL_FORMULA"
    REVIEW_CELL_NOT_DATE = "REVIEW_CELL_NOT_DATE"
    REVIEW_CELL_NOT_YEAR = "REVIEW_CELL_NOT_YEAR"
    REVIEW_CELL_DATE_IN_FUTURE = "REVIEW_CELL_DATE_IN_FUTURE"
    REVIEW_CELL_ID_INVALID = "REVIEW_CELL_ID_INVALID"
    REVIEW_CELL_ID_PROVINCE = "REVIEW_CELL_ID_PROVINCE"
    REVIEW_CELL_NOT_NUMBER = "REVIEW_CELL_NOT_NUMBER"
    REVIEW_CELL_SEX_INVALID = "REVIEW_CELL_SEX_INVALID"
    REVIEW_CELL_CODE_UNKNOWN = "REVIEW_CELL_CODE_UNKNOWN"
    REVIEW_CELL_UNIT_ABOLISHED = "REVIEW_CELL_UNIT_ABOLISHED"
    REVIEW_CELL_FORMAT_INVALID = "REVIEW_CELL_FORMAT_INVALID"
    REVIEW_CELL_INVALID = "REVIEW_CELL_INVALID"
    REVIEW_ACTION_UNKNOWN = "REVIEW_ACTION_UNKNOWN"
    REVIEW_ACTION_NOT_OFFERED = "REVIEW_ACTION_NOT_OFFERED"
    REVIEW_ACTION_MISSING = "REVIEW_ACTION_MISSING"
    REVIEW_ACTION_INTO_MISSING = "REVIEW_ACTION_INTO_MISSING"
    REVIEW_ACTION_INTO_SELF = "REVIEW_ACTION_INTO_SELF"
    REVIEW_ACTION_INTO_UNKNOWN = "REVIEW_ACTION_INTO_UNKNOWN"
    REVIEW_ACTION_INTO_OTHER_UNIT = "REVIEW_ACTION_INTO_OTHER_UNIT"
    REVIEW_ACTION_INTO_NOT_IN_USE = "REVIEW_ACTION_INTO_NOT_IN_USE"
    REVIEW_ACTION_INTO_LEAVING = "REVIEW_ACTION_INTO_LEAVING"
    REVIEW_ACTION_REASON_MISSING = "REVIEW_ACTION_REASON_MISSING"
    REVIEW_ACTION_RECORD_NOT_IN_USE = "REVIEW_ACTION_RECORD_NOT_IN_USE"
    SYNC_TARGET_MISSING = "SYNC_TARGET_MISSING"
    SYNC_SENDER_BUSY = "SYNC_SENDER_BUSY"
    SYNC_UNREACHABLE = "SYNC_UNREACHABLE"
    SYNC_REFUSED = "SYNC_REFUSED"
    SYNC_RECEIVER_DIR = "SYNC_RECEIVER_DIR"


@dataclass(frozen=True)
class Location:
    """Where in the user's files: `row` is the row number Excel shows, `column` the header text."""

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row, "column": self.column}


@dataclass
class LamsachError(Exception):
    """A problem the user can fix; `message(lang)` renders the template for `code`."""

    code: ErrorCode
    location: Location = field(default_factory=Location)
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"

    def __post_init__(self) -> None:
        super().__init__(self.code.value)

    def __reduce__(self) -> tuple:
        """Pickled by its fields (an exception pickles its `args`, here only the code's text), so
        an error found in a worker process reaches the pass whole."""
        return (type(self), (self.code, self.location, self.params, self.severity))

    def message(self, lang: str = "vi") -> str:
        if _renderer is None:  # only when nothing has imported `lamsach.data` (a bare domain test)
            return f"{self.code.value} {self.location.as_dict()} {self.params}"
        return shown(_renderer(self.code.value, lang, self.location, self.params))

    def __str__(self) -> str:
        return self.message("vi")

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "message": self.message("vi"),
            "message_en": self.message("en"),
            "location": self.location.as_dict(),
            "severity": self.severity,
        }


_STRAY = re.compile("[\udc80-\udcff]")


def shown(text: str) -> str:
    """Text as a user can be shown it: a byte that was not text in its file (kept as a lone
    surrogate so its row can be rejected, see ingest/encoding.py) becomes U+FFFD, which can be
    printed and written as UTF-8, instead of failing the report or the terminal."""
    return _STRAY.sub("\ufffd", text)


MessageRenderer = Callable[[str, str, Location, dict[str, Any]], str]
"""(code, lang, location, params) -> the user's message."""
_renderer: MessageRenderer | None = None


def use_message_renderer(renderer: MessageRenderer) -> None:
    """Set what `LamsachError.message` renders with. `lamsach.data` sets its templates when it is
    imported, so the domain reads no data file itself and imports nothing else from lamsach."""
    global _renderer
    _renderer = renderer
