"""Benchmark of the web app: concurrent signed-in people browsing dashboard, queue and record pages.

    .venv/bin/python bench/bench_web.py [--people 3000] [--users 50] [--rounds 8] [--repeat 3]
                                        [--workers 2] [--think-ms 500] [--max-seconds 180]
                                        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

A generated province is passed once and served by `lamsach serve --workers N` in a child process
on a free loopback port (127.0.0.1 only). `--users` threads sign in (admins, officers of every unit and
inspectors) and each browses `--rounds` rounds of: dashboard, a queue page (a random criterion
and page; an officer's own unit), a record page opened with a purpose, pausing `--think-ms`
(±50%) between pages as a person reading does (`--think-ms 0` measures saturation instead);
every request is timed. People arrive over the first pause rather than in one millisecond.
The baseline, measured in the same run and under the same load, is a static file served by the
same app over a connection of its own (as a browser fetches a page's files): what any page
costs before lamsach does anything. The load runs `--repeat` times; bounded in requests and in
time; prints per page the medians over the loads of p50 and p95, and p95's ratio to the
baseline's (target: p95 under 300 ms), and the machine's load average during the loads. The
server, the timing and the load average come from `load.py`, shared with bench_api.py.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import load

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "web"))


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
            timings: load.Timings, seed: int, ready: threading.Barrier, think_s: float) -> None:
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
                response = load.timed(timings, name, functools.partial((assets if name == "static" else client).get,
                                                                       url), lambda r: r.status_code == 200)
                if response.status_code != 200:
                    return  # recorded as a failure: the run ends with an error
                if think_s and name != "static":
                    time.sleep(rng.uniform(0.5, 1.5) * think_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=180)
    parser.add_argument("--repeat", type=int, default=3, help="loads run one after another; medians are quoted")
    load.server_options(parser)
    parser.add_argument("--think-ms", type=int, default=500,
                        help="pause between two pages of one person (0: every user fires back to back)")
    args = parser.parse_args()

    with load.database(args.postgres, "lamsach_bench_web") as database_url:
        _bench(args, database_url)


def _bench(args, database_url: str | None) -> None:
    from web_fixtures import build_world

    root = Path(tempfile.mkdtemp(prefix="bench-web-"))
    where = "PostgreSQL" if database_url else "SQLite"
    print(f"Generating and passing a province of {args.people} people in {root} ({where}) …", flush=True)
    world = build_world(root, people=args.people, seed=3, database_url=database_url)
    store = world.store()
    accounts = _accounts(world, store, args.users)
    keys: dict[str, list[str]] = {}
    for record in store.load_records(world.campaign, "land_parcel"):
        keys.setdefault(record.unit, []).append(record.key)
    store.engine.dispose()

    results: list[tuple[dict[str, list[float]], float]] = []
    with load.served(world.data_dir, database_url, args.workers) as server, load.LoadSampler() as sampler:
        for repeat in range(args.repeat):
            results.append(_load(server.base, accounts, keys, args, seed=1000 * repeat))
            print(f"  load {repeat + 1}/{args.repeat}: {sum(len(v) for v in results[-1][0].values())} requests "
                  f"in {results[-1][1]:.1f} s", flush=True)
    _print(results, args, where)
    print(sampler.describe())


def _load(base: str, accounts: list[str], keys: dict[str, list[str]], args,
          seed: int) -> tuple[dict[str, list[float]], float]:
    """One load: every user signs in, then all browse together; the timings and the wall time."""
    timings = load.Timings({"static": [], "dashboard": [], "queue": [], "record": []})
    deadline = time.monotonic() + args.max_seconds
    ready = threading.Barrier(len(accounts) + 1)
    targets = [functools.partial(_browse, base, name, args.rounds, deadline, keys, timings, seed + i, ready,
                                 args.think_ms / 1000) for i, name in enumerate(accounts)]
    wall = load.run_together(targets, ready, args.max_seconds)  # timed from when everyone has signed in
    if timings.failures:
        raise SystemExit(f"{len(timings.failures)} requests failed, first: {timings.failures[0]}")
    return timings.values, wall


def _p95(values: list[float]) -> float:
    return load.percentile(values, 0.95)


def _print(results: list[tuple[dict[str, list[float]], float]], args, where: str) -> None:
    """Per page: the median over the loads of each load's p50 and p95, and the p95's ratio to the
    static file's p95 of the same load (the baseline)."""
    total = sum(len(v) for timings, _ in results for v in timings.values())
    wall = sum(w for _, w in results)
    print(f"\n{args.users} concurrent users, {args.workers} server process(es) on {where}, "
          f"think time {args.think_ms} ms, "
          f"{len(results)} load(s): {total} requests in {wall:.1f} s ({total / wall:.0f} requests/s), "
          f"province of {args.people} people")
    print(f"{'page':<12}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'p95/baseline':>14}")
    for name in results[0][0]:
        per_load = [t[name] for t, _ in results if t[name]]
        if not per_load:
            continue
        p50 = statistics.median(statistics.median(v) for v in per_load)
        p95 = statistics.median(_p95(v) for v in per_load)
        ratio = statistics.median(_p95(t[name]) / _p95(t["static"]) for t, _ in results if t[name] and t["static"])
        print(f"{name:<12}{sum(len(v) for v in per_load):>10}{p50:>10.0f}{p95:>10.0f}"
              f"{max(max(v) for v in per_load):>10.0f}{ratio:>14.1f}")
    print("(medians over the loads; static = baseline: a file served by the same app under the same load;"
          " target p95 under 300 ms)")


if __name__ == "__main__":
    main()
