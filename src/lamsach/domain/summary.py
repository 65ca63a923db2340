"""A pass's summary: what the user is told at the end and what the report's first page shows.

It lives in the domain because the runner fills it and the report reads it; neither stage has to
import the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PassSummary:
    """What the user is told at the end, and what the report's first page shows."""

    campaign: str
    run_id: int
    out_dir: str
    reference_date: str
    sources: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    rejection_reasons: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    findings_by_criterion: dict[str, dict[str, int]] = field(default_factory=dict)
    repairs: int = 0
    links: int = 0
    duplicates: int = 0
    published: dict[str, int] = field(default_factory=dict)  # versions published, unchanged, blocked, acknowledged
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # work done in a thread beside another stage, inside that stage's lap: what, and its seconds
    overlapped: dict[str, float] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)  # work taken from an earlier pass (same inputs), not redone
    seconds: float = 0.0
    # the files' own date when the snapshot is dated before it: dates up to it are not "in the future"
    files_date: str | None = None
