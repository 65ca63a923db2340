"""Publish stage: the pass's results saved with its run, its contract files and reports written
into a staging folder, and that folder put in place of the previous outputs at the end."""

from lamsach.publish.contract import save_results, write_outputs
from lamsach.publish.folder import discard, open_staging, publish

__all__ = ["discard", "open_staging", "publish", "save_results", "write_outputs"]
