"""Browser tests: the app served by uvicorn on a free loopback port in a thread, driven by
Debian's headless Chromium through Playwright. They run only with `--playwright`
(`pytest tests/browser --playwright`); no browser is ever downloaded."""

from __future__ import annotations

import socket
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(config, items):
    if config.getoption("--playwright", default=False):
        if Path(CHROMIUM).exists():
            return
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run does)")
    else:
        skip = pytest.mark.skip(reason="browser tests run only with --playwright")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """(base URL, app, world): a generated province served on 127.0.0.1."""
    import uvicorn
    from web_fixtures import build_world

    from lamsach.web import WebConfig, create_app

    world = build_world(tmp_path_factory.mktemp("browser-province"))
    app = create_app(WebConfig(settings=world.settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", app, world
    server.should_exit = True
    thread.join(timeout=10)
    app.state.jobs.shutdown()
    app.state.archive_reader.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def sign_in_as(served, browser):
    """`page = sign_in_as("officer")`: a fresh browser context signed in as that account (a desktop
    window unless `width` and `height` say otherwise, as a phone's)."""
    from web_fixtures import PASSWORDS

    base, _, _ = served
    contexts = []

    def make(username: str, width: int = 1360, height: int = 900):
        context = browser.new_context(base_url=base, viewport={"width": width, "height": height}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORDS[username])
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        return page

    yield make
    for context in contexts:
        context.close()
