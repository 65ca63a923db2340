"""Train the person model on the pass's own data, without labels, and keep it with the run.

No one has labelled pairs for a province, so the model learns as Fellegi and Sunter intended:

- u (how often two *different* people agree by chance) from random pairs of reference and
  register records, which are almost all non-matches;
- m (how often the *same* person agrees) by expectation-maximisation over blocked pairs
  (`person_model.TRAINING_BLOCKS`); each pass estimates the comparisons its blocking leaves free.

A level never seen in training would get m = 0 and forbid a match outright (one typo in a birth
year and the true person could never be found), so m and u are smoothed with a small floor, and
a few levels keep the floor that how records are kept imposes (`person_model.M_FLOORS`): when
one variable alone separates matches in a block, EM cannot tell a person who moved from a
stranger and learns that nobody moves.

All references take part, those linked by ID too: they are the same kind of records, and a
campaign's few hundred broken IDs alone are too few to learn from. The ID links are then used
only to check the trained model (`agreement_with_id_links`), never to train it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lamsach.backends.engine import Engine
from lamsach.link import person_model
from lamsach.link.splink_backend import for_api
from lamsach.settings import Settings

M_FLOOR = 1e-3
"""The least chance that one person's two records disagree at any level: typing slips happen."""
U_FLOOR = 1e-7


@dataclass(frozen=True)
class TrainingSpec:
    """How much of the candidate pairs training samples: the settings `link_u_max_pairs` and
    `link_em_max_pairs` (`from_settings`), which hold the defaults and what was measured for them."""

    u_max_pairs: float
    em_max_pairs: float
    seed: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> TrainingSpec:
        return cls(settings.link_u_max_pairs, settings.link_em_max_pairs)


def smoothed(model: dict[str, Any], m_floor: float = M_FLOOR, u_floor: float = U_FLOOR,
             m_floors: dict[tuple[str, str], float] | None = None) -> dict[str, Any]:
    """`model` with every non-null level's m and u at least about their floor, each still summing
    to 1 (u within a hair after `_monotone`); `m_floors` raises the floor of named (comparison,
    level label) pairs."""
    m_floors = m_floors or {}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        for key, floor in (("m_probability", m_floor), ("u_probability", u_floor)):
            values = [(level.get(key) or 0.0) + floor for level in levels]
            if key == "m_probability":
                values = [max(v, m_floors.get((name, level["label_for_charts"]), 0.0))
                          for v, level in zip(values, levels, strict=True)]
            total = sum(values)
            for level, value in zip(levels, values, strict=True):
                level[key] = value / total
        _monotone(levels)
    return model


def _monotone(levels: list[dict[str, Any]]) -> None:
    """No level weighs more than the more exact level above it: a family name typed without its
    tone is rare among strangers, but it must not count as more evidence than the name itself."""
    for above, level in zip(levels, levels[1:], strict=False):
        if level["sql_condition"] == "ELSE":
            break
        cap = above["m_probability"] / above["u_probability"]
        if level["m_probability"] / level["u_probability"] > cap:
            level["u_probability"] = level["m_probability"] / cap


@dataclass
class PersonModel:
    """A trained linker over the reference and register tables of one pass."""

    linker: Any
    references: Any
    register: Any
    n_references: int
    n_register: int

    def settings_dict(self) -> dict[str, Any]:
        return self.linker.misc.save_model_to_json(out_path=None)

    def save(self, path: Path) -> Path:
        path.write_text(json.dumps(self.settings_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        return path


def train_person_model(engine: Engine, db_api: Any, references_table: str, register_table: str, n_references: int,
                       n_register: int, spec: TrainingSpec) -> PersonModel:
    """Estimate u by random sampling and m by EM; the prior stays one register person in n."""
    from splink import Linker

    references = db_api.register(references_table, dataset_display_name="references")
    register = db_api.register(register_table, dataset_display_name="register")
    linker = Linker([references, register], for_api(db_api, person_model.settings(n_register)), log_level=None,
                    validate_settings=False)
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.seed, num_chunks=1)
    for rule in person_model.TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=spec.em_max_pairs)
    trained = smoothed(linker.misc.save_model_to_json(out_path=None), m_floors=person_model.M_FLOORS)
    return _ready(engine, db_api, references, register, trained, n_references, n_register)


def trained_person_model(engine: Engine, db_api: Any, references_table: str, register_table: str,
                         trained: dict[str, Any], n_references: int, n_register: int) -> PersonModel:
    """A model trained earlier (`model_keeping`), applied to this pass's tables: its m and u as
    trained, its prior one register person in `n_register` as `train_person_model` sets it (the
    prior is not learnt), its term frequencies counted on the register's names (`_ready`)."""
    references = db_api.register(references_table, dataset_display_name="references")
    register = db_api.register(register_table, dataset_display_name="register")
    settings = {**trained, "probability_two_random_records_match": 1.0 / max(n_register, 1)}
    return _ready(engine, db_api, references, register, settings, n_references, n_register)


TF_COLUMNS = ("family", "rest")
"""The names whose agreement counts for more when they are rare (`person_model`'s term-frequency levels)."""


def _ready(engine: Engine, db_api: Any, references: Any, register: Any, trained: dict[str, Any],
           n_references: int, n_register: int) -> PersonModel:
    """The model ready to score pairs, each name's term frequency counted over the register alone.

    How common a name is, is a fact about the population the candidates come from — the
    register —, not about this week's references (Splink's own count takes both): counted on
    the register, a pair's weights depend on the pair and the register only, so the weights of
    a reference that did not change stay what they were while other references change
    (`link/kept_candidates.py` takes them instead of scoring the pair again)."""
    from splink import Linker

    linker = Linker([references, register], trained, log_level=None, validate_settings=False)
    q = engine.dialect.quote
    for column in TF_COLUMNS:
        table = engine.table_name(f"tf_{column}")
        engine.run(
            f"CREATE OR REPLACE TABLE {q(table)} AS SELECT {q(column)}, "
            f"{engine.dialect.cast('count(*)', 'double')} / (SELECT count({q(column)}) FROM {q(register.physical_name)}) "
            f"AS {q(f'tf_{column}')} FROM {q(register.physical_name)} WHERE {q(column)} IS NOT NULL GROUP BY {q(column)}",
            rule="link term frequencies")
        linker.table_management.register_term_frequency_lookup(db_api.register(table), column)
    return PersonModel(linker, references, register, n_references, n_register)
