"""`sync status`: what waits, is being sent, was acknowledged or rejected, per unit and dataset."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.outbox import batch_rows, status_rows

STATES = ("waiting", "sending", "acknowledged", "rejected")


@dataclass
class StatusLine:
    campaign: str
    unit: str
    dataset: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    overdue: int = 0  # sent, not acknowledged after the set time


def sync_status(store: SqlAlchemyStore, overdue_hours: float,
                now: datetime | None = None) -> tuple[list[StatusLine], list[dict]]:
    """One line per campaign, unit and dataset with the outbox counted by state, and the latest batches."""
    before = (now or datetime.now(UTC)) - timedelta(hours=overdue_hours)
    lines: dict[tuple[str, str, str], StatusLine] = {}
    for row in status_rows(store, before):
        key = (row["campaign"], row["unit"] or "", row["dataset"])
        line = lines.setdefault(key, StatusLine(*key))
        line.counts[row["state"]] = line.counts.get(row["state"], 0) + int(row["entries"])
        line.overdue += int(row.get("overdue") or 0)
    return list(lines.values()), batch_rows(store)
