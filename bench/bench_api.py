"""Benchmark of the agencies' lookups (/api/v1) against a large register.

    .venv/bin/python bench/bench_api.py [--people 1000000] [--clients 50] [--seconds 60]
                                        [--interval-ms 1000] [--workers 2]
                                        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

A register of `--people` people (with a marriage per five people, a death per fifty, a land
parcel per three, and open findings on one record in twenty) is written straight into a fresh
store, records and their published versions (the shared layer lookups read) — the pass that
would clean and publish them is not what is measured — and served by `lamsach serve --workers N` in a child process on a free loopback port.
`--clients` API clients (each its own token, every scope) call at once for `--seconds`: each
makes a random lookup (residence, marital status, life status, land rights, land parcels) of a
random existing person, then fetches a static file over a connection of its own, then pauses
`--interval-ms` (±50%). Every lookup is answered, checked and written to the hash-chained access
log as in production. The baseline, measured in the same run under the same load, is that static
file: what any answer costs before lamsach does anything. Prints per lookup p50, p99, max and
p99's ratio to the baseline's (target: p99 under 20 ms), then verifies the access log's chain.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(base: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/static/app.css", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"the server at {base} did not start within {seconds:.0f} s")


def _client(base: str, token: str, people: int, deadline: float, interval_s: float, seed: int,
            timings: dict[str, list[float]], lock: threading.Lock, failures: list[str]) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=30, headers=headers) as api, \
            httpx.Client(base_url=base, timeout=30) as assets:
        time.sleep(rng.uniform(0, interval_s))  # clients arrive over a moment, not in one millisecond
        while time.monotonic() < deadline:
            kind, url = _lookup(rng, people)
            for name, client, target in ((kind, api, url), ("static", assets, "/static/app.css")):
                started = time.perf_counter()
                response = client.get(target)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    with lock:
                        failures.append(f"{target}: HTTP {response.status_code} {response.text[:200]}")
                    continue
                with lock:
                    timings.setdefault(name, []).append(elapsed)
            if interval_s:
                time.sleep(rng.uniform(0.5, 1.5) * interval_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--interval-ms", type=int, default=1000, help="pause between two lookups of one client")
    parser.add_argument("--workers", type=int, default=2, help="server processes (lamsach serve --workers)")
    parser.add_argument("--postgres", metavar="URL",
                        help="serve from PostgreSQL: a fresh database is made on this server for the run "
                             "and dropped after (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    args = parser.parse_args()
    with _database(args.postgres) as database_url:
        _bench(args, database_url)


@contextmanager
def _database(server_url: str | None):
    """None for the embedded SQLite store, else a database of its own on the PostgreSQL server."""
    if not server_url:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"lamsach_bench_api_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    store_args = ["--database-url", database_url] if database_url else []
    log = (root / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "lamsach.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(args.workers), "--data-dir", str(settings.data_dir),
                               *store_args], stdout=log, stderr=subprocess.STDOUT)
    timings: dict[str, list[float]] = {}
    failures: list[str] = []
    try:
        wait_until_serving(base)
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [threading.Thread(target=_client, args=(base, token, args.people, deadline,
                                                          args.interval_ms / 1000, 1000 + i, timings, lock,
                                                          failures))
                   for i, token in enumerate(tokens)]
        wall = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall
    finally:
        server.terminate()
        server.wait(timeout=30)
    log.close()
    chain = access_log.verify(SqlAlchemyStore.open(settings.store_url))
    _print(timings, wall, args, where, chain, failures)
    if failures:
        raise SystemExit(f"{len(failures)} lookups failed, first: {failures[0]}")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _print(timings: dict[str, list[float]], wall: float, args, where: str, chain, failures: list[str]) -> None:
    lookups = [v for name, values in timings.items() if name != "static" for v in values]
    total = sum(len(v) for v in timings.values())
    print(f"\n{args.clients} concurrent API clients, {args.workers} server process(es) on {where}, "
          f"pause {args.interval_ms} ms, {wall:.1f} s: {len(lookups)} lookups + {len(timings.get('static', []))} "
          f"static ({total / wall:.0f} requests/s), register of {args.people} people")
    print(f"{'lookup':<16}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'p99/baseline':>14}")
    base = _pct(timings["static"], 0.99) if timings.get("static") else float("nan")
    rows = [(name, timings[name]) for name in sorted(timings) if name != "static"]
    rows += [("all lookups", lookups), ("static", timings.get("static", []))]
    for name, values in rows:
        if values:
            print(f"{name:<16}{len(values):>10}{_pct(values, 0.5):>10.1f}{_pct(values, 0.99):>10.1f}"
                  f"{max(values):>10.1f}{_pct(values, 0.99) / base:>14.1f}")
    p99 = _pct(lookups, 0.99) if lookups else float("nan")
    print(f"(static = baseline: a file served by the same app under the same load; target p99 under 20 ms: "
          f"{'met' if p99 < 20 else 'NOT met'}; failures {len(failures)})")
    print(f"access log: {chain.entries} entries, chain {'intact' if chain.ok else 'BROKEN'}")


if __name__ == "__main__":
    main()
