"""Shared fixtures: real stores (SQLite always, PostgreSQL when LAMSACH_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "hau-loc"
PG_URL = os.environ.get("LAMSACH_TEST_PG_URL")
TESTS = Path(__file__).resolve().parent

# The files that hold a worker longest, slowest first (a whole run on a busy two-core machine,
# December 2026: 170 s down to 20 s). `make test` hands whole files to its two workers in collection order
# (`--dist loadfile --no-loadscope-reorder`), so these go first and the many short files fill in
# behind them: handed out by their number of tests instead (xdist's default), the one-test Spark
# parity file started last, and one worker ran it alone for minutes while the other stood idle.
LONGEST_FIRST = (
    "spark/test_pass_parity.py",
    "runner/test_killed_pass.py",
    "sync/test_killed_sender.py",
    "runner/test_pass_sample.py",
    "browser/test_browser.py",
    "link/test_model_keeping.py",
    "runner/test_weekly_rerun.py",
    "browser/test_officer_week.py",
    "spark/test_dialect_parity.py",
    "web/test_postgres_web.py",
    "campaign/test_four_weeks.py",
    "web/test_upload.py",
    "sectors/test_sector_datasets.py",
    "link/test_enrichment.py",
    "publish/test_shared_layer.py",
    "web/test_jobs.py",
    "validate/test_recall_against_truth.py",
    "spark/test_streamed_results.py",
    "archive/test_keep.py",
    "link/test_fuzzy_duplicates.py",
    "review/test_apply.py",
    "sync/test_push.py",
)


def _pg_database():
    """Create a database of its own for this test on the server named by LAMSACH_TEST_PG_URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if not PG_URL:
        if os.environ.get("LAMSACH_TEST_PG_REQUIRED"):
            pytest.fail("LAMSACH_TEST_PG_REQUIRED is set but LAMSACH_TEST_PG_URL is not")
        pytest.skip("PostgreSQL tests need LAMSACH_TEST_PG_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    admin_url = make_url(PG_URL)
    name = f"lamsach_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server is down or refuses: say so
        if os.environ.get("LAMSACH_TEST_PG_REQUIRED"):
            pytest.fail(f"PostgreSQL at {PG_URL} is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable: {exc}")
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False)


def pytest_collection_modifyitems(config, items):
    """The files of LONGEST_FIRST first, in its order; the others after them as collected."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(TESTS).as_posix(), len(rank)))


def pytest_addoption(parser):
    parser.addoption("--playwright", action="store_true", default=False,
                     help="run the browser tests in tests/browser (headless Chromium at /usr/bin/chromium)")


@contextmanager
def _fresh_store(backend: str, folder: Path):
    """A fresh, empty store URL on `backend`: a file in `folder`, or a database of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'store.db'}"
        return
    from sqlalchemy import text

    admin, name, url = _pg_database()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """A fresh, empty store URL on each backend."""
    with _fresh_store(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=BACKENDS)
def module_store_url(request, tmp_path_factory):
    """A fresh store URL on each backend shared by a module's tests, for a pass they only read."""
    with _fresh_store(request.param, tmp_path_factory.mktemp("store")) as url:
        yield url


@pytest.fixture
def pg_store_url():
    """A fresh PostgreSQL database alone, for a multi-user deployment's tests."""
    from sqlalchemy import text

    admin, name, url = _pg_database()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"sample province not found at {SAMPLE}")
    return SAMPLE
