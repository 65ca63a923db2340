"""Unicode repair of a text column: NFC, legacy encodings, trimmed whitespace.

Every other standardiser (names, addresses, codes) starts from this: it gives each cell's text in
NFC with its encoding repaired, and one `Repair` per converted cell naming the encoding. The
column's evidence settles cells that read well in several encodings (`detection.choose`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from lamsach.domain import Repair
from lamsach.standardise.detection import (
    UNICODE,
    VIQR_HINT,
    choose,
    column_votes,
    could_be_legacy,
    dominant,
    plain_ascii_text,
)

ENCODING_RULES: dict[str | None, str] = {
    "tcvn3": "encoding_tcvn3",
    "vni": "encoding_vni",
    "viscii": "encoding_viscii",
    "viqr": "encoding_viqr",
    "cp1258": "encoding_cp1258",
    "utf8_mojibake": "encoding_mojibake",
    "nfd": "encoding_nfd",
}
"""Encoding -> the repair rule recorded when a cell is converted from it."""

_TRAILING = frozenset("\u00a0\u200b\ufeff\u3000\u2002\u2003\u2009")
_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")


@dataclass(frozen=True)
class TextRepair:
    """A cell's text after Unicode repair, and the rule that repaired it (None if untouched)."""

    text: str
    rule: str | None


def repair_text_column(values: list[str | None]) -> tuple[list[str | None], list[Repair]]:
    """Cells in NFC with their encoding repaired and outer whitespace trimmed; blanks become None."""
    per_raw = repair_text_map(set(values))
    out: list[str | None] = []
    repairs: list[Repair] = []
    for index, raw in enumerate(values):
        text, rule = per_raw[raw]
        out.append(text)
        if rule is not None:
            repairs.append(Repair(index, rule, raw, text))
    return out, repairs


def repair_text_map(distinct_values: set[str | None]) -> dict[str | None, tuple[str | None, str | None]]:
    """For each distinct cell of one column: (repaired text or None if blank, repair rule or None).
    The column is the unit of evidence, so pass all its distinct values at once."""
    prepared = {raw: _prepare(raw) for raw in distinct_values}
    distinct = {p for p in prepared.values() if p}
    # Cells holding a character no legacy byte shows are Unicode: they vote so, and are kept.
    legacy_like = sorted(p for p in distinct if could_be_legacy(p))
    # Office drops TCVN3's ư (byte AD, a soft hyphen): restore it only where the column shows none.
    restore_u = not any("\u00ad" in p for p in legacy_like)
    # Printable ASCII with no VIQR mark (codes, numbers, IDs: most cells of most columns) reads
    # the same in every encoding: it casts no vote and is kept as it is, without being scored.
    to_read = [p for p in legacy_like if not plain_ascii_text(p)]
    votes = column_votes(to_read, restore_u)
    votes[UNICODE] += len(distinct) - len(legacy_like)
    column = dominant(votes)
    fixed = {p: _repair(p, votes, restore_u, column) for p in to_read}
    per_raw: dict[str | None, tuple[str | None, str | None]] = {}
    for raw, prep in prepared.items():
        if not prep:
            per_raw[raw] = (None, None)
            continue
        fix = fixed.get(prep)
        text = fix.text if fix else (prep if prep[-1] not in _TRAILING else prep.strip())
        rule = fix.rule if fix else None
        if rule is None and raw != prep and not unicodedata.is_normalized("NFC", raw):
            rule = "encoding_nfd"
        if rule is None and text != raw:
            rule = "spacing_case"  # only outer whitespace went: still a repair the unit should see
        per_raw[raw] = (text, rule)
    return per_raw


CANONICAL_ASCII = r"^[!-~](?:[ -~]*[!-~])?$"
"""A cell of printable ASCII with no outer space (RE2 and Python alike)."""


def canonical_text_mask(values: pa.Array) -> pa.Array:
    """True where `repair_text_map` is known to give the cell back as it is, whatever the rest of
    its column holds: printable ASCII with no outer whitespace and no VIQR mark. Such a cell
    reads the same in every encoding, so it casts no vote (`plain_ascii_text`), is never decoded
    and has nothing to trim. Record keys, household and parcel numbers are nearly all of this
    kind: a million of them need not go through Python one by one (`in_engine`). False for NULL."""
    ascii_ = pc.match_substring_regex(values, CANONICAL_ASCII)
    hinted = pc.match_substring_regex(values, VIQR_HINT)
    return pc.fill_null(pc.and_(ascii_, pc.invert(hinted)), False)


def repair_text(value: str, votes=None) -> TextRepair:
    """One cell on its own (no column evidence)."""
    from collections import Counter

    prepared = _prepare(value)
    return _repair(prepared, votes or Counter()) if prepared else TextRepair("", None)


def _prepare(value: str | None) -> str:
    # Only ASCII whitespace is trimmed here: a trailing no-break space may be the last byte of
    # UTF-8 mojibake ("HÃ\u00a0" is "Hà").
    if value is None:
        return ""
    return unicodedata.normalize("NFC", value).strip(" \t\r\n\f\v")


def _repair(text: str, votes, restore_u: bool = True, column: str | None = None) -> TextRepair:
    reading = choose(text, votes, restore_u, column)
    if reading.encoding is None:
        return TextRepair(text.strip(), None)
    return TextRepair(reading.text.strip(), ENCODING_RULES[reading.encoding])


def collapse_spaces(text: str) -> str:
    """Inner runs of whitespace (including no-break and zero-width spaces) as one space."""
    return _SPACES.sub(" ", text).strip()
