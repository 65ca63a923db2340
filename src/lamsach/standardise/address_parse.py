"""Split a Vietnamese address into its parts: house/street, hamlet, commune, district, province.

Parts are separated by commas, or only by the words that open them ("Thôn 3 xã Nga Sơn tỉnh
Thanh Hóa"). The opening words and their abbreviations ("X.", "P.", "TT.", "H.", "T.", "TP.")
are data (`catalogues/standardise/address_terms.csv`). Which part is the commune, district or
province is then settled from the right, the way addresses are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from lamsach.data import read_csv
from lamsach.standardise.names import name_key
from lamsach.standardise.text import collapse_spaces

LEVELS: tuple[str, ...] = ("house", "street", "hamlet", "commune", "old_commune", "district", "city", "province")
"""Closed set of part levels the resolver branches on."""


@dataclass(frozen=True)
class Term:
    text: str
    level: str
    canonical: str


@dataclass(frozen=True)
class Part:
    """One part of an address: its level (None when no word says), opening term and name."""

    level: str | None
    term: str  # canonical opening word ("xã"), "" when none
    name: str  # the rest, spaces collapsed


@cache
def _terms() -> tuple[dict[str, Term], dict[str, Term]]:
    """(every spelling key -> term, accented unit words -> term) from the data file."""
    terms = [Term(r["term"], r["level"], r["canonical"]) for r in read_csv("catalogues/standardise/address_terms.csv")]
    by_key: dict[str, Term] = {}
    for term in terms:
        by_key.setdefault(_term_key(term.text), term)
        if not term.text.isupper():
            by_key.setdefault(name_key(term.text, strip_tones=True), term)
    units = {name_key(t.text): t for t in terms if t.level in _UNIT_LEVELS and not t.text.isupper()}
    return by_key, units


_UNIT_LEVELS = frozenset({"commune", "old_commune", "district", "city", "province"})
_DOTTED = re.compile(r"(TP|TX|TT|X|P|H|Q|T)\.", re.IGNORECASE)


def _term_key(text: str) -> str:
    return text if text.isupper() else name_key(text)


@lru_cache(maxsize=100_000)
def split_address(text: str) -> tuple[Part, ...]:
    """The parts of an NFC address, left to right."""
    chunks: list[str] = []
    for chunk in re.split(r"[,;]", text):
        chunk = collapse_spaces(chunk).strip(" .")
        if chunk:
            chunks.extend(_inner_split(chunk))
    return tuple(_part(chunk) for chunk in chunks)


@lru_cache(maxsize=100_000)
def _inner_split(chunk: str) -> tuple[str, ...]:
    """Split a comma-less chunk before each unit word ("xã", "huyện", "tỉnh", "TP.") that is
    followed by a capitalised name or a number, e.g. "Thôn 3 xã Nga Sơn tỉnh Thanh Hóa"."""
    _, units = _terms()
    words = chunk.split(" ")
    cuts = [0]
    i = 1
    while i < len(words):
        width, follower = 0, ""
        dotted = _DOTTED.match(words[i])
        if dotted:  # "X.Nga" or "X." then "Nga"
            width = 1
            follower = words[i][dotted.end() :] or (words[i + 1] if i + 1 < len(words) else "")
        else:
            for n in (2, 1):
                head = " ".join(words[i : i + n])
                if len(words[i : i + n]) == n and name_key(head) in units:
                    width = n
                    follower = words[i + n] if i + n < len(words) else ""
                    break
        if width and (follower[:1].isupper() or follower[:1].isdigit()) and name_key(words[i - 1]) not in _COMPOUND_HEADS:
            cuts.append(i)
            i += width
            continue
        i += 1
    cuts.append(len(words))
    return tuple(" ".join(words[a:b]).strip(" .") for a, b in zip(cuts, cuts[1:], strict=False) if a < b)


_COMPOUND_HEADS = frozenset({"thị", "thành", "đặc"})


@lru_cache(maxsize=100_000)
def _part(chunk: str) -> Part:
    """Read the opening term of a chunk: the longest matching one, abbreviations needing a dot
    or a following name."""
    by_key, _ = _terms()
    words = chunk.split(" ")
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        head = " ".join(words[:n])
        rest = " ".join(words[n:])
        dotted = re.fullmatch(r"([A-Za-zĐđ]{1,3})\.(.*)", head) if n == 1 else None
        if dotted:  # "X.Nga" or "TP." then the name
            term = by_key.get(dotted[1].upper())
            if term:
                return Part(term.level, term.canonical, collapse_spaces(f"{dotted[2]} {rest}"))
        candidates = [head.upper()] if head.isupper() and len(head) <= 3 else []
        candidates += [name_key(head), name_key(head, strip_tones=True)]
        for key in candidates:
            term = by_key.get(key)
            if term is None or (term.text.isupper() and not rest):
                continue
            if term.text.isupper() and head != term.text:
                continue  # "t" or "Tp" alone is no abbreviation: abbreviations are capitals
            if rest or term.level in ("hamlet", "house"):
                return Part(term.level, term.canonical, rest)
    return Part(None, "", chunk)
