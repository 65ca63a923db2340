"""What makes two records of one dataset the same thing: one `DedupeSpec` per dataset.

The exact `unique` rules of the schemas catch copies; these specs catch the copies that were
retyped: a parcel entered twice with a slip in the parcel number and an area measured again,
a birth registered in two communes, a register person entered twice with a mistyped ID.

Each spec is a small Splink model. Its m probabilities (how often a true duplicate agrees at
each level) are set here, from how duplicates arise, because duplicates are too rare in a
dataset (under 1%) for expectation-maximisation to find them; its u probabilities are estimated
from the data by random sampling at every pass. Disagreements that rule a duplicate out (another
child's name on the same birth date: twins) get an m so small that nothing else outweighs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PLAIN = "nullif(trim(replace(strip_accents({}), 'đ', 'd')), '')"


def digits_apart(column: str, most: int) -> str:
    """Two equal-length values (dates, IDs) differing in at most `most` positions. Hamming distance
    behind a CASE: it is 50 times cheaper than edit distance, and the CASE keeps it off values of
    unequal length."""
    return (f"CASE WHEN length({column}_l) = length({column}_r) "
            f"THEN hamming({column}_l, {column}_r) <= {most} ELSE false END")


def one_keystroke(column: str) -> str:
    """One insertion, deletion, substitution or swap apart. One slip leaves the first two or the
    last two characters intact, so that cheap test comes first and keeps the edit distance off
    the pairs that share neither."""
    a, b = f"{column}_l", f"{column}_r"
    return (f"CASE WHEN abs(length({a}) - length({b})) <= 1 AND (left({a}, 2) = left({b}, 2) "
            f"OR right({a}, 2) = right({b}, 2) OR length({a}) <= 4) "
            f"THEN damerau_levenshtein({column}_l, {column}_r) <= 1 ELSE false END")


@dataclass(frozen=True)
class DedupeSpec:
    dataset: str
    columns: dict[str, str]  # prepared column -> SQL over the standardised table `d`
    comparisons: tuple[dict[str, Any], ...]
    blocks: tuple[tuple[str, ...], ...]

    def settings(self, n_records: int, expected_duplicate_share: float) -> dict[str, Any]:
        """The model; the prior is the expected share of duplicate records spread over all pairs."""
        pairs = max(n_records * (n_records - 1) / 2, 1)
        return {
            "link_type": "dedupe_only",
            "unique_id_column_name": "unique_id",
            "probability_two_random_records_match": min(expected_duplicate_share * n_records / pairs, 0.5),
            "comparisons": list(self.comparisons),
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": " AND ".join(f"l.{c} = r.{c}" for c in block)} for block in self.blocks],
            "retain_matching_columns": True,
            "retain_intermediate_calculation_columns": True,
        }


def _comparison(name: str, column: str, levels: list[tuple[str, str, float]]) -> dict[str, Any]:
    """Levels as (sql, label, m); a null level on `column` first and an else level last (m = rest)."""
    rest = max(1.0 - sum(m for _, _, m in levels), 1e-9)
    return {"output_column_name": name, "comparison_levels": [
        {"sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL", "label_for_charts": f"{name} missing",
         "is_null_level": True},
        *({"sql_condition": sql, "label_for_charts": label, "m_probability": m} for sql, label, m in levels),
        {"sql_condition": "ELSE", "label_for_charts": f"other {name}", "m_probability": rest},
    ]}


def _name(name: str, key: str, plain: str, other: float = 0.01) -> dict[str, Any]:
    return _comparison(name, key, [
        (f"{key}_l = {key}_r", "same name", 0.90),
        (f"{plain}_l = {plain}_r", "same name without tones", 0.06),
        (f"jaro_winkler_similarity({plain}_l, {plain}_r) >= 0.9", "toneless name Jaro-Winkler >= 0.9",
         0.04 - other),
    ])


def _person(name: str, prefix: str, other: float = 1e-6) -> dict[str, Any]:
    """One person of a registration, name, date of birth and ID together: they describe one fact,
    and counting them as three pieces of evidence would make a man's two marriages look like one
    marriage registered twice. A different person here rules the duplicate out (`other`)."""
    key, plain, dob, pid = f"{prefix}_key", f"{prefix}_plain", f"{prefix}_dob", f"{prefix}_id"
    alike = (f"({key}_l = {key}_r OR {plain}_l = {plain}_r "
             f"OR jaro_winkler_similarity({plain}_l, {plain}_r) >= 0.9)")
    return _comparison(name, key, [
        (f"{key}_l = {key}_r AND {dob}_l = {dob}_r", "same name and date of birth", 0.85),
        (f"{alike} AND {dob}_l = {dob}_r", "name alike, same date of birth", 0.10),
        (f"{key}_l = {key}_r AND ({dob}_l IS NULL OR {dob}_r IS NULL OR {digits_apart(dob, 1)})",
         "same name, date of birth missing or one digit apart", 0.03),
        (f"{pid}_l = {pid}_r", "same ID, name or date of birth retyped", 0.02 - other),
    ])


def _exact(name: str, column: str, m: float) -> dict[str, Any]:
    return _comparison(name, column, [(f"{column}_l = {column}_r", f"same {name}", m)])


def _date(name: str, column: str) -> dict[str, Any]:
    return _comparison(name, column, [
        (f"{column}_l = {column}_r", f"same {name}", 0.955),
        (digits_apart(column, 1), f"{name} one digit apart", 0.043),
    ])


def _typed(name: str, column: str) -> dict[str, Any]:
    """A number or code typed by hand: exact, or one keystroke apart; anything else is another thing."""
    return _comparison(name, column, [
        (f"{column}_l = {column}_r", f"same {name}", 0.90),
        (one_keystroke(column), f"{name} one keystroke apart", 0.095),
    ])


def _owner() -> dict[str, Any]:
    """The land user, name and ID together: they describe one fact, and counting them as two
    pieces of evidence would make an owner's two parcels look like one parcel twice."""
    return _comparison("owner", "owner_key", [
        ("owner_key_l = owner_key_r AND owner_id_l = owner_id_r", "same owner name and ID", 0.85),
        ("owner_key_l = owner_key_r", "same owner name", 0.10),
        ("owner_plain_l = owner_plain_r OR jaro_winkler_similarity(owner_plain_l, owner_plain_r) >= 0.9",
         "owner name alike without tones", 0.04),
    ])


