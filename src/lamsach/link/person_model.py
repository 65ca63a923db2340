"""The Fellegi–Sunter model that says whether a person reference and a register record are one person.

Written as a Splink settings dictionary (comparisons as SQL levels, most specific first), so
the trained model saves as plain JSON beside the run and reads back into Splink unchanged.

Why these comparisons:

- `family`: the family name, exact, with a term-frequency adjustment: "Nguyễn" (about 38% of
  people) agreeing is weak evidence, "Khổng" agreeing is strong. Without tones as a second level.
- `given_names`: middle and given names (what distinguishes people inside a family name), exact
  with tones, exact without tones (a tone lost or misplaced in typing), the same given name under
  another middle name (middle names are dropped or changed between registers), then Jaro-Winkler
  on the whole toneless key (typing slips).
- `dob`, `year_only`: a full date where the reference has one, else the birth year alone (a land
  user's record keeps only the year). Both name `birth_year`, so training blocked on the year
  leaves them untouched.
- `sex`, `commune` (with the hamlet as a stronger level), `household` (see `references.py`).
- `known`: the person other records of the same name, birth and place are tied to by ID (see
  `references.py`): in a register of a million, the clue that separates namesakes.

The register's national ID is not compared: references reach this model because their ID is
missing, old or wrong, and a wrong ID disagreeing says nothing about the person.
"""

from __future__ import annotations

from typing import Any


def _level(sql: str, label: str, m: float | None = None, **extra: Any) -> dict[str, Any]:
    """A level; `m` is where expectation-maximisation starts (it re-estimates it). Starting from
    "a person's two records mostly agree" keeps EM off degenerate answers such as "matches are
    members of one household", whose names differ."""
    return {"sql_condition": sql, "label_for_charts": label, **({"m_probability": m} if m else {}), **extra}


_SWAPPED_YEAR_DIGITS = (
    "birth_year_l - birth_year_l % 100 = birth_year_r - birth_year_r % 100 AND "
    "birth_year_l % 10 * 10 = birth_year_r % 100 - birth_year_r % 10 AND "
    "birth_year_r % 10 * 10 = birth_year_l % 100 - birth_year_l % 10")
"""1967 against 1976: the same century and decade digits crossed. In integer arithmetic, which both
engines compute alike, rather than in text functions Spark would need translated."""


def _null(sql: str, label: str) -> dict[str, Any]:
    return _level(sql, label, is_null_level=True)


def comparisons() -> list[dict[str, Any]]:
    return [
        {"output_column_name": "family", "comparison_description": "Họ (family name)", "comparison_levels": [
            _null("family_l IS NULL OR family_r IS NULL", "family name missing"),
            _level("family_l = family_r", "same family name", 0.95, tf_adjustment_column="family",
                   tf_adjustment_weight=1.0),
            _level("split_part(name_plain_l, ' ', 1) = split_part(name_plain_r, ' ', 1)",
                   "same family name without tones", 0.03),
            _level("ELSE", "other family name", 0.02),
        ]},
        {"output_column_name": "given_names", "comparison_description": "Tên đệm và tên (middle and given names)",
         "comparison_levels": [
            _null("rest_l IS NULL OR rest_r IS NULL", "given name missing"),
            _level("rest_l = rest_r", "same middle and given names", 0.88, tf_adjustment_column="rest",
                   tf_adjustment_weight=1.0),
            _level("rest_plain_l = rest_plain_r", "same without tones", 0.03),
            _level("given_l = given_r", "same given name, other middle name", 0.03),
            _level("jaro_winkler_similarity(name_plain_l, name_plain_r) >= 0.92", "toneless name Jaro-Winkler >= 0.92",
                   0.03),
            _level("ELSE", "other name", 0.03),
        ]},
        {"output_column_name": "dob", "comparison_description": "Ngày sinh (date of birth)", "comparison_levels": [
            _null("dob_l IS NULL OR dob_r IS NULL", "no full date of birth"),
            _level("dob_l = dob_r", "same date of birth", 0.9),
            _level("CASE WHEN length(dob_l) = length(dob_r) THEN hamming(dob_l, dob_r) <= 1 ELSE false END",
                   "date of birth one digit apart", 0.03),
            _level("substr(dob_l, 6) = substr(dob_r, 6)", "same day and month, year typed otherwise", 0.01),
            _level("birth_year_l = birth_year_r", "same birth year, other day", 0.04),
            _level("ELSE", "other date of birth", 0.03),
        ]},
        {"output_column_name": "year_only", "comparison_description": "Năm sinh (birth year only)",
         "comparison_levels": [
            _null("year_only_l IS NULL OR year_only_r IS NULL OR birth_year_l IS NULL OR birth_year_r IS NULL",
                  "no birth year to compare"),
            _level("birth_year_l = birth_year_r", "same birth year", 0.9),
            _level("abs(birth_year_l - birth_year_r) <= 1", "birth years one apart", 0.05),
            _level(_SWAPPED_YEAR_DIGITS, "birth year with its last two digits swapped", 0.01),
            _level("ELSE", "other birth year", 0.05),
        ]},
        {"output_column_name": "sex", "comparison_description": "Giới tính (sex)", "comparison_levels": [
            _null("sex_l IS NULL OR sex_r IS NULL", "sex unknown"),
            _level("sex_l = sex_r", "same sex", 0.95),
            _level("ELSE", "other sex", 0.05),
        ]},
        {"output_column_name": "commune", "comparison_description": "Xã, thôn (commune, hamlet)",
         "comparison_levels": [
            _null("commune_code_l IS NULL OR commune_code_r IS NULL", "commune unknown"),
            _level("commune_code_l = commune_code_r AND hamlet_l = hamlet_r", "same commune and hamlet", 0.6),
            # a record that names no hamlet is not one whose hamlet disagrees: apart, each level learns
            # its own share (a land user's address names the hamlet, and a match almost always agrees)
            _level("commune_code_l = commune_code_r AND (hamlet_l IS NULL OR hamlet_r IS NULL)",
                   "same commune, hamlet unknown", 0.25),
            # fixed, not learnt: EM blocked on name and year takes the namesakes of a large commune
            # for moved people (10% at 200,000 people; among the ID links it is under 0.1%)
            _level("commune_code_l = commune_code_r", "same commune, other hamlet", 0.03, fix_m_probability=True),
            _level("ELSE", "other commune", 0.1),
        ]},
        {"output_column_name": "household", "comparison_description": "Hộ (household of a relative in the record)",
         "comparison_levels": [
            # the commune test (always true where a household is known) ties this comparison to the
            # commune: EM blocked on the commune leaves it alone, and learns it only where
            # relatives in one household cannot pass for one person (`TRAINING_BLOCKS`)
            _null("household_l IS NULL OR household_r IS NULL OR (commune_code_l IS NULL AND commune_code_r IS NULL)",
                  "no household context"),
            _level("household_l = household_r", "in the household of a relative named in the record", 0.8),
            _level("ELSE", "in another household", 0.2),
        ]},
        {"output_column_name": "known",
         "comparison_description": "Hồ sơ khác cùng tên, ngày sinh, nơi ở đã gắn số định danh "
                                   "(another record of the same name, birth and place, tied by ID)",
         "comparison_levels": [
            # symmetric, whichever side Splink puts the register on; only references carry `known`
            _null("known_l IS NULL AND known_r IS NULL", "no other record tied by ID"),
            # set, not learnt: against a random stranger the tie is overwhelming, but the name, birth and
            # place it rests on are weighed already. What it adds is a choice between namesakes who share
            # all of them: the one holding other records under them is the likelier, not a certainty (the
            # other may hold just this one), so the tie and its converse below are worth about 32 to 1
            # together, which leaves such a pair to an officer. (EM, left to it, drives the converse's m
            # to nothing: only namesakes show it.)
            _level("known_l = citizen_id_r OR known_r = citizen_id_l",
                   "another record of the same name, birth and place is tied to this person by ID", 0.85,
                   fix_m_probability=True, u_probability=0.15, fix_u_probability=True),
            _level("ELSE", "another record of the same name, birth and place is tied to someone else", 0.15,
                   fix_m_probability=True),
        ]},
    ]


