"""Duplicates within one dataset, found by the dataset's `DedupeSpec` and clustered.

Pairs above the threshold are joined into clusters (a record typed three times is one cluster,
not three pairs); each cluster's representative is its lowest record key, the same choice the
exact `unique` rule makes ("registers number records in the order they were created"), so an
exact and a fuzzy finding never name different originals for one cluster.

Training estimates each model's u from random pairs of the dataset's records; like the person
model, the trained model is kept by the campaign (`model_keeping`, `link_models`) and a pass
predicts with it while its records differ from those it was trained on by at most
`link_model_max_change`, else trains and keeps a new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lamsach.backends.engine import Engine
from lamsach.backends.engine.kept_parquet import remove_other_fingerprints, write_parquet
from lamsach.domain import DatasetSchema, LamsachError
from lamsach.link.dedupe_library import SPECS, DedupeSpec
from lamsach.link.model_keeping import (
    Keeping,
    TrainingInput,
    definition_key,
    keep,
    kept_within,
    rows_fingerprint,
)
from lamsach.link.splink_backend import for_api
from lamsach.link.training import smoothed

DUPLICATE_COLUMNS = ("dataset", "record_id", "duplicate_of", "match_probability", "weights")


MIN_RECORDS = 50
"""Below this many records the dataset cannot tell chance agreement from duplication (its own
copies would be most of the agreeing pairs u is estimated from): only exact copies are reported."""


@dataclass(frozen=True)
class DedupeSettings:
    threshold_probability: float = 0.99
    expected_duplicate_share: float = 0.01
    u_max_pairs: float = 1e5
    u_floor: float = 1e-5
    seed: int = 1


@dataclass(frozen=True)
class Duplicates:
    table: str
    """Engine table of `DUPLICATE_COLUMNS`."""
    model_kept: bool = False
    """True when the model the campaign keeps was used, False when this pass trained it."""
    result_kept: bool = False
    """True when the duplicates themselves were taken as the last pass found them (`_KeptDuplicates`)."""


TRAINING_CODE = ("dedupe.py", "dedupe_library.py", "training.py", "splink_backend.py", "model_keeping.py")
"""The modules whose code decides what a dedupe model's training estimates."""


def find_duplicates(engine: Engine, db_api: Any, schema: DatasetSchema, table: str,
                    settings: DedupeSettings | None = None, keeping: Keeping | None = None) -> Duplicates | None:
    """One row per record that duplicates its cluster's representative; None when the dataset has
    no spec or fewer than `MIN_RECORDS` records. With `keeping`, the model the campaign keeps
    for this dataset when its records moved little since it was trained (`model_keeping`)."""
    quote = engine.dialect.quote
    spec = SPECS.get(schema.name)
    settings = settings or DedupeSettings()
    if spec is None:
        return None
    prepared = engine.table_name(f"dedupe_{schema.name}")
    columns = ", ".join(f"{sql} AS {quote(name)}" for name, sql in spec.columns.items())
    engine.run(f"CREATE OR REPLACE TABLE {quote(prepared)} AS SELECT d.record_id AS unique_id, {columns} "
               f"FROM {quote(table)} d", rule=f"dedupe {schema.name}")
    try:
        return _duplicates(engine, db_api, schema, spec, prepared, settings, keeping)
    finally:
        engine.drop(prepared)


def _duplicates(engine: Engine, db_api: Any, schema: DatasetSchema, spec: DedupeSpec, prepared: str,
                settings: DedupeSettings, keeping: Keeping | None) -> Duplicates | None:
    """`find_duplicates`' work over the dataset's `prepared` rows (the spec's columns)."""
    quote = engine.dialect.quote
    from splink import Linker

    n = engine.run(f"SELECT count(*) FROM {quote(prepared)}")[0][0]
    if n < MIN_RECORDS:
        return None
    records = db_api.register(prepared, dataset_display_name=f"dedupe_{schema.name}")
    definition = for_api(db_api, spec.settings(n, settings.expected_duplicate_share))
    model, kept, now = _model(engine, db_api, spec, prepared, records, definition, settings, keeping)
    name = engine.table_name(f"duplicates_{schema.name}")
    result = _KeptDuplicates.of(engine, keeping, spec, now, model, settings)
    if result is not None and result.load(engine, f"duplicates_{schema.name}"):
        return Duplicates(name, kept, result_kept=True)
    linker = Linker(records, model, log_level=None, validate_settings=False)
    predictions = linker.inference.predict(threshold_match_probability=settings.threshold_probability,
                                           warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=settings.threshold_probability)
    weights = engine.dialect.json_text({c["output_column_name"]: f"round(p.mw_{c['output_column_name']}, 2)"
                                        for c in model["comparisons"]})
    engine.run(
        f"CREATE OR REPLACE TABLE {quote(name)} AS "
        f"WITH c AS (SELECT unique_id, min(unique_id) OVER (PARTITION BY cluster_id) AS representative, "
        f"  count(*) OVER (PARTITION BY cluster_id) AS size FROM {clusters.physical_name}), "
        f"edges AS (SELECT unique_id_l AS a, unique_id_r AS b, match_probability, "
        f"  {weights} AS weights FROM {predictions.physical_name} p "
        f"  UNION ALL SELECT unique_id_r, unique_id_l, match_probability, "
        f"  {weights} FROM {predictions.physical_name} p) "
        f"SELECT '{schema.name}' AS dataset, c.unique_id AS record_id, c.representative AS duplicate_of, "
        f"max(e.match_probability) AS match_probability, {engine.dialect.arg_max('e.weights', 'e.match_probability')} AS weights "
        f"FROM c LEFT JOIN edges e ON e.a = c.unique_id "
        f"WHERE c.size > 1 AND c.unique_id <> c.representative GROUP BY c.unique_id, c.representative",
        rule=f"dedupe {schema.name}")
    for frame in (predictions, clusters):
        frame.drop_table_from_database_and_remove_from_cache()
    if result is not None:
        result.save(engine, name)
    return Duplicates(name, kept)


