"""A citizen's access report: every lookup of one citizen ID — which agency, when, for what
purpose — for the inspector, and as the answer to the citizen's own request under the
personal-data law. Found by the keyed hash of the ID; the log never held the ID in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lamsach.backends.store import access_log
from lamsach.backends.store.sqlalchemy_store import SqlAlchemyStore
from lamsach.lookups.subject_key import access_key, subject_hash

VN = timezone(timedelta(hours=7), "ICT")
PAGE = 10_000


@dataclass(frozen=True)
class AccessEntry:
    seq: int
    at: str  # Vietnam time, to the second
    client: str
    scope: str
    purpose: str
    purpose_label: str


@dataclass(frozen=True)
class AccessReport:
    subject: str  # the masked ID
    entries: list[AccessEntry]


def local_time(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(VN).strftime("%Y-%m-%d %H:%M:%S")


def access_report(store: SqlAlchemyStore, data_dir: Path, citizen_id: str, lang: str = "vi",
                  key: bytes | None = None) -> AccessReport:
    from lamsach.web.masking import mask_id
    from lamsach.web.wording import purposes

    names = purposes()
    digest = subject_hash(key or access_key(data_dir), citizen_id)
    rows, _ = access_log.entries(store, PAGE, 0, subject_hash=digest)
    entries = [AccessEntry(r["seq"], local_time(r["at"]), r["client"], r["scope"], r["purpose"],
                           names.get(r["purpose"], {}).get(lang, r["purpose"])) for r in rows]
    return AccessReport(mask_id(citizen_id) or "", entries)
