"""The campaign keeps its trained person model, and a pass trains again only when its training
input moved.

What the trained parameters depend on: `train_person_model` estimates u from random pairs of
the pass's person references and register people, and m by EM over their blocked pairs; its
result is a function of the model's definition (comparisons, floors, training settings,
`model_key`) and of those two tables' rows (`training_input`), nothing else (the prior is not
learnt: one register person in n, set from this pass's register). Training took about 45 % of the
link stage, while from one week to the next a campaign's references and register change by a
few hundred rows out of hundreds of thousands — parameters estimated from samples of pairs move
by less than their sampling error.

So the model is part of the campaign's state in the store, like an officer's decision: a pass
links with the model the campaign keeps while its own training input differs from the one the
model was trained on by at most `Settings.link_model_max_change` (the share of the rows of
either not in both: the Jaccard distance, exact below 4,096 rows, else estimated from bottom-k
sketches of row hashes, standard error about 0.2 % at 2 %); otherwise — or when no model is kept
for this definition — it trains one and keeps it with its input's fingerprint and sketch. The
change is always measured against the input the kept model was trained on, so small weekly
changes add up until they reach the tolerance and the model is trained again.

Why a re-run's results stay identical to a full pass's: the decision depends only on the store
(the kept model) and on this pass's training input, which a re-run and a pass that reads,
stores and standardises everything again compute alike (`tests/runner/test_weekly_rerun.py`
compares their contract files byte for byte). Both therefore link with the same model, trained
by the same earlier pass of the store's history, or both train on the same input.
`link_model_max_change = 0` keeps a model only for the very same training rows.

The dedupe models (`dedupe.py`, one per dataset, u estimated from random pairs of its records) are
kept the same way, each under its own definition's key (`definition_key`) with the fingerprint of
the rows it reads (`rows_fingerprint`), by `kept_within` and `keep`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from lamsach.backends.engine import Engine
from lamsach.backends.store import KeptLinkModel, Store
from lamsach.link import person_model
from lamsach.link.references import COLUMNS
from lamsach.link.training import (
    M_FLOOR,
    U_FLOOR,
    PersonModel,
    TrainingSpec,
    train_person_model,
    trained_person_model,
)

log = logging.getLogger("lamsach.link")
SKETCH_SIZE = 4096
"""How many of the smallest row hashes a kept model keeps to estimate how much its input changed."""


@dataclass(frozen=True)
class TrainingInput:
    """A fingerprint of the rows a model is trained on: how many, the SHA-256 of their sorted row
    hashes (equal exactly when the rows are), and the `SKETCH_SIZE` smallest row hashes."""

    rows: int
    digest: str
    sketch: list[str]


def training_columns() -> list[str]:
    """The columns training reads: the record's identity (`unique_id`: which pairs are sampled) and
    every column a comparison level, a term-frequency adjustment or a training block names. An ID
    filled from the register, a full name's spelling kept as received, the record's dataset and
    role are compared by no level: a change there does not change what training estimates."""
    named: set[str] = set()
    for comparison in person_model.comparisons():
        for level in comparison["comparison_levels"]:
            named.update(re.findall(r"\b(\w+)_[lr]\b", level["sql_condition"]))
            named.update([level["tf_adjustment_column"]] if level.get("tf_adjustment_column") else [])
    for rule in person_model.TRAINING_BLOCKS:
        named.update(re.findall(r"\b[lr]\.(\w+)", rule))
    return ["unique_id", *(c for c in COLUMNS if c in named), *sorted(named - set(COLUMNS))]


def training_input(engine: Engine, references: str, register: str) -> TrainingInput:
    """The fingerprint of the references and register tables: `training_columns` of every row."""
    return rows_fingerprint(engine, [(references, "reference"), (register, "register")], training_columns(),
                            rule="link training input")


def rows_fingerprint(engine: Engine, tables: list[tuple[str, str]], columns: list[str], rule: str) -> TrainingInput:
    """The fingerprint of `columns` of every row of `tables` (table, side: a row of one side is never
    the same row as one of another): each row's 63-bit hash (`Dialect.row_hash`), the rows'
    count, XOR and sum of them as the digest (equal for other rows by a chance of about one in
    2^63), the smallest `SKETCH_SIZE` as the sketch — aggregates the engine computes without
    sorting the rows or handing them to Python."""
    dialect = engine.dialect
    quote = dialect.quote

    def hashed(table: str, side: str) -> str:
        return (f"SELECT {dialect.row_hash([dialect.literal(side), *(quote(c) for c in columns)])} AS h "
                f"FROM {quote(table)}")

    union = " UNION ALL ".join(hashed(table, side) for table, side in tables)
    rows, xor, total = engine.run(f"SELECT count(*), bit_xor(h), sum(CAST(h AS DECIMAL(38, 0))) FROM ({union}) u",
                                  rule=rule)[0]
    smallest = engine.run(f"SELECT h FROM ({union}) u ORDER BY h LIMIT {SKETCH_SIZE}", rule=rule)
    digest = hashlib.sha256(f"{rows}:{xor or 0}:{total or 0}".encode()).hexdigest()
    return TrainingInput(int(rows), digest, [f"{int(h):016x}" for (h,) in smallest])


def changed_share(kept: KeptLinkModel, now: TrainingInput) -> float:
    """The Jaccard distance between the kept model's training rows and `now`'s: 0 when the digests
    agree, else estimated from the two bottom-k sketches (exact while both hold every row)."""
    if kept.input_digest == now.digest:
        return 0.0
    a, b = set(kept.input_sketch), set(now.sketch)
    union = sorted(a | b)[:SKETCH_SIZE]
    if not union:
        return 1.0
    both = sum(1 for h in union if h in a and h in b)
    return max(1.0 - both / len(union), 1.0 / (kept.input_rows + now.rows))  # never 0 for other rows


TRAINING_CODE = ("person_model.py", "training.py", "splink_backend.py", "model_keeping.py")
"""The modules whose code decides what training estimates (how pairs are sampled, smoothing, floors):
a change to any of them is a new model definition, even within one release."""


def model_key(engine: Engine, spec: TrainingSpec) -> str:
    """The fingerprint of everything a model's training depends on besides its input rows."""
    definition = {k: v for k, v in person_model.settings(1).items() if k != "probability_two_random_records_match"}
    return definition_key(engine, [definition, person_model.TRAINING_BLOCKS,
                                   sorted([list(k), v] for k, v in person_model.M_FLOORS.items()), M_FLOOR, U_FLOOR,
                                   asdict(spec)], TRAINING_CODE)


