"""A generated province passed once, registered as a campaign, with one account per role: the
world the web tests (in-process and in Chromium) and the web benchmark browse.

`build_world` makes it in a folder; `copy_world` gives a test its own store to change.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store.users import add_user, set_api_token_hash
from lamsach.generate import generate_province
from lamsach.runner import run_pass
from lamsach.settings import Settings
from lamsach.web.passwords import hash_password, token_hash

PASSWORDS = {"admin": "admin-pass-1", "officer": "officer-pass-1", "other_officer": "officer-pass-2",
             "inspector": "inspector-pass-1", "agency": "agency-pass-1"}
API_TOKEN = "test-agency-token-0123456789"
START = date(2026, 10, 1)


@dataclass(frozen=True)
class World:
    root: Path
    campaign_file: Path
    data_dir: Path
    campaign: str
    unit: str  # the officer's unit: the land unit with most open findings
    other_unit: str
    run_id: int
    database_url: str | None = None  # None: the embedded SQLite store in data_dir

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.data_dir, database_url=self.database_url)

    def store(self) -> SqlAlchemyStore:
        return SqlAlchemyStore.open(self.settings.store_url)


def build_world(root: Path, people: int = 1500, seed: int = 5, database_url: str | None = None) -> World:
    manifest = generate_province(root / "province", people=people, seed=seed)
    document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    document.update(start=START.isoformat(), deadline="2026-12-31", targets={"overall": 0.97})
    campaign_file = manifest.parent / "campaign.yaml"
    campaign_file.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings = Settings(data_dir=root / "data", database_url=database_url)
    store = SqlAlchemyStore.open(settings.store_url)
    store.save_campaign(document["name"], str(campaign_file), campaign_file.read_text(encoding="utf-8"))
    summary = run_pass(campaign_file, root / "out", settings)
    counts: dict[str, int] = {}
    for row in store.finding_counts(summary.run_id):
        if row["unit"]:
            counts[row["unit"]] = counts.get(row["unit"], 0) + row["n"]
    land_units = sorted({s["unit"] for s in document["sources"] if s.get("unit")})
    ranked = sorted(land_units, key=lambda u: (-counts.get(u, 0), u))
    unit, other = ranked[0], ranked[1]
    add_user(store, "admin", "admin", None, hash_password(PASSWORDS["admin"]))
    add_user(store, "officer", "officer", unit, hash_password(PASSWORDS["officer"]))
    add_user(store, "other_officer", "officer", other, hash_password(PASSWORDS["other_officer"]))
    add_user(store, "inspector", "inspector", None, hash_password(PASSWORDS["inspector"]))
    agency = add_user(store, "agency", "inspector", None, hash_password(PASSWORDS["agency"]))
    set_api_token_hash(store, agency, token_hash(API_TOKEN))
    store.engine.dispose()
    return World(root, campaign_file, root / "data", document["name"], unit, other, summary.run_id, database_url)


def copy_world(world: World, target: Path) -> World:
    """The same world with a private copy of the store (SQLite backup: consistent under WAL)."""
    (target / "data").mkdir(parents=True)
    source = sqlite3.connect(world.data_dir / "lamsach.db")
    copy = sqlite3.connect(target / "data" / "lamsach.db")
    source.backup(copy)
    source.close()
    copy.close()
    return World(target, world.campaign_file, target / "data", world.campaign, world.unit, world.other_unit,
                 world.run_id)


def make_app(world: World, **config):
    from lamsach.web import WebConfig, create_app

    return create_app(WebConfig(settings=world.settings, **config))


def free_port() -> int:
    """A loopback port nothing listens on, for a `lamsach serve` started by a test or the bench."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 60) -> None:
    """Wait for `lamsach serve` at `base` to answer its sign-in page."""
    import httpx2 as httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not start within {seconds:.0f} s")


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client, username: str, password: str | None = None):
    """Sign `client` (a TestClient) in through the form, as a person would."""
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                       "csrf_token": csrf_of(page.text), "next": "/dashboard"},
                       follow_redirects=False)
