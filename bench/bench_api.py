"""Benchmark of the agencies' lookups (/api/v1) against a large register.

    .venv/bin/python bench/bench_api.py [--people 1000000] [--clients 50] [--seconds 60]
                                        [--interval-ms 1000] [--workers 2]
                                        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

A register of `--people` people (with a marriage per five people, a death per fifty, a land
parcel per three, and open findings on one record in twenty) is written straight into a fresh
store, records and their published versions (the shared layer lookups read) — the pass that
would clean and publish them is not what is measured — and served by `lamsach serve --workers N` in a child process on a free loopback port.
`--clients` API clients (each its own token, every scope) first make one lookup and fetch the
static file untimed (the server's processes warm up; the time is printed), then call at once for
`--seconds`: each makes a random lookup (residence, marital status, life status, land rights,
land parcels) of a random existing person, then fetches a static file over a connection of its
own, then pauses `--interval-ms` (±50%). Every lookup is answered, checked and written to the
hash-chained access log as in production. The baseline, measured in the same run under the same
load, is that static file: what any answer costs before lamsach does anything. Prints per lookup
p50, p95, p99, max and p99's ratio to the baseline's (target: p99 under 20 ms), requests per
second, the machine's load average during the load, then verifies the access log's chain.
The server, the timing and the load average come from `load.py`, shared with bench_web.py.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import random
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx

import load
from lamsach.backends.store import SqlAlchemyStore, access_log
from lamsach.backends.store.api_clients import add_client
from lamsach.lookups import default_purposes, scopes
from lamsach.settings import Settings
from lamsach.web.passwords import new_token, token_hash

CAMPAIGN = "bench-api"
COMMUNES = [f"{15000 + 7 * i:05d}" for i in range(40)]
PURPOSE = "verify_citizen_request"
CHUNK = 20_000


def citizen(i: int) -> str:
    return f"038{i:09d}"


def _register(store, people: int) -> None:
    """Write the register, its civil and land records and some open findings straight into the store."""
    from sqlalchemy import insert

    from lamsach.backends.store import tables as t

    now = datetime.now(UTC)
    content = b"bench_api synthetic register"
    sha = hashlib.sha256(content).hexdigest()
    with store.engine.begin() as conn:
        run_id = conn.execute(insert(t.runs).values(campaign=CAMPAIGN, actor="bench", status="complete",
                                                    started_at=now, finished_at=now)).inserted_primary_key[0]
        conn.execute(insert(t.originals).values(sha256=sha, size_bytes=len(content), content=content))
        batch = conn.execute(insert(t.batches).values(
            run_id=run_id, campaign=CAMPAIGN, dataset="population", file_name="synthetic", sha256=sha,
            state="complete", created_at=now, created_by="bench")).inserted_primary_key[0]

    def record(dataset: str, key: str, unit: str, data: dict, citizen_id: str | None = None) -> dict:
        text = json.dumps(data, ensure_ascii=False)
        return {"campaign": CAMPAIGN, "dataset": dataset, "record_key": key, "unit": unit, "batch_id": batch,
                "version": 1, "raw": text, "data": text, "updated_at": now, "citizen_id": citizen_id}

    def rows():
        for i in range(people):
            commune = COMMUNES[i % len(COMMUNES)]
            dead = i % 50 == 49
            yield record("population", f"DC{i:08d}", commune, {
                "record_id": f"DC{i:08d}", "citizen_id": citizen(i), "full_name": "Nguyễn Văn An",
                "date_of_birth": "1980-01-01", "sex": "Nam" if i % 2 == 0 else "Nữ", "commune_code": commune,
                "relation_to_head": "Chồng" if i % 5 == 0 else ("Vợ" if i % 5 == 1 else "Con"),
                "status": "Đã chết" if dead else "Còn sống", "date_of_death": "2024-05-01" if dead else None,
                "updated_at": "2025-06-30"}, citizen(i))
            if i % 5 == 0 and i + 1 < people:
                yield record("marriage", f"KH{i:08d}", commune, {
                    "record_id": f"KH{i:08d}", "registration_no": str(i), "registration_date": "2005-05-05",
                    "commune_code": commune, "husband_id": citizen(i), "wife_id": citizen(i + 1),
                    "updated_at": "2025-06-30"})
            if i % 50 == 49:
                yield record("death", f"KT{i:08d}", commune, {
                    "record_id": f"KT{i:08d}", "registration_no": str(i), "registration_date": "2024-05-03",
                    "commune_code": commune, "deceased_id": citizen(i), "date_of_death": "2024-05-01",
                    "updated_at": "2025-06-30"})
            if i % 3 == 0:
                yield record("land_parcel", f"TD{i:08d}", commune, {
                    "record_id": f"TD{i:08d}", "commune_code": commune, "map_sheet": str(i // 3000 + 1),
                    "parcel_no": str(i // 3 % 1000 + 1), "area_m2": 200 + i % 500,
                    "land_use_code": "ONT", "owner_id": citizen(i), "updated_at": "2024-12-31"})

    def published(row: dict) -> dict:
        """The version in the shared layer, as the publish stage writes it (what lookups read)."""
        return {"campaign": CAMPAIGN, "dataset": row["dataset"], "record_key": row["record_key"],
                "unit": row["unit"], "version": 1, "data": row["data"], "citizen_id": row["citizen_id"],
                "published_at": now, "run_id": run_id}

    if store.engine.dialect.name == "postgresql":
        _copy(store, "records", COPIED, rows())
        _copy(store, "published", PUBLISHED, (published(r) for r in rows()))
    chunk: list[dict] = []
    with store.engine.begin() as conn:
        for row in () if store.engine.dialect.name == "postgresql" else rows():
            chunk.append(row)
            if len(chunk) >= CHUNK:
                conn.execute(insert(t.records), chunk)
                conn.execute(insert(t.published), [published(r) for r in chunk])
                chunk = []
        if chunk:
            conn.execute(insert(t.records), chunk)
            conn.execute(insert(t.published), [published(r) for r in chunk])
        findings = [{"run_id": run_id, "dataset": "population", "record_key": f"DC{i:08d}",
                     "unit": COMMUNES[i % len(COMMUNES)], "field": "updated_at", "criterion": "live",
                     "rule": "stale_record", "severity": "warning", "status": "open", "message": "stale"}
                    for i in range(0, people, 20)]
        for start in range(0, len(findings), CHUNK):
            conn.execute(insert(t.findings), findings[start:start + CHUNK])


COPIED = ("campaign", "dataset", "record_key", "unit", "batch_id", "version", "raw", "data", "updated_at",
          "citizen_id")
PUBLISHED = ("campaign", "dataset", "record_key", "unit", "version", "data", "citizen_id", "published_at", "run_id")


def _copy(store, table: str, columns: tuple[str, ...], rows) -> None:
    """PostgreSQL: rows through COPY (a million through INSERT batches takes ten minutes)."""
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(row[c] for c in columns))
        raw.commit()
    finally:
        raw.close()


def _lookup(rng: random.Random, people: int) -> tuple[str, str]:
    i = rng.randrange(people)
    kind = rng.choice(["residence", "marital-status", "life-status", "land-rights", "land-parcels"])
    params = f"citizen_id={citizen(i)}&purpose={PURPOSE}"
    if kind == "residence":
        params += f"&commune={COMMUNES[i % len(COMMUNES)]}"
    elif kind == "land-rights":
        j = i - i % 3
        params += f"&commune={COMMUNES[j % len(COMMUNES)]}&map_sheet={j // 3000 + 1}&parcel_no={j // 3 % 1000 + 1}"
    return kind, f"/api/v1/{kind}?{params}"


def _client(base: str, token: str, people: int, interval_s: float, seed: int, timings: load.Timings,
            ready: threading.Barrier, clock: dict[str, float]) -> None:
    """One agency: a first lookup and static file untimed (the server's processes warm up, the
    connections open), then, once every client is ready, lookups until the deadline."""
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as api, \
            httpx.Client(base_url=base, timeout=30) as assets:
        started = time.perf_counter()
        api.get(_lookup(rng, people)[1])
        assets.get("/static/app.css")
        timings.add("warm-up", (time.perf_counter() - started) * 1000)
        ready.wait()
        time.sleep(rng.uniform(0, interval_s))  # clients arrive over a moment, not in one millisecond
        while time.monotonic() < clock["deadline"]:
            kind, url = _lookup(rng, people)
            load.timed(timings, kind, functools.partial(api.get, url), lambda r: r.status_code == 200)
            load.timed(timings, "static", lambda: assets.get("/static/app.css"), lambda r: r.status_code == 200)
            if interval_s:
                time.sleep(rng.uniform(0.5, 1.5) * interval_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval-ms", type=int, default=1000, help="pause between two lookups of one client")
    load.server_options(parser)
    args = parser.parse_args()
    with load.database(args.postgres, "lamsach_bench_api") as database_url:
        _bench(args, database_url)


def _bench(args, database_url: str | None) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-api-"))
    where = "PostgreSQL" if database_url else "SQLite"
    settings = Settings(data_dir=root / "data", database_url=database_url)
    store = SqlAlchemyStore.open(settings.store_url)
    started = time.perf_counter()
    print(f"Writing a register of {args.people} people into {where} ({root}) …", flush=True)
    _register(store, args.people)
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    tokens = []
    for i in range(args.clients):
        tokens.append(new_token())
        add_client(store, f"agency-{i:02d}", token_hash(tokens[-1]), list(scopes()),
                   default_purposes(list(scopes())), 1_000_000, None)
    store.engine.dispose()

    timings = load.Timings()
    clock: dict[str, float] = {}
    sampler = load.LoadSampler()

    with load.served(settings.data_dir, database_url, args.workers, root / "server.log") as server:
        def go() -> None:  # the barrier's action: every client is warm, the clock starts
            clock["deadline"] = time.monotonic() + args.seconds
            clock["started"] = time.perf_counter()
            clock["cpu"] = server.cpu_seconds()
            sampler.__enter__()

        ready = threading.Barrier(args.clients, action=go)
        load.run_together([functools.partial(_client, server.base, token, args.people, args.interval_ms / 1000,
                                             1000 + i, timings, ready, clock) for i, token in enumerate(tokens)])
        wall = time.perf_counter() - clock["started"]
        cpu = server.cpu_seconds() - clock["cpu"]
        sampler.__exit__()
    chain = access_log.verify(SqlAlchemyStore.open(settings.store_url))
    _print(timings, wall, cpu, args, where, chain, sampler)
    if timings.failures:
        raise SystemExit(f"{len(timings.failures)} lookups failed, first: {timings.failures[0]}")


def _print(timings: load.Timings, wall: float, cpu: float, args, where: str, chain,
           sampler: load.LoadSampler) -> None:
    kinds = sorted(k for k in timings.values if k not in ("static", "warm-up"))
    lookups = [v for k in kinds for v in timings.get(k)]
    static = timings.get("static")
    print(f"\n{args.clients} concurrent API clients, {args.workers} server process(es) on {where}, "
          f"pause {args.interval_ms} ms, {wall:.1f} s: {len(lookups)} lookups + {len(static)} static "
          f"({(len(lookups) + len(static)) / wall:.0f} requests/s, {len(lookups) / wall:.0f} lookups/s), "
          f"register of {args.people} people")
    print(f"{'lookup':<16}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}"
          f"{'p99/baseline':>14}")
    base = load.percentile(static, 0.99) if static else float("nan")
    for name, values in [(k, timings.get(k)) for k in kinds] + [("all lookups", lookups), ("static", static)]:
        if values:
            p99 = load.percentile(values, 0.99)
            print(f"{name:<16}{len(values):>10}{load.percentile(values, 0.5):>10.1f}"
                  f"{load.percentile(values, 0.95):>10.1f}{p99:>10.1f}{max(values):>10.1f}{p99 / base:>14.1f}")
    p99 = load.percentile(lookups, 0.99) if lookups else float("nan")
    print(f"(static = baseline: a file served by the same app under the same load; target p99 under 20 ms: "
          f"{'met' if p99 < 20 else 'NOT met'}; failures {len(timings.failures)})")
    warm = timings.get("warm-up")
    if warm:
        print(f"warm-up, untimed above: each client's first lookup and static file took "
              f"{load.percentile(warm, 0.5):.0f} ms at the median, {max(warm):.0f} ms at most")
    print(sampler.describe())
    requests = len(lookups) + len(static)
    print(f"server CPU (its processes' user + system time) during the load: {cpu:.1f} s of {wall:.1f} s, "
          f"{1000 * cpu / max(requests, 1):.1f} ms per request (lookups and static files together)")
    print(f"access log: {chain.entries} entries, chain intact" if chain.ok else
          f"access log: {chain.entries} entries, chain BROKEN")


if __name__ == "__main__":
    main()
