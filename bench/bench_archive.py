"""The archive: OCR pages per minute on 2 cores, and search p95 over 100,000 documents' text.

OCR: generated certificate scans (DejaVu text turned, blurred and speckled) kept through
`lamsach.archive.add_content` with two OCR processes, two documents at a time (both cores busy);
the baseline, in the same run, is Tesseract alone on the same page images, one page at a time —
the raw recogniser without the PDF/A copy, metadata, hashing and catalogue.

Search: 100,000 documents' text (certificates of generated parcels, each with its owner, serial,
parcel and address) catalogued through the store's bulk entry (`catalogue.add_texts`: no OCR, no
files), searched by toneless queries through `lamsach.archive.search`; the baseline is the same query as a scan of the folded text
(`LIKE '%…%'`) over the same store. SQLite, and PostgreSQL with `--postgres URL`.

Run: `flock /work/.bench.lock .venv/bin/python bench/bench_archive.py` (heavy: keep runs apart).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from lamsach.archive import add_content, fold, search, search_terms
from lamsach.backends.store import SqlAlchemyStore
from lamsach.backends.store import archive as catalogue
from lamsach.generate.scans import ScanLook, certificate_lines, render_scan, scan_bytes
from lamsach.settings import Settings

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai",
         "Nam", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Việt", "Yến", "Định"]
PLACES = ["Hậu Lộc", "Đa Lộc", "Hòa Lộc", "Minh Lộc", "Hải Lộc", "Ngư Lộc", "Hưng Lộc", "Đại Lộc"]


def parcel(rng: random.Random, n: int) -> dict:
    return {"certificate_serial": f"{rng.choice(['CS', 'DA', 'BK', 'CH'])} {rng.randrange(10**6):06d}",
            "owner_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            "owner_birth_year": str(rng.randrange(1940, 2000)), "owner_id": f"038{rng.randrange(10**9):09d}",
            "parcel_no": str(rng.randrange(1, 900)), "map_sheet": str(rng.randrange(1, 60)),
            "area_m2": f"{rng.randrange(50, 2000)}.{rng.randrange(10)}", "land_use_code": rng.choice(["ONT", "LUC", "CLN"]),
            "parcel_address": f"Thôn {n % 40 + 1}, xã {rng.choice(PLACES)}, tỉnh Thanh Hóa"}


# OCR --------------------------------------------------------------------------------------------
def bench_ocr(pages: int, folder: Path) -> dict:
    rng = random.Random(7)
    images = [render_scan(certificate_lines(parcel(rng, i)), seed=i,
                          look=ScanLook(rng.uniform(-2, 2), rng.uniform(0.5, 1.0), 0.01)) for i in range(pages)]
    files = []
    for i, image in enumerate(images):
        path = folder / f"page-{i}.png"
        path.write_bytes(scan_bytes([image]))
        files.append(path)
    started = time.perf_counter()
    for path in files:  # baseline: Tesseract alone, one page at a time
        subprocess.run(["tesseract", str(path), "stdout", "-l", "vie"], capture_output=True, check=True)
    baseline = time.perf_counter() - started

    settings = Settings(data_dir=folder / "ocr-store", archive_ocr_jobs=2)
    store = SqlAlchemyStore.open(settings.store_url)
    documents = [scan_bytes(images[i:i + 2], "TIFF") for i in range(0, pages, 2)]  # two-page scans
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda d: add_content(store, settings, d[1], f"scan-{d[0]}.tif", {}, "bench"),
                                 enumerate(documents)))
    archive = time.perf_counter() - started
    assert all(o.status == "kept" and o.text_source == "ocr" for o in outcomes)
    return {"pages": pages, "baseline_ppm": 60 * pages / baseline, "archive_ppm": 60 * pages / archive}


# search -----------------------------------------------------------------------------------------
def fill(store: SqlAlchemyStore, documents: int, batch: int = 5000) -> list[dict]:
    """`documents` certificates catalogued with their text as OCR would give it (no OCR, no files:
    `catalogue.add_texts`, the store's bulk entry); every 200th one's values kept for queries."""
    rng = random.Random(11)
    samples = []
    for first in range(0, documents, batch):
        entries = []
        for n in range(first, min(first + batch, documents)):
            values = parcel(rng, n)
            body = "\n".join(certificate_lines(values))
            meta = {"title": "Giấy chứng nhận quyền sử dụng đất", "access_level": rng.choice(["public", "restricted"]),
                    "unit": f"{16000 + n % 12:05d}"}
            sha256 = hashlib.sha256(f"bench {n} {body}".encode()).hexdigest()
            entries.append(({"sha256": sha256, "file_name": f"gcn-{n}.pdf", "media_type": "application/pdf",
                             "size_bytes": 1000, "signed": 0, "copy_sha256": None, "text_source": "ocr",
                             "metadata": meta, "access_level": meta["access_level"], "unit": meta["unit"],
                             "added_by": "bench"}, body, fold(f"{meta['title']}\n{body}")))
            if n % (documents // 200 or 1) == 0:
                samples.append(values)
        catalogue.add_texts(store, entries)
    return samples


def queries(samples: list[dict], rng: random.Random) -> list[str]:
    """Toneless queries an officer types: an owner's name, a serial, a place, a name and a place."""
    found = []
    for values in samples:
        kind = rng.randrange(4)
        if kind == 0:
            found.append(fold(values["owner_name"]))
        elif kind == 1:
            found.append(values["certificate_serial"].lower())
        elif kind == 2:
            found.append("xa " + fold(values["parcel_address"].split("xã ")[1].split(",")[0]))
        else:
            found.append(fold(values["owner_name"].split()[-1]) + " thon " + values["parcel_address"].split()[1][:-1])
    return found


def timed(fn, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def like_scan(store: SqlAlchemyStore, query: str) -> int:
    """Baseline: every term as a substring of the folded text, scanning all documents."""
    conditions = " AND ".join(f"folded LIKE :t{i}" for i in range(len(search_terms(query))))
    params = {f"t{i}": f"%{term}%" for i, term in enumerate(search_terms(query))}
    with store.engine.connect() as conn:
        return len(conn.execute(text(f"SELECT document_id FROM archive_texts WHERE {conditions} LIMIT 20"),
                                params).all())


def bench_search(store_url: str, documents: int, where: str) -> dict:
    store = SqlAlchemyStore.open(store_url)
    started = time.perf_counter()
    samples = fill(store, documents)
    load_seconds = time.perf_counter() - started
    if store.engine.dialect.name == "postgresql":
        with store.engine.begin() as conn:
            conn.execute(text("ANALYZE archive_texts"))  # as autovacuum would after a large load
            conn.execute(text("ANALYZE archive_documents"))
    asked = queries(samples, random.Random(3))
    for query in asked[:10]:  # warm caches the same way for both
        search(store, query, "officer", "16003")
        like_scan(store, query)
    results = [search(store, q, "officer", "16003") for q in asked]
    hits = [r.total for r in results]
    archive = timed(lambda q: search(store, q, "officer", "16003"), asked)
    baseline = timed(lambda q: like_scan(store, q), asked)
    return {"where": where, "documents": documents, "queries": len(asked), "load_s": load_seconds,
            "found_share": sum(1 for h in hits if h) / len(hits),
            "capped_share": sum(1 for r in results if r.more) / len(results), "archive_p50": statistics.median(archive),
            "archive_p95": p95(archive), "baseline_p50": statistics.median(baseline), "baseline_p95": p95(baseline)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=12, help="generated pages for the OCR part")
    parser.add_argument("--documents", type=int, default=100_000, help="documents for the search part")
    parser.add_argument("--postgres", metavar="URL", help="also search on PostgreSQL (a database of its own is made)")
    parser.add_argument("--skip-ocr", action="store_true")
    args = parser.parse_args()
    print(f"bench_archive {time.strftime('%Y-%m-%d %H:%M')} load {os.getloadavg()[0]:.1f} cores {os.cpu_count()}")
    with tempfile.TemporaryDirectory(prefix="lamsach-bench-archive-") as folder:
        root = Path(folder)
        if not args.skip_ocr:
            ocr = bench_ocr(args.pages, root)
            print(f"OCR, {ocr['pages']} pages: archive (2 processes, OCRmyPDF + PDF/A + catalogue) "
                  f"{ocr['archive_ppm']:.1f} pages/min; baseline (tesseract alone, 1 page at a time) "
                  f"{ocr['baseline_ppm']:.1f} pages/min; ratio {ocr['archive_ppm'] / ocr['baseline_ppm']:.2f}")
        runs = [bench_search(f"sqlite:///{root / 'search.db'}", args.documents, "SQLite FTS5")]
        if args.postgres:
            runs.append(_on_postgres(args.postgres, args.documents))
        for r in runs:
            print(f"Search, {r['documents']:,} documents on {r['where']} ({r['queries']} toneless queries, "
                  f"{r['found_share']:.0%} with hits, {r['capped_share']:.0%} past the count cap, loaded in {r['load_s']:.0f} s): p50 {r['archive_p50']:.1f} ms, "
                  f"p95 {r['archive_p95']:.1f} ms; baseline LIKE scan p50 {r['baseline_p50']:.1f} ms, "
                  f"p95 {r['baseline_p95']:.1f} ms; p95 ratio {r['archive_p95'] / r['baseline_p95']:.3f}")


def _on_postgres(url: str, documents: int) -> dict:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"lamsach_bench_archive_{os.getpid()}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return bench_search(make_url(url).set(database=name).render_as_string(hide_password=False), documents,
                            "PostgreSQL GIN")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