M_FLOORS: dict[tuple[str, str], float] = {
    ("commune", "other commune"): 0.05,
    ("commune", "same commune, hamlet unknown"): 0.10,
    ("year_only", "birth years one apart"): 0.01,
    ("dob", "date of birth one digit apart"): 0.005,
    ("dob", "same day and month, year typed otherwise"): 0.003,
    ("year_only", "birth year with its last two digits swapped"): 0.003,
    ("given_names", "same without tones"): 0.01,
    ("given_names", "same given name, other middle name"): 0.01,
    ("given_names", "toneless name Jaro-Winkler >= 0.92"): 0.01,
}
"""The least share of one person's records at these levels, whatever EM estimates: people move
(land lies where it lies, registrations happen where the event did) and a hamlet is often left
out or, within a commune, out of date; a tone lost, a middle name dropped or a year off by one are
common typing slips, and so is a year typed with two digits swapped (1967 as 1976)."""

PREDICTION_BLOCKS = (
    ("name_plain", "birth_year"),
    ("name_plain", "commune_code"),
    ("given", "birth_year", "commune_code"),
    ("family", "birth_year", "commune_code"),
    ("household", "sex"),
)
"""Candidate pairs: the same toneless name and birth year or commune; the same given or family name
with both birth year and commune (a family name alone would pair a third of the province); the
household of a relative named in the record with the expected sex."""

TRAINING_BLOCKS = (
    "l.name_plain = r.name_plain AND l.birth_year = r.birth_year",
    "l.name_plain = r.name_plain AND l.commune_code = r.commune_code",
    "l.birth_year = r.birth_year AND l.commune_code = r.commune_code",
)
"""Expectation-maximisation passes, each estimating the comparisons its blocking leaves free: the
same toneless name and birth year (how often one person's records name other communes: people
move), the same name and commune (dates), the same birth year and commune (names). Blocking on the
name alone would let EM explain every moved person as a stranger and learn that nobody moves."""


def settings(n_register: int, prediction_blocks: tuple[tuple[str, ...], ...] = PREDICTION_BLOCKS) -> dict[str, Any]:
    """The untrained model. The prior is one register person in `n_register`: each reference is
    exactly one person, so two random records (reference, register) match with that chance."""
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1.0 / max(n_register, 1),
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": " AND ".join(f"l.{c} = r.{c}" for c in block)} for block in prediction_blocks],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["citizen_id"],
        "em_convergence": 0.001,
        "max_iterations": 25,
    }
