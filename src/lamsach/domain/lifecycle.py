"""Whether a record is still in use: merged into the record kept of a duplicate pair, or retired.

The state is one reserved value of the record, `_state`, so it is versioned like any value: set
by a change that names who, when and why, shown in the record's history and undone by undoing
that change. A record not in use is left out of every pass (no findings, not counted) but kept.
"""

from __future__ import annotations

STATE_FIELD = "_state"
RETIRED = "retired"
MERGED_PREFIX = "merged:"


def merged_into(key: str) -> str:
    """The state of a record merged into the record `key`."""
    return f"{MERGED_PREFIX}{key}"


def in_use(data: dict) -> bool:
    return not data.get(STATE_FIELD)


def state_of(data: dict) -> tuple[str | None, str | None]:
    """("merged", kept key), ("retired", None) or (None, None) for a record in use."""
    value = data.get(STATE_FIELD)
    if not value:
        return None, None
    if str(value).startswith(MERGED_PREFIX):
        return "merged", str(value)[len(MERGED_PREFIX):]
    return RETIRED, None
