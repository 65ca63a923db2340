"""References without a usable ID, tied to the register by the trained model.

A reference reaches this stage when its ID is missing, malformed, an old 9-digit CMND, or a
12-digit number the register does not hold. Its candidate pairs come from the model's blocking
rules; a register person entered twice is one candidate (the better of the two records), and
the best candidate is banded (`bands.py`). Every candidate keeps the match weight of each
comparison, so an officer sees why it was chosen: "same family name +2.1, same date of birth
+11.4, other commune -3.0".
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

from lamsach.backends.engine import Engine
from lamsach.link.bands import LinkBands
from lamsach.link.kept_candidates import CANDIDATE_COLUMNS, CandidateKeeping, KeptCandidates
from lamsach.link.training import PersonModel

log = logging.getLogger("lamsach.link")
PROBABILISTIC_COLUMNS = ("dataset", "record_id", "role", "citizen_id", "match_probability", "method", "band",
                         "match_weight", "runner_up_weight", "register_record", "weights")
CANDIDATE_FLOOR_PROBABILITY = 0.001
"""Candidates below this are not kept: they can neither be chosen nor crowd the chosen one."""


def weights_sql(engine: Engine, predictions: str, model: PersonModel) -> str:
    """A JSON object of each comparison's match weight (term-frequency adjustment included), plus the prior."""
    quote = engine.dialect.quote
    columns = {r[0] for r in engine.run(f"DESCRIBE {quote(predictions)}")}
    prior = model.settings_dict()["probability_two_random_records_match"]
    parts = {"prior": str(round(math.log2(prior / (1 - prior)), 2))}
    for comparison in model.settings_dict()["comparisons"]:
        name = comparison["output_column_name"]
        tf = f" + coalesce(mw_tf_adj_{name}, 0)" if f"mw_tf_adj_{name}" in columns else ""
        parts[name] = f"round(mw_{name}{tf}, 2)"
    return engine.dialect.json_text(parts)


def _num(value: float) -> str:
    """A number literal DuckDB reads as DOUBLE (a bare 0.05 is a DECIMAL and overflows in products)."""
    return f"CAST({float(value)!r} AS DOUBLE)"


def _outside_share(engine: Engine, per_reference: str, n_references: int, n_register: int, floor: float) -> float:
    """The share of references whose person is none of their candidates, estimated from the data
    by expectation-maximisation over "which candidate, or none": each round, a reference's
    chance of "none" given its candidates' Bayes factors, averaged (references without any
    candidate count as certainly none). Never below `floor` (people blocking misses)."""
    quote = engine.dialect.quote
    share = max(floor, 0.05)
    for _ in range(50):
        mean = engine.run(
            f"SELECT (coalesce(sum(o), 0) + {n_references} - count(*)) / {max(n_references, 1)} FROM ("
            f"SELECT {_num(n_register * share)} * pow(2, -top) / ({_num(n_register * share)} * pow(2, -top) "
            f"+ {_num(1 - share)} * s) AS o FROM {quote(per_reference)})")[0][0]
        new = max(floor, float(mean or 0.0))
        if abs(new - share) < 1e-5:
            break
        share = new
    log.info("references whose person is none of their candidates: %.2f%% (of %s)", 100 * share, n_references)
    return share


def _best_candidates(engine: Engine, predictions: str, references: str, weights: str, method: str,
                     bands: LinkBands, n_register: int, prior: float, name: str,
                     n_references: int | None = None) -> str:
    """Each reference's best candidate among Splink's `predictions` (`_candidates`, `_choose`)."""
    candidates = _candidates(engine, predictions, weights, engine.table_name(f"link_{method}_scored"))
    return _choose(engine, candidates, references, method, bands, n_register, prior, name, n_references)


