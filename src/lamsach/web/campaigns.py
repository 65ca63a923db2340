"""Which campaign a page shows, and its declaration.

A campaign registered with `lamsach campaign create` is read from its file. A store may also hold
runs of a manifest that was never registered (`lamsach run`, `lamsach demo`): the web still shows
it, as a campaign starting at its first run with the default target, so a demo store can be
browsed at once.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Request

from lamsach.backends.store import SqlAlchemyStore
from lamsach.campaign import CampaignSpec, load_campaign
from lamsach.ingest import load_manifest
from lamsach.settings import Settings
from lamsach.web.errors import WebError
from lamsach.web.security import SignedIn

CAMPAIGN_COOKIE = "campaign"
DEFAULT_TARGETS = {"overall": 0.95}
DEFAULT_WEEKS = 12


def campaign_names(store: SqlAlchemyStore) -> list[str]:
    """Registered campaigns and the campaigns of runs, the most recently run first."""
    last_run: dict[str, int] = {}
    for run in store.runs():
        last_run[run["campaign"]] = run["id"]
    for campaign in store.campaigns():
        last_run.setdefault(campaign["name"], 0)
    return sorted(last_run, key=lambda name: (-last_run[name], name))


def base_manifest(store: SqlAlchemyStore, name: str, work_dir: Path) -> Path | None:
    """The campaign's own file: the registered one, else the first run's manifest that the web did
    not write itself."""
    for campaign in store.campaigns():
        if campaign["name"] == name:
            return Path(campaign["path"])
    for run in store.runs():
        path = run["manifest_path"]
        if run["campaign"] == name and path and not Path(path).is_relative_to(work_dir):
            return Path(path)
    return None


def campaign_spec(store: SqlAlchemyStore, name: str, work_dir: Path) -> CampaignSpec:
    path = base_manifest(store, name, work_dir)
    if path is None or not path.is_file():
        raise WebError("CAMPAIGN_FILE_MISSING", 404, {"campaign": name, "path": str(path or "")})
    registered = any(c["name"] == name for c in store.campaigns())
    dates = [r["reference_date"] for r in store.runs() if r["campaign"] == name and r["reference_date"]]
    start = date.fromisoformat(min(dates)) if dates else date.today()
    return _spec(str(path), path.stat().st_mtime_ns, registered, start)


@lru_cache(maxsize=32)
def _spec(path: str, _mtime: int, registered: bool, start: date) -> CampaignSpec:
    if registered:
        return load_campaign(Path(path))
    settings = Settings.from_env()
    manifest = load_manifest(Path(path), settings.source_root_paths, settings.source_url_prefixes)
    return CampaignSpec(manifest.name, manifest, start, start + timedelta(weeks=DEFAULT_WEEKS), DEFAULT_TARGETS)


RESOLVE_SECONDS = 2.0  # campaigns and their files change rarely: resolved at most this often
_resolved: dict[str, tuple[float, list[str], dict[str, CampaignSpec]]] = {}


def _resolve(store: SqlAlchemyStore, work_dir: Path, name: str | None) -> tuple[list[str], CampaignSpec]:
    now = time.monotonic()
    key = str(store.engine.url)
    at, names, specs = _resolved.get(key, (0.0, [], {}))
    if now - at > RESOLVE_SECONDS:
        names, specs = campaign_names(store), {}
        _resolved[key] = (now, names, specs)
    if not names:
        raise WebError("NO_CAMPAIGN", 404)
    chosen = name if name in names else names[0]
    if chosen not in specs:
        specs[chosen] = campaign_spec(store, chosen, work_dir)
    return names, specs[chosen]


def current_campaign(request: Request, viewer: SignedIn) -> CampaignSpec:
    """The campaign chosen by `?campaign=`, else the cookie, else the most recently run one."""
    app = request.app.state
    wanted = request.query_params.get("campaign") or unquote(request.cookies.get(CAMPAIGN_COOKIE, ""))
    names, spec = _resolve(app.store, app.config.work_dir, wanted)
    request.state.campaign = spec
    request.state.campaign_names = names
    return spec


Campaign = Annotated[CampaignSpec, Depends(current_campaign)]
