"""The system of record: SQLAlchemy over SQLite (default) or PostgreSQL, migrated by Alembic."""

from lamsach.backends.store.base import (
    FINDING_STORE_COLUMNS,
    BatchInput,
    BatchResult,
    ChangeRow,
    IncomingRow,
    IncomingRows,
    KeptLinkModel,
    LineSql,
    PublishCounts,
    PublishItem,
    Store,
    StoredBatch,
    StoredRecord,
    ValueChange,
    as_utc,
    process_alive,
    this_host,
)
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore

__all__ = [
    "FINDING_STORE_COLUMNS",
    "BatchInput",
    "BatchResult",
    "ChangeRow",
    "IncomingRow",
    "IncomingRows",
    "KeptLinkModel",
    "LineSql",
    "PublishCounts",
    "PublishItem",
    "SqlAlchemyStore",
    "Store",
    "StoredBatch",
    "StoredRecord",
    "ValueChange",
    "as_utc",
    "process_alive",
    "this_host",
]
