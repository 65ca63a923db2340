"""The sender SIGKILLed at 50 random moments across a push of 100,000 versions, then let finish:
the receiver holds every published version exactly once, in order per record (both stores).

One driver process imports lamsach once and forks each sender from it, so a sender starts in
milliseconds and the 50 kills take seconds, not minutes; each fork opens its own store
connection, as a freshly started `lamsach sync push` would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest

from lamsach.backends.store import PublishItem, SqlAlchemyStore
from lamsach.backends.store.shared_layer import publish_items
from lamsach.publish import line_sql
from lamsach.settings import Settings
from lamsach.sync import Sender

RECORDS = 50_000  # two versions each: 100,000 versions
KILLS = 50

DRIVER = r'''
import json, os, random, signal, sys, time
from sqlalchemy import func, select
from lamsach.backends.store import SqlAlchemyStore, tables as t
from lamsach.settings import Settings
from lamsach.sync import Sender

url, target, kills_wanted, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
settings = Settings(sync_batch_size=1000, sync_retry_base_ms=20, sync_retry_max_s=0.2)
counting = SqlAlchemyStore.open(url, migrate=False)  # the driver's own connection; each sender opens its own

def remaining():
    with counting.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(t.outbox)
                            .where(t.outbox.c.state.in_(("waiting", "sending")))).scalar_one()

total = remaining()
kills = []
while len(kills) < kills_wanted:
    before = remaining()
    if before == 0:
        break
    # each round may take at most an equal share of what is left for it and the rounds after, so the
    # push cannot end before every kill has landed, however fast a stretch of it runs
    share = max(1, before // (kills_wanted - len(kills) + 1))
    early = rng.random() < 0.2  # some senders die while starting or in their first batch
    pid = os.fork()
    if pid == 0:
        counting.engine.dispose(close=False)  # the driver's pooled connection is not the sender's
        Sender(SqlAlchemyStore.open(url, migrate=False), target, settings).push()
        os._exit(0)
    if early:
        time.sleep(rng.uniform(0.0, 0.05))
    else:  # after a random part of the share was acknowledged, at a random moment of the next batch
        wanted, deadline = before - rng.randint(1, share), time.monotonic() + 60
        while remaining() > wanted and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.01))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    after = remaining()
    if os.WIFSIGNALED(status) and after > 0:
        kills.append(before - after)
print(json.dumps({"kills": len(kills), "progress": kills, "total": total}))
'''


def fill(store: SqlAlchemyStore, campaign: str = "Đợt thử") -> None:
    for version in (1, 2):
        items = (PublishItem("population", f"DC{i:07d}", f"{16000 + i % 7}", version,
                             json.dumps({"full_name": "Nguyễn Văn An", "version_mark": str(version)}))
                 for i in range(RECORDS))
        publish_items(store, campaign, None, items, line_sql)


@pytest.mark.slow
def test_killed_fifty_times_the_sender_still_delivers_every_version_exactly_once(store_url, receiver):
    store = SqlAlchemyStore.open(store_url)
    fill(store)
    national = receiver()
    driver = subprocess.run([sys.executable, "-c", DRIVER, store_url, national.url, str(KILLS), "14"],
                            capture_output=True, text=True, timeout=900)
    assert driver.returncode == 0, driver.stderr
    report = json.loads(driver.stdout.strip().splitlines()[-1])
    assert report["kills"] == KILLS and report["total"] == 2 * RECORDS
    assert sum(p > 0 for p in report["progress"]) > KILLS // 2  # most kills came after some progress

    finished = Sender(store, national.url, Settings(sync_batch_size=1000)).push()
    assert finished.rejected == 0
    lines = national.lines()
    versions = defaultdict(list)
    for line in lines:
        versions[line["record_id"]].append(line["version"])
    assert len(lines) == 2 * RECORDS  # none lost, none twice
    assert all(v == [1, 2] for v in versions.values()) and len(versions) == RECORDS  # in order per record
