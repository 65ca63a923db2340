"""`sync push` against a real receiver process: outages, lost answers, refusals, status (both stores)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest

from lamsach.backends.store import PublishItem, SqlAlchemyStore
from lamsach.backends.store.shared_layer import publish_items
from lamsach.domain import ErrorCode, LamsachError
from lamsach.publish import line_sql
from lamsach.settings import Settings
from lamsach.sync import Sender, sync_status

FAST = Settings(sync_batch_size=100, sync_retry_base_ms=50, sync_retry_max_s=0.5, sync_give_up_s=60)


def queue(store: SqlAlchemyStore, records: int, version: int = 1, campaign: str = "Đợt thử") -> None:
    items = [PublishItem("land_parcel", f"TD{i:05d}", "16012" if i % 2 else "16021", version,
                         json.dumps({"owner_name": "Trần Thị Bình", "area_m2": "120.5"}, ensure_ascii=False))
             for i in range(records)]
    publish_items(store, campaign, None, items, line_sql)


def delivered(receiver) -> list[tuple[str, int]]:
    return [(x["record_id"], x["version"]) for x in receiver.lines()]


def test_the_backlog_drains_when_the_receiver_comes_back(store_url, receiver, tmp_path):
    store = SqlAlchemyStore.open(store_url)
    queue(store, 1000)
    from sync_receiver import free_port

    port = free_port()
    result: dict = {}
    sender = threading.Thread(target=lambda: result.update(
        pushed=Sender(store, f"http://127.0.0.1:{port}", FAST).push()))
    sender.start()
    time.sleep(2.0)  # the receiver is down: the sender retries with back-off
    assert sender.is_alive()
    national = receiver(port=port)
    sender.join(60)
    assert not sender.is_alive()
    assert result["pushed"].versions == 1000 and result["pushed"].attempts > 10
    assert sorted(delivered(national)) == [(f"TD{i:05d}", 1) for i in range(1000)]
    lines, batches = sync_status(store, 24)
    assert sum(line.counts["acknowledged"] for line in lines) == 1000
    assert {line.unit for line in lines} == {"16012", "16021"}
    assert all(b["state"] == "acknowledged" for b in batches) and max(b["attempts"] for b in batches) > 1


def test_lost_answers_and_failures_never_duplicate_a_version(store_url, receiver):
    store = SqlAlchemyStore.open(store_url)
    queue(store, 600)
    national = receiver("--lose-ack-rate", "0.5", "--fail-rate", "0.3", "--seed", "3")
    pushed = Sender(store, national.url, FAST).push()
    assert pushed.versions == 600 and pushed.attempts > pushed.batches  # some batches went twice or more
    answers = [json.loads(p.read_text()) for p in (national.folder / "acks").glob("*.json")]
    assert len(answers) == pushed.batches
    assert sorted(delivered(national)) == [(f"TD{i:05d}", 1) for i in range(600)]  # each once

    queue(store, 300, version=2)  # new versions of the first 300 records come after the first ones
    Sender(store, national.url, FAST).push()
    got = delivered(national)
    assert len(got) == 900 and len(set(got)) == 900
    assert all(got.index((f"TD{i:05d}", 1)) < got.index((f"TD{i:05d}", 2)) for i in range(300))


def test_a_refusal_stops_the_push_with_the_receivers_reason_and_keeps_the_batch(store_url, receiver):
    store = SqlAlchemyStore.open(store_url)
    queue(store, 150)
    national = receiver("--token", "đúng-mã".encode().hex())
    with pytest.raises(LamsachError) as refused:
        Sender(store, national.url, FAST).push()
    assert refused.value.code == ErrorCode.SYNC_REFUSED and "401" in refused.value.message("vi")
    assert national.lines() == []
    token = "đúng-mã".encode().hex()
    pushed = Sender(store, national.url, Settings(sync_batch_size=100, sync_token=token)).push()
    assert (pushed.resent, pushed.versions) == (1, 150)  # the refused batch went again, same key
    assert len(national.lines()) == 150


def test_the_cli_pushes_and_reports_status(tmp_path, receiver):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    queue(SqlAlchemyStore.open(url), 250)
    national = receiver()
    cli = [sys.executable, "-m", "lamsach.cli", "sync"]
    pushed = subprocess.run([*cli, "push", "--to", national.url, "--database-url", url, "--batch-size", "100"],
                            capture_output=True, text=True, timeout=120)
    assert pushed.returncode == 0, pushed.stderr
    assert "3 lô, 250 phiên bản" in pushed.stdout
    status = subprocess.run([*cli, "status", "--database-url", url], capture_output=True, text=True, timeout=120,
                            env={"COLUMNS": "200", "PATH": ""})
    assert status.returncode == 0, status.stderr
    rows = [line for line in status.stdout.splitlines() if "land_parcel" in line]
    assert len(rows) == 2 and all("125" in row for row in rows)
    missing = subprocess.run([*cli, "push", "--database-url", url], capture_output=True, text=True, timeout=120,
                             env={"PATH": ""})
    assert missing.returncode == 1 and "LAMSACH_SYNC_TARGET" in missing.stdout + missing.stderr