def _candidates(engine: Engine, predictions: str, weights: str, name: str) -> str:
    """Each reference's candidates, one row a register citizen (a citizen entered twice in the
    register is one candidate, the better of the two records): `CANDIDATE_COLUMNS`."""
    quote = engine.dialect.quote
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"SELECT unique_id_l AS unique_id, citizen_id_r AS citizen_id, max(match_weight) AS match_weight, "
        f"{engine.dialect.arg_max('unique_id_r', 'match_weight')} AS register_record, "
        f"{engine.dialect.arg_max(weights, 'match_weight')} AS weights FROM {quote(predictions)} "
        f"GROUP BY unique_id_l, citizen_id_r", rule="link candidates")
    return name


def _choose(engine: Engine, candidates: str, references: str, method: str, bands: LinkBands, n_register: int,
            prior: float, name: str, n_references: int | None = None) -> str:
    """Each reference's best candidate with its probability among all its candidates.

    Splink's pairwise probability weighs one pair against the whole register (prior 1 in n), as
    if every other register person were as likely as a random stranger. But the reference is one
    person: either one of the candidates blocking found, or someone the register lacks or
    blocking missed (a share estimated from the data, `_outside_share`). So the probability of
    candidate i is its Bayes factor over the sum of all candidates' factors plus the weight of
    "none of these": two equally good candidates share the probability (neither is accepted), and
    a unique strong candidate is not held back by the millions of strangers it was never like.
    """
    quote = engine.dialect.quote
    prior_weight = math.log2(prior / (1 - prior))
    per_citizen = quote(engine.table_name("link_candidates"))
    engine.run(
        f"CREATE OR REPLACE TABLE {per_citizen} AS SELECT *, max(log2_bf) OVER (PARTITION BY unique_id) AS top FROM ("
        f"SELECT *, match_weight - {_num(prior_weight)} AS log2_bf FROM {quote(candidates)})", rule=f"link {method}")
    stats = engine.table_name("link_candidate_sums")
    engine.run(f"CREATE OR REPLACE TABLE {quote(stats)} AS SELECT unique_id, any_value(top) AS top, "
               f"sum(pow(2, log2_bf - top)) AS s FROM {per_citizen} GROUP BY unique_id", rule=f"link {method}")
    n_refs = n_references if n_references is not None else engine.run(f"SELECT count(*) FROM {quote(stats)}")[0][0]
    share = _outside_share(engine, stats, n_refs, n_register, bands.outside_share)
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"WITH scored AS (SELECT c.*, {_num(1 - share)} * pow(2, c.log2_bf - c.top) / ({_num(1 - share)} * t.s "
        f"  + {_num(n_register * share)} * pow(2, -c.top)) AS match_probability "
        f"  FROM {per_citizen} c JOIN {quote(stats)} t USING (unique_id)), "
        f"ranked AS (SELECT *, row_number() OVER w AS rank, lead(match_weight) OVER w AS runner_up_weight "
        f"  FROM scored WINDOW w AS (PARTITION BY unique_id ORDER BY match_weight DESC, citizen_id)) "
        f"SELECT r.dataset, r.record_id, r.role, k.citizen_id, k.match_probability, '{method}' AS method, "
        f"{bands.sql('k.match_probability', 'k.match_weight', 'k.runner_up_weight')} AS band, "
        f"k.match_weight, k.runner_up_weight, k.register_record, k.weights, {_num(share)} AS outside_share "
        f"FROM ranked k JOIN {quote(references)} r ON r.unique_id = k.unique_id WHERE k.rank = 1",
        rule=f"link {method}")
    engine.drop_tables(engine.table_name("link_candidates"), stats)
    return name


def _pool(engine: Engine, references: str, id_links: str, with_id_link: bool, name: str) -> str:
    quote = engine.dialect.quote
    exists = (f"EXISTS (SELECT 1 FROM {quote(id_links)} l WHERE l.dataset = r.dataset "
              f"AND l.record_id = r.record_id AND l.role = r.role)")
    engine.run(f"CREATE OR REPLACE TABLE {quote(name)} AS SELECT * FROM {quote(references)} r "
               f"WHERE {'' if with_id_link else 'NOT '}{exists}", rule="link pool")
    return name


