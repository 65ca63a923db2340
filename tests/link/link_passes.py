"""One pass of the link tests: where it wrote, its truth folder, the settings it ran with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lamsach.runner import PassSummary, run_pass
from lamsach.settings import Settings


@dataclass
class LinkedPass:
    out: Path
    truth: Path
    manifest: Path
    settings: Settings
    summary: PassSummary


def run(manifest: Path, folder: Path, **settings) -> LinkedPass:
    config = Settings(data_dir=folder / "data", **settings)
    summary = run_pass(manifest, folder / "out", config)
    return LinkedPass(folder / "out", manifest.parent / "truth", manifest, config, summary)