@dataclass(frozen=True)
class _KeptDuplicates:
    """A dataset's duplicates as a pass found them, kept in the data folder (`Keeping.results`)
    under the fingerprint of everything they were found from: the prepared rows (the exact digest
    of `rows_fingerprint`, which training reads too), the model predicted with (its whole JSON,
    prior included), the threshold, and the code and versions (`definition_key`). Predicting and
    clustering are a function of those alone, so the next pass over the same rows with the same
    model takes them instead of scoring every blocked pair again (the weekly re-run: most
    datasets did not change). DuckDB only: the table is read back from Parquet."""

    path: Path

    @classmethod
    def of(cls, engine: Engine, keeping: Keeping | None, spec: DedupeSpec, now: TrainingInput | None,
           model: dict[str, Any], settings: DedupeSettings) -> _KeptDuplicates | None:
        if keeping is None or keeping.results is None or now is None or engine.name != "duckdb":
            return None
        key = definition_key(engine, ["duplicates", spec.dataset, now.rows, now.digest, model,
                                      settings.threshold_probability], TRAINING_CODE)
        folder = keeping.results / "dedupe"
        stem = hashlib.sha256(f"{keeping.campaign}\0{spec.dataset}".encode()).hexdigest()[:32]
        return cls(folder / f"{stem}.{key[:32]}.parquet")

    def load(self, engine: Engine, stem: str) -> bool:
        """The kept duplicates as the engine table of `stem`; False when none are kept for this
        fingerprint (or the file cannot be read: that only costs the computation)."""
        if not self.path.exists():
            return False
        try:
            table = pq.read_table(self.path)
        except (OSError, pa.ArrowInvalid):
            return False
        engine.register(stem, table)
        return True

    def save(self, engine: Engine, name: str) -> None:
        """Keep the engine table `name` for this fingerprint, written aside and renamed (a killed
        pass leaves the old file or the new); older ones of the dataset are removed."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_parquet(engine, f"SELECT * FROM {engine.dialect.quote(name)}", self.path, rule="dedupe keep")
            remove_other_fingerprints(self.path)
        except (OSError, LamsachError):
            pass  # an unwritable folder only costs the next pass the computation


def _model(engine: Engine, db_api: Any, spec: DedupeSpec, prepared: str, records: Any, definition: dict[str, Any],
           settings: DedupeSettings, keeping: Keeping | None) -> tuple[dict[str, Any], bool, TrainingInput | None]:
    """The dataset's model with its u: the campaign's kept one while `prepared`'s rows are within
    the tolerance of those it was trained on, else trained now (and kept). Training reads only
    the prepared rows (`unique_id` and the spec's columns); the prior is not learnt, so a kept
    model gets this pass's (`DedupeSpec.settings`), as training sets it. Also the fingerprint of
    the prepared rows (None without `keeping`)."""
    from splink import Linker

    if keeping is not None:
        key = definition_key(engine, ["dedupe", asdict(spec), settings.u_max_pairs, settings.u_floor, settings.seed],
                             TRAINING_CODE)
        now = rows_fingerprint(engine, [(prepared, spec.dataset)], ["unique_id", *spec.columns],
                               rule=f"dedupe {spec.dataset} training input")
        kept, _ = kept_within(keeping.store, keeping.campaign, key, now, keeping.max_change)
        if kept is not None:
            prior = definition["probability_two_random_records_match"]
            return {**kept.model, "probability_two_random_records_match": prior}, True, now
    linker = Linker(records, definition, log_level=None, validate_settings=False)
    linker.training.estimate_u_using_random_sampling(max_pairs=settings.u_max_pairs, seed=settings.seed,
                                                     num_chunks=1)
    model = smoothed(linker.misc.save_model_to_json(out_path=None), m_floor=0.0, u_floor=settings.u_floor)
    if keeping is not None:
        keep(keeping.store, keeping.campaign, key, now, model, keeping.run_id)
        return model, False, now
    return model, False, None
