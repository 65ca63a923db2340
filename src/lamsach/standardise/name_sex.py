"""A person's sex as their name states it, where a record has no sex field (land users).

Only to check the sex digit of a 12-digit ID: a finding built on it carries `sex_source: name`,
and the register, not the name, settles the question. Words and the rule are in
`catalogues/standardise/name_sex.yaml`; names given to both sexes decide nothing.
"""

from __future__ import annotations

from functools import cache, lru_cache

from lamsach.data import load_yaml, read_csv


@cache
def _words() -> dict[tuple[str, str], str]:
    doc = load_yaml("catalogues/standardise/name_sex.yaml", "catalogue")
    return {(r["part"], r["word"]): r["sex"] for r in read_csv(f"catalogues/standardise/{doc['files']['words']}")}


@lru_cache(maxsize=100_000)
def sex_from_name(name: str) -> str | None:
    """"Nam", "Nữ" or None for a cleaned full name ("Nguyễn Thị Lan" -> "Nữ")."""
    words = name.split()
    if len(words) < 2:
        return None
    table = _words()
    middle = {table[("middle", w)] for w in words[1:-1] if ("middle", w) in table}
    given = table.get(("given", words[-1]))
    if len(middle) > 1:
        return None
    if middle:
        (sex,) = middle
        return sex if given in (None, sex) else None
    return given
