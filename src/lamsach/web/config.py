"""How the web app runs: its settings beside the pass's `Settings` (sessions, lock-out, pages).

Folders live under the store's data directory: uploads are kept there per campaign and unit,
and every pass the web starts writes its reports there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lamsach.campaign import uploads
from lamsach.settings import Settings


@dataclass(frozen=True)
class WebConfig:
    settings: Settings = field(default_factory=Settings.from_env)
    session_hours: int = 8  # a session ends this long after sign-in
    max_failed_sign_ins: int = 5  # wrong passwords in a row before the account is locked
    lock_minutes: int = 15  # how long a locked account stays locked
    page_size: int = 50  # findings per page of the review queue
    secure_cookies: bool = False  # set behind HTTPS: cookies then travel only over TLS
    upload_max_bytes: int = 50 * 1024 * 1024

    @property
    def work_dir(self) -> Path:
        return uploads.work_dir(self.settings)

    @property
    def uploads_dir(self) -> Path:
        return uploads.uploads_dir(self.settings)

    @property
    def runs_dir(self) -> Path:
        return self.work_dir / "runs"
