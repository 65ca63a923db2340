"""Benchmark of the web app: concurrent signed-in people browsing dashboard, queue and record pages.

    .venv/bin/python bench/bench_web.py [--people 3000] [--users 50] [--rounds 8] [--max-seconds 180]

A generated province is passed once and served by `lamsach serve` in a child process on a free
loopback port (127.0.0.1 only). `--users` threads sign in (admins, officers of every unit and
inspectors) and each browses `--rounds` rounds of: dashboard, a queue page (a random criterion
and page; an officer's own unit), a record page opened with a purpose, pausing `--think-ms`
(±50%) between pages as a person reading does (`--think-ms 0` measures saturation instead);
every request is timed.
The baseline, measured in the same run and under the same load, is a static file served by the
same app: what any page costs before lamsach does anything. Bounded in requests and in time;
prints p50 and p95 per page (target: p95 under 300 ms).
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str, seconds: float = 60) -> None:
    import httpx2 as httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def _accounts(world, store, users: int) -> list[str]:
    """Admins, inspectors and one officer per unit (created here), round-robin up to `users`."""
    from web_fixtures import PASSWORDS

    from lamsach.backends.store.users import add_user, user_by_name
    from lamsach.web.passwords import hash_password

    units = store.run_units(world.run_id)
    digest = hash_password(PASSWORDS["officer"])
    for unit in units:
        if user_by_name(store, f"officer-{unit}") is None:
            add_user(store, f"officer-{unit}", "officer", unit, digest)
    pool = ["admin", "inspector"] + [f"officer-{u}" for u in units]
    return [pool[i % len(pool)] for i in range(users)]


def _browse(base: str, username: str, rounds: int, deadline: float, keys: dict[str, list[str]],
            timings: dict[str, list[float]], lock: threading.Lock, seed: int, ready: threading.Barrier,
            think_s: float) -> None:
    import httpx2 as httpx
    from web_fixtures import PASSWORDS, csrf_of

    rng = random.Random(seed)
    password = PASSWORDS["officer"] if username.startswith("officer-") else PASSWORDS[username]
    unit = username.removeprefix("officer-") if username.startswith("officer-") else None
    # a browser fetches a page's files over connections of their own: the baseline does too
    with httpx.Client(base_url=base, timeout=30) as client, httpx.Client(base_url=base, timeout=30) as assets:
        form = client.get("/login")
        client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)})
        ready.wait()  # everyone signed in (argon2 is slow on purpose): browsing starts together
        time.sleep(rng.uniform(0, 2 * think_s))  # people arrive over a moment, not in one millisecond
        for _ in range(rounds):
            if time.monotonic() > deadline:
                return
            own = keys[unit] if unit else [k for ks in keys.values() for k in ks]
            criterion = rng.choice(["", "correct", "complete", "unified", "clean"])
            pages = {"static": "/static/app.css", "dashboard": "/dashboard",
                     "queue": f"/queue?criterion={criterion}&page={rng.randint(1, 3)}",
                     "record": f"/records/land_parcel/{rng.choice(own)}?purpose=correct_finding"}
            for name, url in pages.items():
                started = time.perf_counter()
                response = (assets if name == "static" else client).get(url)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{username} {url}: HTTP {response.status_code}")
                with lock:
                    timings[name].append(elapsed)
                if think_s and name != "static":
                    time.sleep(rng.uniform(0.5, 1.5) * think_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=180)
    parser.add_argument("--workers", type=int, default=2, help="server processes (lamsach serve --workers)")
    parser.add_argument("--think-ms", type=int, default=500,
                        help="pause between two pages of one person (0: every user fires back to back)")
    args = parser.parse_args()

    from web_fixtures import build_world

    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    print(f"Generating and passing a province of {args.people} people in {root} …", flush=True)
    world = build_world(root, people=args.people, seed=3)
    store = world.store()
    accounts = _accounts(world, store, args.users)
    keys: dict[str, list[str]] = {}
    for record in store.load_records(world.campaign, "land_parcel"):
        keys.setdefault(record.unit, []).append(record.key)
    store.engine.dispose()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(args.workers), "--data-dir", str(world.data_dir)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(base)
        timings: dict[str, list[float]] = {"static": [], "dashboard": [], "queue": [], "record": []}
        lock = threading.Lock()
        deadline = time.monotonic() + args.max_seconds
        ready = threading.Barrier(len(accounts) + 1)
        threads = [threading.Thread(target=_browse,
                                    args=(base, name, args.rounds, deadline, keys, timings, lock, i, ready,
                                          args.think_ms / 1000))
                   for i, name in enumerate(accounts)]
        for thread in threads:
            thread.start()
        ready.wait(timeout=args.max_seconds)
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in timings.values())
    print(f"\n{args.users} concurrent users (think time {args.think_ms} ms), {total} requests in {wall:.1f} s "
          f"({total / wall:.0f} requests/s), province of {args.people} people")
    print(f"{'page':<12}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, values in timings.items():
        if values:
            values.sort()
            p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
            print(f"{name:<12}{len(values):>10}{statistics.median(values):>10.0f}{p95:>10.0f}{values[-1]:>10.0f}")
    print("(static = baseline: a file served by the same app under the same load)")


if __name__ == "__main__":
    main()
