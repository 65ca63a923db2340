"""Benchmark of the synchronisation: record versions pushed to the receiver, beside a plain HTTP POST.

    .venv/bin/python bench/bench_sync.py [--versions 1000000] [--batch-size 2000]
                                         [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

A fresh store (SQLite in a temporary folder, or a new PostgreSQL database) gets `--versions`
published record versions in its outbox (land parcels of ten campaigns, the lines the publish
stage renders). `lamsach sync receiver` runs in a child process on a free loopback port, writing
and flushing each accepted batch to disk as it does by default. `Sender.push()` then delivers the
whole outbox: claiming each batch in the store, sending it with its key and digest, the receiver
checking and keeping it, the acknowledgement stored with its entries' states.

The baseline, in the same run: the same bodies (byte for byte the batches the sender sends, read
beforehand from a file) POSTed one after the other over one keep-alive connection to a server of
the same kind (Python's ThreadingHTTPServer, in a child process) that reads each body and answers
`{}`. It is what moving the bytes costs before anything is checked or kept; the baseline runs
before and after the push and its mean is used. Prints versions per second, MB/s and the ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

SINK = r'''
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
'''


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, path: str = "/v1/health") -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url + path, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def fill(store, versions: int) -> None:
    """`versions` published land-parcel versions, in ten campaigns (one transaction each)."""
    from lamsach.backends.store import PublishItem
    from lamsach.backends.store.shared_layer import publish_items
    from lamsach.publish import line_sql

    per = max(versions // 10, 1)
    done = 0
    for c in range(10):
        n = per if c < 9 else versions - done
        campaign = f"Làm sạch CSDL đất đai - đợt {c + 1}"
        items = (PublishItem("land_parcel", f"TD{c}{i:08d}", f"{16000 + i % 40:05d}", 1, json.dumps({
            "record_id": f"TD{c}{i:08d}", "commune_code": f"{16000 + i % 40:05d}", "map_sheet": str(i % 90 + 1),
            "parcel_no": str(i % 700 + 1), "area_m2": f"{80 + i % 900}.5", "land_use_code": "ONT",
            "parcel_address": f"Thôn {i % 12 + 1}, xã Hậu Lộc, tỉnh Thanh Hóa",
            "certificate_serial": f"C{'DEFGH'[i % 5]} {i % 1_000_000:06d}", "owner_name": "Nguyễn Thị Thu Hương",
            "owner_id": f"038{i % 1_000_000_000:09d}", "owner_birth_year": str(1950 + i % 50),
            "owner_address": "Xã Hậu Lộc, tỉnh Thanh Hóa", "updated_at": "12/10/2026"}, ensure_ascii=False),
            f"038{i % 1_000_000_000:09d}") for i in range(n))
        publish_items(store, campaign, None, items, line_sql)
        done += n


def bodies_file(store, batch_size: int, path: Path) -> list[tuple[int, int]]:
    """The batches' bodies as the sender will send them, one after another in `path`: (offset, size)."""
    from lamsach.backends.store.outbox import entry_lines
    from lamsach.publish import line_sql
    from lamsach.sync import body_of

    spans, offset, chunk = [], 0, []
    with path.open("wb") as out:
        for line in entry_lines(store, line_sql):
            chunk.append(line)
            if len(chunk) == batch_size:
                data = body_of(chunk)
                out.write(data)
                spans.append((offset, len(data)))
                offset, chunk = offset + len(data), []
        if chunk:
            data = body_of(chunk)
            out.write(data)
            spans.append((offset, len(data)))
    return spans


def plain_post(url: str, path: Path, spans: list[tuple[int, int]]) -> float:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    started = time.perf_counter()
    with path.open("rb") as source:
        for offset, size in spans:
            source.seek(offset)
            body = source.read(size)
            connection.request("POST", "/v1/batches", body=body, headers={
                "Content-Type": "application/x-ndjson", "Content-Length": str(size)})
            connection.getresponse().read()
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the store is a new database there")
    args = parser.parse_args()

    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.settings import Settings
    from lamsach.sync import Sender

    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    admin, database = None, None
    if args.postgres:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        database = f"bench_sync_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        url = make_url(args.postgres).set(database=database).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{work / 'store.db'}"
    store = SqlAlchemyStore.open(url)
    children: list[subprocess.Popen] = []
    try:
        started = time.perf_counter()
        fill(store, args.versions)
        fill_seconds = time.perf_counter() - started
        spans = bodies_file(store, args.batch_size, work / "bodies.bin")
        total_bytes = sum(size for _, size in spans)
        print(f"outbox: {args.versions:,} versions, {len(spans)} batches, {total_bytes / 1e6:,.1f} MB "
              f"(filled in {fill_seconds:.1f} s); store {'PostgreSQL' if args.postgres else 'SQLite'}")

        sink_port, receiver_port = free_port(), free_port()
        sink = subprocess.Popen([sys.executable, "-c", SINK, str(sink_port)], stderr=subprocess.PIPE)
        receiver = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "sync", "receiver", "--port",
                                     str(receiver_port), "--dir", str(work / "received")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        children += [sink, receiver]
        sink_url, receiver_url = f"http://127.0.0.1:{sink_port}", f"http://127.0.0.1:{receiver_port}"
        wait_ready(sink_url, sink, "/")
        wait_ready(receiver_url, receiver)

        before = plain_post(sink_url, work / "bodies.bin", spans)
        load = os.getloadavg()[0]
        started = time.perf_counter()
        pushed = Sender(store, receiver_url, Settings(sync_batch_size=args.batch_size)).push()
        push_seconds = time.perf_counter() - started
        after = plain_post(sink_url, work / "bodies.bin", spans)
        baseline = (before + after) / 2
        assert pushed.versions == args.versions and pushed.rejected == 0, pushed

        print(f"{'':28}{'seconds':>10}{'versions/s':>14}{'MB/s':>10}")
        print(f"{'sync push (lamsach)':28}{push_seconds:>10.1f}{args.versions / push_seconds:>14,.0f}"
              f"{total_bytes / 1e6 / push_seconds:>10.1f}")
        print(f"{'plain HTTP POST (baseline)':28}{baseline:>10.1f}{args.versions / baseline:>14,.0f}"
              f"{total_bytes / 1e6 / baseline:>10.1f}   (before {before:.1f} s, after {after:.1f} s)")
        print(f"ratio push / plain POST: {push_seconds / baseline:.1f}; load average at start {load:.1f}; "
              f"{time.strftime('%Y-%m-%d')}")
    finally:
        for child in children:
            child.kill()
            child.wait()
        store.engine.dispose()
        if admin is not None:
            from sqlalchemy import text

            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
