"""Lookups instead of paper: the facts agencies may look up, answered minimally, with the six
criteria still open on the records behind each answer.

`facts` is the only module that reads records: it reads the store's current record versions
today and is the one place to switch to the shared layer of published versions.
"""

from lamsach.lookups.scopes import allowed_purposes, default_purposes, scope_paths, scopes

__all__ = ["allowed_purposes", "default_purposes", "scope_paths", "scopes"]
