"""What the web benchmarks share: a database of their own on PostgreSQL, `lamsach serve` in a child
process on a free loopback port, client threads run together and timed, percentiles, and the
machine's load average sampled while the load runs (figures on a shared machine mean little
without it).

Used by bench_api.py (agencies' lookups) and bench_web.py (people browsing pages).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from proc_tree import tree_sum


def server_options(parser: argparse.ArgumentParser) -> None:
    """The options every load benchmark takes for the server it starts: its processes and its database."""
    parser.add_argument("--workers", type=int, default=2, help="server processes (lamsach serve --workers)")
    parser.add_argument("--postgres", metavar="URL",
                        help="serve from PostgreSQL: a fresh database is made on this server for the run "
                             "and dropped after (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")


@contextmanager
def database(server_url: str | None, prefix: str) -> Iterator[str | None]:
    """None for the embedded SQLite store, else a database of its own on the PostgreSQL server,
    dropped after the run."""
    if not server_url:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 180) -> None:
    import httpx2 as httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/static/app.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"the server at {base} did not start within {seconds:.0f} s")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its descendants (Linux /proc):
    what the server spent, whatever else the machine was doing meanwhile."""
    tick = os.sysconf("SC_CLK_TCK")
    return tree_sum(pid, lambda _, fields: (int(fields[11]) + int(fields[12])) / tick)


@dataclass
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


@contextmanager
def served(data_dir: Path, database_url: str | None, workers: int, log: Path | None = None) -> Iterator[Server]:
    """`lamsach serve --workers N` on a free loopback port for the block; yields its base URL and
    process id."""
    port = free_port()
    store_args = ["--database-url", database_url] if database_url else []
    out = log.open("w") if log else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(workers), "--data-dir", str(data_dir), *store_args],
                              stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        yield Server(base, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if log:
            out.close()


@dataclass
class Timings:
    """Request times in ms per name, recorded by many threads."""

    values: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, ms: float) -> None:
        with self._lock:
            self.values.setdefault(name, []).append(ms)

    def fail(self, what: str) -> None:
        with self._lock:
            self.failures.append(what)

    def get(self, name: str) -> list[float]:
        return self.values.get(name, [])


def timed(timings: Timings, name: str, call: Callable[[], object], ok: Callable[[object], bool]) -> object:
    """Run one request, record its time under `name` if `ok(response)`, else record a failure."""
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if ok(response):
        timings.add(name, elapsed)
    else:
        timings.fail(f"{name}: {getattr(response, 'status_code', '?')} {getattr(response, 'text', '')[:200]}")
    return response


class LoadSampler:
    """The machine's 1-minute load average, sampled every second while the block runs."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(1.0)

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def describe(self) -> str:
        if not self.samples:
            return "load average: not sampled"
        return (f"load average (1 min) during the load: {min(self.samples):.1f}–{max(self.samples):.1f}, "
                f"mean {sum(self.samples) / len(self.samples):.1f} on {os.cpu_count()} cores")


def run_together(targets: list[Callable[[], None]], ready: threading.Barrier | None = None,
                 timeout_s: float | None = None) -> float:
    """Start one thread per target and wait for all; the wall time in seconds, counted from when
    `ready` (a barrier the calling thread is a party of) lets everyone go, if given."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    if ready is not None:
        ready.wait(timeout=timeout_s)
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