def _person_columns(prefix: str, name: str) -> dict[str, str]:
    key = f'd."{name}__key"'
    return {f"{prefix}_key": key, f"{prefix}_plain": PLAIN.format(key)}


SPECS: dict[str, DedupeSpec] = {spec.dataset: spec for spec in (
    DedupeSpec(
        "population",
        {**_person_columns("person", "full_name"), "dob": "d.date_of_birth", "sex": "d.sex",
         "commune_code": "d.commune_code", "household": "d.household_id", "citizen_id": "d.citizen_id"},
        (_name("name", "person_key", "person_plain", other=0.002), _date("dob", "dob"), _exact("sex", "sex", 0.99),
         _exact("commune", "commune_code", 0.9), _exact("household", "household", 0.8),
         _comparison("citizen_id", "citizen_id", [
             ("citizen_id_l = citizen_id_r", "same ID", 0.85),
             (digits_apart("citizen_id", 2), "ID two digits apart", 0.13)])),
        (("person_plain", "dob"), ("citizen_id",), ("dob", "household")),
    ),
    DedupeSpec(
        "land_parcel",
        {"commune_code": "d.commune_code", "map_sheet": "d.map_sheet", "parcel_no": "d.parcel_no",
         "sheet_parcel": "d.map_sheet || '/' || d.parcel_no", "area": "TRY_CAST(d.area_m2 AS DOUBLE)",
         "land_use_code": "d.land_use_code", "serial": "d.certificate_serial",
         **_person_columns("owner", "owner_name"), "owner_id": "d.owner_id"},
        (_typed("parcel", "sheet_parcel"),
         _comparison("area", "area", [
             ("abs(area_l - area_r) <= 0.005 * greatest(area_l, area_r)", "area within 0.5%", 0.80),
             ("abs(area_l - area_r) <= 0.05 * greatest(area_l, area_r)", "area within 5%", 0.17)]),
         _owner(), _typed("serial", "serial"), _exact("land_use", "land_use_code", 0.95),
         _exact("commune", "commune_code", 0.995)),
        (("commune_code", "map_sheet", "parcel_no"), ("commune_code", "map_sheet", "owner_key"), ("serial",),
         ("commune_code", "owner_key", "land_use_code")),
    ),
    DedupeSpec(
        "birth",
        {**_person_columns("child", "child_name"), "child_dob": "d.child_dob", "child_id": "d.child_id",
         "child_sex": "d.child_sex", **_person_columns("mother", "mother_name"),
         **_person_columns("father", "father_name"), "registration_no": "d.registration_no",
         "commune_code": "d.commune_code"},
        (_person("child", "child"), _exact("child_sex", "child_sex", 0.98), _name("mother", "mother_key", "mother_plain"),
         _name("father", "father_key", "father_plain"), _exact("registration_no", "registration_no", 0.5),
         _exact("commune", "commune_code", 0.7)),
        (("child_plain", "child_dob"), ("mother_key", "child_dob")),
    ),
    DedupeSpec(
        "death",
        {**_person_columns("deceased", "deceased_name"), "deceased_dob": "d.deceased_dob",
         "deceased_id": "d.deceased_id", "date_of_death": "d.date_of_death", "commune_code": "d.commune_code"},
        (_person("deceased", "deceased"), _date("date_of_death", "date_of_death"),
         _exact("commune", "commune_code", 0.7)),
        (("deceased_plain", "date_of_death"), ("deceased_dob", "date_of_death"), ("deceased_plain", "deceased_dob")),
    ),
    DedupeSpec(
        "marriage",
        {**_person_columns("husband", "husband_name"), "husband_dob": "d.husband_dob", "husband_id": "d.husband_id",
         **_person_columns("wife", "wife_name"), "wife_dob": "d.wife_dob", "wife_id": "d.wife_id",
         "registration_no": "d.registration_no", "commune_code": "d.commune_code"},
        (_person("husband", "husband"), _person("wife", "wife"),
         _exact("registration_no", "registration_no", 0.5), _exact("commune", "commune_code", 0.7)),
        (("husband_plain", "wife_plain"), ("husband_dob", "wife_dob")),
    ),
)}