@dataclass
class ProbabilisticLinks:
    table: str
    """Engine table of `PROBABILISTIC_COLUMNS`: each reference's best candidate, banded."""
    example_pair: list[dict] = field(default_factory=list)
    """The scored pair behind the least certain accepted link, for the waterfall chart."""
    kept: int = 0
    """How many references' candidates were taken as the last pass scored them (`KeptCandidates`)."""


def _example_pair(engine: Engine, db_api: Any, model: PersonModel, predictions: Any, pool: str,
                  chosen: str) -> list[dict]:
    """Splink's row of the least certain accepted link: from this pass's predictions, or, when
    its reference's candidates were taken as kept, that one reference scored again."""
    quote, literal = engine.dialect.quote, engine.dialect.literal
    best = engine.rows(f"SELECT dataset || '|' || record_id || '|' || role AS uid, citizen_id FROM {quote(chosen)} "
                       f"WHERE band = 'accept' ORDER BY match_weight, uid LIMIT 1")
    if not best:
        return []
    pair = f"unique_id_l = {literal(best[0]['uid'])} AND citizen_id_r = {literal(best[0]['citizen_id'])}"
    if predictions is not None:
        rows = engine.rows(f"SELECT * FROM {quote(predictions.physical_name)} WHERE {pair} "
                           f"ORDER BY match_weight DESC LIMIT 1")
        if rows:
            return rows
    one = engine.table_name("link_example_reference")
    engine.run(f"CREATE OR REPLACE TABLE {quote(one)} AS SELECT * FROM {quote(pool)} "
               f"WHERE unique_id = {literal(best[0]['uid'])}", rule="link example")
    scored = model.linker.inference.predict_between(
        db_api.register(one, dataset_display_name="example"), model.register,
        threshold_match_probability=CANDIDATE_FLOOR_PROBABILITY, warning_mode="never")
    rows = engine.rows(f"SELECT * FROM {quote(scored.physical_name)} WHERE {pair} ORDER BY match_weight DESC LIMIT 1")
    scored.drop_table_from_database_and_remove_from_cache()
    engine.drop(one)
    return rows


def _scored(engine: Engine, db_api: Any, model: PersonModel, pool: str, kind: str,
            keeping: CandidateKeeping | None, **predict: Any) -> tuple[str, Any, int]:
    """The candidates (`_candidates`) of every reference of `pool`, scored by `predict_between`
    with `predict`'s arguments, or taken as kept where the reference, the register and the model
    are as they were (`KeptCandidates`); Splink's predictions of those scored now (None when
    none was); and how many references' candidates were taken as kept."""
    quote = engine.dialect.quote
    name = engine.table_name(f"link_{kind}_scored")
    kept = KeptCandidates.of(engine, keeping, kind, model.settings_dict(), model.register.physical_name,
                             {k: v for k, v in sorted(predict.items())})
    to_score, taken, n_taken = pool, None, 0
    if kept is not None:
        to_score, taken = kept.split(engine, pool, engine.table_name(f"link_{kind}_to_score"),
                                     engine.table_name(f"link_{kind}_kept"))
    if taken is not None:
        n_scored, n_pool = engine.run(f"SELECT (SELECT count(*) FROM {quote(to_score)}), "
                                      f"(SELECT count(*) FROM {quote(pool)})")[0]
        n_taken = n_pool - n_scored
        log.info("%s: candidates of %s of %s references taken as the last pass scored them", kind, n_taken, n_pool)
        if not n_scored:
            engine.drop_tables(kept.hashes if kept else None, to_score)
            return taken, None, n_taken
    predictions = model.linker.inference.predict_between(
        db_api.register(to_score, dataset_display_name=kind), model.register, warning_mode="never", **predict)
    _candidates(engine, predictions.physical_name, weights_sql(engine, predictions.physical_name, model), name)
    if taken is not None:
        columns = ", ".join(CANDIDATE_COLUMNS)
        engine.run(f"INSERT INTO {quote(name)} ({columns}) SELECT {columns} FROM {quote(taken)}",
                   rule="link candidates")
    if kept is not None:
        kept.save(engine, name)
        engine.drop_tables(kept.hashes, taken, to_score if to_score != pool else None)
    return name, predictions, n_taken


