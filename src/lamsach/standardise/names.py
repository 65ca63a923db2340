"""Personal names: cased and spaced, otherwise kept exactly as registered; and their matching key.

A name is legal data. Standardising only repairs its form — encoding (done before), spacing,
each syllable capitalised, stray punctuation — and never its spelling: "Thuỷ" stays "Thuỷ".
Names from different databases are compared through `name_key`, which puts the tone of open
oa/oe/uy syllables in one place (hòa/hoà, thủy/thuỷ), so a spelling difference matches and is
reported under *unified* instead of being rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from lamsach.domain import FieldSpec, Repair
from lamsach.standardise.column import ColumnResult
from lamsach.standardise.text import repair_text_map
from lamsach.standardise.tone import traditional_tone

_STRAY = re.compile(r"[^\w\s'\-]")  # punctuation that is no part of a name
_EDGE = re.compile(r"^[\s'\-_]+|[\s'\-_]+$")
_WORD = re.compile(r"[^\W\d_]+")
_NEW_STYLE = re.compile(r"(?<!q)o[áàảãạéèẻẽẹ](?!\w)|(?<!q)u[ýỳỷỹỵ](?!\w)")
"""A tone on the second vowel of an open oa/oe/uy: the only words `name_key` has to move."""


@lru_cache(maxsize=200_000)
def clean_name(text: str) -> str:
    """Spacing, capitalisation and stray punctuation of an NFC name; spelling untouched."""
    if text.istitle() and "  " not in text and text.strip() == text and not _STRAY.search(text):
        return text  # the usual case, checked at C speed
    if _STRAY.search(text):
        text = _STRAY.sub(" ", text)
    text = _EDGE.sub("", " ".join(text.replace("_", " ").split()))
    return " ".join([_capitalise(part) for part in text.split(" ")]) if text else text


@lru_cache(maxsize=50_000)
def _capitalise(word: str) -> str:
    # Hyphenated parts ("Hơ-Mông") each capitalised; Python's title() misreads "ư" after digits.
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


@lru_cache(maxsize=200_000)
def name_key(name: str, *, strip_tones: bool = False) -> str:
    """The key names are matched on: NFC, lower case, single spaces, one tone position for open
    oa/oe/uy syllables; with `strip_tones`, also without tones and with đ as d."""
    text = " ".join(unicodedata.normalize("NFC", name).lower().split())
    if _NEW_STYLE.search(text):
        text = " ".join([traditional_tone(w) for w in text.split(" ")])
    if strip_tones:
        text = unicodedata.normalize("NFD", text.replace("đ", "d"))
        text = unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))
    return text


_INPUT_METHOD_RULES = frozenset({"encoding_tcvn3", "encoding_vni", "encoding_viscii", "encoding_viqr", "encoding_cp1258"})
"""Legacy encodings whose typing tools placed the tone by their own rule (hoà, thuỷ), not the
registrar's: a name decoded from one gets the register's tone position (hòa, thủy)."""


def _key_of_clean(cleaned: str) -> str:
    """`name_key` of a name `clean_name` produced (NFC, single spaces): the common shortcut."""
    text = cleaned.lower()
    if _NEW_STYLE.search(text):
        text = " ".join([traditional_tone(w) for w in text.split(" ")])
    return text


def standardise_names(values: list[str | None], spec: FieldSpec) -> ColumnResult:
    """A name column: encoding repaired, then `spacing_case`; derived `<field>__key`.
    Everything is worked out once per distinct cell, then fanned out in one pass over the rows."""
    per_raw: dict[str | None, tuple[str | None, str | None, str | None, str | None]] = {}
    for raw, (text, rule) in repair_text_map(set(values)).items():
        if text is not None and rule in _INPUT_METHOD_RULES:
            text = _WORD.sub(lambda m: traditional_tone(m.group()), text)
        cleaned = (clean_name(text) or None) if text is not None else None
        key = _key_of_clean(cleaned) if cleaned is not None else None
        per_raw[raw] = (text, rule, cleaned, key)
    rows = [per_raw[v] for v in values]
    result = ColumnResult(values=[r[2] for r in rows])
    result.derived[f"{spec.name}__key"] = [r[3] for r in rows]
    for index in [i for i, r in enumerate(rows) if r[1] is not None or r[2] != r[0]]:
        text, rule, cleaned, _ = rows[index]
        if rule == "spacing_case":  # trimmed and re-spaced: one repair from the cell as sent
            result.repairs.append(Repair(index, rule, values[index], cleaned))
            continue
        if rule is not None:
            result.repairs.append(Repair(index, rule, values[index], text))
        if cleaned != text:
            result.repairs.append(Repair(index, "spacing_case", text, cleaned))
    return result
