"""The access log's subject key: made once, the same for every server process even when they
all make it at the same moment, and readable by its owner only."""

from __future__ import annotations

import multiprocessing
import stat

from lamsach.lookups.subject_key import access_key, subject_hash


def _key(folder: str, results) -> None:
    results.put(access_key(folder))


def test_processes_making_the_key_at_once_all_get_the_same(tmp_path, monkeypatch):
    monkeypatch.delenv("LAMSACH_ACCESS_KEY", raising=False)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_key, args=(str(tmp_path), results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    keys = {results.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join()
    assert len(keys) == 1 and len(next(iter(keys))) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["access-log.key"]
    assert stat.S_IMODE((tmp_path / "access-log.key").stat().st_mode) == 0o600
    assert access_key(tmp_path) == next(iter(keys))


def test_the_environment_key_wins_and_the_hash_needs_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LAMSACH_ACCESS_KEY", "a deployment's shared key")
    assert access_key(tmp_path) == b"a deployment's shared key"
    assert subject_hash(b"one", "038093004643") != subject_hash(b"two", "038093004643")
