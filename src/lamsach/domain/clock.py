"""Vietnam's clock: the day and the time an officer reads are Vietnam's (UTC+7, no summer time),
whatever zone the server runs in; the store keeps UTC."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM_TIME = timezone(timedelta(hours=7), "ICT")
UPLOAD_STAMP = "%Y%m%dT%H%M%S%f"  # the prefix of a kept upload's name: the moment it arrived (UTC)
_STAMPED = re.compile(r"^(\d{8}T\d{12})-")


def today_vn(now: datetime | None = None) -> date:
    """Today in Vietnam: a pass started at 06:30 in Hà Nội is dated that day, not the UTC day before."""
    return (now or datetime.now(UTC)).astimezone(VIETNAM_TIME).date()


def in_vietnam(moment: datetime | None) -> datetime | None:
    """A stored moment in Vietnam's time (a naive one is UTC, as SQLite returns them)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM_TIME)


def upload_arrival(file_name: str) -> datetime | None:
    """When a kept upload arrived, read from its name's prefix; None for any other file."""
    name = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    found = _STAMPED.match(name)
    return datetime.strptime(found.group(1), UPLOAD_STAMP).replace(tzinfo=UTC) if found else None
