"""Link: tie each person reference to the population register, find duplicates within datasets.

By ID first (`by_id`), then by a Fellegi–Sunter model trained on the pass's own data with Splink
(`references`, `person_model`, `training`, `probabilistic`, `bands`), explained by its charts
(`charts`); duplicates within a dataset by small per-dataset models (`dedupe_library`, `dedupe`).
"""

from lamsach.link.bands import ACCEPT, REJECT, REVIEW, LinkBands
from lamsach.link.by_id import LINK_COLUMNS, LINK_PROBABILITY_DECIMALS, link_by_id, register_by_id_table
from lamsach.link.charts import save_charts
from lamsach.link.dedupe import DUPLICATE_COLUMNS, DedupeSettings, find_duplicates
from lamsach.link.probabilistic import ProbabilisticLinks, explain_id_links, link_probabilistically
from lamsach.link.references import build_references, build_register
from lamsach.link.splink_backend import splink_api
from lamsach.link.training import PersonModel, TrainingSpec, train_person_model

__all__ = [
    "ACCEPT",
    "DUPLICATE_COLUMNS",
    "LINK_COLUMNS",
    "LINK_PROBABILITY_DECIMALS",
    "REJECT",
    "REVIEW",
    "DedupeSettings",
    "LinkBands",
    "PersonModel",
    "ProbabilisticLinks",
    "TrainingSpec",
    "build_references",
    "build_register",
    "explain_id_links",
    "find_duplicates",
    "link_by_id",
    "link_probabilistically",
    "register_by_id_table",
    "save_charts",
    "splink_api",
    "train_person_model",
]