def link_probabilistically(engine: Engine, db_api: Any, model: PersonModel, references: str, id_links: str,
                           bands: LinkBands, keeping: CandidateKeeping | None = None) -> ProbabilisticLinks:
    """The best register candidate of every reference without an ID link, banded; references with
    no candidate at all are absent. With `keeping`, candidates are kept for the next pass and
    taken from the last (`KeptCandidates`)."""
    quote = engine.dialect.quote
    pool = _pool(engine, references, id_links, False, engine.table_name("link_pool"))
    n_pool = engine.run(f"SELECT count(*) FROM {quote(pool)}")[0][0]
    candidates, predictions, kept = _scored(engine, db_api, model, pool, "probabilistic", keeping,
                                            threshold_match_probability=CANDIDATE_FLOOR_PROBABILITY)
    prior = model.settings_dict()["probability_two_random_records_match"]
    name = _choose(engine, candidates, references, "probabilistic", bands, model.n_register, prior,
                   engine.table_name("links_probabilistic"), n_pool)
    pair = _example_pair(engine, db_api, model, predictions, pool, name)
    if predictions is not None:
        predictions.drop_table_from_database_and_remove_from_cache()
    engine.drop_tables(pool, candidates)
    return ProbabilisticLinks(name, pair, kept)


def explain_id_links(engine: Engine, db_api: Any, model: PersonModel, references: str, id_links: str,
                     bands: LinkBands, keeping: CandidateKeeping | None = None) -> ExplainedIdLinks:
    """The model's view of every link made by ID: its weights explain the link, and the share
    the model would itself accept checks the model against evidence it was never trained on.

    Engine table of each ID-linked reference's `dataset`, `record_id`, `role`, `citizen_id` and
    the model's `match_weight`, `register_record` and `weights` for that citizen (`_model_view`):
    what the links table takes from it, with how many were taken as kept. `bands` is not needed
    for that (kept for callers)."""
    pool = _pool(engine, references, id_links, True, engine.table_name("link_id_pool"))
    candidates, predictions, kept = _scored(engine, db_api, model, pool, "id", keeping,
                                            blocking_rules_to_generate_predictions=["l.id_value = r.citizen_id"])
    name = _model_view(engine, candidates, references, engine.table_name("links_id_explained"))
    if predictions is not None:
        predictions.drop_table_from_database_and_remove_from_cache()
    engine.drop_tables(pool, candidates)
    return ExplainedIdLinks(name, kept)


@dataclass(frozen=True)
class ExplainedIdLinks:
    table: str
    """Engine table of each ID link's explanation (`explain_id_links`)."""
    kept: int = 0
    """How many references' candidates were taken as the last pass scored them (`KeptCandidates`)."""


def _model_view(engine: Engine, candidates: str, references: str, name: str) -> str:
    """Each reference's best candidate as `_choose` chooses it, with the columns it gives that
    depend on the candidate alone (match weight, register record, weights), without the
    probability among candidates: that needs the share of references outside the register,
    estimated by up to 50 rounds over all of them, and the explanation of an ID link never
    reads it. tests/link/test_id_link_explanation.py compares it with `_best_candidates`."""
    quote = engine.dialect.quote
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"WITH ranked AS (SELECT *, row_number() OVER (PARTITION BY unique_id ORDER BY match_weight DESC, citizen_id) "
        f"  AS rank FROM {quote(candidates)}) "
        f"SELECT r.dataset, r.record_id, r.role, k.citizen_id, k.match_weight, k.register_record, k.weights "
        f"FROM ranked k JOIN {quote(references)} r ON r.unique_id = k.unique_id WHERE k.rank = 1",
        rule="link id")
    return name
