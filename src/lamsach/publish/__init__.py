"""Publish stage: the pass's results saved with its run, its contract files and reports written
into a staging folder, and that folder put in place of the previous outputs at the end; and the
shared layer lookups read, with the outbox to the National Data Center."""

from lamsach.publish.contract import save_results, write_outputs
from lamsach.publish.folder import discard, open_staging, publish
from lamsach.publish.outbox import LINE_KEYS, line_renderer, line_sql
from lamsach.publish.shared_layer import (
    NOT_ACKNOWLEDGED,
    NOT_PUBLISHED,
    REJECTED,
    Publishing,
    SharedResult,
    publish_shared,
    start_publish_shared,
)

__all__ = ["LINE_KEYS", "NOT_ACKNOWLEDGED", "NOT_PUBLISHED", "REJECTED", "Publishing", "SharedResult", "discard",
           "line_renderer", "line_sql", "open_staging", "publish", "publish_shared", "save_results",
           "start_publish_shared", "write_outputs"]