def definition_key(engine: Engine, parts: list, code: tuple[str, ...]) -> str:
    """The SHA-256 of a model's definition `parts`, lamsach's and Splink's versions, the engine and
    the code of the `code` modules of `lamsach.link`."""
    import splink

    from lamsach import __version__

    digests = [hashlib.sha256((Path(__file__).parent / name).read_bytes()).hexdigest() for name in code]
    everything = [__version__, splink.__version__, engine.name, *parts, digests]
    return hashlib.sha256(json.dumps(everything, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def kept_within(store: Store, campaign: str, key: str, now: TrainingInput,
                max_change: float) -> tuple[KeptLinkModel | None, float | None]:
    """The model `campaign` keeps for `key` when `now` is within `max_change` of its training rows
    (else None), and the share of rows that differ (None when none is kept)."""
    kept = store.kept_link_model(campaign, key)
    if kept is None:
        return None, None
    share = changed_share(kept, now)
    return (kept if share == 0.0 or share <= max_change else None), share


def keep(store: Store, campaign: str, key: str, now: TrainingInput, model: dict, run_id: int) -> None:
    """Keep `model`, trained now on the rows `now` describes, as the campaign's model for `key`."""
    store.keep_link_model(campaign, key, KeptLinkModel(model, now.rows, now.digest, now.sketch, run_id))


@dataclass(frozen=True)
class Keeping:
    """Where a pass keeps the models it trains and finds those kept before: the campaign's store,
    this run, and how far a model's training rows may move before it is trained again."""

    store: Store
    campaign: str
    run_id: int
    max_change: float
    results: Path | None = None
    """Where results computed from exactly the same rows with the same model are kept for the
    next pass to take (`link.dedupe`: each dataset's duplicates); None keeps none."""


@dataclass
class PassModel:
    model: PersonModel
    kept: bool
    """True when the campaign's kept model was used, False when this pass trained one (`keep_trained`)."""
    changed_share: float | None = None
    key: str = ""
    """The model definition's fingerprint (`model_key`)."""
    trained_on: TrainingInput | None = None
    """The rows a model trained this pass was trained on (None when the kept model was used)."""


def keep_trained(store: Store, campaign: str, run_id: int, chosen: PassModel) -> None:
    """Keep the model this pass trained as the campaign's, for the next passes (nothing when the
    pass used the kept one). Apart from `person_model_for_pass`, so that a pass can train while
    the store is busy with other writes and keep the model once it is free."""
    if not chosen.kept and chosen.trained_on is not None:
        keep(store, campaign, chosen.key, chosen.trained_on, chosen.model.settings_dict(), run_id)


def person_model_for_pass(engine: Engine, db_api, store: Store, campaign: str, run_id: int, references: str,
                          register: str, n_references: int, n_register: int, spec: TrainingSpec,
                          max_change: float) -> PassModel:
    """The campaign's kept model when this pass's training input is within `max_change` of its own,
    else a model trained now, for `keep_trained` to keep for the next passes."""
    key = model_key(engine, spec)
    now = training_input(engine, references, register)
    kept, share = kept_within(store, campaign, key, now, max_change)
    if kept is not None:
        log.info("person model kept from run %s: %.2f%% of its training rows differ", kept.run_id, 100 * (share or 0))
        return PassModel(trained_person_model(engine, db_api, references, register, kept.model, n_references, n_register),
                         True, share)
    model = train_person_model(engine, db_api, references, register, n_references, n_register, spec)
    return PassModel(model, False, share, key, now)
