"""Unicode repair of a text column: NFC, legacy encodings, trimmed whitespace.

Every other standardiser (names, addresses, codes) starts from this: it gives each cell's text in
NFC with its encoding repaired, and one `Repair` per converted cell naming the encoding. The
column's evidence settles cells that read well in several encodings (`detection.choose`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lamsach.domain import Repair
from lamsach.standardise.column import map_unique
from lamsach.standardise.detection import choose, column_votes, dominant

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

_SPACES = re.compile(r"[\s\u00a0\u200b\ufeff]+")


@dataclass(frozen=True)
class TextRepair:
    """A cell's text after Unicode repair, and the rule that repaired it (None if untouched)."""

    text: str
    rule: str | None


def repair_text_column(values: list[str | None]) -> tuple[list[str | None], list[Repair]]:
    """Cells in NFC with their encoding repaired and outer whitespace trimmed; blanks become None."""
    prepared = map_unique(values, _prepare)
    distinct = sorted({p for p in prepared if p})
    # Office drops TCVN3's ư (byte AD, a soft hyphen): restore it only where the column shows none.
    restore_u = not any("\u00ad" in p for p in distinct)
    votes = column_votes(distinct, restore_u)
    column = dominant(votes)
    fixed = map_unique(prepared, lambda p: None if not p else _repair(p, votes, restore_u, column))
    out: list[str | None] = []
    repairs: list[Repair] = []
    for index, (raw, _prep, fix) in enumerate(zip(values, prepared, fixed, strict=True)):
        if fix is None:
            out.append(None)
            continue
        out.append(fix.text)
        rule = fix.rule or ("encoding_nfd" if raw is not None and unicodedata.normalize("NFC", raw) != raw else None)
        if rule:
            repairs.append(Repair(index, rule, raw, fix.text))
    return out, repairs


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
