"""Files units send through the web, and the manifest a campaign's pass runs on.

An upload is kept as sent under `<data_dir>/web/uploads/<campaign>/<unit>/<dataset>/`, its name
prefixed with the moment it arrived. Every pass of a campaign — started by the web or by
`lamsach campaign run` — runs on the campaign's own manifest in which each unit's newest upload
replaces that unit's file for the dataset (or is added): a file the pass refused as a whole is
moved to `rejected/` so it does not block the next pass.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import yaml

from lamsach.campaign.model import CampaignSpec
from lamsach.domain.clock import UPLOAD_STAMP
from lamsach.settings import Settings

ACCEPTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")


def work_dir(settings: Settings) -> Path:
    """Where the web keeps what units send and the manifests it writes, beside the store."""
    return settings.data_dir / "web"


def uploads_dir(settings: Settings) -> Path:
    return work_dir(settings) / "uploads"


def campaign_folder(root: Path, campaign: str) -> Path:
    """A folder per campaign, named by a hash: campaign names are Vietnamese sentences."""
    return root / hashlib.sha1(campaign.encode("utf-8")).hexdigest()[:12]


def safe_name(name: str) -> str:
    stem = Path(name).name
    return re.sub(r"[^\w.\- ]", "_", stem, flags=re.UNICODE)[:120] or "tep"


def save_upload(root: Path, campaign: str, unit: str, dataset: str, name: str, content: bytes) -> Path:
    folder = campaign_folder(root, campaign) / unit / dataset
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime(UPLOAD_STAMP)
    path = folder / f"{stamp}-{safe_name(name)}"
    path.write_bytes(content)
    return path


def reject_upload(path: Path) -> Path:
    target = path.parent / "rejected" / path.name
    target.parent.mkdir(exist_ok=True)
    path.replace(target)
    return target


def latest_uploads(root: Path, campaign: str) -> dict[tuple[str, str], Path]:
    """(unit, dataset) -> the newest accepted upload."""
    found: dict[tuple[str, str], Path] = {}
    base = campaign_folder(root, campaign)
    if not base.is_dir():
        return found
    for unit_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for dataset_dir in sorted(p for p in unit_dir.iterdir() if p.is_dir()):
            files = sorted(p for p in dataset_dir.iterdir() if p.is_file())
            if files:
                found[(unit_dir.name, dataset_dir.name)] = files[-1]
    return found


def pass_source_roots(spec: CampaignSpec, settings: Settings) -> tuple[Path, ...]:
    """The folders the manifest `pass_manifest` writes may read from besides its own: the
    campaign's folder (its own manifest was checked to stay inside it) and the uploads."""
    assert spec.manifest.path is not None
    return (spec.manifest.path.parent, uploads_dir(settings))


def pass_manifest(spec: CampaignSpec, settings: Settings) -> Path:
    """The manifest a pass of the campaign runs on: the campaign's own file when no unit has sent
    anything through the web, else a written copy in which each unit's newest upload takes the
    place of its file for that dataset (paths absolute)."""
    source = spec.manifest.path
    assert source is not None
    uploads = latest_uploads(uploads_dir(settings), spec.name)
    if not uploads:
        return source
    document = yaml.safe_load(source.read_text(encoding="utf-8-sig")) or {}
    sources = []
    for raw in document.get("sources") or []:
        entry = dict(raw)
        entry["path"] = str((source.parent / str(raw["path"])).resolve())
        unit = str(entry.get("unit") or "")
        upload = uploads.pop((unit, str(entry.get("dataset"))), None) if unit else None
        if upload is not None:
            entry["path"] = str(upload.resolve())
            entry.pop("sheet", None)
        sources.append(entry)
    for (unit, dataset), upload in sorted(uploads.items()):
        sources.append({"path": str(upload.resolve()), "dataset": dataset, "unit": unit})
    document["sources"] = sources
    target = campaign_folder(work_dir(settings) / "manifests", spec.name) / "manifest.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    # written whole then renamed: a pass started from the command line while the web's runs
    # never reads half a manifest
    partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    partial.replace(target)
    return target
